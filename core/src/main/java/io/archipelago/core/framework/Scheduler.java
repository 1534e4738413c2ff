package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one scheduling cycle per task: filter every node, score the feasible ones, pick the highest
 * total (ties to the lowest node index), select GPUs, bind.
 *
 * <h2>Design note</h2>
 * The hot path ({@link #place(TaskSpec, int)}) allocates nothing: feasible nodes go to a scratch
 * array, reasons are counted in a scratch array, and scores of cacheable plugins are memoised per
 * (task shape, node) together with the node's version from {@link ClusterState#version(int)}. A
 * bind changes one node, so after each decision only that node's entries are stale; they are
 * recomputed lazily the next time a task of that shape looks at the node. Task shapes are interned
 * with {@link #shapeOf(TaskSpec)}; callers that schedule many tasks intern once per task up front.
 *
 * <p>Not thread-safe: one scheduler per {@link ClusterState} and thread.
 */
public final class Scheduler {
    private record ShapeKey(int cpu, int gpuCount, int gpuMilli, long allowedModels) {
    }

    private final ClusterState state;
    private final Profile profile;
    private final FilterPlugin[] filters;
    private final ScorePlugin[] scorers;
    private final int[] weights;
    private final boolean cacheable;
    private final GpuSelector selector;
    private final BindPlugin binder;
    private final int n;
    private final int[] feasible;
    private final int[] reasonCounts = new int[Reason.values().length];
    private final Map<ShapeKey, Integer> shapes = new HashMap<>();
    private final List<int[]> cacheScore = new ArrayList<>();
    private final List<int[]> cacheVersion = new ArrayList<>();
    private int lastFeasible;
    private int lastScore;
    private int lastGpuMask;
    private long cacheHits;
    private long cacheMisses;

    public Scheduler(ClusterState state, Profile profile) {
        this.state = state;
        this.profile = profile;
        this.filters = profile.filters().toArray(new FilterPlugin[0]);
        this.scorers = new ScorePlugin[profile.scores().size()];
        this.weights = new int[scorers.length];
        boolean c = true;
        for (int i = 0; i < scorers.length; i++) {
            scorers[i] = profile.scores().get(i).plugin();
            weights[i] = profile.scores().get(i).weight();
            c &= scorers[i].cacheable();
        }
        this.cacheable = c;
        this.selector = profile.gpuSelector();
        this.binder = profile.binder();
        this.n = state.nodeCount();
        this.feasible = new int[n];
    }

    public ClusterState state() {
        return state;
    }

    public Profile profile() {
        return profile;
    }

    /** The interned shape id of a task (CPU, GPU count, per-GPU milli, allowed models). */
    public int shapeOf(TaskSpec t) {
        ShapeKey key = new ShapeKey(t.cpuMilli(), t.gpuCount(), t.gpuMilli(), t.allowedModels());
        Integer id = shapes.get(key);
        if (id == null) {
            id = shapes.size();
            shapes.put(key, id);
            if (cacheable) {
                cacheScore.add(new int[n]);
                cacheVersion.add(new int[n]);
            }
        }
        return id;
    }

    /**
     * Schedules and binds {@code task}; returns the chosen node index, or -1 if no node fits
     * (then nothing changed; {@link #explainLast()} tells why). Allocation-free.
     *
     * @param shape the task's id from {@link #shapeOf(TaskSpec)}
     */
    public int place(TaskSpec task, int shape) {
        int node = selectNode(task, shape);
        if (node < 0) {
            return -1;
        }
        int mask = selector.selectGpus(state, node, task);
        binder.bind(state, node, task, mask);
        lastGpuMask = mask;
        return node;
    }

    /** Like {@link #place(TaskSpec, int)} but returns a {@link Decision} with its explanation. */
    public Decision schedule(TaskSpec task) {
        int node = place(task, shapeOf(task));
        return node < 0 ? explainLast() : placed(node, lastGpuMask);
    }

    /** Where {@code task} would go now, and why, without binding it. */
    public Decision preview(TaskSpec task) {
        int node = selectNode(task, shapeOf(task));
        if (node < 0) {
            return explainLast();
        }
        return placed(node, selector.selectGpus(state, node, task));
    }

    private Decision.Placed placed(int node, int mask) {
        return new Decision.Placed(node, state.name(node), mask, lastScore, lastFeasible, n);
    }

    /** GPU mask of the last successful {@link #place}. */
    public int lastGpuMask() {
        return lastGpuMask;
    }

    /** Number of feasible nodes in the last decision. */
    public int lastFeasible() {
        return lastFeasible;
    }

    /** The filter-reason breakdown of the last decision, as an {@link Decision.Unschedulable}. */
    public Decision.Unschedulable explainLast() {
        Map<Reason, Integer> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            if (r != Reason.FITS && reasonCounts[r.ordinal()] > 0) {
                m.put(r, reasonCounts[r.ordinal()]);
            }
        }
        return new Decision.Unschedulable(n, m);
    }

    /** Score cache hits and misses so far (for benchmarks and tuning). */
    public long cacheHits() {
        return cacheHits;
    }

    public long cacheMisses() {
        return cacheMisses;
    }

    /**
     * Filters and scores; returns the best node or -1. Ties go to the lowest index.
     */
    public int selectNode(TaskSpec task, int shape) {
        java.util.Arrays.fill(reasonCounts, 0);
        int count = 0;
        for (int i = 0; i < n; i++) {
            Reason r = Reason.FITS;
            for (FilterPlugin f : filters) {
                r = f.filter(state, i, task);
                if (r != Reason.FITS) {
                    break;
                }
            }
            if (r == Reason.FITS) {
                feasible[count++] = i;
            } else {
                reasonCounts[r.ordinal()]++;
            }
        }
        lastFeasible = count;
        if (count == 0) {
            return -1;
        }
        for (ScorePlugin s : scorers) {
            s.preScore(state, task, count);
        }
        int best = -1;
        int bestScore = Integer.MIN_VALUE;
        if (cacheable) {
            int[] sc = cacheScore.get(shape);
            int[] ver = cacheVersion.get(shape);
            for (int idx = 0; idx < count; idx++) {
                int i = feasible[idx];
                int v = state.version(i) + 1;
                int total;
                if (ver[i] == v) {
                    total = sc[i];
                    cacheHits++;
                } else {
                    total = total(i, task);
                    sc[i] = total;
                    ver[i] = v;
                    cacheMisses++;
                }
                if (total > bestScore) {
                    bestScore = total;
                    best = i;
                }
            }
        } else {
            for (int idx = 0; idx < count; idx++) {
                int i = feasible[idx];
                int total = total(i, task);
                if (total > bestScore) {
                    bestScore = total;
                    best = i;
                }
            }
        }
        lastScore = bestScore;
        return best;
    }

    private int total(int node, TaskSpec task) {
        int total = 0;
        for (int p = 0; p < scorers.length; p++) {
            int s = scorers[p].score(state, node, task);
            if (s < 0 || s > ScorePlugin.MAX_SCORE) {
                throw new IllegalStateException("score plugin " + scorers[p].name() + " returned " + s + " for node "
                        + state.name(node) + " and task " + task.name() + "; scores must lie in [0, 100]");
            }
            total += weights[p] * s;
        }
        return total;
    }
}

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
 * There are two ways to find the best node; both give the same node, score and feasible count.
 *
 * <p><b>Indexed</b> (the default whenever it applies: every score plugin is
 * {@linkplain ScorePlugin#cacheable() cacheable} and every filter is one of {@link Filters}' plugins,
 * whose verdicts depend only on the node's state and the task's shape). Each interned task shape
 * keeps a {@link ShapeIndex}: per node the total score, or "infeasible", stamped with the node's
 * {@linkplain ClusterState#version(int) version}; a tournament tree over the nodes whose root is the
 * best node (ties to the lowest index); and the feasible count. A listener appends every changed
 * node to a {@link NodeChangeLog}; a decision replays the log entries the shape has not seen
 * (re-filtering and re-scoring only nodes whose version moved, then fixing their tree paths) and
 * reads the root: O(changes since the shape's last decision × log N) instead of O(N). A shape that
 * is new, or more than {@code replayLimit} changes behind, is rebuilt by one O(N) pass that still
 * reuses every key whose version did not move. A decision that finds no node is O(1) after the
 * replay; its per-reason explanation is computed by {@link #explainLast()} on demand.
 *
 * <p><b>Scan</b> (any other profile, or {@link #linearScan}): every node is filtered on every
 * decision; scores of cacheable plugins are memoised per (shape, node) with the node's version, so
 * after a bind only that node is rescored, lazily, the next time a task of that shape looks at it.
 *
 * <p>{@link ScorePlugin#preScore} is called once per decision with the feasible count, before any
 * {@code score} call of that decision, on both paths. The indexed path runs in two phases to keep
 * that order: re-filter the changed nodes (which yields the count), {@code preScore}, then re-score
 * the changed feasible nodes. No plugin of {@code core.policy} other than the non-cacheable
 * {@code RandomScore} overrides {@code preScore}, and a cacheable plugin's score cannot depend on it
 * anyway (the cached score is reused by later decisions with other counts).
 *
 * <p>The hot path ({@link #place(TaskSpec, int)}) allocates nothing. Task shapes are interned with
 * {@link #shapeOf(TaskSpec)}; callers that schedule many tasks intern once per task up front.
 * Memory: per interned shape two {@code int[N]} plus, when indexed, at most {@code N/4} ints of tree.
 *
 * <p>Not thread-safe: one scheduler per {@link ClusterState} and thread. An indexed scheduler
 * registers a listener on the state for its lifetime (the state has no way to remove one).
 */
public final class Scheduler {
    /** Everything a filter or score plugin may read of a task. */
    private record ShapeKey(int cpu, long memory, int gpuCount, int gpuMilli, long allowedModels, int rdma, int group,
                            int maxPerNode) {
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
    /** Scan: the feasible nodes of the decision. Indexed: the nodes whose key a replay changed. */
    private final int[] feasible;
    /** Scan path: per node the total of the last {@link #prepare} (or {@link ShapeIndex#INFEASIBLE}), and its shape. */
    private int[] scanKey;
    private int scanShape = -1;
    private boolean recording;
    private final int[] reasonCounts = new int[Reason.values().length];
    private final Map<ShapeKey, Integer> shapes = new HashMap<>();
    private final List<int[]> cacheScore = new ArrayList<>();
    private final List<int[]> cacheVersion = new ArrayList<>();
    /** Non-null when the indexed path is used. */
    private final NodeChangeLog log;
    private final List<ShapeIndex> indexes;
    /**
     * Indexed path: totals shared by shapes that differ only in their allowed GPU models (no score
     * plugin reads them; only the model filter does), per node with the version they were computed
     * at: {@code [base][0]} totals, {@code [base][1]} versions + 1. A shape's index takes a feasible
     * node's total from here when another shape of the same base already scored that node version.
     */
    private final List<int[][]> baseTotals;
    private final Map<ShapeKey, Integer> bases;
    private final List<Integer> baseOfShape;
    private final int replayLimit;
    private final int[] pending;
    /** Task of the last indexed decision whose reasons {@link #explainLast()} has yet to count; null when counted. */
    private TaskSpec explainTask;
    private int lastFeasible;
    private int lastScore;
    private int lastGpuMask;
    private long cacheHits;
    private long cacheMisses;

    /** Replay limit of the default constructor: see {@link #defaultReplayLimit(int)}. */
    static final int AUTO = -1;

    /**
     * A scheduler for {@code profile} on {@code state}; it uses the indexed path when the profile
     * allows it (see the class comment) and the scan otherwise.
     */
    public Scheduler(ClusterState state, Profile profile) {
        this(state, profile, true, AUTO);
    }

    /**
     * A scheduler that always filters every node on every decision (the reference the indexed path is
     * tested and benchmarked against). Same decisions as {@link #Scheduler(ClusterState, Profile)}.
     */
    public static Scheduler linearScan(ClusterState state, Profile profile) {
        return new Scheduler(state, profile, false, AUTO);
    }

    /**
     * @param useIndex    whether the indexed path may be used (it is only if the profile allows it)
     * @param replayLimit a shape more changes behind than this is rebuilt instead of replayed;
     *                    {@link #AUTO} for {@link #defaultReplayLimit(int)}
     */
    Scheduler(ClusterState state, Profile profile, boolean useIndex, int replayLimit) {
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
        if (useIndex && cacheable && pureFilters(filters)) {
            this.replayLimit = replayLimit == AUTO ? defaultReplayLimit(n) : Math.max(0, replayLimit);
            this.log = new NodeChangeLog(Math.max(1, this.replayLimit));
            this.indexes = new ArrayList<>();
            this.baseTotals = new ArrayList<>();
            this.bases = new HashMap<>();
            this.baseOfShape = new ArrayList<>();
            this.pending = new int[n];
            state.addListener(log);
        } else {
            this.replayLimit = 0;
            this.log = null;
            this.indexes = null;
            this.baseTotals = null;
            this.bases = null;
            this.baseOfShape = null;
            this.pending = null;
        }
    }

    /**
     * 4N changes. Replaying costs a ring read and a version compare per entry (repeats of a node are
     * skipped) plus a tree path per changed node; rebuilding costs a pass over all N version stamps
     * and keys. Both re-filter and re-score the same changed nodes, which dominates either way; the
     * FGD benchmark on 12,130 nodes had the best tail with 4N (p99 ~22 µs, against ~29 µs with N and
     * ~50 µs with N/16, on a noisy machine), since the changes a shape misses are mostly repeats of a
     * few nodes.
     */
    static int defaultReplayLimit(int n) {
        return (int) Math.max(64, Math.min(1L << 28, 4L * n));
    }

    /** Filters whose verdict is a function of (node state, task shape): the plugins of {@link Filters}. */
    private static boolean pureFilters(FilterPlugin[] fs) {
        List<FilterPlugin> known = Filters.standard();
        for (FilterPlugin f : fs) {
            if (f != Filters.resourceFit() && !known.contains(f)) {
                return false;
            }
        }
        return true;
    }

    /** Whether decisions use the per-shape index (true) or filter every node (false). */
    public boolean indexed() {
        return log != null;
    }

    public ClusterState state() {
        return state;
    }

    public Profile profile() {
        return profile;
    }

    /**
     * The interned shape id of a task: its CPU, memory, GPU count, per-GPU milli, allowed models,
     * RDMA share and group limit (everything filters and scores may read).
     */
    public int shapeOf(TaskSpec t) {
        ShapeKey key = new ShapeKey(t.cpuMilli(), t.memoryMib(), t.gpuCount(), t.gpuMilli(), t.allowedModels(), t.rdma(),
                t.maxPerNode() > 0 ? t.group() : -1, t.maxPerNode());
        Integer id = shapes.get(key);
        if (id == null) {
            id = shapes.size();
            shapes.put(key, id);
            if (log != null) {
                indexes.add(new ShapeIndex(n, indexes.size()));
                ShapeKey base = new ShapeKey(key.cpu(), key.memory(), key.gpuCount(), key.gpuMilli(), 0L, key.rdma(), key.group(),
                        key.maxPerNode());
                Integer b = bases.get(base);
                if (b == null) {
                    b = bases.size();
                    bases.put(base, b);
                    baseTotals.add(new int[][] {new int[n], new int[n]});
                }
                baseOfShape.add(b);
            } else if (cacheable) {
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

    /**
     * Binds {@code task} on the given node if every filter passes there, choosing its GPUs with the
     * profile's selector (used by preemption and gang placement, which pick the node themselves).
     * Returns the filter verdict; on anything but {@link Reason#FITS} nothing changed.
     */
    public Reason placeOn(TaskSpec task, int node) {
        Reason r = fits(task, node);
        if (r != Reason.FITS) {
            return r;
        }
        int mask = selector.selectGpus(state, node, task);
        binder.bind(state, node, task, mask);
        lastGpuMask = mask;
        return Reason.FITS;
    }

    /** The first failing filter's reason for {@code task} on {@code node}, or {@link Reason#FITS}. */
    public Reason fits(TaskSpec task, int node) {
        for (FilterPlugin f : filters) {
            Reason r = f.filter(state, node, task);
            if (r != Reason.FITS) {
                return r;
            }
        }
        return Reason.FITS;
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

    /**
     * The filter-reason breakdown of the last decision, as an {@link Decision.Unschedulable}.
     *
     * <p>On the indexed path ({@link #indexed()}) a decision does not look at every node, so the
     * reasons are counted here, on the first call after the decision, against the cluster as it is
     * then. Call it right after the decision: after a failed {@link #place} or {@link #selectNode}
     * nothing changed, so the breakdown is exactly the decision's ({@link #schedule} and
     * {@link #preview} do so); after a successful {@code place} it reflects the state after the bind.
     */
    public Decision.Unschedulable explainLast() {
        if (explainTask != null) {
            java.util.Arrays.fill(reasonCounts, 0);
            for (int i = 0; i < n; i++) {
                Reason r = fits(explainTask, i);
                if (r != Reason.FITS) {
                    reasonCounts[r.ordinal()]++;
                }
            }
            explainTask = null;
        }
        Map<Reason, Integer> m = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            if (r != Reason.FITS && reasonCounts[r.ordinal()] > 0) {
                m.put(r, reasonCounts[r.ordinal()]);
            }
        }
        return new Decision.Unschedulable(n, m);
    }

    /**
     * Score cache hits and misses so far (for benchmarks and tuning): per decision, a miss is a
     * feasible node whose total was (re)computed, a hit one whose cached total was reused. On the
     * indexed path a node's filter verdict is cached too, so the split can differ slightly from the
     * scan's for nodes that were infeasible at an earlier decision.
     */
    public long cacheHits() {
        return cacheHits;
    }

    public long cacheMisses() {
        return cacheMisses;
    }

    /**
     * Filters and scores; returns the best node or -1. Ties go to the lowest index. Binds nothing;
     * sets {@link #lastFeasible()} and the score reported by {@link #schedule}/{@link #preview}.
     */
    public int selectNode(TaskSpec task, int shape) {
        if (log != null) {
            return selectIndexed(task, shape);
        }
        if (!recording) {
            scanShape = -1;
        }
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
                if (recording) {
                    scanKey[i] = total;
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
                if (recording) {
                    scanKey[i] = total;
                }
                if (total > bestScore) {
                    bestScore = total;
                    best = i;
                }
            }
        }
        lastScore = bestScore;
        return best;
    }

    /**
     * Brings the view of {@code task}'s shape up to date (filters and scores, as a decision would) so that
     * {@link #bestIn} can answer for any node range; returns the number of feasible nodes in the whole
     * cluster. The answers hold until the cluster state changes. Binds nothing.
     */
    public int prepare(TaskSpec task, int shape) {
        if (log != null) {
            ShapeIndex ix = indexes.get(shape);
            explainTask = task;
            try {
                refresh(ix, task);
            } catch (RuntimeException | Error e) {
                ix.invalidate();
                throw e;
            }
            lastFeasible = ix.feasible;
            return ix.feasible;
        }
        if (scanKey == null) {
            scanKey = new int[n];
        }
        java.util.Arrays.fill(scanKey, ShapeIndex.INFEASIBLE);
        recording = true;
        try {
            selectNode(task, shape);
        } finally {
            recording = false;
        }
        scanShape = shape;
        return lastFeasible;
    }

    /**
     * The best node in {@code [from, to)} by the last {@link #prepare} of {@code shape}: the highest
     * total, ties to the lowest index; -1 when no node there is feasible. On the indexed path
     * O(log N); on the scan path O(to - from).
     */
    public int bestIn(int shape, int from, int to) {
        if (from < 0 || to > n || from > to) {
            throw new IndexOutOfBoundsException("node range [" + from + ", " + to + ") outside 0.." + n);
        }
        if (log != null) {
            ShapeIndex ix = indexes.get(shape);
            if (ix.consumed < 0) {
                // never prepared (or invalidated by a plugin that threw): its keys and tree mean nothing yet
                throw new IllegalStateException("bestIn(shape " + shape + ") without prepare(task, " + shape + ") first");
            }
            return ix.bestIn(from, to);
        }
        if (scanShape != shape) {
            throw new IllegalStateException("bestIn(shape " + shape + ") without prepare(task, " + shape + ") first");
        }
        int best = -1;
        int bestKey = ShapeIndex.INFEASIBLE;
        for (int i = from; i < to; i++) {
            if (scanKey[i] > bestKey) {
                bestKey = scanKey[i];
                best = i;
            }
        }
        return best;
    }

    /** The weighted total score of feasible {@code node} at the last {@link #prepare} of {@code shape}. */
    public int totalOf(int shape, int node) {
        return log != null ? indexes.get(shape).key[node] : scanKey[node];
    }

    /** The largest total a node can score: the sum of the profile's weights × {@link ScorePlugin#MAX_SCORE}. */
    public int maxTotal() {
        int m = 0;
        for (int wt : weights) {
            m += wt * ScorePlugin.MAX_SCORE;
        }
        return m;
    }

    private int selectIndexed(TaskSpec task, int shape) {
        if (prepare(task, shape) == 0) {
            return -1;
        }
        ShapeIndex ix = indexes.get(shape);
        int best = ix.best();
        lastScore = ix.key[best];
        return best;
    }

    /**
     * Brings {@code ix} up to date with the change log: phase 1 re-filters every node whose version
     * moved (replaying the log, or scanning all nodes when rebuilding), which gives the feasible count;
     * then {@code preScore}; phase 2 re-scores the changed feasible nodes and fixes the tree.
     */
    private void refresh(ShapeIndex ix, TaskSpec task) {
        long head = log.head();
        int[] key = ix.key;
        int[] ver = ix.ver;
        int[] dirty = feasible;
        int dirtyCount = 0;
        int pendingCount = 0;
        int count;
        boolean rebuild = ix.consumed < 0 || head - ix.consumed > replayLimit;
        if (rebuild) {
            count = 0;
            for (int i = 0; i < n; i++) {
                int v = state.version(i) + 1;
                if (ver[i] == v) {
                    if (key[i] != ShapeIndex.INFEASIBLE) {
                        count++;
                    }
                    continue;
                }
                ver[i] = v;
                if (passes(i, task)) {
                    pending[pendingCount++] = i;
                    count++;
                } else {
                    key[i] = ShapeIndex.INFEASIBLE;
                }
            }
        } else {
            count = ix.feasible;
            for (long p = ix.consumed; p < head; p++) {
                int i = log.at(p);
                int v = state.version(i) + 1;
                if (ver[i] == v) {
                    continue;
                }
                ver[i] = v;
                dirty[dirtyCount++] = i;
                boolean was = key[i] != ShapeIndex.INFEASIBLE;
                if (passes(i, task)) {
                    pending[pendingCount++] = i;
                    if (!was) {
                        count++;
                    }
                } else {
                    key[i] = ShapeIndex.INFEASIBLE;
                    if (was) {
                        count--;
                    }
                }
            }
        }
        if (count > 0) {
            for (ScorePlugin s : scorers) {
                s.preScore(state, task, count);
            }
        }
        int[][] shared = baseTotals.get(baseOfShape.get(ix.id));
        int[] sharedTotal = shared[0];
        int[] sharedVer = shared[1];
        for (int k = 0; k < pendingCount; k++) {
            int i = pending[k];
            int v = ver[i];
            if (sharedVer[i] == v) {
                key[i] = sharedTotal[i];
            } else {
                int t = total(i, task);
                sharedTotal[i] = t;
                sharedVer[i] = v;
                key[i] = t;
            }
        }
        cacheMisses += pendingCount;
        cacheHits += count - pendingCount;
        if (rebuild || ix.cheaperToRebuild(dirtyCount)) {
            ix.rebuildTree();
        } else {
            for (int k = 0; k < dirtyCount; k++) {
                ix.update(dirty[k]);
            }
        }
        ix.feasible = count;
        ix.consumed = head;
    }

    private boolean passes(int node, TaskSpec task) {
        for (FilterPlugin f : filters) {
            if (f.filter(state, node, task) != Reason.FITS) {
                return false;
            }
        }
        return true;
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

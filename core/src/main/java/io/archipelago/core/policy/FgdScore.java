package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.framework.GpuSelector;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * Fragmentation Gradient Descent (Weng et al., ATC'23), with the artifact's integer quantisation.
 *
 * <p>For a node n and the hypothetical state n' after placing the task, Δ = F(n') − F(n) in
 * milli-GPU and the score is trunc(100 · sigmoid(−Δ / 1000)): 50 means no change, lower means
 * more fragmentation. A sharing task tries every GPU with room (fully free ones included) and the
 * node's score is the best GPU's; the GPU selector picks the lowest-indexed GPU reaching it. Every
 * other task takes its GPUs tightest first (for whole GPUs: the lowest-indexed free ones).
 *
 * <p>GPUs with equal free milli give equal Δ (F depends on the multiset of free amounts only), so
 * each distinct free value is evaluated once; F(n) of a node's current state is memoised by the
 * node's version, so the task shapes that rescore a changed node share one evaluation.
 */
final class FgdScore implements ScorePlugin, GpuSelector {
    private final Fragmentation frag;
    private final int[] seenFree = new int[32];
    private final int[] seenScore = new int[32];
    /** F(n) of each node's current state, memoised by the node's version. */
    private final FragMemo nowFrag;

    FgdScore(Fragmentation frag) {
        this.frag = frag;
        this.nowFrag = new FragMemo(frag);
    }

    static int quantise(double delta) {
        return quantise(delta, 1000.0);
    }

    /** The artifact's score of a change in fragmentation: {@code trunc(100 · sigmoid(−delta / scale))}, 0..100. */
    static int quantise(double delta, double scale) {
        return (int) (100.0 / (1.0 + Math.exp(delta / scale)));
    }

    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        double now = nowFrag.of(s, node);
        if (t.isSharing()) {
            int best = -1;
            int seen = 0;
            int g = t.gpuMilli();
            for (int j = 0; j < s.gpuCount(node); j++) {
                int f = s.gpuFree(node, j);
                if (f < g) {
                    continue;
                }
                int sc = lookup(f, seen);
                if (sc < 0) {
                    sc = quantise(frag.fragAfter(s, node, t.cpuMilli(), g, 1 << j) - now);
                    seenFree[seen] = f;
                    seenScore[seen++] = sc;
                }
                best = Math.max(best, sc);
            }
            return Math.max(best, 0);
        }
        int mask = GpuSelectors.tightestFirst(s, node, t);
        return quantise(frag.fragAfter(s, node, t.cpuMilli(), t.gpuMilli(), mask) - now);
    }

    private int lookup(int free, int seen) {
        for (int i = 0; i < seen; i++) {
            if (seenFree[i] == free) {
                return seenScore[i];
            }
        }
        return -1;
    }

    @Override
    public int selectGpus(ClusterState s, int node, TaskSpec t) {
        if (!t.isSharing()) {
            return GpuSelectors.lowestIndexed(s, node, t);
        }
        double now = nowFrag.of(s, node);
        int best = -1;
        int bestGpu = -1;
        int seen = 0;
        for (int j = 0; j < s.gpuCount(node); j++) {
            int f = s.gpuFree(node, j);
            if (f < t.gpuMilli()) {
                continue;
            }
            int sc = lookup(f, seen);
            if (sc < 0) {
                sc = quantise(frag.fragAfter(s, node, t.cpuMilli(), t.gpuMilli(), 1 << j) - now);
                seenFree[seen] = f;
                seenScore[seen++] = sc;
            }
            if (sc > best) {
                best = sc;
                bestGpu = j;
            }
        }
        if (bestGpu < 0) {
            throw new IllegalStateException("no GPU of node " + s.name(node) + " fits task " + t.name()
                    + "; the GPU filter should have rejected it");
        }
        return 1 << bestGpu;
    }

    @Override
    public String name() {
        return "FGD";
    }
}

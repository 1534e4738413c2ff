package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.EventualWaste;
import io.archipelago.core.framework.GpuSelector;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * The WasteAware policy's score and GPU selection: place each task where it least increases the GPU
 * capacity the target workload is expected never to use ({@link EventualWaste}: per-GPU eventual
 * waste V plus the node's CPU-stranded GPU S). See docs/policies.md.
 *
 * <p>For node n and the hypothetical state n' after the placement,
 * {@code Δ = Σ_{j ∈ chosen GPUs} (V(free_j − g) − V(free_j)) + strandWeight · (S(n') − S(n))} in
 * milli-GPU, and the score is {@code trunc(100 · sigmoid(−Δ / scaleMilli))}, the same bounded
 * integer mapping as FGD's (50 = no change). A sharing task evaluates every GPU with room and takes
 * the one with the smallest exact Δ (lowest index on ties); whole-GPU and multi-GPU tasks take the
 * lowest-indexed fully free GPUs (all give the same Δ), CPU-only tasks change S only.
 *
 * <p>The score depends only on the node's state and the task's CPU, GPU count, per-GPU milli (the
 * node's model picks the V table), so it is cacheable. One evaluation is O(GPUs of the node), reads
 * primitive arrays and allocates nothing. Not thread-safe only in the sense of {@link ScorePlugin}:
 * one instance per scheduler.
 */
final class WasteAwareScore implements ScorePlugin, GpuSelector {
    /** Constants of the policy; {@link #DEFAULT} is what the registered policy uses. */
    record Params(double scaleMilli, double strandWeight) {
        /** FGD's sigmoid scale (1 GPU) and the two measures added 1:1, both being milli-GPU. */
        static final Params DEFAULT = new Params(1000, 1);

        Params {
            if (!(scaleMilli > 0) || !(strandWeight >= 0) || Double.isInfinite(scaleMilli) || Double.isInfinite(strandWeight)) {
                throw new IllegalArgumentException("WasteAware: scaleMilli " + scaleMilli + " must be positive and strandWeight "
                        + strandWeight + " non-negative, both finite");
            }
        }
    }

    private final EventualWaste waste;
    private final Params params;

    WasteAwareScore(EventualWaste waste, Params params) {
        this.waste = waste;
        this.params = params;
    }

    static int quantise(double delta, double scale) {
        return (int) (100.0 / (1.0 + Math.exp(delta / scale)));
    }

    /** Change in S when the node gives {@code cpu} milli-CPU and {@code gpu} milli-GPU to a task. */
    private double strandDelta(ClusterState s, int node, int cpu, long gpu) {
        if (params.strandWeight() == 0) {
            return 0;
        }
        long idle = s.gpuFreeTotal(node);
        long cpuFree = s.cpuFree(node);
        return params.strandWeight() * (waste.cpuStranded(idle - gpu, cpuFree - cpu) - waste.cpuStranded(idle, cpuFree));
    }

    /** Change in V of GPU {@code j} if it gives {@code g} milli. */
    private double gpuDelta(ClusterState s, int node, int j, int g) {
        int f = s.gpuFree(node, j);
        int m = s.model(node);
        return waste.gpuWaste(m, f - g) - waste.gpuWaste(m, f);
    }

    /** Δ of placing {@code t} on {@code node}, with the GPU(s) the selector would take. */
    double delta(ClusterState s, int node, TaskSpec t) {
        double d = strandDelta(s, node, t.cpuMilli(), t.gpuDemandMilli());
        if (t.gpuCount() == 0) {
            return d;
        }
        int g = t.gpuMilli();
        if (t.isSharing()) {
            return d + gpuDelta(s, node, bestSharingGpu(s, node, g), g);
        }
        int mask = GpuSelectors.tightestFirst(s, node, t);
        for (int j = 0; j < s.gpuCount(node); j++) {
            if ((mask & (1 << j)) != 0) {
                d += gpuDelta(s, node, j, g);
            }
        }
        return d;
    }

    /** The GPU with room for {@code g} whose V rises least (lowest index on ties), or -1. */
    private int bestSharingGpu(ClusterState s, int node, int g) {
        int best = -1;
        double bestDelta = Double.POSITIVE_INFINITY;
        for (int j = 0; j < s.gpuCount(node); j++) {
            if (s.gpuFree(node, j) >= g) {
                double d = gpuDelta(s, node, j, g);
                if (d < bestDelta) {
                    bestDelta = d;
                    best = j;
                }
            }
        }
        return best;
    }

    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        if (t.isSharing() && s.maxGpuFree(node) < t.gpuMilli()) {
            return 0; // the GPU filter rejects such a node; never reached through the scheduler
        }
        return quantise(delta(s, node, t), params.scaleMilli());
    }

    @Override
    public int selectGpus(ClusterState s, int node, TaskSpec t) {
        if (!t.isSharing()) {
            return GpuSelectors.lowestIndexed(s, node, t);
        }
        int j = bestSharingGpu(s, node, t.gpuMilli());
        if (j < 0) {
            throw new IllegalStateException("no GPU of node " + s.name(node) + " fits task " + t.name()
                    + "; the GPU filter should have rejected it");
        }
        return 1 << j;
    }

    @Override
    public String name() {
        return "WasteAware";
    }
}

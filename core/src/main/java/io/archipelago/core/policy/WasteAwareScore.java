package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.EventualWaste;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.framework.GpuSelector;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * The WasteAware policy's score and GPU selection: place each task where it least increases the GPU
 * capacity that the target workload is expected never to use. See docs/policies.md.
 *
 * <p>For node n and the hypothetical state n' after the placement,
 * {@code Δ = G(n') − G(n) + strandWeight · (S(n') − S(n)) + need[model(n)] · gpuMilli(t)} in
 * milli-GPU. S is the GPU stranded by CPU ({@link EventualWaste#cpuStranded}); the last term is the
 * model-constrained work the placement is expected to displace ({@link EventualWaste#constrainedNeed},
 * WasteAware only, 0 when no class is model-constrained); G is the GPU-side measure. For
 * {@code WasteAware}, G is FGD's expected fragment F ({@link Fragmentation}, which sees whether k-GPU
 * classes still find k GPUs on the node), and a sharing task adds the change of the eventual waste V
 * ({@link EventualWaste}, with its end weight) of the GPU it would take. F looks one task ahead, so
 * it rates filling a 530-milli hole with a 320 as a gain (810s and whole GPUs could not use the
 * hole), while V sees that the 210 left will most likely stay empty. (For a whole-GPU task the change
 * of V is the same on every GPU of a model, so it is left out.) The ablation {@code EventualWaste}
 * uses G = Σ_j V(free_j) for every task, without F. The score is
 * {@code trunc(100 · sigmoid(−Δ / scaleMilli))}, FGD's
 * bounded integer mapping (50 = no change). A sharing task takes, on every node, the GPU with room
 * whose eventual waste V rises least (lowest index on ties), and the node is scored with that GPU;
 * whole-GPU and multi-GPU tasks take the lowest-indexed fully free GPUs (tightest first, which for
 * whole GPUs is the same); CPU-only tasks change S (and F's CPU-dependent classes) only.
 *
 * <p>The score depends only on the node's state and the task's CPU, GPU count, per-GPU milli and
 * allowed models, so it is cacheable. One evaluation costs one F evaluation (O(classes + GPUs), as
 * FGD, with F of the node's current state memoised per node version) or O(GPUs) for the ablation,
 * reads primitive arrays and allocates nothing. One instance per scheduler (the memo is not shared).
 */
final class WasteAwareScore implements ScorePlugin, GpuSelector {
    /**
     * Constants of the policy; {@link #DEFAULT} is what the registered policy uses.
     * {@code nodeByFragmentation}: G is F (else ΣV for every task); {@code sharesByWaste}: with F,
     * a sharing task also adds the change of V of the GPU it takes.
     */
    record Params(double scaleMilli, double strandWeight, boolean nodeByFragmentation, boolean sharesByWaste) {
        /**
         * FGD's sigmoid scale (1 GPU), the measures added 1:1 (all are milli-GPU): F for every GPU
         * task, plus the change of V of the chosen GPU for sharing tasks.
         */
        static final Params DEFAULT = new Params(1000, 1, true, true);
        /** The ablation: every task by the per-GPU eventual waste instead of F. */
        static final Params EVENTUAL = new Params(1000, 1, false, true);

        Params {
            if (!(scaleMilli > 0) || !(strandWeight >= 0) || Double.isInfinite(scaleMilli) || Double.isInfinite(strandWeight)) {
                throw new IllegalArgumentException("WasteAware: scaleMilli " + scaleMilli + " must be positive and strandWeight "
                        + strandWeight + " non-negative, both finite");
            }
        }
    }

    private final EventualWaste waste;
    private final Fragmentation frag;
    private final Params params;
    private final String name;
    /** Per GPU model, {@link EventualWaste#constrainedNeed}; null when no class is model-constrained. */
    private double[] need;
    /** F(n) of each node's current state, memoised by the node's version (one entry per node). */
    private final FragMemo nowFrag;

    /**
     * @param frag the FGD measure, required when {@code params.nodeByFragmentation()}; its target
     *             workload should be {@code waste}'s
     */
    WasteAwareScore(String name, EventualWaste waste, Fragmentation frag, Params params) {
        if (params.nodeByFragmentation() && frag == null) {
            throw new IllegalArgumentException(name + ": scoring nodes by fragmentation needs the fragmentation measure");
        }
        this.name = name;
        this.waste = waste;
        this.frag = frag;
        this.nowFrag = new FragMemo(frag);
        this.params = params;
    }

    /**
     * Adds the expected displacement of model-constrained work: a GPU task on a node of model m costs
     * {@code need[m] · its GPU milli} more (see {@link EventualWaste#constrainedNeed}). Returns this.
     */
    WasteAwareScore withConstrainedNeed(double[] needByModel) {
        boolean any = false;
        for (double x : needByModel) {
            any |= x > 0;
        }
        this.need = any ? needByModel.clone() : null;
        return this;
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
        if (t.gpuCount() > 0 && need != null) {
            d += need[s.model(node)] * t.gpuDemandMilli();
        }
        int g = t.gpuMilli();
        int mask = t.gpuCount() == 0 ? 0
                : t.isSharing() ? 1 << bestSharingGpu(s, node, g)
                : GpuSelectors.tightestFirst(s, node, t);
        if (params.nodeByFragmentation()) {
            d += frag.fragAfter(s, node, t.cpuMilli(), g, mask) - nowFrag.of(s, node);
        }
        if (!params.nodeByFragmentation() || (params.sharesByWaste() && t.isSharing())) {
            for (int j = 0; j < s.gpuCount(node); j++) {
                if ((mask & (1 << j)) != 0) {
                    d += gpuDelta(s, node, j, g);
                }
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
        return FgdScore.quantise(delta(s, node, t), params.scaleMilli());
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
        return name;
    }
}

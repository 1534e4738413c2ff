package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.GpuModels;

/**
 * A look-ahead measure of stranded GPU: how much of a GPU's free capacity, and of a node's idle
 * GPUs, the target workload is expected never to use.
 *
 * <h2>Design note</h2>
 * <b>Per GPU</b> (the GPU-sharing dimension). Take a GPU of model m with {@code r} milli free and let
 * tasks keep arriving, drawn from the target workload (each class weighted by its probability times
 * its GPU count, so a k-GPU class offers k whole-GPU pieces; CPU-only classes and classes that may
 * not use model m offer none). Every draw whose per-GPU milli fits into the GPU's free capacity is
 * placed on it; draws that do not fit pass by (there are always more tasks than capacity in the
 * regime this measure is for). When nothing fits any more, what is left is wasted. The expected
 * waste is
 * <pre>
 *   V_m(r) = r                                   if no class fits into r,
 *   V_m(r) = Σ_{c: g_c ≤ r} w_c · V_m(r − g_c) / Σ_{c: g_c ≤ r} w_c   otherwise,
 * </pre>
 * computed once for r = 0..1000 by dynamic programming (r − g_c &lt; r). With an <em>end weight</em>
 * ε &gt; 0 the GPU's filling may also end at any draw, with weight ε · W (W = the total weight of the
 * pieces): the cluster saturates, or the tasks that fit go to the many other GPUs with room. Then
 * <pre>
 *   V_m(r) = (ε·W·r + Σ_{c: g_c ≤ r} w_c · V_m(r − g_c)) / (ε·W + Σ_{c: g_c ≤ r} w_c).
 * </pre>
 * Free capacity that only classes much rarer than ε fit is then counted as (almost) wasted, as it is
 * in practice: a 190-milli remainder on openb fits only tasks that are 1.3 % of the arrivals, and
 * most such remainders are never filled. Capacity that common classes fit is followed as before.
 * ε = 0 is the model without an end. FGD's measure asks whether
 * <em>one</em> next task could use a GPU's free milli; V follows the GPU until it is full, so it
 * sees, for instance, that a fully free GPU will often receive the workload's most common large
 * share (openb: 810 milli) and keep a 190-milli remainder that almost nothing fits, and that a
 * 190-milli remainder is worth filling with a 160-milli task.
 *
 * <p><b>Per node</b> (the CPU dimension). A node whose free CPU runs out before its free GPUs
 * strands those GPUs. With {@code ρ} = the CPU that future work is expected to draw per milli-GPU
 * it uses, a node with {@code cpuFree} can serve about {@code cpuFree / ρ} more milli-GPU, so
 * <pre>  S(n) = max(0, idle(n) − cpuFree(n) / ρ)</pre>
 * milli-GPU of it are expected to be stranded by CPU. Placing a CPU-heavy task on a CPU-poor node
 * raises S; placing a GPU task whose CPU per GPU is below ρ on such a node lowers it.
 *
 * <p>Which CPU counts in ρ depends on which resource the cluster runs out of first. Let ρ_gpu be
 * the target's expected CPU per milli-GPU over its GPU classes and ρ_all the same with the CPU-only
 * classes' CPU added, and κ the cluster's CPU per milli-GPU (given to the constructor). If ρ_all ≤ κ,
 * the cluster has CPU to spare for the CPU-only work, which can go where CPU is plentiful, and a
 * node's CPU is drawn by the GPU work that uses its GPUs: ρ = ρ_gpu. If ρ_all &gt; κ, CPU is the
 * scarcer resource: it runs out everywhere before the GPUs do, every node's CPU is shared with the
 * CPU-only work, and ρ = ρ_all. (openb: κ = 17.2 cores per GPU; ρ_all is 14.3 on default and 18.4
 * on a cpu250-like mix, where CPU-only tasks are a quarter of all tasks.)
 *
 * <p>Both are in milli-GPU, so they add without a conversion factor. {@link #gpuWaste} and
 * {@link #cpuStranded} read only primitive arrays and allocate nothing; the table is immutable after
 * construction and may be shared between threads.
 */
public final class EventualWaste {
    /** Free milli of one GPU, 0..1000. */
    private static final int LEVELS = ClusterState.GPU_MILLI + 1;

    private final TargetWorkload target;
    /** {@code waste[m][r]} = V_m(r). */
    private final double[][] waste;
    /** ρ: ρ_gpu or ρ_all (class comment); +∞ when the target has no GPU class. */
    private final double cpuPerGpuMilli;

    /**
     * The end weight the registered policies use: a GPU's filling ends with weight 1 % of the pieces'
     * (class comment; docs/policies.md shows the measured range 0.3–3 %).
     */
    public static final double DEFAULT_END_WEIGHT = 0.01;

    /** The measures with ρ = ρ_gpu (as if the cluster always had CPU to spare) and no end weight. */
    public EventualWaste(TargetWorkload target) {
        this(target, Double.NaN, 0);
    }

    /**
     * The measures for a cluster with {@code clusterCpuPerGpuMilli} CPU milli per milli-GPU (κ in the
     * class comment; NaN = unknown, then ρ = ρ_gpu) and the end weight ε = {@code endWeight}, a
     * fraction of the pieces' total weight (0 = no end).
     *
     * @throws IllegalArgumentException if {@code endWeight} is negative or not finite
     */
    public EventualWaste(TargetWorkload target, double clusterCpuPerGpuMilli, double endWeight) {
        if (!(endWeight >= 0) || Double.isInfinite(endWeight)) {
            throw new IllegalArgumentException("EventualWaste: end weight " + endWeight
                    + " must be a finite fraction >= 0 of the pieces' weight (0 = no end; the policies use "
                    + DEFAULT_END_WEIGHT + ")");
        }
        this.target = target;
        int models = GpuModels.names().size();
        waste = new double[models][];
        for (int m = 0; m < models; m++) {
            double[] w = new double[LEVELS];
            for (TargetWorkload.TaskClass c : target.classes()) {
                boolean access = c.allowedModels() == 0 || (c.allowedModels() & (1L << m)) != 0;
                if (c.gpuCount() > 0 && access) {
                    w[c.gpuMilli()] += c.probability() * c.gpuCount();
                }
            }
            waste[m] = table(w, endWeight);
        }
        double cpu = 0;
        double cpuOnly = 0;
        double gpu = 0;
        for (TargetWorkload.TaskClass c : target.classes()) {
            if (c.gpuCount() > 0) {
                cpu += c.probability() * c.cpuMilli();
                gpu += c.probability() * c.gpuCount() * c.gpuMilli();
            } else {
                cpuOnly += c.probability() * c.cpuMilli();
            }
        }
        double rhoGpu = gpu == 0 ? Double.POSITIVE_INFINITY : cpu / gpu;
        double rhoAll = gpu == 0 ? Double.POSITIVE_INFINITY : (cpu + cpuOnly) / gpu;
        // CPU scarcer than GPU for the expected work: every node's CPU is shared with the CPU-only work too
        cpuPerGpuMilli = rhoAll > clusterCpuPerGpuMilli ? rhoAll : rhoGpu;
    }

    /**
     * V(r) for r = 0..1000 given the weight {@code w[g]} of pieces of g milli and the end weight
     * {@code endWeight} (a fraction of Σ w).
     */
    static double[] table(double[] w, double endWeight) {
        double total = 0;
        for (double x : w) {
            total += x;
        }
        double end = endWeight * total;
        double[] v = new double[LEVELS];
        // sizes present, ascending, so that the inner loop skips the (many) absent ones
        int distinct = 0;
        int[] sizes = new int[LEVELS];
        for (int g = 1; g < LEVELS; g++) {
            if (w[g] > 0) {
                sizes[distinct++] = g;
            }
        }
        for (int r = 0; r < LEVELS; r++) {
            double fit = 0;
            double acc = 0;
            for (int i = 0; i < distinct && sizes[i] <= r; i++) {
                fit += w[sizes[i]];
                acc += w[sizes[i]] * v[r - sizes[i]];
            }
            // nothing fits: wasted whole; else ≤ r exactly (min() only drops rounding)
            v[r] = fit == 0 ? r : Math.min(r, (acc + end * r) / (fit + end));
        }
        return v;
    }

    public TargetWorkload target() {
        return target;
    }

    /** V_m(r): expected milli-GPU never used of a GPU of {@code model} with {@code freeMilli} free. */
    public double gpuWaste(int model, int freeMilli) {
        return waste[model][freeMilli];
    }

    /** ρ: expected CPU milli drawn per milli-GPU served (ρ_gpu or ρ_all, see the class comment; +∞ without GPU classes). */
    public double cpuPerGpuMilli() {
        return cpuPerGpuMilli;
    }

    /** S for a node with {@code idleMilli} free GPU and {@code cpuFree} free CPU milli. */
    public double cpuStranded(long idleMilli, long cpuFree) {
        if (cpuPerGpuMilli == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return Math.max(0, idleMilli - cpuFree / cpuPerGpuMilli);
    }

    /**
     * Per GPU model, the share of that model's GPU capacity that the target workload's
     * model-constrained classes are expected to need, capped at 1.
     *
     * <p>Scale the target workload so that its GPU demand equals the cluster's GPU capacity C. A class
     * c with allowed-model list A_c then asks for (d_c / D) · C milli-GPU, where d_c = p_c · k_c · g_c
     * and D = Σ d over all GPU classes. That demand can only be served by the models in A_c; spread in
     * proportion to their capacity, model m ∈ A_c gets the share cap_m / cap(A_c). So
     * <pre>  need_m = min(1, Σ_{c constrained, m ∈ A_c} (d_c / D) · C / cap(A_c))</pre>
     * Unconstrained classes add nothing (they can go anywhere). Placing g milli of a task on a node of
     * model m is then expected to displace about need_m · g milli of constrained work.
     *
     * @param capacityByModel GPU capacity (milli) of the cluster per model id
     */
    public double[] constrainedNeed(long[] capacityByModel) {
        double[] need = new double[capacityByModel.length];
        long total = 0;
        for (long c : capacityByModel) {
            total += c;
        }
        double demand = 0;
        for (TargetWorkload.TaskClass c : target.classes()) {
            demand += c.probability() * c.gpuCount() * c.gpuMilli();
        }
        if (demand == 0 || total == 0) {
            return need;
        }
        for (TargetWorkload.TaskClass c : target.classes()) {
            if (c.gpuCount() == 0 || c.allowedModels() == 0) {
                continue;
            }
            long capA = 0;
            for (int m = 0; m < capacityByModel.length; m++) {
                if ((c.allowedModels() & (1L << m)) != 0) {
                    capA += capacityByModel[m];
                }
            }
            if (capA == 0) {
                continue;
            }
            double add = c.probability() * c.gpuCount() * c.gpuMilli() / demand * total / capA;
            for (int m = 0; m < capacityByModel.length; m++) {
                if ((c.allowedModels() & (1L << m)) != 0) {
                    need[m] += add;
                }
            }
        }
        for (int m = 0; m < need.length; m++) {
            need[m] = Math.min(1, need[m]);
        }
        return need;
    }

    /** Σ_j V(free_j) + S(n) of a node's current state, milli-GPU (a node without GPUs: 0). */
    public double nodeWaste(ClusterState s, int node) {
        int count = s.gpuCount(node);
        if (count == 0) {
            return 0;
        }
        double[] v = waste[s.model(node)];
        double sum = 0;
        for (int j = 0; j < count; j++) {
            sum += v[s.gpuFree(node, j)];
        }
        return sum + cpuStranded(s.gpuFreeTotal(node), s.cpuFree(node));
    }
}

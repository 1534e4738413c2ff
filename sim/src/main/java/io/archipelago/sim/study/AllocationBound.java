package io.archipelago.sim.study;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upper bound on the GPU (milli) that <em>any</em> placement of a set of arrived tasks can
 * allocate on a cluster, online or offline, with or without admission control or rescheduling.
 *
 * <h2>Design note</h2>
 * Nodes are grouped by type (GPU model, GPU count, CPU, memory): group g has GPU, CPU and memory
 * capacities G_g, C_g, M_g (sums over its nodes). Tasks are grouped by shape s (CPU c_s, memory m_s,
 * GPU demand d_s = count × per-GPU milli, GPU count, allowed models) with u_s arrived tasks. A task
 * of shape s can run on a node of group g only if the model is allowed and the node has at least the
 * task's GPU count, CPU and memory; F(s) is the set of such groups. Any placement, with x_{s,g}
 * tasks of shape s on nodes of group g, satisfies Σ_g x_{s,g} ≤ u_s and, per group, Σ_s d_s x_{s,g} ≤
 * G_g, Σ_s c_s x_{s,g} ≤ C_g, Σ_s m_s x_{s,g} ≤ M_g (each node's capacities hold, so their sums
 * hold). Its allocation A = Σ d_s x_{s,g} is therefore at most the optimum of that linear program,
 * and by weak duality at most, for <em>every</em> choice of multipliers α_g, β_g, γ_g ≥ 0,
 * <pre>
 *   B(α, β, γ) = Σ_g (α_g G_g + β_g C_g + γ_g M_g) + Σ_s u_s · max(0, max_{g ∈ F(s)} (d_s − α_g d_s − β_g c_s − γ_g m_s)).
 * </pre>
 * (Proof: add and subtract Σ_g α_g Σ_s d_s x_{s,g} etc. to A; the capacity sums are bounded by the
 * capacities and each x_{s,g}'s reduced coefficient by its positive part, and Σ_g x_{s,g} ≤ u_s.)
 * So the bound is valid whatever multipliers are used; better multipliers only make it tighter.
 * α = 1, β = γ = 0 gives the GPU capacity and α = β = γ = 0 the arrived GPU demand of the tasks that
 * fit somewhere. The search starts from the best α ∈ {0, 1}^groups with β = γ = 0, found by
 * enumerating every subset of groups (15 groups on openb): that is the exact optimum of the LP without
 * the CPU and memory rows (a cut of the tasks-to-groups transport problem), so GPU-model and GPUs-per-node
 * limits are taken into account exactly, and the result is never above min(capacity, arrived demand).
 * A projected subgradient descent from there then tightens it where CPU or memory bind.
 *
 * <p>What it ignores (so the true optimum may be lower): a task must fit on one node, not on a
 * group's sum; sharing tasks must fit on one GPU (per-GPU packing). The bound is on allocation only:
 * it does not assume the arrival order, so it covers online and offline policies alike.
 */
public final class AllocationBound {
    /** Subgradient iterations; the bound is valid after any number, more only tighten it. */
    static final int ITERATIONS = 2000;

    private AllocationBound() {
    }

    private record NodeType(int model, int gpus, long cpu, long mem) {
    }

    private record Shape(long cpu, long mem, int gpus, int gpuMilli, long models) {
    }

    /** Upper bound on allocatable milli-GPU for {@code tasks} on {@code nodes} (see the class comment). */
    public static double upperBoundMilli(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        Map<NodeType, long[]> types = new LinkedHashMap<>();
        for (NodeSpec n : nodes) {
            long[] cap = types.computeIfAbsent(new NodeType(n.gpuModel(), n.gpuCount(), n.cpuMilli(), n.memoryMib()), k -> new long[3]);
            cap[0] += n.gpuCount() * 1000L;
            cap[1] += n.cpuMilli();
            cap[2] += n.memoryMib();
        }
        Map<Shape, long[]> shapes = new LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            if (t.gpuCount() > 0) { // CPU-only tasks allocate no GPU; leaving them out can only help the optimum
                shapes.computeIfAbsent(new Shape(t.cpuMilli(), t.memoryMib(), t.gpuCount(), t.gpuMilli(), t.allowedModels()),
                        k -> new long[1])[0]++;
            }
        }
        List<NodeType> g = new ArrayList<>(types.keySet());
        int ng = g.size();
        double[][] cap = new double[3][ng];
        double[] total = new double[3];
        for (int i = 0; i < ng; i++) {
            long[] c = types.get(g.get(i));
            for (int r = 0; r < 3; r++) {
                cap[r][i] = c[r];
                total[r] += c[r];
            }
        }
        List<Shape> s = new ArrayList<>(shapes.keySet());
        int ns = s.size();
        double[] u = new double[ns];
        double[][] coef = new double[3][ns];
        boolean[][] fits = new boolean[ns][ng];
        for (int i = 0; i < ns; i++) {
            Shape sh = s.get(i);
            u[i] = shapes.get(sh)[0];
            coef[0][i] = (double) sh.gpus() * sh.gpuMilli();
            coef[1][i] = sh.cpu();
            coef[2][i] = sh.mem();
            for (int j = 0; j < ng; j++) {
                NodeType nt = g.get(j);
                boolean model = sh.models() == 0 || (nt.model() >= 0 && (sh.models() & (1L << nt.model())) != 0);
                fits[i][j] = model && nt.gpus() >= sh.gpus() && nt.cpu() >= sh.cpu() && nt.mem() >= sh.mem();
            }
        }
        double[][] lambda = new double[3][ng];
        double[][] grad = new double[3][ng];
        // start: the best α ∈ {0, 1}^groups with β = γ = 0 (exact for the GPU and placement-set part:
        // B = capacity of the groups with α = 1 + demand of the shapes that fit some group with α = 0)
        int start = bestZeroOneCut(cap[0], u, coef[0], fits);
        for (int j = 0; j < ng; j++) {
            lambda[0][j] = (start >>> j & 1) != 0 ? 1 : 0;
        }
        double best = evaluate(lambda, cap, u, coef, fits, null);
        // scale of each multiplier: objective (milli-GPU) per unit of that resource over the whole cluster
        double[] scale = {1, total[0] / Math.max(1, total[1]), total[0] / Math.max(1, total[2])};
        for (int it = 1; it <= ITERATIONS; it++) {
            double value = evaluate(lambda, cap, u, coef, fits, grad);
            best = Math.min(best, value);
            double step = 0.5 / Math.sqrt(it);
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < ng; j++) {
                    if (cap[r][j] > 0) {
                        double frac = Math.max(-1, Math.min(1, grad[r][j] / cap[r][j]));
                        lambda[r][j] = Math.max(0, lambda[r][j] - step * scale[r] * frac);
                    }
                }
            }
        }
        return best;
    }

    /**
     * The bound, as % of the cluster's GPU capacity, after the arrivals of one study run (the same
     * {@link Arrivals} as {@link StudyRun} builds for {@code seed}) up to the last task whose arrived
     * bin is at most {@code bin}: every allocation recorded in that bin is at most this (a longer
     * prefix can only raise the bound), so it bounds the bin's mean too.
     */
    public static double percentAt(List<NodeSpec> nodes, List<TaskSpec> trace, double tune, long seed, int bin) {
        Arrivals a = Arrivals.build(trace, nodes, tune, new java.util.SplittableRandom(seed));
        return percent(nodes, prefixUpToBin(nodes, a.tasks(), bin));
    }

    /** The bound for {@code arrived} as % of the GPU capacity of {@code nodes} (0 without GPUs). */
    static double percent(List<NodeSpec> nodes, List<TaskSpec> arrived) {
        long capacity = 0;
        for (NodeSpec n : nodes) {
            capacity += n.gpuCount() * 1000L;
        }
        return capacity == 0 ? 0 : 100.0 * upperBoundMilli(nodes, arrived) / capacity;
    }

    /** The arrivals up to the last task whose arrived bin (fgd-method.md 1.6) is at most {@code bin}. */
    static List<TaskSpec> prefixUpToBin(List<NodeSpec> nodes, List<TaskSpec> tasks, int bin) {
        long capacity = 0;
        for (NodeSpec n : nodes) {
            capacity += n.gpuCount() * 1000L;
        }
        double pctDiv = capacity / 100.0;
        long arrived = 0;
        int end = 0;
        for (int i = 0; i < tasks.size(); i++) {
            arrived += tasks.get(i).gpuDemandMilli();
            if (Binning.roundHalfEven(arrived / pctDiv) > bin) {
                break;
            }
            end = i + 1;
        }
        return tasks.subList(0, end);
    }

    /** Groups up to which {@link #bestZeroOneCut} enumerates every subset (2^20 subsets). */
    private static final int ENUMERATE_GROUPS = 20;

    /**
     * The subset M of node groups (bit j = group j) minimising Σ_{g ∈ M} G_g + Σ_s u_s d_s [s fits
     * some group outside M]: B at α = 1 on M, 0 elsewhere, β = γ = 0. Shapes with the same set of
     * feasible groups are summed first, so each subset costs O(distinct sets). Fleets with more than
     * {@value #ENUMERATE_GROUPS} groups get M = all groups (the capacity), returned as -1 (every bit set).
     */
    static int bestZeroOneCut(double[] gpuCap, double[] u, double[] demand, boolean[][] fits) {
        int ng = gpuCap.length;
        if (ng > ENUMERATE_GROUPS) {
            return -1; // every bit set: α = 1 on every group
        }
        Map<Integer, double[]> bySet = new LinkedHashMap<>();
        for (int i = 0; i < u.length; i++) {
            int set = 0;
            for (int j = 0; j < ng; j++) {
                if (fits[i][j]) {
                    set |= 1 << j;
                }
            }
            if (set != 0) {
                bySet.computeIfAbsent(set, k -> new double[1])[0] += u[i] * demand[i];
            }
        }
        int[] sets = new int[bySet.size()];
        double[] setDemand = new double[sets.length];
        int k = 0;
        for (Map.Entry<Integer, double[]> e : bySet.entrySet()) {
            sets[k] = e.getKey();
            setDemand[k++] = e.getValue()[0];
        }
        int bestSet = (1 << ng) - 1;
        double best = Double.POSITIVE_INFINITY;
        for (int m = 0; m < 1 << ng; m++) {
            double v = 0;
            for (int j = 0; j < ng; j++) {
                if ((m >>> j & 1) != 0) {
                    v += gpuCap[j];
                }
            }
            for (int i = 0; i < sets.length; i++) {
                if ((sets[i] & ~m) != 0) {
                    v += setDemand[i];
                }
            }
            if (v < best) {
                best = v;
                bestSet = m;
            }
        }
        return bestSet;
    }

    /** B(λ); fills {@code grad} (if not null) with a subgradient: capacity minus the use of the maximising choice. */
    private static double evaluate(double[][] lambda, double[][] cap, double[] u, double[][] coef, boolean[][] fits, double[][] grad) {
        int ng = cap[0].length;
        double v = 0;
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < ng; j++) {
                v += lambda[r][j] * cap[r][j];
                if (grad != null) {
                    grad[r][j] = cap[r][j];
                }
            }
        }
        for (int i = 0; i < u.length; i++) {
            double bestGain = 0;
            int arg = -1;
            for (int j = 0; j < ng; j++) {
                if (!fits[i][j]) {
                    continue;
                }
                double gain = coef[0][i] * (1 - lambda[0][j]) - lambda[1][j] * coef[1][i] - lambda[2][j] * coef[2][i];
                if (gain > bestGain) {
                    bestGain = gain;
                    arg = j;
                }
            }
            v += u[i] * bestGain;
            if (grad != null && arg >= 0) {
                for (int r = 0; r < 3; r++) {
                    grad[r][arg] -= u[i] * coef[r][i];
                }
            }
        }
        return v;
    }
}

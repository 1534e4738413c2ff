package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.GpuModels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The FGD fragmentation measure: the expected amount of free GPU (milli) on a node that a task drawn
 * from the target workload could not use.
 *
 * <h2>Design note</h2>
 * For node n and task class t (see the spec, fgd-method.md section 2.3): CPU-only classes and
 * classes whose model list excludes n's model count all of n's idle GPU as fragment; otherwise, if n
 * has at least k GPUs with ≥ g free and enough free CPU, the fragment is the free milli of the GPUs
 * with less than g free, else all idle GPU. {@code F(n) = Σ_t p_t · frag(n, t)}.
 *
 * <p>The evaluation is arranged for speed. Per GPU model the classes that always count all idle GPU
 * are folded into one constant {@code pIdle[model]}; the remaining classes are sorted by decreasing
 * g, so that with the node's free GPU values sorted in decreasing order a single merge-like pass finds,
 * for every class, how many GPUs can take g and how much free milli lies on the others. One
 * evaluation costs O(classes + GPUs) with no allocation. Instances hold scratch buffers and are not
 * thread-safe: use one per simulation thread.
 */
public final class Fragmentation {
    private final TargetWorkload target;
    private final double[] pIdle;
    private final int[][] clsCpu;
    private final int[][] clsG;
    private final int[][] clsK;
    private final double[][] clsP;
    private int[] scratch = new int[16];

    /** The measure with the FGD artifact's evaluation order (the reproduced study uses this). */
    public Fragmentation(TargetWorkload target) {
        this(target, false);
    }

    /**
     * @param mergeEqualClasses per GPU model, merge target classes that ask the same (CPU, GPU count,
     *                          per-GPU milli) and differ only in their allowed-model lists, adding their
     *                          probabilities. The same measure up to floating-point rounding, evaluated in
     *                          fewer steps when a workload lists one shape under several model lists (the
     *                          multi-region workload does); not used by the FGD study, whose results are
     *                          kept bit for bit.
     */
    public Fragmentation(TargetWorkload target, boolean mergeEqualClasses) {
        this.target = target;
        int models = GpuModels.names().size();
        pIdle = new double[models];
        clsCpu = new int[models][];
        clsG = new int[models][];
        clsK = new int[models][];
        clsP = new double[models][];
        for (int m = 0; m < models; m++) {
            List<TargetWorkload.TaskClass> acc = new ArrayList<>();
            double idle = 0;
            for (TargetWorkload.TaskClass c : target.classes()) {
                boolean access = c.allowedModels() == 0 || (c.allowedModels() & (1L << m)) != 0;
                if (c.gpuCount() == 0 || !access) {
                    idle += c.probability();
                } else {
                    acc.add(c);
                }
            }
            acc.sort((a, b) -> Integer.compare(b.gpuMilli(), a.gpuMilli()));
            pIdle[m] = idle;
            List<double[]> rows = new ArrayList<>(); // cpu, g, k, p
            java.util.Map<List<Integer>, double[]> merged = new java.util.HashMap<>();
            for (TargetWorkload.TaskClass c : acc) {
                List<Integer> key = List.of(c.cpuMilli(), c.gpuMilli(), c.gpuCount());
                double[] row = mergeEqualClasses ? merged.get(key) : null;
                if (row != null) {
                    row[3] += c.probability();
                } else {
                    row = new double[] {c.cpuMilli(), c.gpuMilli(), c.gpuCount(), c.probability()};
                    rows.add(row);
                    merged.put(key, row);
                }
            }
            int s = rows.size();
            clsCpu[m] = new int[s];
            clsG[m] = new int[s];
            clsK[m] = new int[s];
            clsP[m] = new double[s];
            for (int i = 0; i < s; i++) {
                double[] row = rows.get(i);
                clsCpu[m][i] = (int) row[0];
                clsG[m][i] = (int) row[1];
                clsK[m][i] = (int) row[2];
                clsP[m][i] = row[3];
            }
        }
    }

    public TargetWorkload target() {
        return target;
    }

    /** F(n) for the node's current state. */
    public double nodeFrag(ClusterState s, int node) {
        return fragAfter(s, node, 0, 0, 0);
    }

    /**
     * F of the hypothetical state of {@code node} after taking {@code cpuTaken} milli-CPU and
     * {@code gpuMilli} from every GPU in {@code gpuMask}. The state itself is not changed.
     */
    public double fragAfter(ClusterState s, int node, int cpuTaken, int gpuMilli, int gpuMask) {
        int count = s.gpuCount(node);
        if (count == 0) {
            return 0;
        }
        if (scratch.length < count) {
            scratch = new int[count];
        }
        int[] v = scratch;
        int[] free = s.gpuFreeArray();
        int base = node * s.gpuStride();
        for (int j = 0; j < count; j++) {
            v[j] = free[base + j] - ((gpuMask >>> j) & 1) * gpuMilli;
        }
        return eval(s.model(node), s.cpuFree(node) - cpuTaken, v, count);
    }

    /** F for a node of {@code model} with {@code cpuFree} and GPU free values {@code v[0..count)} (reordered in place). */
    double eval(int model, int cpuFree, int[] v, int count) {
        // insertion sort, decreasing
        int idle = 0;
        for (int i = 0; i < count; i++) {
            int x = v[i];
            idle += x;
            int j = i - 1;
            while (j >= 0 && v[j] < x) {
                v[j + 1] = v[j];
                j--;
            }
            v[j + 1] = x;
        }
        if (idle == 0) {
            return 0;
        }
        double f = idle * pIdle[model];
        int[] cpu = clsCpu[model];
        int[] g = clsG[model];
        int[] k = clsK[model];
        double[] p = clsP[model];
        int fit = 0;       // number of GPUs with free >= current g
        int fitSum = 0;    // their free milli
        for (int c = 0; c < g.length; c++) {
            int need = g[c];
            while (fit < count && v[fit] >= need) {
                fitSum += v[fit];
                fit++;
            }
            if (fit >= k[c] && cpuFree >= cpu[c]) {
                f += p[c] * (idle - fitSum);
            } else {
                f += p[c] * idle;
            }
        }
        return f;
    }

    /** Fragment categories of the FGD artifact's cluster analysis. */
    public enum Category { Q1_LACK_BOTH, Q2_LACK_GPU, Q3_SATISFIED, Q4_LACK_CPU, XL_SATISFIED, XR_LACK_CPU, NO_ACCESS }

    /**
     * Adds to {@code out} (indexed by {@link Category#ordinal()}) the node's expected fragment
     * by category, in milli-GPU; for Q3 the amount is the fragment (GPUs too small for the class).
     * Slow path for reports, not for scheduling.
     */
    public void breakdown(ClusterState s, int node, double[] out) {
        int count = s.gpuCount(node);
        int idle = s.gpuFreeTotal(node);
        int cpuFree = s.cpuFree(node);
        int[] v = new int[count];
        for (int j = 0; j < count; j++) {
            v[j] = s.gpuFree(node, j);
        }
        for (TargetWorkload.TaskClass c : target.classes()) {
            double p = c.probability();
            if (c.gpuCount() == 0) {
                out[(cpuFree >= c.cpuMilli() ? Category.XL_SATISFIED : Category.XR_LACK_CPU).ordinal()] += p * idle;
                continue;
            }
            int m = s.model(node);
            if (count == 0 || (c.allowedModels() != 0 && (m < 0 || (c.allowedModels() & (1L << m)) == 0))) {
                out[Category.NO_ACCESS.ordinal()] += p * idle;
                continue;
            }
            int fit = 0;
            int small = 0;
            for (int x : v) {
                if (x >= c.gpuMilli()) {
                    fit++;
                } else {
                    small += x;
                }
            }
            boolean gpuOk = fit >= c.gpuCount();
            boolean cpuOk = cpuFree >= c.cpuMilli();
            if (gpuOk && cpuOk) {
                out[Category.Q3_SATISFIED.ordinal()] += p * small;
            } else if (gpuOk) {
                out[Category.Q4_LACK_CPU.ordinal()] += p * idle;
            } else if (cpuOk) {
                out[Category.Q2_LACK_GPU.ordinal()] += p * idle;
            } else {
                out[Category.Q1_LACK_BOTH.ordinal()] += p * idle;
            }
        }
    }

    @Override
    public String toString() {
        return "Fragmentation" + Arrays.toString(pIdle);
    }
}

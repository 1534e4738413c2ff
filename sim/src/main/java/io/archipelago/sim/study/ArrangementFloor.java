package io.archipelago.sim.study;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

import java.util.ArrayList;
import java.util.List;

/**
 * How much of a run's unallocated GPU is owed to <em>where</em> its tasks went, and how much to
 * <em>which</em> tasks got in: a lower bound on the GPU milli left free on the GPUs that hold sharing
 * tasks, for every arrangement of the same tasks.
 *
 * <h2>The question</h2>
 * A run ends with some tasks placed. Take the GPU parts of its sharing tasks (a task of k GPUs at
 * g &lt; 1000 milli each gives k parts of g milli). Every arrangement of them, by any policy, puts
 * them on GPUs with at most 1000 milli each, and whatever those GPUs do not hold is unallocated: no
 * whole-GPU task can use a GPU that holds a share. The arrangement may also add any of the sharing
 * tasks the run turned away, since a better arrangement might have let them in. The least such
 * waste is the <em>arrangement floor</em> of the run: a policy that lets in the same tasks, however
 * it arranges them, leaves at least that much unallocated. Only a policy that lets in different
 * tasks (for example fewer 810-milli shares) can go below it. CPU, memory, GPU models, nodes and
 * arrival order are ignored, so the true least waste may be higher.
 *
 * <h2>How it is computed</h2>
 * With parts of size s, lo_s of them placed and hi_s − lo_s turned away, and a <em>configuration</em>
 * c being a multiset of parts that fits one GPU (a_cs parts of size s, Σ a_cs·s ≤ 1000, cost
 * 1000 − Σ a_cs·s), the waste of any arrangement is Σ_c x_c·cost_c where x_c GPUs hold c and
 * lo_s ≤ Σ_c a_cs·x_c ≤ hi_s. For any prices w_s (weak duality, the same argument as
 * {@link AllocationBound}):
 * <pre>
 *   waste ≥ Σ_s min(w_s·lo_s, w_s·hi_s) − N·max(0, M(w)),   M(w) = max_c (Σ_s a_cs·w_s − cost_c)
 * </pre>
 * with N the most GPUs an arrangement can use (Σ hi_s, at most the cluster's GPUs). M(w) is a bounded
 * knapsack over the sizes, solved exactly by dynamic programming over 0..1000 milli, so the bound is
 * valid for whatever prices the search finds. The prices come from the linear program's dual, solved
 * by cutting planes: an LP over the configurations found so far (ojAlgo), then the knapsack finds the
 * most violated configuration, until none is violated (then the bound is the LP optimum of the
 * configuration LP; on the openb runs we checked it was within 0.002 % of capacity of the integer
 * optimum). If the LP solver fails or {@link #MAX_ROUNDS} is reached, the best bound found so far is
 * returned, still valid, and {@link Result#converged()} says so.
 */
public final class ArrangementFloor {
    /** Cutting-plane rounds before the search stops with the best valid bound so far. */
    static final int MAX_ROUNDS = 400;

    static {
        // ojAlgo prints a hardware-profile banner to stdout on first use unless told not to; it
        // would land in the CLI's report output
        if (System.getProperty("shut.up.ojAlgo") == null) {
            System.setProperty("shut.up.ojAlgo", "true");
        }
    }

    private ArrangementFloor() {
    }

    /**
     * The floor and whether the search converged.
     *
     * @param wasteMilli lower bound on the unallocated milli-GPU (valid either way)
     * @param converged  true if the cutting-plane search proved its prices optimal for the configuration
     *                   LP; false if the LP solver failed or the round limit was reached, in which case
     *                   the bound is still valid but may be far below the LP optimum (down to 0)
     */
    public record Result(long wasteMilli, boolean converged) {
    }

    /** {@link #of}'s bound alone, in milli-GPU. */
    public static long wasteMilli(int[] placed, int[] refused, long gpus) {
        return of(placed, refused, gpus).wasteMilli();
    }

    /**
     * The floor.
     *
     * @param placed  placed[g] = GPU parts of g milli that the run placed, g in 1..999 (index 0 and
     *                whole GPUs are ignored)
     * @param refused refused[g] = GPU parts of g milli of sharing tasks the run turned away
     * @param gpus    GPUs in the cluster (caps the GPUs an arrangement can use)
     * @throws IllegalArgumentException if an array is not 1000 long or holds a negative count
     */
    public static Result of(int[] placed, int[] refused, long gpus) {
        return of(placed, refused, gpus, MAX_ROUNDS);
    }

    /** {@link #of(int[], int[], long)} with at most {@code maxRounds} cutting-plane rounds (tests). */
    static Result of(int[] placed, int[] refused, long gpus, int maxRounds) {
        if (placed.length != 1000 || refused.length != 1000) {
            throw new IllegalArgumentException("share tallies must have 1000 entries (index = milli), got "
                    + placed.length + " and " + refused.length);
        }
        List<Integer> sizeList = new ArrayList<>();
        for (int g = 1; g < 1000; g++) {
            if (placed[g] < 0 || refused[g] < 0) {
                throw new IllegalArgumentException("negative share count at " + g + " milli: placed " + placed[g]
                        + ", refused " + refused[g]);
            }
            if (placed[g] + refused[g] > 0) {
                sizeList.add(g);
            }
        }
        int n = sizeList.size();
        if (n == 0 || gpus <= 0) {
            return new Result(0, true);
        }
        int[] size = new int[n];
        long[] lo = new long[n];
        long[] hi = new long[n];
        long parts = 0;
        for (int i = 0; i < n; i++) {
            size[i] = sizeList.get(i);
            lo[i] = placed[size[i]];
            hi[i] = (long) placed[size[i]] + refused[size[i]];
            parts += hi[i];
        }
        long maxGpus = Math.min(parts, gpus);
        List<int[]> cuts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] c = new int[n];
            c[i] = 1;
            cuts.add(c);
        }
        double best = 0; // w = 0 is always valid
        boolean converged = false;
        double[] w = new double[n];
        for (int round = 0; round < maxRounds && !converged; round++) {
            if (!solveDual(size, lo, hi, cuts, w)) {
                break;
            }
            int[] config = new int[n];
            double violation = mostViolated(size, hi, w, config);
            double bound = -Math.max(0, violation) * maxGpus;
            for (int i = 0; i < n; i++) {
                bound += Math.min(w[i] * lo[i], w[i] * hi[i]);
            }
            if (Double.isFinite(bound)) {
                best = Math.max(best, bound);
            }
            if (violation <= 1e-7) {
                converged = Double.isFinite(bound);
            } else {
                cuts.add(config);
            }
        }
        // the bound is real-valued and the waste an integer; allow for rounding in the last bits
        return new Result(Math.max(0, (long) Math.ceil(best - 1e-6 * Math.max(1, Math.abs(best)))), converged);
    }

    /**
     * The dual of the configuration LP restricted to {@code cuts}: maximise Σ lo·p − hi·q subject to
     * Σ_s a_cs·(p_s − q_s) ≤ cost_c for every cut c, p, q ≥ 0. Writes w = p − q; false if no optimum.
     */
    private static boolean solveDual(int[] size, long[] lo, long[] hi, List<int[]> cuts, double[] w) {
        int n = size.length;
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Variable[] p = new Variable[n];
        Variable[] q = new Variable[n];
        for (int i = 0; i < n; i++) {
            p[i] = model.addVariable("p" + i).lower(0).weight(lo[i]);
            q[i] = model.addVariable("q" + i).lower(0).weight(-hi[i]);
        }
        int k = 0;
        for (int[] c : cuts) {
            int used = 0;
            for (int i = 0; i < n; i++) {
                used += c[i] * size[i];
            }
            Expression e = model.addExpression("c" + k++).upper(1000 - used);
            for (int i = 0; i < n; i++) {
                if (c[i] != 0) {
                    e.set(p[i], c[i]);
                    e.set(q[i], -c[i]);
                }
            }
        }
        Optimisation.Result r = model.maximise();
        if (!r.getState().isOptimal()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            w[i] = p[i].getValue().doubleValue() - q[i].getValue().doubleValue();
        }
        return true;
    }

    /**
     * M(w) = max over configurations c of Σ a_cs·w_s − cost_c = max Σ a_cs·(w_s + s) − 1000, by a bounded
     * knapsack (binary splitting, exact over integer milli); the maximising configuration goes into
     * {@code config}.
     */
    static double mostViolated(int[] size, long[] hi, double[] w, int[] config) {
        int n = size.length;
        List<int[]> chunks = new ArrayList<>(); // {item, count}
        for (int i = 0; i < n; i++) {
            double v = w[i] + size[i];
            long k = Math.min(hi[i], 1000 / size[i]);
            if (v <= 0 || k <= 0) {
                continue;
            }
            for (long c = 1; k > 0; c <<= 1) {
                long take = Math.min(c, k);
                chunks.add(new int[] {i, (int) take});
                k -= take;
            }
        }
        double[] dp = new double[1001];
        boolean[][] took = new boolean[chunks.size()][1001];
        for (int j = 0; j < chunks.size(); j++) {
            int[] ch = chunks.get(j);
            int weight = size[ch[0]] * ch[1];
            double value = (w[ch[0]] + size[ch[0]]) * ch[1];
            for (int cap = 1000; cap >= weight; cap--) {
                double alt = dp[cap - weight] + value;
                if (alt > dp[cap]) {
                    dp[cap] = alt;
                    took[j][cap] = true;
                }
            }
        }
        java.util.Arrays.fill(config, 0);
        int cap = 1000;
        for (int j = chunks.size() - 1; j >= 0; j--) {
            if (took[j][cap]) {
                int[] ch = chunks.get(j);
                config[ch[0]] += ch[1];
                cap -= size[ch[0]] * ch[1];
            }
        }
        return dp[1000] - 1000;
    }
}

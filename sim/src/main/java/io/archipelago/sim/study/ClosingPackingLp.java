package io.archipelago.sim.study;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packing program behind {@link ForcedPlacementBound#packed}: an upper bound on the milli-GPU that
 * can be allocated when the cluster closes to a large share shape (g milli) at a known point j.
 *
 * <h2>The program</h2>
 * GPUs are bins of 1000 milli, in bin types with a count each; on some types the <em>closing rule</em>
 * applies (their nodes could host the shape). Items are GPU parts in <em>classes</em>; each class has a
 * size (1..1000 milli, a whole GPU being 1000), a kind, a count range lo..hi (lo: the parts that must
 * have been placed) and the bin types it may use. The kind says when the item arrived relative to j
 * and whether it may use a node that is blocked for the shape:
 * <ul>
 *   <li>{@link #BEFORE}: arrived before j;</li>
 *   <li>{@link #AFTER_LOW}: arrived from j on, with less CPU or memory than the shape;</li>
 *   <li>{@link #AFTER}: arrived from j on, the others.</li>
 * </ul>
 * A configuration is a multiset of items with total size ≤ 1000. Where the rule applies: if its
 * before-j items total at most 1000 − g milli (the GPU had room for the shape at j, so its node was
 * blocked), it holds no {@link #AFTER} item. The program maximises the allocated milli over the
 * configuration counts, with at most the bin type's GPUs and every class within lo..hi.
 *
 * <h2>Always a valid bound</h2>
 * For any prices p, q ≥ 0 on the class upper and lower limits (weak duality), with w = p − q:
 * <pre>
 *   allocation ≤ Σ_t bins_t·max(0, K_t(w)) + Σ_k (hi_k·p_k − lo_k·q_k)
 * </pre>
 * where K_t(w) = max over the configurations allowed on type t of Σ a_k·(size_k − w_k): an exact
 * bounded knapsack over integer milli (where the rule applies, split into configurations without
 * {@link #AFTER} items and those whose before-j items exceed 1000 − g). Prices come from the restricted
 * dual LP solved by cutting planes (ojAlgo), as in {@link ArrangementFloor}; whatever prices the loop
 * ends with, the formula above is a valid bound, and the smallest one seen is returned. If the lower
 * limits cannot all be met (closing points no run can have), the program is infeasible and any value
 * bounds it; the lower-limit prices are capped so that the LP stays bounded, and the result is then
 * typically very low or negative.
 */
final class ClosingPackingLp {
    static final int BEFORE = 0;
    static final int AFTER_LOW = 1;
    static final int AFTER = 2;

    private static final double EPS = 1e-7;
    /** Cap on a mandatory class's price: any price keeps the bound valid, and the cap keeps the LP bounded. */
    private static final double MAX_PRICE = 1e4;

    static {
        // ojAlgo prints a hardware-profile banner to stdout on first use unless told not to
        if (System.getProperty("shut.up.ojAlgo") == null) {
            System.setProperty("shut.up.ojAlgo", "true");
        }
    }

    private final int[] size;
    private final int[] kind;
    private final long[] lo;
    private final long[] hi;
    private final long[] bins;        // GPUs per bin type
    private final boolean[] rule;     // the closing rule applies to the bin type (its GPUs could host the shape)
    private final int threshold; // 1000 - g: a GPU whose before-j items total at most this was blocked at j
    private final List<int[]> cuts = new ArrayList<>(); // {bin type, a_0 .. a_{n-1}}

    /** Result: the bound (milli) and whether the cutting-plane loop proved its prices optimal. */
    record Result(double boundMilli, boolean converged, int rounds) {
    }

    /**
     * @param size       class sizes, milli (1..1000)
     * @param kind       class kinds ({@link #BEFORE}, {@link #AFTER_LOW}, {@link #AFTER})
     * @param lo         least placed per class (the tasks that must have been placed)
     * @param hi         most placed per class (arrived)
     * @param bins       GPUs per bin type
     * @param rule       whether the closing rule applies to a bin type
     * @param shapeMilli g, the closing shape's milli
     */
    ClosingPackingLp(int[] size, int[] kind, long[] lo, long[] hi, long[] bins, boolean[] rule, int shapeMilli) {
        int n = size.length;
        if (kind.length != n || lo.length != n || hi.length != n || rule.length != bins.length) {
            throw new IllegalArgumentException("class or bin-type arrays differ in length");
        }
        for (int k = 0; k < n; k++) {
            if (size[k] < 1 || size[k] > 1000 || lo[k] < 0 || hi[k] < lo[k] || kind[k] < BEFORE || kind[k] > AFTER) {
                throw new IllegalArgumentException("bad class " + k + ": size " + size[k] + ", kind " + kind[k]
                        + ", lo " + lo[k] + ", hi " + hi[k]);
            }
        }
        this.size = size;
        this.kind = kind;
        this.lo = lo;
        this.hi = hi;
        this.bins = bins;
        this.rule = rule;
        this.threshold = 1000 - shapeMilli;
        for (int t = 0; t < bins.length; t++) {
            if (bins[t] <= 0) {
                continue;
            }
            for (int k = 0; k < n; k++) {
                int[] c = new int[n + 1];
                c[0] = t;
                c[1 + k] = 1;
                if (!rule[t] || kind[k] != AFTER) {
                    cuts.add(c);
                }
            }
        }
    }

    /**
     * Adds configurations found by an earlier, related program (a warm start): each {bin type, a_0 ..
     * a_{n-1}} over this program's classes; those not allowed here are skipped. Only speeds the search up.
     */
    void seed(List<int[]> configs) {
        int n = size.length;
        for (int[] c : configs) {
            if (c.length != n + 1 || c[0] < 0 || c[0] >= bins.length || bins[c[0]] <= 0) {
                continue;
            }
            int t = c[0];
            int used = 0;
            int before = 0;
            boolean after = false;
            boolean ok = true;
            for (int k = 0; k < n && ok; k++) {
                if (c[1 + k] == 0) {
                    continue;
                }
                ok = c[1 + k] > 0 && c[1 + k] <= hi[k];
                used += c[1 + k] * size[k];
                if (kind[k] == BEFORE) {
                    before += c[1 + k] * size[k];
                } else if (kind[k] == AFTER) {
                    after = true;
                }
            }
            if (ok && used <= 1000 && (!rule[t] || !after || before > threshold)) {
                cuts.add(c);
            }
        }
    }

    /**
     * The configurations tight at the last LP prices of {@link #solve} ({bin type, counts per class}), for
     * {@link #seed}: the ones that matter at the optimum, so warm starts do not pile up configurations.
     */
    List<int[]> configs() {
        if (lastPi == null) {
            return List.of();
        }
        List<int[]> out = new ArrayList<>();
        int n = size.length;
        for (int[] c : cuts) {
            double slack = lastPi[c[0]];
            for (int k = 0; k < n; k++) {
                slack += c[1 + k] * (lastW[k] - size[k]);
            }
            if (slack <= 1e-6 * 1000) {
                out.add(c);
            }
        }
        return out;
    }

    private double[] lastPi;
    private double[] lastW;

    /** Solves with at most {@code maxRounds} cutting-plane rounds; {@code trivial} is returned if nothing better is found. */
    Result solve(int maxRounds, double trivial) {
        int n = size.length;
        double best = trivial;
        double[] p = new double[n];
        double[] q = new double[n];
        int[] config = new int[n];
        boolean converged = false;
        int round = 0;
        for (; round < maxRounds && !converged; round++) {
            double[] pi = solveDual(p, q);
            if (pi == null) {
                break;
            }
            lastPi = pi;
            lastW = new double[n];
            for (int k = 0; k < n; k++) {
                lastW[k] = p[k] - q[k];
            }
            double[] v = new double[n];
            double bound = 0;
            for (int k = 0; k < n; k++) {
                v[k] = size[k] - (p[k] - q[k]);
                bound += hi[k] * p[k] - lo[k] * q[k];
            }
            boolean violated = false;
            for (int t = 0; t < bins.length; t++) {
                if (bins[t] <= 0) {
                    continue;
                }
                double kv = rule[t] ? shapeKnapsack(v, config) : knapsack(v, k -> true, config);
                bound += bins[t] * Math.max(0, kv);
                if (kv > pi[t] + EPS * Math.max(1, Math.abs(kv))) {
                    violated = true;
                    int[] c = new int[n + 1];
                    c[0] = t;
                    System.arraycopy(config, 0, c, 1, n);
                    cuts.add(c);
                }
            }
            if (Double.isFinite(bound)) {
                best = Math.min(best, bound);
            }
            converged = !violated;
        }
        return new Result(best, converged, round);
    }

    /**
     * The restricted dual: minimise Σ_t bins_t·π_t + Σ hi·p − lo·q subject to π_t + Σ a·(p − q) ≥ Σ a·size for
     * every cut of bin type t. Writes p and q; returns π, or null if the LP has no optimum.
     */
    private double[] solveDual(double[] p, double[] q) {
        int n = size.length;
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Variable[] pi = new Variable[bins.length];
        for (int t = 0; t < bins.length; t++) {
            pi[t] = model.addVariable("pi" + t).lower(0).weight(bins[t]);
        }
        Variable[] pv = new Variable[n];
        Variable[] qv = new Variable[n];
        for (int k = 0; k < n; k++) {
            pv[k] = model.addVariable("p" + k).lower(0).weight(hi[k]);
            if (lo[k] > 0) {
                // capped so that the restricted dual stays bounded when the mandatory items cannot all be placed
                // (then the closing points are impossible and any value bounds them; see the class comment)
                qv[k] = model.addVariable("q" + k).lower(0).upper(MAX_PRICE).weight(-lo[k]);
            }
        }
        int idx = 0;
        for (int[] c : cuts) {
            long value = 0;
            for (int k = 0; k < n; k++) {
                value += (long) c[1 + k] * size[k];
            }
            Expression e = model.addExpression("c" + idx++).lower(value);
            e.set(pi[c[0]], 1);
            for (int k = 0; k < n; k++) {
                if (c[1 + k] != 0) {
                    e.set(pv[k], c[1 + k]);
                    if (qv[k] != null) {
                        e.set(qv[k], -c[1 + k]);
                    }
                }
            }
        }
        Optimisation.Result r = model.minimise();
        if (!r.getState().isOptimal()) {
            return null;
        }
        for (int k = 0; k < n; k++) {
            p[k] = Math.max(0, pv[k].getValue().doubleValue());
            q[k] = qv[k] == null ? 0 : Math.max(0, qv[k].getValue().doubleValue());
        }
        double[] out = new double[bins.length];
        for (int t = 0; t < bins.length; t++) {
            out[t] = pi[t].getValue().doubleValue();
        }
        return out;
    }

    /** Max Σ a·v over configurations allowed on a GPU of the shape's kind; the maximiser goes into config. */
    private double shapeKnapsack(double[] v, int[] config) {
        int n = size.length;
        // (1) no item of kind AFTER: unconstrained
        int[] c1 = new int[n];
        double best = knapsack(v, k -> kind[k] != AFTER, c1);
        System.arraycopy(c1, 0, config, 0, n);
        // (2) before-j items totalling more than the threshold, then any after-j items in what is left
        List<int[]> bChunks = chunks(v, k -> kind[k] == BEFORE, true);
        double[] exact = new double[1001];
        Arrays.fill(exact, Double.NEGATIVE_INFINITY);
        exact[0] = 0;
        boolean[][] took = fill(exact, bChunks, v);
        List<int[]> aChunks = chunks(v, k -> kind[k] >= AFTER_LOW, false);
        double[] atMost = new double[1001];
        boolean[][] tookA = fill(atMost, aChunks, v);
        int bestX = -1;
        for (int x = threshold + 1; x <= 1000; x++) {
            if (exact[x] != Double.NEGATIVE_INFINITY && exact[x] + atMost[1000 - x] > best) {
                best = exact[x] + atMost[1000 - x];
                bestX = x;
            }
        }
        if (bestX >= 0) {
            Arrays.fill(config, 0);
            int cap = bestX;
            for (int j = bChunks.size() - 1; j >= 0; j--) {
                if (took[j][cap]) {
                    config[bChunks.get(j)[0]] += bChunks.get(j)[1];
                    cap -= size[bChunks.get(j)[0]] * bChunks.get(j)[1];
                }
            }
            cap = 1000 - bestX;
            for (int j = aChunks.size() - 1; j >= 0; j--) {
                if (tookA[j][cap]) {
                    config[aChunks.get(j)[0]] += aChunks.get(j)[1];
                    cap -= size[aChunks.get(j)[0]] * aChunks.get(j)[1];
                }
            }
        }
        return best;
    }

    /** Unconstrained bounded knapsack over the classes {@code use} accepts, capacity 1000. */
    private double knapsack(double[] v, java.util.function.IntPredicate use, int[] config) {
        List<int[]> ch = chunks(v, use, false);
        double[] dp = new double[1001];
        boolean[][] took = fill(dp, ch, v);
        Arrays.fill(config, 0);
        int cap = 1000;
        for (int j = ch.size() - 1; j >= 0; j--) {
            if (took[j][cap]) {
                config[ch.get(j)[0]] += ch.get(j)[1];
                cap -= size[ch.get(j)[0]] * ch.get(j)[1];
            }
        }
        return dp[1000];
    }

    /**
     * 0/1 knapsack over {@code chunks} into {@code dp} (dp[c] = best value using c milli: "at most c" if dp
     * starts at 0 everywhere, "exactly c" if it starts at −∞ except dp[0] = 0); returns took[chunk][c] for
     * reconstructing the maximiser.
     */
    private boolean[][] fill(double[] dp, List<int[]> chunks, double[] v) {
        boolean[][] took = new boolean[chunks.size()][dp.length];
        for (int j = 0; j < chunks.size(); j++) {
            int[] ch = chunks.get(j);
            int weight = size[ch[0]] * ch[1];
            double value = v[ch[0]] * ch[1];
            for (int cap = dp.length - 1; cap >= weight; cap--) {
                if (dp[cap - weight] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double alt = dp[cap - weight] + value;
                if (alt > dp[cap]) {
                    dp[cap] = alt;
                    took[j][cap] = true;
                }
            }
        }
        return took;
    }

    /** Binary splitting of the bounded counts into 0/1 chunks {class, count}; non-positive values skipped unless asked. */
    private List<int[]> chunks(double[] v, java.util.function.IntPredicate use, boolean keepNonPositive) {
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k < size.length; k++) {
            if (!use.test(k) || (!keepNonPositive && v[k] <= 0)) {
                continue;
            }
            long count = Math.min(hi[k], 1000 / size[k]);
            for (long c = 1; count > 0; c <<= 1) {
                long take = Math.min(c, count);
                out.add(new int[] {k, (int) take});
                count -= take;
            }
        }
        return out;
    }
}

package io.archipelago.sim.synth;

import io.archipelago.sim.scenario.ArrivalSpec;
import io.archipelago.sim.scenario.DurationSpec;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The random draws of the workload generators ({@code kind: generated} in
 * {@code ScenarioLoader}, {@code kind: multi-region} in {@link MultiRegionWorkload}): inter-arrival
 * times, run times, weighted choices. Every draw takes its values from the {@link SplittableRandom}
 * it is given and nothing else, so a seeded stream always gives the same sequence, on every JDK.
 */
public final class Draws {
    private Draws() {
    }

    /** An exponential variate with mean {@code mean}. One draw. */
    public static double exp(SplittableRandom r, double mean) {
        return -Math.log(1 - r.nextDouble()) * mean;
    }

    /** Standard normal by Box–Muller from the stream (deterministic across JDKs). Two draws. */
    public static double gaussian(SplittableRandom r) {
        double u1 = 1 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Time to the next arrival of {@code a} at time {@code nowMs}, ms. One draw. */
    public static double interArrivalMs(ArrivalSpec a, double nowMs, SplittableRandom r) {
        if (a instanceof ArrivalSpec.Poisson p) {
            return exp(r, 1000.0 / p.ratePerSecond());
        }
        ArrivalSpec.Bursty b = (ArrivalSpec.Bursty) a;
        double phase = nowMs % b.burstEveryMs();
        boolean burst = phase < b.burstLengthMs();
        return exp(r, 1000.0 / (burst ? b.burstRatePerSecond() : b.ratePerSecond()));
    }

    /** A run time drawn from {@code d}, ms: at least 1, capped at {@code d.maxMs()} when it has one. */
    public static long duration(DurationSpec d, SplittableRandom r) {
        double ms;
        long max;
        if (d instanceof DurationSpec.Fixed f) {
            return f.ms();
        } else if (d instanceof DurationSpec.Lognormal l) {
            ms = l.medianMs() * Math.exp(l.sigma() * gaussian(r));
            max = l.maxMs();
        } else if (d instanceof DurationSpec.Pareto p) {
            ms = p.minMs() / Math.pow(1 - r.nextDouble(), 1.0 / p.alpha());
            max = p.maxMs();
        } else {
            DurationSpec.Exponential e = (DurationSpec.Exponential) d;
            ms = exp(r, e.meanMs());
            max = e.maxMs();
        }
        long v = Math.max(1, Math.round(ms));
        return max >= 0 ? Math.min(v, max) : v;
    }

    /**
     * The mean of {@link #duration} for {@code d}, ms, in closed form with the cap applied
     * ({@code E[min(X, max)]}); ignores the rounding to whole milliseconds. Infinite for an uncapped
     * Pareto with {@code alpha <= 1}.
     */
    public static double meanMs(DurationSpec d) {
        if (d instanceof DurationSpec.Fixed f) {
            return f.ms();
        }
        double cap = d.maxMs() >= 0 ? d.maxMs() : Double.POSITIVE_INFINITY;
        if (d instanceof DurationSpec.Lognormal l) {
            double mu = Math.log(l.medianMs());
            double s = l.sigma();
            double full = Math.exp(mu + s * s / 2);
            if (Double.isInfinite(cap)) {
                return full;
            }
            double lc = Math.log(cap);
            return full * normalCdf((lc - mu - s * s) / s) + cap * (1 - normalCdf((lc - mu) / s));
        }
        if (d instanceof DurationSpec.Pareto p) {
            double xm = p.minMs();
            double a = p.alpha();
            if (cap <= xm) {
                return cap;
            }
            if (Double.isInfinite(cap)) {
                return a <= 1 ? Double.POSITIVE_INFINITY : a * xm / (a - 1);
            }
            // E[min(X, c)] = xm + ∫_xm^c (xm / x)^a dx
            if (Math.abs(a - 1) < 1e-12) {
                return xm + xm * Math.log(cap / xm);
            }
            return xm + Math.pow(xm, a) * (Math.pow(cap, 1 - a) - Math.pow(xm, 1 - a)) / (1 - a);
        }
        DurationSpec.Exponential e = (DurationSpec.Exponential) d;
        return Double.isInfinite(cap) ? e.meanMs() : e.meanMs() * (1 - Math.exp(-cap / e.meanMs()));
    }

    /** The standard normal CDF (Abramowitz–Stegun 26.2.17 via erfc; absolute error below 1e-7). */
    public static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * z);
        // erfc(z) by Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** Cumulative weights normalised to end at 1, for {@link #pick}. */
    public static double[] cumulative(List<Double> w) {
        double[] c = new double[w.size()];
        double s = 0;
        for (int i = 0; i < c.length; i++) {
            s += w.get(i);
            c[i] = s;
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= s;
        }
        return c;
    }

    /** Cumulative weights normalised to end at 1, for {@link #pick}. */
    public static double[] cumulative(double[] w) {
        double[] c = new double[w.length];
        double s = 0;
        for (int i = 0; i < c.length; i++) {
            s += w[i];
            c[i] = s;
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= s;
        }
        return c;
    }

    /** The index whose cumulative weight first exceeds {@code u} (0 ≤ u &lt; 1); binary search. */
    public static int pick(double[] cum, double u) {
        int lo = 0;
        int hi = cum.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cum[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}

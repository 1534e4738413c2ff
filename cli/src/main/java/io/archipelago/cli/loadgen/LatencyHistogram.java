package io.archipelago.cli.loadgen;

import java.util.Arrays;

/**
 * A fixed-size log-linear histogram of non-negative latencies in microseconds.
 *
 * <p><b>Layout.</b> Values below {@value #EXACT_LIMIT} µs each have their own bucket. Above that, every power of two
 * {@code [2^e, 2^(e+1))} is split into {@value #SUB_BUCKETS} equal buckets, up to {@value #MAX_EXPONENT} powers of two
 * ({@code 2^40} µs, about 12.7 days); larger values are clamped into the last bucket. The whole histogram is one
 * {@code long[]} of {@value #BUCKETS} counts (about 30 KiB) allocated up front: {@link #record} never allocates.
 *
 * <p><b>Accuracy.</b> {@link #percentile} uses the nearest-rank definition (the smallest recorded value such that at
 * least {@code p} percent of the values are at most it; see {@link #rank}) and answers the midpoint of that value's
 * bucket, clamped to the exact {@link #min()} and {@link #max()} (which it answers exactly for the first and last rank). The answer is therefore within a relative error of
 * {@link #RELATIVE_ERROR} ({@code 1/256}, about 0.39 %) of the true nearest-rank value, and exact below
 * {@value #EXACT_LIMIT} µs. {@link #min()}, {@link #max()}, {@link #count()} and {@link #mean()} are exact.
 *
 * <p><b>Threads.</b> Not thread-safe: give each thread its own histogram and {@link #merge} them once the threads have
 * finished (merging is exact: it adds bucket counts).
 */
public final class LatencyHistogram {
    /** Buckets per power of two above {@link #EXACT_LIMIT}. */
    static final int SUB_BUCKETS = 128;
    private static final int SUB_BITS = 7;
    /** Values below this many microseconds are recorded exactly. */
    static final int EXACT_LIMIT = 2 * SUB_BUCKETS;
    private static final int FIRST_EXPONENT = SUB_BITS + 1;
    /** Values at or above {@code 2^MAX_EXPONENT} µs are clamped into the last bucket. */
    static final int MAX_EXPONENT = 40;
    private static final long MAX_TRACKABLE = (1L << MAX_EXPONENT) - 1;
    /** Number of buckets. */
    static final int BUCKETS = EXACT_LIMIT + (MAX_EXPONENT - FIRST_EXPONENT) * SUB_BUCKETS;
    /** Upper bound of {@code |percentile(p) - exact(p)| / exact(p)} for values below {@code 2^40} µs. */
    public static final double RELATIVE_ERROR = 1.0 / (2 * SUB_BUCKETS);

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max = Long.MIN_VALUE;

    /** An empty histogram. */
    public LatencyHistogram() {
    }

    /**
     * Records one latency.
     *
     * @param micros the latency in microseconds, at least 0
     * @throws IllegalArgumentException if {@code micros} is negative
     */
    public void record(long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("latency " + micros + " µs is negative; measure with System.nanoTime()"
                    + " and subtract the earlier reading from the later one");
        }
        counts[index(Math.min(micros, MAX_TRACKABLE))]++;
        count++;
        sum += micros;
        min = Math.min(min, micros);
        max = Math.max(max, micros);
    }

    /** Adds every value recorded in {@code other} to this histogram; {@code other} is unchanged. */
    public void merge(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    /**
     * The nearest-rank percentile in microseconds, within {@link #RELATIVE_ERROR}; {@code NaN} when nothing was
     * recorded.
     *
     * @param percent in {@code [0, 100]}, e.g. {@code 99.9}; 0 answers {@link #min()} and 100 {@link #max()}
     * @throws IllegalArgumentException if {@code percent} is outside {@code [0, 100]}
     */
    public double percentile(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile " + percent + " is outside [0, 100]; pass e.g. 99.9 for p99.9");
        }
        if (count == 0) {
            return Double.NaN;
        }
        long rank = rank(percent, count);
        if (rank == 1) {
            return min;
        }
        if (rank == count) {
            return max;
        }
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                double mid = lowerBound(i) + (width(i) - 1) / 2.0;
                return Math.max(min, Math.min(max, mid));
            }
        }
        throw new AssertionError("rank " + rank + " beyond count " + count);
    }

    /**
     * The 1-based nearest rank of {@code percent} among {@code n} sorted values: {@code ceil(percent / 100 * n)},
     * at least 1 (a tiny tolerance absorbs floating-point noise such as {@code 99.9 / 100 * 1000 = 999.0000000000001}).
     */
    static long rank(double percent, long n) {
        long r = (long) Math.ceil(percent / 100.0 * n - 1e-9);
        return Math.max(1, Math.min(n, r));
    }

    /** Number of recorded values. */
    public long count() {
        return count;
    }

    /** Smallest recorded value in microseconds (exact); {@code 0} when empty. */
    public long min() {
        return count == 0 ? 0 : min;
    }

    /** Largest recorded value in microseconds (exact); {@code 0} when empty. */
    public long max() {
        return count == 0 ? 0 : max;
    }

    /** Mean of the recorded values in microseconds (exact up to {@code long} overflow of the sum); {@code NaN} when empty. */
    public double mean() {
        return count == 0 ? Double.NaN : (double) sum / count;
    }

    /** Forgets every recorded value. */
    public void reset() {
        Arrays.fill(counts, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
    }

    static int index(long v) {
        if (v < EXACT_LIMIT) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (e - SUB_BITS)) - SUB_BUCKETS;
        return EXACT_LIMIT + (e - FIRST_EXPONENT) * SUB_BUCKETS + sub;
    }

    static long lowerBound(int index) {
        if (index < EXACT_LIMIT) {
            return index;
        }
        int e = FIRST_EXPONENT + (index - EXACT_LIMIT) / SUB_BUCKETS;
        int sub = (index - EXACT_LIMIT) % SUB_BUCKETS;
        return (long) (SUB_BUCKETS + sub) << (e - SUB_BITS);
    }

    static long width(int index) {
        if (index < EXACT_LIMIT) {
            return 1;
        }
        int e = FIRST_EXPONENT + (index - EXACT_LIMIT) / SUB_BUCKETS;
        return 1L << (e - SUB_BITS);
    }
}

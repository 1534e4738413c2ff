package io.archipelago.cli.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LatencyHistogram} against a sorted-array reference (nearest rank) on random data. */
class LatencyHistogramTest {
    private static final double[] PERCENTS = {0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};

    @Test
    void percentilesAreWithinTheStatedRelativeErrorOfTheSortedReference() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            int n = 1 + random.nextInt(50_000);
            long[] values = new long[n];
            LatencyHistogram h = new LatencyHistogram();
            for (int i = 0; i < n; i++) {
                // log-uniform from 1 µs to about 17 minutes, with some exact zeros and small values
                values[i] = random.nextInt(20) == 0 ? random.nextInt(300) : (long) Math.exp(random.nextDouble() * Math.log(1e9));
                h.record(values[i]);
            }
            Arrays.sort(values);
            for (double p : PERCENTS) {
                long expected = values[(int) LatencyHistogram.rank(p, n) - 1];
                assertThat(h.percentile(p)).as("p%s of %d values", p, n)
                        .isCloseTo(expected, within(expected * LatencyHistogram.RELATIVE_ERROR + 1e-9));
            }
            assertThat(h.count()).isEqualTo(n);
            assertThat(h.min()).isEqualTo(values[0]);
            assertThat(h.max()).isEqualTo(values[n - 1]);
            assertThat(h.percentile(0)).isEqualTo(values[0]);
            assertThat(h.percentile(100)).isEqualTo(values[n - 1]);
        }
    }

    @Test
    void valuesBelowTheExactLimitAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 0; v < LatencyHistogram.EXACT_LIMIT; v++) {
            h.record(v);
        }
        for (int v = 1; v <= LatencyHistogram.EXACT_LIMIT; v++) {
            assertThat(h.percentile(100.0 * v / LatencyHistogram.EXACT_LIMIT)).isEqualTo(v - 1);
        }
    }

    @Test
    void everyValueFallsInsideItsBucket() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong(1L << LatencyHistogram.MAX_EXPONENT);
            int index = LatencyHistogram.index(v);
            assertThat(index).isBetween(0, LatencyHistogram.BUCKETS - 1);
            assertThat(v).isBetween(LatencyHistogram.lowerBound(index),
                    LatencyHistogram.lowerBound(index) + LatencyHistogram.width(index) - 1);
        }
        assertThat(LatencyHistogram.index((1L << LatencyHistogram.MAX_EXPONENT) - 1)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    }

    @Test
    void mergeEqualsRecordingEverythingInOne() {
        SplittableRandom random = new SplittableRandom(3);
        LatencyHistogram all = new LatencyHistogram();
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong(5_000_000);
            all.record(v);
            (i % 3 == 0 ? a : b).record(v);
        }
        LatencyHistogram empty = new LatencyHistogram();
        a.merge(b);
        a.merge(empty);
        assertThat(a.count()).isEqualTo(all.count());
        assertThat(a.min()).isEqualTo(all.min());
        assertThat(a.max()).isEqualTo(all.max());
        assertThat(a.mean()).isEqualTo(all.mean());
        for (double p : PERCENTS) {
            assertThat(a.percentile(p)).as("p%s", p).isEqualTo(all.percentile(p));
        }
        empty.merge(all);
        assertThat(empty.percentile(99)).isEqualTo(all.percentile(99));
    }

    @Test
    void emptyHistogramHasNoPercentiles() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.percentile(50)).isNaN();
        assertThat(h.mean()).isNaN();
        assertThat(h.count()).isZero();
        assertThat(h.max()).isZero();
    }

    @Test
    void hugeValuesAreClampedButTheMaxStaysExact() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(Long.MAX_VALUE / 2);
        assertThat(h.max()).isEqualTo(Long.MAX_VALUE / 2);
        assertThat(h.percentile(50)).isEqualTo(Long.MAX_VALUE / 2);
        h.reset();
        assertThat(h.count()).isZero();
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        LatencyHistogram h = new LatencyHistogram();
        assertThatThrownBy(() -> h.record(-5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
        assertThatThrownBy(() -> h.percentile(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("101");
        assertThatThrownBy(() -> h.percentile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.archipelago.sim.study;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The artifact's x-axis binning (fgd-method.md 1.6): after every pod event, x = round(arrived GPU %)
 * to an integer; each bin's value is the mean over the events in it; an empty bin takes the mean
 * over the events in the bins next to it. Values outside 0..{@code maxBin} are ignored.
 */
final class Binning {
    private final double[] sum;
    private final int[] count;

    Binning(int maxBin) {
        sum = new double[maxBin + 1];
        count = new int[maxBin + 1];
    }

    void add(int bin, double value) {
        if (bin >= 0 && bin < sum.length) {
            sum[bin] += value;
            count[bin]++;
        }
    }

    /** Bin means (NaN where neither the bin nor its neighbours saw an event). */
    double[] means() {
        double[] out = new double[sum.length];
        for (int x = 0; x < sum.length; x++) {
            if (count[x] > 0) {
                out[x] = sum[x] / count[x];
            } else {
                double s = 0;
                int c = 0;
                for (int y = Math.max(0, x - 1); y <= Math.min(sum.length - 1, x + 1); y++) {
                    s += sum[y];
                    c += count[y];
                }
                out[x] = c == 0 ? Double.NaN : s / c;
            }
        }
        return out;
    }

    /** Python's {@code round(x)}: nearest integer, halves to even. */
    static int roundHalfEven(double x) {
        return (int) Math.rint(x);
    }

    /** Python's {@code round(x, 2)} on a double: correctly rounded from the exact binary value. */
    static double round2(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        return new BigDecimal(x).setScale(2, RoundingMode.HALF_EVEN).doubleValue();
    }
}

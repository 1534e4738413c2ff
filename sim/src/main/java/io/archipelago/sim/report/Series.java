package io.archipelago.sim.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * One line of a {@link LineChart}: a label, the x and y values (same length) and whether the line is dashed.
 *
 * <p>{@code NaN} y values are gaps: the line is interrupted there. All x values and all non-NaN y values must be
 * finite. The arrays are copied on construction and on access, so a series is immutable.
 *
 * <p>{@code colorIndex} selects a colour of {@link LineChart#PALETTE} explicitly (taken modulo the palette size);
 * {@value #AUTO_COLOR} (the default of the four-argument constructor) means "the colour of this series' position in
 * the chart". Give a dashed reference series the same colour index as the solid series it is compared with, e.g.
 * {@code new Series("FGD (paper)", x, y, true).withColor(0)}.
 */
public record Series(String label, double[] x, double[] y, boolean dashed, int colorIndex) {

    /** Marker for "colour chosen from the series' position in the chart". */
    public static final int AUTO_COLOR = -1;

    public Series {
        if (label == null) {
            throw new IllegalArgumentException("series label must not be null");
        }
        if (x == null) {
            throw new IllegalArgumentException("series '" + label + "': x must not be null");
        }
        if (y == null) {
            throw new IllegalArgumentException("series '" + label + "': y must not be null");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + label + "': x has " + x.length
                    + " values but y has " + y.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("series '" + label + "': x[" + i + "] = " + x[i]
                        + " is not finite");
            }
            if (Double.isInfinite(y[i])) {
                throw new IllegalArgumentException("series '" + label + "': y[" + i + "] = " + y[i]
                        + " is infinite (use NaN for a gap)");
            }
        }
        if (colorIndex < AUTO_COLOR) {
            throw new IllegalArgumentException("series '" + label + "': colorIndex " + colorIndex
                    + " must be >= 0 (or AUTO_COLOR)");
        }
        x = x.clone();
        y = y.clone();
    }

    /** A series whose colour is chosen from its position in the chart. */
    public Series(String label, double[] x, double[] y, boolean dashed) {
        this(label, x, y, dashed, AUTO_COLOR);
    }

    /** The same series drawn in palette colour {@code index} (modulo the palette size). */
    public Series withColor(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("series '" + label + "': colour index " + index + " must be >= 0");
        }
        return new Series(label, x, y, dashed, index);
    }

    /** The same series, dashed or solid. */
    public Series withDashed(boolean isDashed) {
        return new Series(label, x, y, isDashed, colorIndex);
    }

    /** Number of points (including gaps). */
    public int size() {
        return x.length;
    }

    @Override
    public double[] x() {
        return x.clone();
    }

    @Override
    public double[] y() {
        return y.clone();
    }

    /** Internal, no copy. */
    double xAt(int i) {
        return x[i];
    }

    /** Internal, no copy. */
    double yAt(int i) {
        return y[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Series s && label.equals(s.label) && dashed == s.dashed && colorIndex == s.colorIndex
                && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, dashed, colorIndex, Arrays.hashCode(x), Arrays.hashCode(y));
    }

    @Override
    public String toString() {
        return "Series[label=" + label + ", points=" + x.length + ", dashed=" + dashed
                + (colorIndex == AUTO_COLOR ? "" : ", colorIndex=" + colorIndex) + "]";
    }
}

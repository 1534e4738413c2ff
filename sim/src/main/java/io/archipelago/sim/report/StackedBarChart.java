package io.archipelago.sim.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small horizontal stacked bar chart rendered as a PNG (Java2D, works headless): one bar per
 * category, each split into the same named segments, with optional vertical reference lines.
 * Used for "what part of each policy's loss is which" pictures. Deterministic for the same input:
 * colours come from {@link LineChart#PALETTE} in segment order, numbers use {@link Locale#ROOT}.
 *
 * <p>Each bar's total is printed at its end. Values must be finite and at least 0.
 */
public final class StackedBarChart {
    /** A vertical dashed line at {@code value} on the x axis, labelled at its top. */
    public record Reference(String label, double value) {
    }

    private static final Color TEXT = new Color(0x222222);
    private static final Color SUBTLE_TEXT = new Color(0x555555);
    private static final Color GRID = new Color(0xE2E2E2);
    private static final Color FRAME = new Color(0x666666);
    private static final Color REFERENCE = new Color(0x333333);
    private static final String FONT_FAMILY = "DejaVu Sans";

    private final String title;
    private final String subtitle;
    private final String xLabel;
    private final List<String> categories;
    private final List<String> segments;
    private final double[][] values;
    private final List<Reference> references;
    private final int width;

    /**
     * @param categories one bar each, top to bottom
     * @param segments   segment names, left to right
     * @param values     values[category][segment], each finite and ≥ 0
     * @param references vertical lines (may be empty)
     * @throws IllegalArgumentException on a shape mismatch or a negative or non-finite value, naming it
     */
    public StackedBarChart(String title, String subtitle, String xLabel, List<String> categories, List<String> segments,
                           double[][] values, List<Reference> references) {
        if (categories.isEmpty() || segments.isEmpty()) {
            throw new IllegalArgumentException("a bar chart needs at least one category and one segment, got "
                    + categories.size() + " and " + segments.size());
        }
        if (values.length != categories.size()) {
            throw new IllegalArgumentException("values has " + values.length + " rows but there are "
                    + categories.size() + " categories");
        }
        for (int c = 0; c < values.length; c++) {
            if (values[c].length != segments.size()) {
                throw new IllegalArgumentException("category '" + categories.get(c) + "' has " + values[c].length
                        + " values but there are " + segments.size() + " segments");
            }
            for (int s = 0; s < values[c].length; s++) {
                if (!Double.isFinite(values[c][s]) || values[c][s] < 0) {
                    throw new IllegalArgumentException("category '" + categories.get(c) + "', segment '" + segments.get(s)
                            + "': value " + values[c][s] + " must be finite and >= 0");
                }
            }
        }
        for (Reference r : references) {
            if (!Double.isFinite(r.value()) || r.value() < 0) {
                throw new IllegalArgumentException("reference '" + r.label() + "': value " + r.value()
                        + " must be finite and >= 0");
            }
        }
        this.title = title;
        this.subtitle = subtitle;
        this.xLabel = xLabel;
        this.categories = List.copyOf(categories);
        this.segments = List.copyOf(segments);
        this.values = new double[values.length][];
        for (int c = 0; c < values.length; c++) {
            this.values[c] = values[c].clone();
        }
        this.references = List.copyOf(references);
        this.width = 1000;
    }

    private static final int ROW = 34;
    private static final int TOP = 100;
    private static final int BOTTOM = 92;
    private static final int RIGHT = 70;

    public int height() {
        return TOP + ROW * categories.size() + 24 + BOTTOM;
    }

    /** Left edge of the plot: room for the longest category label. */
    int plotLeft() {
        Font f = font(Font.PLAIN, 13);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = probe.createGraphics();
        try {
            int w = 0;
            for (String c : categories) {
                w = Math.max(w, g.getFontMetrics(f).stringWidth(c));
            }
            return Math.max(120, w + 24);
        } finally {
            g.dispose();
        }
    }

    /** The largest x shown: the longest bar or reference, rounded up to a tick. */
    double xMax() {
        double max = 0;
        for (double[] row : values) {
            double sum = 0;
            for (double v : row) {
                sum += v;
            }
            max = Math.max(max, sum);
        }
        for (Reference r : references) {
            max = Math.max(max, r.value());
        }
        double step = tickStep(max);
        return Math.max(step, Math.ceil(max * 1.08 / step) * step);
    }

    private static double tickStep(double max) {
        double raw = Math.max(max, 1e-9) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    /** Pixel x of {@code value}. */
    double px(double value) {
        int left = plotLeft();
        return left + (width - RIGHT - left) * value / xMax();
    }

    /** Pixel y of the centre of bar {@code category}. */
    double py(int category) {
        return TOP + 12 + ROW * category + ROW / 2.0;
    }

    private static Font font(int style, float size) {
        return new Font(FONT_FAMILY, style, 1).deriveFont(style, size);
    }

    /** Renders the chart into a new image. */
    public BufferedImage render() {
        int height = height();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = LineChart.canvas(img);
        try {
            int left = plotLeft();
            double top = TOP;
            double bottom = TOP + 24 + ROW * categories.size();
            double xMax = xMax();
            double step = tickStep(xMax / 1.08);
            // grid and ticks
            g.setFont(font(Font.PLAIN, 12));
            for (double t = 0; t <= xMax + 1e-9; t += step) {
                double x = Math.round(px(t)) + 0.5;
                g.setColor(GRID);
                g.draw(new Line2D.Double(x, top, x, bottom));
                g.setColor(TEXT);
                String lab = format(t, step);
                g.drawString(lab, (float) (x - g.getFontMetrics().stringWidth(lab) / 2.0), (float) (bottom + 18));
            }
            // bars
            double barH = ROW * 0.62;
            for (int c = 0; c < categories.size(); c++) {
                double y = py(c) - barH / 2;
                double at = 0;
                for (int s = 0; s < segments.size(); s++) {
                    double v = values[c][s];
                    if (v > 0) {
                        g.setColor(LineChart.PALETTE.get(s % LineChart.PALETTE.size()));
                        g.fill(new Rectangle2D.Double(px(at), y, px(at + v) - px(at), barH));
                    }
                    at += v;
                }
                g.setColor(TEXT);
                g.setFont(font(Font.PLAIN, 13));
                String name = categories.get(c);
                g.drawString(name, (float) (left - 12 - g.getFontMetrics().stringWidth(name)), (float) (py(c) + 5));
                g.setFont(font(Font.PLAIN, 12));
                g.setColor(SUBTLE_TEXT);
                g.drawString(String.format(Locale.ROOT, "%.2f", at), (float) (px(at) + 6), (float) (py(c) + 4));
            }
            // references
            g.setFont(font(Font.PLAIN, 12));
            // labels start just right of their line; the smallest value's label is the highest, so no
            // line crosses another reference's label
            List<Reference> sorted = new ArrayList<>(references);
            sorted.sort(java.util.Comparator.comparingDouble(Reference::value));
            for (int i = 0; i < sorted.size(); i++) {
                Reference r = sorted.get(i);
                double x = Math.round(px(r.value())) + 0.5;
                double labelY = top - 8 - 16 * (sorted.size() - 1 - i);
                g.setColor(REFERENCE);
                g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f));
                g.draw(new Line2D.Double(x, labelY + 4, x, bottom));
                g.setStroke(new BasicStroke(1f));
                String lab = r.label() + String.format(Locale.ROOT, " (%.2f)", r.value());
                int w = g.getFontMetrics().stringWidth(lab);
                double lx = Math.min(x + 5, width - 8 - w);
                g.drawString(lab, (float) lx, (float) labelY);
            }
            // frame
            g.setColor(FRAME);
            g.draw(new Rectangle2D.Double(left + 0.5, top + 0.5, width - RIGHT - left, bottom - top));
            // title, subtitle, x label
            g.setColor(TEXT);
            g.setFont(font(Font.BOLD, 17));
            g.drawString(title, (float) ((width - g.getFontMetrics().stringWidth(title)) / 2.0), 26f);
            g.setColor(SUBTLE_TEXT);
            g.setFont(font(Font.PLAIN, 13));
            g.drawString(subtitle, (float) ((width - g.getFontMetrics().stringWidth(subtitle)) / 2.0), 48f);
            g.setColor(TEXT);
            g.drawString(xLabel, (float) ((left + width - RIGHT - g.getFontMetrics().stringWidth(xLabel)) / 2.0),
                    (float) (bottom + 40));
            // legend, below the x label
            double lx = left;
            double ly = bottom + 66;
            for (int s = 0; s < segments.size(); s++) {
                g.setColor(LineChart.PALETTE.get(s % LineChart.PALETTE.size()));
                g.fill(new Rectangle2D.Double(lx, ly - 10, 14, 12));
                g.setColor(TEXT);
                g.drawString(segments.get(s), (float) (lx + 20), (float) ly);
                lx += 20 + g.getFontMetrics().stringWidth(segments.get(s)) + 28;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String format(double t, double step) {
        return step == Math.rint(step) ? String.format(Locale.ROOT, "%.0f", t)
                : String.format(Locale.ROOT, step * 10 == Math.rint(step * 10) ? "%.1f" : "%.2f", t);
    }

    /** The chart as PNG bytes. */
    public byte[] pngBytes() {
        return LineChart.png(render());
    }

    /** Writes the chart as a PNG (parent directories are created). */
    public void writePng(Path file) throws IOException {
        byte[] bytes = pngBytes();
        LineChart.createParent(file);
        Files.write(file, bytes);
    }

    /** Categories, for tests and callers that label things alongside. */
    public List<String> categories() {
        return new ArrayList<>(categories);
    }
}

package io.archipelago.sim.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A small, dependency-free line chart (x/y, one line per {@link Series}) rendered either as a PNG (Java2D, works
 * headless) or as an SVG string, plus a writer for a self-contained HTML page holding several charts.
 *
 * <p>Both renderings come from the same precomputed layout, so the PNG and the SVG look the same. Output is fully
 * deterministic for the same input: no timestamps, colours assigned from a fixed palette in series order, numbers
 * formatted with {@link Locale#ROOT}.
 *
 * <p>Series colours: a series with an explicit {@link Series#colorIndex()} uses that palette entry, otherwise the
 * palette entry of its position in the chart (so "ours" at position {@code i} and a dashed "reference" with
 * {@code withColor(i)} share a colour). Dashed series are drawn beneath solid ones.
 *
 * <p>Legend: by default ({@link LegendPosition#AUTO}) the legend goes in the first plot corner — bottom-right,
 * top-left, top-right, bottom-left — where it does not cover any line; if every corner is occupied it goes to the
 * right of the plot.
 */
public final class LineChart {

    /**
     * Colour-blind-friendly palette (Okabe &amp; Ito, with yellow replaced by darker colours from Paul Tol's muted
     * scheme), in the order they are assigned.
     */
    public static final List<Color> PALETTE = List.of(
            new Color(0x0072B2), // blue
            new Color(0xD55E00), // vermillion
            new Color(0x009E73), // bluish green
            new Color(0xCC79A7), // reddish purple
            new Color(0xE69F00), // orange
            new Color(0x56B4E9), // sky blue
            new Color(0x000000), // black
            new Color(0x882255), // wine
            new Color(0x999933), // olive
            new Color(0x332288)); // indigo

    /** Where the legend goes. */
    public enum LegendPosition {
        /** First free inside corner (bottom-right, top-left, top-right, bottom-left), else {@link #RIGHT}. */
        AUTO,
        /** Inside the plot, bottom-right corner. */
        BOTTOM_RIGHT,
        /** Inside the plot, top-left corner. */
        TOP_LEFT,
        /** Inside the plot, top-right corner. */
        TOP_RIGHT,
        /** Inside the plot, bottom-left corner. */
        BOTTOM_LEFT,
        /** Outside, to the right of the plot. */
        RIGHT,
        /** No legend. */
        NONE
    }

    public static final int DEFAULT_WIDTH = 1000;
    public static final int DEFAULT_HEIGHT = 640;

    private static final String FONT_FAMILY = "DejaVu Sans";
    private static final String SVG_FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);
    private static final String BASE_FONT_NAME = resolveFontName();

    private static final Color TEXT = new Color(0x222222);
    private static final Color SUBTLE_TEXT = new Color(0x555555);
    private static final Color GRID = new Color(0xE2E2E2);
    private static final Color FRAME = new Color(0x666666);
    private static final Color LEGEND_BORDER = new Color(0xBBBBBB);
    private static final double LEGEND_ALPHA = 0.9;
    private static final float[] DASH = {6f, 7f};
    private static final int INSIDE_LEGEND_MAX_ROWS = 8;

    private final String title;
    private final String subtitle;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series;
    private final int width;
    private final int height;
    private final LegendPosition requestedLegend;
    private final Layout layout;

    private LineChart(Builder b) {
        this.title = b.title;
        this.subtitle = b.subtitle;
        this.xLabel = b.xLabel;
        this.yLabel = b.yLabel;
        this.series = List.copyOf(b.series);
        this.width = b.width;
        this.height = b.height;
        this.requestedLegend = b.legend;
        this.layout = computeLayout(b);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ accessors

    public String title() {
        return title;
    }

    public String subtitle() {
        return subtitle;
    }

    public List<Series> series() {
        return series;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The plot area (inside the axes) in pixels. */
    public Rectangle2D plotArea() {
        return (Rectangle2D) layout.plot.clone();
    }

    /** Where the legend actually went (never {@link LegendPosition#AUTO}). */
    public LegendPosition legendPosition() {
        return layout.legendPosition;
    }

    /** The resolved axis ranges {@code [xMin, xMax, yMin, yMax]}. */
    public double[] ranges() {
        return new double[] {layout.x.min, layout.x.max, layout.y.min, layout.y.max};
    }

    /** The colour series number {@code i} is drawn in. */
    public Color colorOf(int i) {
        return colorFor(series.get(i), i);
    }

    private static Color colorFor(Series s, int position) {
        int idx = s.colorIndex() == Series.AUTO_COLOR ? position : s.colorIndex();
        return PALETTE.get(idx % PALETTE.size());
    }

    // ------------------------------------------------------------------------------------------------ builder

    /** Builder; {@link #series(Series...)} appends, everything else overwrites. */
    public static final class Builder {
        private String title = "";
        private String subtitle = "";
        private String xLabel = "";
        private String yLabel = "";
        private double xMin = Double.NaN;
        private double xMax = Double.NaN;
        private double yMin = Double.NaN;
        private double yMax = Double.NaN;
        private final List<Series> series = new ArrayList<>();
        private int width = DEFAULT_WIDTH;
        private int height = DEFAULT_HEIGHT;
        private LegendPosition legend = LegendPosition.AUTO;

        private Builder() {
        }

        public Builder title(String t) {
            this.title = t == null ? "" : t;
            return this;
        }

        public Builder subtitle(String t) {
            this.subtitle = t == null ? "" : t;
            return this;
        }

        public Builder xLabel(String t) {
            this.xLabel = t == null ? "" : t;
            return this;
        }

        public Builder yLabel(String t) {
            this.yLabel = t == null ? "" : t;
            return this;
        }

        /** Fixed x range; without it the range is derived from the data (rounded to ticks). */
        public Builder xRange(double min, double max) {
            checkRange("xRange", min, max);
            this.xMin = min;
            this.xMax = max;
            return this;
        }

        /** Fixed y range; without it the range is derived from the data (rounded to ticks). */
        public Builder yRange(double min, double max) {
            checkRange("yRange", min, max);
            this.yMin = min;
            this.yMax = max;
            return this;
        }

        /** Appends series (in legend and colour order). */
        public Builder series(Series... s) {
            Objects.requireNonNull(s, "series");
            return series(List.of(s));
        }

        /** Appends series (in legend and colour order). */
        public Builder series(List<Series> s) {
            Objects.requireNonNull(s, "series");
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i) == null) {
                    throw new IllegalArgumentException("series #" + (this.series.size() + i) + " is null");
                }
            }
            this.series.addAll(s);
            return this;
        }

        public Builder width(int w) {
            if (w < 200 || w > 20_000) {
                throw new IllegalArgumentException("width " + w + " must be in [200, 20000]");
            }
            this.width = w;
            return this;
        }

        public Builder height(int h) {
            if (h < 150 || h > 20_000) {
                throw new IllegalArgumentException("height " + h + " must be in [150, 20000]");
            }
            this.height = h;
            return this;
        }

        public Builder size(int w, int h) {
            return width(w).height(h);
        }

        public Builder legend(LegendPosition p) {
            this.legend = Objects.requireNonNull(p, "legend position");
            return this;
        }

        public LineChart build() {
            if (series.isEmpty()) {
                throw new IllegalArgumentException("a chart needs at least one series (series list is empty)");
            }
            return new LineChart(this);
        }

        private static void checkRange(String what, double min, double max) {
            if (!Double.isFinite(min)) {
                throw new IllegalArgumentException(what + ": min = " + min + " is not finite");
            }
            if (!Double.isFinite(max)) {
                throw new IllegalArgumentException(what + ": max = " + max + " is not finite");
            }
            if (!(min < max)) {
                throw new IllegalArgumentException(what + ": min = " + min + " must be < max = " + max);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ layout

    /** One axis: range, tick positions (data units), tick labels. */
    private record Axis(double min, double max, double[] ticks, String[] labels) {
    }

    private static final class Layout {
        double scale;
        Font titleFont;
        Font subtitleFont;
        Font axisFont;
        Font tickFont;
        Font legendFont;
        double titleBaseline;
        double subtitleBaseline;
        double xLabelBaseline;
        double yLabelCenterX;
        double tickLen;
        Rectangle2D.Double plot;
        Axis x;
        Axis y;
        LegendPosition legendPosition;
        Rectangle2D.Double legendBox;
        int legendCols;
        int legendRows;
        double legendColWidth;
        double legendRowHeight;
        double legendPad;
        double swatchLen;

        double px(double v) {
            return plot.x + (v - x.min) / (x.max - x.min) * plot.width;
        }

        double py(double v) {
            return plot.y + plot.height - (v - y.min) / (y.max - y.min) * plot.height;
        }
    }

    private static String resolveFontName() {
        try {
            Font f = new Font(FONT_FAMILY, Font.PLAIN, 12);
            if (FONT_FAMILY.equalsIgnoreCase(f.getFamily(Locale.ROOT))) {
                return FONT_FAMILY;
            }
        } catch (RuntimeException | Error e) {
            // fall through: no usable font configuration
        }
        return Font.SANS_SERIF;
    }

    private static Font font(int style, double size) {
        return new Font(BASE_FONT_NAME, style, 1).deriveFont(style, (float) size);
    }

    private static double textWidth(Font f, String s) {
        return s.isEmpty() ? 0 : f.getStringBounds(s, FRC).getWidth();
    }

    private static double ascent(Font f) {
        return f.getLineMetrics("Ag", FRC).getAscent();
    }

    private static double descent(Font f) {
        return f.getLineMetrics("Ag", FRC).getDescent();
    }

    /** Baseline offset that vertically centres digits/capitals on a given y. */
    private static double centerBaselineOffset(Font f) {
        // digit/cap height of DejaVu Sans is ~0.73 em: centre on it rather than on ascent+descent
        return f.getSize2D() * 0.365;
    }

    private Layout computeLayout(Builder b) {
        Layout L = new Layout();
        double s = Math.max(0.85, Math.min(3.0, Math.min(width / (double) DEFAULT_WIDTH, height / (double) DEFAULT_HEIGHT)));
        L.scale = s;
        L.titleFont = font(Font.BOLD, 20 * s);
        L.subtitleFont = font(Font.PLAIN, 14 * s);
        L.axisFont = font(Font.PLAIN, 15 * s);
        L.tickFont = font(Font.PLAIN, 13 * s);
        L.legendFont = font(Font.PLAIN, 13 * s);
        L.tickLen = 5 * s;
        double pad = 14 * s;

        // ---- vertical layout
        double top = pad;
        if (!title.isEmpty()) {
            L.titleBaseline = top + ascent(L.titleFont);
            top = L.titleBaseline + descent(L.titleFont);
        }
        if (!subtitle.isEmpty()) {
            L.subtitleBaseline = top + (title.isEmpty() ? 0 : 4 * s) + ascent(L.subtitleFont);
            top = L.subtitleBaseline + descent(L.subtitleFont);
        }
        top += (title.isEmpty() && subtitle.isEmpty()) ? 8 * s : 16 * s;
        double tickFontH = ascent(L.tickFont) + descent(L.tickFont);
        double bottomMargin = L.tickLen + 4 * s + tickFontH + pad;
        if (!xLabel.isEmpty()) {
            bottomMargin += 8 * s + ascent(L.axisFont) + descent(L.axisFont);
        }
        double plotTop = Math.round(top);
        double plotBottom = Math.round(height - bottomMargin);
        if (plotBottom - plotTop < 40) {
            throw new IllegalArgumentException("height " + height + " leaves no room for the plot");
        }
        double plotH = plotBottom - plotTop;
        L.xLabelBaseline = height - pad - descent(L.axisFont);

        // ---- data extent
        double dxMin = Double.POSITIVE_INFINITY;
        double dxMax = Double.NEGATIVE_INFINITY;
        double dyMin = Double.POSITIVE_INFINITY;
        double dyMax = Double.NEGATIVE_INFINITY;
        for (Series se : series) {
            for (int i = 0; i < se.size(); i++) {
                double yv = se.yAt(i);
                if (Double.isNaN(yv)) {
                    continue;
                }
                double xv = se.xAt(i);
                dxMin = Math.min(dxMin, xv);
                dxMax = Math.max(dxMax, xv);
                dyMin = Math.min(dyMin, yv);
                dyMax = Math.max(dyMax, yv);
            }
        }

        // ---- y axis (depends only on the plot height)
        L.y = axis(dyMin, dyMax, b.yMin, b.yMax, plotH, 55 * s, step -> tickFontH * 1.8);

        double maxYTickW = 0;
        for (String lab : L.y.labels) {
            maxYTickW = Math.max(maxYTickW, textWidth(L.tickFont, lab));
        }
        double left = pad + L.tickLen + 6 * s + maxYTickW;
        if (!yLabel.isEmpty()) {
            double h = ascent(L.axisFont) + descent(L.axisFont);
            L.yLabelCenterX = pad + h / 2;
            left += h + 10 * s;
        }
        double plotLeft = Math.round(left);

        // ---- legend size
        int n = series.size();
        L.legendPad = 9 * s;
        L.legendRowHeight = Math.ceil((ascent(L.legendFont) + descent(L.legendFont)) * 1.45);
        L.swatchLen = 32 * s;
        double maxLabelW = 0;
        for (Series se : series) {
            maxLabelW = Math.max(maxLabelW, textWidth(L.legendFont, se.label()));
        }
        L.legendColWidth = Math.ceil(L.swatchLen + 8 * s + maxLabelW + 14 * s);

        double rightNoLegend = Math.max(pad, 22 * s);
        double plotRightNoLegend = Math.round(width - rightNoLegend);
        Rectangle2D.Double plotInside = new Rectangle2D.Double(plotLeft, plotTop, plotRightNoLegend - plotLeft, plotH);

        LegendPosition pos = requestedLegend;
        if (pos == LegendPosition.NONE) {
            L.legendPosition = LegendPosition.NONE;
            finishX(L, b, plotInside, dxMin, dxMax);
            return L;
        }
        if (pos != LegendPosition.RIGHT) {
            // inside: at most ~60% of the plot height and 8 rows per column (12 series -> 2 columns of 6, which
            // pairs "ours" with its reference when the references follow the solid series in the same order)
            int maxRows = Math.max(1, Math.min(INSIDE_LEGEND_MAX_ROWS,
                    (int) Math.floor((plotH * 0.6 - 2 * L.legendPad) / L.legendRowHeight)));
            setLegendGrid(L, n, maxRows);
            double lw = L.legendCols * L.legendColWidth + 2 * L.legendPad - 14 * s;
            double lh = L.legendRows * L.legendRowHeight + 2 * L.legendPad;
            finishX(L, b, plotInside, dxMin, dxMax);
            boolean fits = lw <= plotInside.width * 0.5 && lh <= plotInside.height * 0.75;
            LegendPosition[] candidates = pos == LegendPosition.AUTO
                    ? new LegendPosition[] {LegendPosition.BOTTOM_RIGHT, LegendPosition.TOP_LEFT,
                        LegendPosition.TOP_RIGHT, LegendPosition.BOTTOM_LEFT}
                    : new LegendPosition[] {pos};
            if (fits || pos != LegendPosition.AUTO) {
                for (LegendPosition c : candidates) {
                    Rectangle2D.Double box = cornerBox(plotInside, c, lw, lh, 10 * s);
                    if (pos != LegendPosition.AUTO || !collides(L, box, 4 * s)) {
                        L.legendPosition = c;
                        L.legendBox = box;
                        return L;
                    }
                }
            }
        }
        // outside, to the right
        int maxRows = Math.max(1, (int) Math.floor((plotH - 2 * L.legendPad) / L.legendRowHeight));
        setLegendGrid(L, n, maxRows);
        double lw = L.legendCols * L.legendColWidth + 2 * L.legendPad - 14 * s;
        double lh = L.legendRows * L.legendRowHeight + 2 * L.legendPad;
        double plotRight = Math.round(width - pad - lw - 16 * s);
        if (plotRight - plotLeft < 80) {
            throw new IllegalArgumentException("width " + width + " leaves no room for the plot next to the legend");
        }
        Rectangle2D.Double plot = new Rectangle2D.Double(plotLeft, plotTop, plotRight - plotLeft, plotH);
        finishX(L, b, plot, dxMin, dxMax);
        L.legendPosition = LegendPosition.RIGHT;
        L.legendBox = new Rectangle2D.Double(width - pad - lw, plotTop, lw, lh);
        return L;
    }

    private static void setLegendGrid(Layout L, int n, int maxRows) {
        L.legendCols = (n + maxRows - 1) / maxRows;
        L.legendRows = (n + L.legendCols - 1) / L.legendCols;
    }

    private void finishX(Layout L, Builder b, Rectangle2D.Double plot, double dxMin, double dxMax) {
        L.plot = plot;
        Font tf = L.tickFont;
        double s = L.scale;
        L.x = axis(dxMin, dxMax, b.xMin, b.xMax, plot.width, 80 * s,
                step -> maxLabelWidth(tf, dxMin, dxMax, b.xMin, b.xMax, step) + 14 * s);
    }

    private static double maxLabelWidth(Font f, double dMin, double dMax, double eMin, double eMax, double step) {
        double lo = Double.isNaN(eMin) ? (Double.isFinite(dMin) ? dMin : 0) : eMin;
        double hi = Double.isNaN(eMax) ? (Double.isFinite(dMax) ? dMax : 1) : eMax;
        int dec = decimals(step);
        double w = 0;
        for (double v : new double[] {lo - step, hi + step, lo, hi}) {
            w = Math.max(w, textWidth(f, formatTick(Math.round(v / step) * step, dec)));
        }
        return w;
    }

    private static Rectangle2D.Double cornerBox(Rectangle2D plot, LegendPosition c, double w, double h, double inset) {
        double left = plot.getX() + inset;
        double right = plot.getMaxX() - inset - w;
        double top = plot.getY() + inset;
        double bottom = plot.getMaxY() - inset - h;
        return switch (c) {
            case BOTTOM_RIGHT -> new Rectangle2D.Double(Math.round(right), Math.round(bottom), w, h);
            case TOP_LEFT -> new Rectangle2D.Double(Math.round(left), Math.round(top), w, h);
            case TOP_RIGHT -> new Rectangle2D.Double(Math.round(right), Math.round(top), w, h);
            case BOTTOM_LEFT -> new Rectangle2D.Double(Math.round(left), Math.round(bottom), w, h);
            default -> throw new IllegalStateException(c.toString());
        };
    }

    private boolean collides(Layout L, Rectangle2D.Double box, double margin) {
        Rectangle2D.Double r = new Rectangle2D.Double(box.x - margin, box.y - margin,
                box.width + 2 * margin, box.height + 2 * margin);
        for (Series se : series) {
            double px = Double.NaN;
            double py = Double.NaN;
            for (int i = 0; i < se.size(); i++) {
                double yv = se.yAt(i);
                if (Double.isNaN(yv)) {
                    px = Double.NaN;
                    continue;
                }
                double cx = L.px(se.xAt(i));
                double cy = L.py(yv);
                if (r.contains(cx, cy)) {
                    return true;
                }
                if (!Double.isNaN(px) && r.intersectsLine(px, py, cx, cy)) {
                    return true;
                }
                px = cx;
                py = cy;
            }
        }
        return false;
    }

    private interface MinSpacing {
        double px(double step);
    }

    private static Axis axis(double dMin, double dMax, double eMin, double eMax, double lengthPx,
                             double preferredSpacingPx, MinSpacing minSpacing) {
        boolean autoMin = Double.isNaN(eMin);
        boolean autoMax = Double.isNaN(eMax);
        double lo = autoMin ? dMin : eMin;
        double hi = autoMax ? dMax : eMax;
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) { // no data at all
            lo = autoMin ? 0 : lo;
            hi = autoMax ? (lo < 1 ? 1 : lo + 1) : hi;
            if (!autoMin && !autoMax) {
                // both explicit: fine
            } else if (autoMin && !autoMax && lo >= hi) {
                lo = hi - 1;
            }
        }
        if (lo == hi) {
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            if (autoMin) {
                lo -= d;
            }
            if (autoMax || lo == hi) {
                hi += d;
            }
        }
        if (lo > hi) { // one bound explicit, data entirely on the other side
            if (autoMin) {
                lo = hi - Math.max(1, Math.abs(hi) * 0.1);
            } else {
                hi = lo + Math.max(1, Math.abs(lo) * 0.1);
            }
        }
        double target = Math.max(2, lengthPx / preferredSpacingPx);
        double step = niceStep((hi - lo) / target);
        double min = lo;
        double max = hi;
        for (int guard = 0; guard < 40; guard++) {
            min = autoMin ? Math.floor(lo / step + 1e-9) * step : lo;
            max = autoMax ? Math.ceil(hi / step - 1e-9) * step : hi;
            if (max <= min) {
                max = min + step;
            }
            double spacing = step / (max - min) * lengthPx;
            int count = (int) Math.floor((max - min) / step) + 1;
            if (spacing >= minSpacing.px(step) && count <= 60) {
                break;
            }
            step = nextNice(step);
        }
        int dec = decimals(step);
        List<Double> ticks = new ArrayList<>();
        long k0 = (long) Math.ceil(min / step - 1e-9);
        for (long k = k0; ; k++) {
            double v = k * step;
            if (v > max + step * 1e-9 || ticks.size() > 200) {
                break;
            }
            ticks.add(v);
        }
        double[] t = new double[ticks.size()];
        String[] labels = new String[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = ticks.get(i);
            labels[i] = formatTick(t[i], dec);
        }
        return new Axis(min, max, t, labels);
    }

    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        double m = r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10;
        return m * mag;
    }

    private static double nextNice(double step) {
        double mag = Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        double m = Math.round(step / mag);
        return (m < 2 ? 2 : m < 5 ? 5 : 10) * mag;
    }

    private static int decimals(double step) {
        return Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    }

    static String formatTick(double v, int decimals) {
        String str = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
        if (str.startsWith("-") && str.chars().noneMatch(ch -> ch >= '1' && ch <= '9')) {
            str = str.substring(1);
        }
        return str;
    }

    /** Pixel-centre of a 1px line at integer-ish coordinate v (crisp grid lines). */
    private static double crisp(double v) {
        return Math.floor(v) + 0.5;
    }

    /** Runs of consecutive non-NaN points, in pixel coordinates: each run is {xs, ys}. */
    private List<double[][]> runs(Series se) {
        List<double[][]> out = new ArrayList<>();
        List<double[]> cur = new ArrayList<>();
        for (int i = 0; i <= se.size(); i++) {
            boolean gap = i == se.size() || Double.isNaN(se.yAt(i));
            if (gap) {
                if (!cur.isEmpty()) {
                    double[][] run = new double[2][cur.size()];
                    for (int j = 0; j < cur.size(); j++) {
                        run[0][j] = cur.get(j)[0];
                        run[1][j] = cur.get(j)[1];
                    }
                    out.add(run);
                    cur.clear();
                }
            } else {
                cur.add(new double[] {layout.px(se.xAt(i)), layout.py(se.yAt(i))});
            }
        }
        return out;
    }

    /** Drawing order: dashed (reference) series first, then solid ones; each group in series order. */
    private int[] drawOrder() {
        int[] order = new int[series.size()];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < series.size(); i++) {
                if (series.get(i).dashed() == (pass == 0)) {
                    order[k++] = i;
                }
            }
        }
        return order;
    }

    private double lineWidth(Series se) {
        return (se.dashed() ? 2.0 : 2.3) * layout.scale;
    }

    private float[] dash() {
        return new float[] {(float) (DASH[0] * layout.scale), (float) (DASH[1] * layout.scale)};
    }

    // ------------------------------------------------------------------------------------------------ PNG

    /** Renders the chart into a new image. */
    public BufferedImage render() {
        Layout L = layout;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        try {
            Rectangle2D.Double p = L.plot;
            double s = L.scale;

            // grid
            g.setStroke(new BasicStroke(1f));
            g.setColor(GRID);
            for (double t : L.x.ticks) {
                double x = crisp(L.px(t));
                g.draw(new Line2D.Double(x, p.y, x, p.getMaxY()));
            }
            for (double t : L.y.ticks) {
                double y = crisp(L.py(t));
                g.draw(new Line2D.Double(p.x, y, p.getMaxX(), y));
            }

            // series
            Shape oldClip = g.getClip();
            double m = 3 * s;
            g.clip(new Rectangle2D.Double(p.x - m, p.y - m, p.width + 2 * m, p.height + 2 * m));
            for (int i : drawOrder()) {
                Series se = series.get(i);
                g.setColor(colorOf(i));
                float w = (float) lineWidth(se);
                g.setStroke(se.dashed()
                        ? new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash(), 0f)
                        : new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                Path2D.Double path = new Path2D.Double();
                for (double[][] run : runs(se)) {
                    if (run[0].length == 1) {
                        double r = w * 1.1;
                        g.fill(new Ellipse2D.Double(run[0][0] - r, run[1][0] - r, 2 * r, 2 * r));
                        continue;
                    }
                    path.moveTo(run[0][0], run[1][0]);
                    for (int j = 1; j < run[0].length; j++) {
                        path.lineTo(run[0][j], run[1][j]);
                    }
                }
                g.draw(path);
            }
            g.setClip(oldClip);

            // frame and ticks
            g.setColor(FRAME);
            g.setStroke(new BasicStroke(1f));
            double fx0 = crisp(p.x);
            double fx1 = crisp(p.getMaxX());
            double fy0 = crisp(p.y);
            double fy1 = crisp(p.getMaxY());
            g.draw(new Rectangle2D.Double(fx0, fy0, fx1 - fx0, fy1 - fy0));
            g.setFont(L.tickFont);
            double tickBaseline = fy1 + L.tickLen + 3 * s + ascent(L.tickFont);
            for (int i = 0; i < L.x.ticks.length; i++) {
                double x = crisp(L.px(L.x.ticks[i]));
                g.setColor(FRAME);
                g.draw(new Line2D.Double(x, fy1, x, fy1 + L.tickLen));
                g.setColor(TEXT);
                String lab = L.x.labels[i];
                drawString(g, lab, x - textWidth(L.tickFont, lab) / 2, tickBaseline);
            }
            double yOff = centerBaselineOffset(L.tickFont);
            for (int i = 0; i < L.y.ticks.length; i++) {
                double y = crisp(L.py(L.y.ticks[i]));
                g.setColor(FRAME);
                g.draw(new Line2D.Double(fx0 - L.tickLen, y, fx0, y));
                g.setColor(TEXT);
                String lab = L.y.labels[i];
                drawString(g, lab, fx0 - L.tickLen - 4 * s - textWidth(L.tickFont, lab), y + yOff);
            }

            // titles and axis labels
            double cx = p.getCenterX();
            if (!title.isEmpty()) {
                g.setFont(L.titleFont);
                g.setColor(TEXT);
                drawString(g, title, centeredX(L.titleFont, title, cx), L.titleBaseline);
            }
            if (!subtitle.isEmpty()) {
                g.setFont(L.subtitleFont);
                g.setColor(SUBTLE_TEXT);
                drawString(g, subtitle, centeredX(L.subtitleFont, subtitle, cx), L.subtitleBaseline);
            }
            g.setColor(TEXT);
            g.setFont(L.axisFont);
            if (!xLabel.isEmpty()) {
                drawString(g, xLabel, centeredX(L.axisFont, xLabel, cx), L.xLabelBaseline);
            }
            if (!yLabel.isEmpty()) {
                AffineTransform saved = g.getTransform();
                double cy = p.getCenterY();
                g.translate(L.yLabelCenterX, cy);
                g.rotate(-Math.PI / 2);
                drawString(g, yLabel, -textWidth(L.axisFont, yLabel) / 2, yLabelBaselineShift(L));
                g.setTransform(saved);
            }

            // legend
            if (L.legendPosition != LegendPosition.NONE) {
                Rectangle2D.Double box = L.legendBox;
                g.setColor(new Color(255, 255, 255, (int) Math.round(LEGEND_ALPHA * 255)));
                g.fill(box);
                g.setColor(LEGEND_BORDER);
                g.setStroke(new BasicStroke(1f));
                g.draw(new Rectangle2D.Double(crisp(box.x), crisp(box.y), Math.round(box.width), Math.round(box.height)));
                g.setFont(L.legendFont);
                for (int i = 0; i < series.size(); i++) {
                    Series se = series.get(i);
                    double[] e = legendEntry(i);
                    float w = (float) (lineWidth(se) * 1.1);
                    g.setColor(colorOf(i));
                    g.setStroke(se.dashed()
                            ? new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash(), 0f)
                            : new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                    g.draw(new Line2D.Double(e[0], e[1], e[0] + L.swatchLen, e[1]));
                    g.setColor(TEXT);
                    drawString(g, se.label(), e[0] + L.swatchLen + 8 * s, e[1] + centerBaselineOffset(L.legendFont));
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static double centeredX(Font f, String text, double cx) {
        return cx - textWidth(f, text) / 2;
    }

    /** Baseline of the rotated y label relative to its centre line. */
    private static double yLabelBaselineShift(Layout L) {
        return (ascent(L.axisFont) - descent(L.axisFont)) / 2;
    }

    /** Legend entry {@code i}: {x of swatch start, y of the row's centre line}. */
    private double[] legendEntry(int i) {
        Layout L = layout;
        int col = i / L.legendRows;
        int row = i % L.legendRows;
        double x = L.legendBox.x + L.legendPad + col * L.legendColWidth;
        double y = L.legendBox.y + L.legendPad + (row + 0.5) * L.legendRowHeight;
        return new double[] {x, y};
    }

    private static void drawString(Graphics2D g, String text, double x, double y) {
        if (!text.isEmpty()) {
            g.drawString(text, (float) x, (float) y);
        }
    }

    /**
     * A graphics context on {@code img} with the charts' rendering hints (antialiased shapes and text,
     * fractional metrics, pure strokes), cleared to white. The caller disposes it.
     */
    static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    /** The chart as PNG bytes (deterministic). */
    public byte[] pngBytes() {
        return png(render());
    }

    /** {@code img} encoded as PNG (shared with the other charts of this package). */
    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the chart as a PNG (parent directories are created). */
    public void writePng(Path file) throws IOException {
        byte[] bytes = pngBytes();
        createParent(file);
        Files.write(file, bytes);
    }

    static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    // ------------------------------------------------------------------------------------------------ SVG

    /** A standalone {@code <svg>} element (with the SVG namespace) holding the chart. */
    public String svg() {
        return svg(true);
    }

    /** Writes {@link #svg()} as a UTF-8 file with an XML declaration. */
    public void writeSvg(Path file) throws IOException {
        createParent(file);
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg() + "\n", StandardCharsets.UTF_8);
    }

    private String svg(boolean withNamespace) {
        Layout L = layout;
        Rectangle2D.Double p = L.plot;
        double s = L.scale;
        StringBuilder sb = new StringBuilder(32_768);
        sb.append("<svg");
        if (withNamespace) {
            sb.append(" xmlns=\"http://www.w3.org/2000/svg\"");
        }
        sb.append(" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"").append(escape(SVG_FONT_FAMILY)).append("\" role=\"img\">\n");
        String accessible = title.isEmpty() ? (yLabel + " vs " + xLabel) : title;
        sb.append("<title>").append(escape(accessible)).append("</title>\n");
        // the id depends only on the clip rectangle, so equal ids always mean equal clip paths
        double m = 3 * s;
        String clipId = "lc-clip-" + num(p.x - m) + "-" + num(p.y - m) + "-" + num(p.width + 2 * m) + "-"
                + num(p.height + 2 * m);
        clipId = clipId.replace('.', '_');
        sb.append("<defs><clipPath id=\"").append(clipId).append("\"><rect x=\"").append(num(p.x - m))
                .append("\" y=\"").append(num(p.y - m)).append("\" width=\"").append(num(p.width + 2 * m))
                .append("\" height=\"").append(num(p.height + 2 * m)).append("\"/></clipPath></defs>\n");
        sb.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");

        // grid
        sb.append("<g stroke=\"").append(hex(GRID)).append("\" stroke-width=\"1\">");
        for (double t : L.x.ticks) {
            double x = crisp(L.px(t));
            line(sb, x, p.y, x, p.getMaxY());
        }
        for (double t : L.y.ticks) {
            double y = crisp(L.py(t));
            line(sb, p.x, y, p.getMaxX(), y);
        }
        sb.append("</g>\n");

        // series: exactly one <path> per series
        sb.append("<g clip-path=\"url(#").append(clipId)
                .append(")\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\">\n");
        for (int i : drawOrder()) {
            Series se = series.get(i);
            StringBuilder d = new StringBuilder();
            for (double[][] run : runs(se)) {
                d.append('M').append(num(run[0][0])).append(' ').append(num(run[1][0]));
                if (run[0].length == 1) {
                    d.append("h0");
                }
                for (int j = 1; j < run[0].length; j++) {
                    d.append('L').append(num(run[0][j])).append(' ').append(num(run[1][j]));
                }
            }
            sb.append("<path class=\"series\" data-series=\"").append(i).append("\" stroke=\"")
                    .append(hex(colorOf(i))).append("\" stroke-width=\"").append(num(lineWidth(se))).append('"');
            if (se.dashed()) {
                float[] da = dash();
                sb.append(" stroke-dasharray=\"").append(num(da[0])).append(' ').append(num(da[1])).append('"');
            }
            sb.append(" d=\"").append(d.length() == 0 ? "M0 0" : d).append("\"><title>")
                    .append(escape(se.label())).append("</title></path>\n");
        }
        sb.append("</g>\n");

        // frame, ticks, tick labels
        double fx0 = crisp(p.x);
        double fx1 = crisp(p.getMaxX());
        double fy0 = crisp(p.y);
        double fy1 = crisp(p.getMaxY());
        sb.append("<rect x=\"").append(num(fx0)).append("\" y=\"").append(num(fy0)).append("\" width=\"")
                .append(num(fx1 - fx0)).append("\" height=\"").append(num(fy1 - fy0)).append("\" fill=\"none\" stroke=\"")
                .append(hex(FRAME)).append("\" stroke-width=\"1\"/>\n");
        sb.append("<g stroke=\"").append(hex(FRAME)).append("\" stroke-width=\"1\">");
        for (double t : L.x.ticks) {
            double x = crisp(L.px(t));
            line(sb, x, fy1, x, fy1 + L.tickLen);
        }
        for (double t : L.y.ticks) {
            double y = crisp(L.py(t));
            line(sb, fx0 - L.tickLen, y, fx0, y);
        }
        sb.append("</g>\n");
        double tickBaseline = fy1 + L.tickLen + 3 * s + ascent(L.tickFont);
        sb.append("<g font-size=\"").append(num(L.tickFont.getSize2D())).append("\" fill=\"").append(hex(TEXT))
                .append("\">");
        for (int i = 0; i < L.x.ticks.length; i++) {
            text(sb, L.x.labels[i], crisp(L.px(L.x.ticks[i])), tickBaseline, "middle", null);
        }
        double yOff = centerBaselineOffset(L.tickFont);
        for (int i = 0; i < L.y.ticks.length; i++) {
            text(sb, L.y.labels[i], fx0 - L.tickLen - 4 * s, crisp(L.py(L.y.ticks[i])) + yOff, "end", null);
        }
        sb.append("</g>\n");

        // titles and axis labels
        double cx = p.getCenterX();
        if (!title.isEmpty()) {
            sb.append("<text x=\"").append(num(cx)).append("\" y=\"").append(num(L.titleBaseline))
                    .append("\" text-anchor=\"middle\" font-size=\"").append(num(L.titleFont.getSize2D()))
                    .append("\" font-weight=\"bold\" fill=\"").append(hex(TEXT)).append("\">")
                    .append(escape(title)).append("</text>\n");
        }
        if (!subtitle.isEmpty()) {
            sb.append("<text x=\"").append(num(cx)).append("\" y=\"").append(num(L.subtitleBaseline))
                    .append("\" text-anchor=\"middle\" font-size=\"").append(num(L.subtitleFont.getSize2D()))
                    .append("\" fill=\"").append(hex(SUBTLE_TEXT)).append("\">")
                    .append(escape(subtitle)).append("</text>\n");
        }
        if (!xLabel.isEmpty() || !yLabel.isEmpty()) {
            sb.append("<g font-size=\"").append(num(L.axisFont.getSize2D())).append("\" fill=\"").append(hex(TEXT))
                    .append("\">");
            if (!xLabel.isEmpty()) {
                text(sb, xLabel, cx, L.xLabelBaseline, "middle", null);
            }
            if (!yLabel.isEmpty()) {
                double cy = p.getCenterY();
                double bx = L.yLabelCenterX + yLabelBaselineShift(L);
                text(sb, yLabel, bx, cy, "middle", "rotate(-90 " + num(bx) + " " + num(cy) + ")");
            }
            sb.append("</g>\n");
        }

        // legend
        if (L.legendPosition != LegendPosition.NONE) {
            Rectangle2D.Double box = L.legendBox;
            sb.append("<g class=\"legend\">");
            sb.append("<rect x=\"").append(num(crisp(box.x))).append("\" y=\"").append(num(crisp(box.y)))
                    .append("\" width=\"").append(Math.round(box.width)).append("\" height=\"")
                    .append(Math.round(box.height)).append("\" fill=\"#ffffff\" fill-opacity=\"")
                    .append(num(LEGEND_ALPHA)).append("\" stroke=\"").append(hex(LEGEND_BORDER))
                    .append("\" stroke-width=\"1\"/>\n");
            double lyOff = centerBaselineOffset(L.legendFont);
            for (int i = 0; i < series.size(); i++) {
                Series se = series.get(i);
                double[] e = legendEntry(i);
                sb.append("<line x1=\"").append(num(e[0])).append("\" y1=\"").append(num(e[1])).append("\" x2=\"")
                        .append(num(e[0] + L.swatchLen)).append("\" y2=\"").append(num(e[1])).append("\" stroke=\"")
                        .append(hex(colorOf(i))).append("\" stroke-width=\"").append(num(lineWidth(se) * 1.1))
                        .append("\" stroke-linecap=\"round\"");
                if (se.dashed()) {
                    float[] da = dash();
                    sb.append(" stroke-dasharray=\"").append(num(da[0])).append(' ').append(num(da[1])).append('"');
                }
                sb.append("/>");
                sb.append("<text x=\"").append(num(e[0] + L.swatchLen + 8 * s)).append("\" y=\"")
                        .append(num(e[1] + lyOff)).append("\" font-size=\"").append(num(L.legendFont.getSize2D()))
                        .append("\" fill=\"").append(hex(TEXT)).append("\">").append(escape(se.label()))
                        .append("</text>\n");
            }
            sb.append("</g>\n");
        }
        sb.append("</svg>");
        return sb.toString();
    }

    private static void line(StringBuilder sb, double x1, double y1, double x2, double y2) {
        sb.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"")
                .append(num(x2)).append("\" y2=\"").append(num(y2)).append("\"/>");
    }

    private static void text(StringBuilder sb, String s, double x, double y, String anchor, String transform) {
        if (s.isEmpty()) {
            return;
        }
        sb.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        if (!"start".equals(anchor)) {
            sb.append(" text-anchor=\"").append(anchor).append('"');
        }
        if (transform != null) {
            sb.append(" transform=\"").append(transform).append('"');
        }
        sb.append('>').append(escape(s)).append("</text>");
    }

    /** A number with at most two decimals, no trailing zeros, locale independent. */
    static String num(double v) {
        long r = Math.round(v * 100);
        if (r == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        if (r < 0) {
            sb.append('-');
            r = -r;
        }
        sb.append(r / 100);
        long frac = r % 100;
        if (frac != 0) {
            sb.append('.');
            if (frac < 10) {
                sb.append('0').append(frac);
            } else if (frac % 10 == 0) {
                sb.append(frac / 10);
            } else {
                sb.append(frac);
            }
        }
        return sb.toString();
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /**
     * Escapes text for XML and HTML content and attribute values ({@code & < > " '}); control characters that XML
     * does not allow are dropped.
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        if (c != 0xFFFE && c != 0xFFFF) {
                            sb.append(c);
                        }
                    }
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ HTML

    /**
     * Writes one self-contained HTML page (inline SVG charts, inline CSS, no external references) holding the given
     * charts, each optionally followed by an HTML table.
     *
     * @param htmlTablesOrNull {@code null}, or one entry per chart: raw (trusted) HTML placed below that chart, or
     *                         {@code null} for none. Build escaped tables with {@link #htmlTable}.
     */
    public static void writeHtml(Path file, String pageTitle, List<LineChart> charts, List<String> htmlTablesOrNull)
            throws IOException {
        String html = html(pageTitle, charts, htmlTablesOrNull, false);
        createParent(file);
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    /**
     * The page {@link #writeHtml} writes, as a string. With {@code embedPng} each chart additionally carries its
     * PNG rendering as a base64 {@code data:} URI (inside a collapsed {@code <details>}), for viewers without SVG.
     */
    public static String html(String pageTitle, List<LineChart> charts, List<String> htmlTablesOrNull,
                              boolean embedPng) {
        Objects.requireNonNull(charts, "charts");
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("a page needs at least one chart (chart list is empty)");
        }
        for (int i = 0; i < charts.size(); i++) {
            if (charts.get(i) == null) {
                throw new IllegalArgumentException("chart #" + i + " is null");
            }
        }
        if (htmlTablesOrNull != null && htmlTablesOrNull.size() != charts.size()) {
            throw new IllegalArgumentException("htmlTablesOrNull has " + htmlTablesOrNull.size()
                    + " entries but there are " + charts.size() + " charts");
        }
        String t = pageTitle == null ? "" : pageTitle;
        StringBuilder sb = new StringBuilder(64_000 * charts.size());
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(t)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:").append(SVG_FONT_FAMILY)
                .append(";color:#222;margin:24px auto;max-width:1100px;padding:0 16px;line-height:1.4}\n")
                .append("h1{font-size:24px;margin:0 0 20px}\n")
                .append("section.chart{margin:0 0 40px}\n")
                .append("section.chart svg{display:block;max-width:100%;height:auto;border:1px solid #ddd}\n")
                .append("table{border-collapse:collapse;margin:14px 0;font-size:13px}\n")
                .append("th,td{border:1px solid #ccc;padding:3px 9px;text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("th{background:#f2f2f2}\n")
                .append("th:first-child,td:first-child{text-align:left}\n")
                .append("caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}\n")
                .append("details img{max-width:100%;height:auto}\n")
                .append("</style>\n</head>\n<body>\n");
        if (!t.isEmpty()) {
            sb.append("<h1>").append(escape(t)).append("</h1>\n");
        }
        for (int i = 0; i < charts.size(); i++) {
            LineChart c = charts.get(i);
            sb.append("<section class=\"chart\" id=\"chart-").append(i + 1).append("\">\n");
            sb.append(c.svg(false)).append('\n');
            if (embedPng) {
                sb.append("<details><summary>PNG</summary><img alt=\"").append(escape(c.title))
                        .append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(c.pngBytes())).append("\"></details>\n");
            }
            String table = htmlTablesOrNull == null ? null : htmlTablesOrNull.get(i);
            if (table != null && !table.isEmpty()) {
                sb.append(table).append('\n');
            }
            sb.append("</section>\n");
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    /**
     * An HTML table with escaped cells; the first row is the header. {@code caption} may be {@code null}.
     */
    public static String htmlTable(String caption, List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("<table>");
        if (caption != null && !caption.isEmpty()) {
            sb.append("<caption>").append(escape(caption)).append("</caption>");
        }
        if (header != null && !header.isEmpty()) {
            sb.append("\n<thead><tr>");
            for (String h : header) {
                sb.append("<th>").append(escape(h == null ? "" : h)).append("</th>");
            }
            sb.append("</tr></thead>");
        }
        sb.append("\n<tbody>");
        for (List<String> row : rows) {
            sb.append("\n<tr>");
            for (String cell : row) {
                sb.append("<td>").append(escape(cell == null ? "" : cell)).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("\n</tbody></table>");
        return sb.toString();
    }

    @Override
    public String toString() {
        return "LineChart[title=" + title + ", series=" + series.size() + ", " + width + "x" + height + "]";
    }
}

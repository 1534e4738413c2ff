package io.archipelago.sim.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The self-contained HTML report of one simulation run ({@link SimReportData}): title and description, the summary
 * table, up to five inline-SVG {@link LineChart}s, then the notes.
 *
 * <p>Charts, in order:
 * <ol>
 *   <li>{@value #TITLE_ALLOCATION}: allocation % and fragmentation % against simulated hours;</li>
 *   <li>{@value #TITLE_QUEUE}: queued and running tasks;</li>
 *   <li>{@value #TITLE_CAPACITY}: only when {@code availableGpus} is not constant (an outage happened);</li>
 *   <li>{@value #TITLE_WAITING}: empirical CDF of waiting time per priority class, x capped at the largest
 *       per-class p99; classes without samples are listed as "no tasks";</li>
 *   <li>{@value #TITLE_TENANTS}: one line per tenant, plus its guaranteed level dashed in the same colour.</li>
 * </ol>
 *
 * <p>A run on a multi-region fleet ({@link SimReportData#regions()} not null) adds a section
 * {@value #TITLE_REGIONS} before the notes: the rule checks (counted by an independent check at every bind), the
 * fleet's SLO attainment and money, a per-region and a per-site table, three monthly charts
 * ({@value #TITLE_MONEY}, {@value #TITLE_MARGIN}, {@value #TITLE_UTILISATION}; each month a step over its span of
 * simulated hours) and the
 * failover table.
 *
 * <p>The page references nothing external (no scripts, stylesheets, fonts or images), every text is HTML-escaped,
 * and the output is deterministic: the same data gives byte-identical HTML. Each drawn series has at most
 * {@value #MAX_POINTS} points (min/max-preserving decimation), so a run with 100k samples still gives a page of a
 * few hundred kB.
 */
public final class SimReport {

    public static final String TITLE_ALLOCATION = "GPU allocation and fragmentation over time";
    public static final String TITLE_QUEUE = "Queue length and running tasks";
    public static final String TITLE_CAPACITY = "Available GPUs";
    public static final String TITLE_WAITING = "Waiting time by priority class";
    public static final String TITLE_TENANTS = "GPUs in use per tenant";
    public static final String TITLE_REGIONS = "Regions and economics";
    public static final String TITLE_MONEY = "Monthly revenue and cost per region";
    public static final String TITLE_MARGIN = "Monthly margin per region";
    public static final String TITLE_UTILISATION = "GPU utilisation per region";
    public static final String TITLE_FAILOVER = "Failover after outages";

    /** Upper bound on the points of one drawn series. */
    public static final int MAX_POINTS = 2000;

    private static final int CHART_WIDTH = 1000;
    private static final int CHART_HEIGHT = 520;
    private static final String X_HOURS = "Simulated time (h)";

    private SimReport() {
    }

    /**
     * Writes {@link #html(SimReportData)} as UTF-8 to {@code file}, creating parent directories.
     *
     * @throws UncheckedIOException if the file cannot be written (the message names the file)
     */
    public static void writeHtml(Path file, SimReportData d) {
        Objects.requireNonNull(file, "file");
        String page = html(d);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write simulation report to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The report page as a string. */
    public static String html(SimReportData d) {
        Objects.requireNonNull(d, "report data");
        StringBuilder sb = new StringBuilder(256 * 1024);
        head(sb, d.title());

        sb.append("<h1>").append(esc(d.title())).append("</h1>\n");
        if (!d.description().isEmpty()) {
            sb.append("<p class=\"description\">").append(esc(d.description())).append("</p>\n");
        }
        summary(sb, d);

        double[] t = d.timeHours();
        section(sb, "allocation", LineChart.builder()
                .title(TITLE_ALLOCATION)
                .subtitle("% of the GPUs of available nodes")
                .xLabel(X_HOURS).yLabel("%")
                .yRange(0, 100)
                .series(series("GPU allocation", t, d.gpuAllocPct()),
                        series("Fragmentation (FGD)", t, d.fragPct()))
                .size(CHART_WIDTH, CHART_HEIGHT).build());

        section(sb, "queue", LineChart.builder()
                .title(TITLE_QUEUE)
                .xLabel(X_HOURS).yLabel("Tasks")
                .series(series("Queued", t, d.queued()), series("Running", t, d.running()))
                .size(CHART_WIDTH, CHART_HEIGHT).build());

        capacity(sb, t, d.availableGpus());
        waiting(sb, d.waitSecondsByClass());
        tenants(sb, t, d.tenantGpus(), d.tenantGuaranteed());
        if (d.regions() != null) {
            regions(sb, d.regions());
        }

        if (!d.notes().isEmpty()) {
            sb.append("<section class=\"notes\" id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
            for (String note : d.notes()) {
                sb.append("<li>").append(esc(note)).append("</li>\n");
            }
            sb.append("</ul>\n</section>\n");
        }
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ page parts

    private static void head(StringBuilder sb, String title) {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc("Simulation report: " + title)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;margin:24px auto;")
                .append("max-width:1100px;padding:0 16px;line-height:1.4}\n")
                .append("h1{font-size:24px;margin:0 0 8px}\n")
                .append("h2{font-size:18px;margin:0 0 8px}\n")
                .append("p.description{margin:0 0 16px;color:#444}\n")
                .append("section{margin:0 0 36px}\n")
                .append("section.chart svg{display:block;max-width:100%;height:auto;border:1px solid #ddd}\n")
                .append("table.summary{border-collapse:collapse;margin:8px 0 28px;font-size:14px}\n")
                .append("table.summary th,table.summary td{border:1px solid #ccc;padding:3px 10px}\n")
                .append("table.summary th{background:#f2f2f2;text-align:left;font-weight:normal}\n")
                .append("table.summary td{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("p.info,ul.nodata{color:#555;font-size:14px}\n")
                .append("table.data{border-collapse:collapse;margin:8px 0 24px;font-size:14px}\n")
                .append("table.data caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}\n")
                .append("table.data th,table.data td{border:1px solid #ccc;padding:3px 10px}\n")
                .append("table.data th{background:#f2f2f2;font-weight:normal}\n")
                .append("table.data td{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("table.data td.label{text-align:left}\n")
                .append("</style>\n</head>\n<body>\n");
    }

    private static void summary(StringBuilder sb, SimReportData d) {
        if (d.summary().isEmpty()) {
            return;
        }
        sb.append("<table class=\"summary\">\n<tbody>\n");
        for (Map.Entry<String, String> e : d.summary().entrySet()) {
            sb.append("<tr><th scope=\"row\">").append(esc(e.getKey())).append("</th><td>")
                    .append(esc(e.getValue())).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    private static void section(StringBuilder sb, String id, LineChart chart) {
        sb.append("<section class=\"chart\" id=\"").append(id).append("\">\n").append(chart.svg()).append('\n')
                .append("</section>\n");
    }

    /** A section without a chart: the chart's title as a heading plus an explanation. */
    private static void emptySection(StringBuilder sb, String id, String title, String message) {
        sb.append("<section class=\"chart\" id=\"").append(id).append("\">\n<h2>").append(esc(title))
                .append("</h2>\n<p class=\"info\">").append(esc(message)).append("</p>\n</section>\n");
    }

    private static void capacity(StringBuilder sb, double[] t, double[] available) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : available) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (!(min < max)) {
            return; // constant (or no data): no outage to show
        }
        section(sb, "capacity", LineChart.builder()
                .title(TITLE_CAPACITY)
                .subtitle("GPUs on nodes that are up: min " + fmt(min) + ", max " + fmt(max))
                .xLabel(X_HOURS).yLabel("GPUs")
                .legend(LineChart.LegendPosition.NONE)
                .series(series("Available GPUs", t, available))
                .size(CHART_WIDTH, CHART_HEIGHT).build());
    }

    private static void waiting(StringBuilder sb, Map<String, double[]> byClass) {
        List<String> empty = new ArrayList<>();
        double cap = 0;
        boolean any = false;
        for (Map.Entry<String, double[]> e : byClass.entrySet()) {
            double[] w = e.getValue();
            if (w.length == 0) {
                empty.add(e.getKey());
            } else {
                any = true;
                cap = Math.max(cap, quantile(w, 0.99));
            }
        }
        if (!any) {
            emptySection(sb, "waiting", TITLE_WAITING, byClass.isEmpty()
                    ? "No waiting-time data."
                    : "No task of any class started.");
            if (!empty.isEmpty()) {
                noTasks(sb, empty);
            }
            return;
        }
        double xMax = cap > 0 ? cap : 1;
        List<Series> lines = new ArrayList<>();
        long beyond = 0;
        int position = 0;
        for (Map.Entry<String, double[]> e : byClass.entrySet()) {
            double[] w = e.getValue();
            if (w.length > 0) {
                String label = e.getKey() + " (n=" + w.length + ", p50 " + fmtSeconds(quantile(w, 0.5))
                        + ", p99 " + fmtSeconds(quantile(w, 0.99)) + ")";
                double[][] xy = ecdf(w, xMax);
                double[][] dec = decimate(xy[0], xy[1], MAX_POINTS);
                lines.add(new Series(label, dec[0], dec[1], false).withColor(position));
                beyond += w.length - countAtMost(w, xMax);
            }
            position++;
        }
        String subtitle = "Empirical CDF; x axis (linear) capped at the largest per-class p99 = " + fmtSeconds(cap)
                + (beyond == 0 ? "" : "; " + beyond + (beyond == 1 ? " task" : " tasks") + " beyond it not shown");
        sb.append("<section class=\"chart\" id=\"waiting\">\n")
                .append(LineChart.builder()
                        .title(TITLE_WAITING)
                        .subtitle(subtitle)
                        .xLabel("Waiting time (s)").yLabel("Tasks started within (%)")
                        .xRange(0, xMax).yRange(0, 100)
                        .series(lines)
                        .size(CHART_WIDTH, CHART_HEIGHT).build().svg())
                .append('\n');
        if (!empty.isEmpty()) {
            noTasks(sb, empty);
        }
        sb.append("</section>\n");
    }

    private static void noTasks(StringBuilder sb, List<String> classes) {
        sb.append("<ul class=\"nodata\">\n");
        for (String c : classes) {
            sb.append("<li>").append(esc(c)).append(": no tasks</li>\n");
        }
        sb.append("</ul>\n");
    }

    private static void tenants(StringBuilder sb, double[] t, Map<String, double[]> usage,
                                Map<String, double[]> guaranteed) {
        if (usage.isEmpty() && guaranteed.isEmpty()) {
            emptySection(sb, "tenants", TITLE_TENANTS, "No tenant data.");
            return;
        }
        List<Series> solid = new ArrayList<>();
        List<String> order = new ArrayList<>(usage.keySet());
        for (Map.Entry<String, double[]> e : usage.entrySet()) {
            solid.add(series(e.getKey(), t, e.getValue()).withColor(order.indexOf(e.getKey())));
        }
        List<Series> dashed = new ArrayList<>();
        double x0 = t.length == 0 ? 0 : t[0];
        double x1 = t.length == 0 ? 1 : t[t.length - 1];
        for (Map.Entry<String, double[]> e : guaranteed.entrySet()) {
            int color = order.indexOf(e.getKey());
            if (color < 0) { // guaranteed quota of a tenant without a usage series: a colour of its own
                order.add(e.getKey());
                color = order.size() - 1;
            }
            double g = e.getValue()[0];
            dashed.add(new Series(e.getKey() + " (guaranteed)", new double[] {x0, x1}, new double[] {g, g}, true)
                    .withColor(color));
        }
        List<Series> all = new ArrayList<>(solid);
        all.addAll(dashed);
        section(sb, "tenants", LineChart.builder()
                .title(TITLE_TENANTS)
                .subtitle(dashed.isEmpty() ? "" : "dashed: guaranteed GPUs of the tenant")
                .xLabel(X_HOURS).yLabel("GPUs")
                .series(all)
                .size(CHART_WIDTH, CHART_HEIGHT).build());
    }

    // ------------------------------------------------------------------------------------------------ regions

    private static void regions(StringBuilder sb, SimReportData.Regions r) {
        sb.append("<section class=\"regions\" id=\"regions\">\n<h2>").append(esc(TITLE_REGIONS)).append("</h2>\n");
        sb.append("<p class=\"info\">").append(esc("Residency violations: " + r.residencyViolations() + "; latency violations: "
                + r.latencyViolations() + ". Both are counted by an independent check at every bind: each task's raw"
                + " residency and latency rules are checked again against the site it is bound to, apart from the placement"
                + " filter that enforces them. Unplaceable jobs (rejected on arrival because no site their rules allow could"
                + " ever hold them): " + r.unplaceableJobs() + ".")).append("</p>\n");
        sb.append("<p class=\"info\">").append(esc("Fleet: SLO attainment " + pct(r.sloAttainment())
                + " (a job with a latency SLO meets it when every start, first or after an eviction, came within "
                + fmtSeconds(r.sloWaitSeconds()) + " of it becoming ready); utilisation " + pct(r.utilisation())
                + " of installed GPU-hours; revenue " + usd(r.revenueUsd()) + ", cost " + usd(r.costUsd()) + ", margin "
                + usd(r.marginUsd()) + marginPct(r.revenueUsd(), r.marginUsd()) + ".")).append("</p>\n");

        List<List<String>> rows = new ArrayList<>();
        for (SimReportData.RegionRow row : r.regionRows()) {
            rows.add(List.of(row.region(), Long.toString(row.originJobs()), pct(row.sloAttainment()), pct(row.utilisation()),
                    usd(row.revenueUsd()), usd(row.costUsd()), usd(row.marginUsd()), pctOfRevenue(row.revenueUsd(), row.marginUsd())));
        }
        table(sb, "regions-table", "Per region (jobs and SLO attainment by origin; utilisation and money of the region's sites)",
                List.of("Region", "Origin jobs", "SLO attainment", "Utilisation", "Revenue", "Cost", "Margin", "Margin %"), rows, 1);

        rows = new ArrayList<>();
        for (SimReportData.SiteRow row : r.siteRows()) {
            rows.add(List.of(row.site(), row.region(), Long.toString(row.starts()), pct(row.utilisation()), usd(row.revenueUsd()),
                    usd(row.costUsd()), usd(row.marginUsd()), pctOfRevenue(row.revenueUsd(), row.marginUsd())));
        }
        table(sb, "sites-table", "Per site", List.of("Site", "Region", "Job starts", "Utilisation", "Revenue", "Cost", "Margin",
                "Margin %"), rows, 2);

        monthlyCharts(sb, r);
        failover(sb, r.failover());
        sb.append("</section>\n");
    }

    private static void monthlyCharts(StringBuilder sb, SimReportData.Regions r) {
        int n = r.months().size();
        if (n == 0 || (r.monthlyRevenueUsd().isEmpty() && r.monthlyCostUsd().isEmpty())) {
            emptySection(sb, "money", TITLE_MONEY, "No economics recorded for this run.");
            return;
        }
        double[] bounds = r.monthBoundsHours();
        String span = "one step per calendar month, " + (n == 1 ? r.months().get(0)
                : r.months().get(0) + " to " + r.months().get(n - 1));

        double maxAbs = 0;
        for (Map<String, double[]> m : List.of(r.monthlyRevenueUsd(), r.monthlyCostUsd(), r.monthlyMarginUsd())) {
            for (double[] v : m.values()) {
                for (double d : v) {
                    if (Double.isFinite(d)) {
                        maxAbs = Math.max(maxAbs, Math.abs(d));
                    }
                }
            }
        }
        double unit = maxAbs >= 1e6 ? 1e6 : maxAbs >= 1e3 ? 1e3 : 1;
        String yUsd = unit == 1e6 ? "USD (millions)" : unit == 1e3 ? "USD (thousands)" : "USD";

        List<String> order = new ArrayList<>(r.monthlyRevenueUsd().keySet());
        for (String k : r.monthlyCostUsd().keySet()) {
            if (!order.contains(k)) {
                order.add(k);
            }
        }
        List<Series> money = new ArrayList<>();
        for (Map.Entry<String, double[]> e : r.monthlyRevenueUsd().entrySet()) {
            money.add(steps(e.getKey() + " revenue", bounds, scaled(e.getValue(), unit), false).withColor(order.indexOf(e.getKey())));
        }
        for (Map.Entry<String, double[]> e : r.monthlyCostUsd().entrySet()) {
            money.add(steps(e.getKey() + " cost", bounds, scaled(e.getValue(), unit), true).withColor(order.indexOf(e.getKey())));
        }
        section(sb, "money", LineChart.builder()
                .title(TITLE_MONEY)
                .subtitle("solid: revenue, dashed: cost (depreciation + facility + energy); " + span)
                .xLabel(X_HOURS).yLabel(yUsd)
                .series(money)
                .size(CHART_WIDTH, CHART_HEIGHT).build());

        if (!r.monthlyMarginUsd().isEmpty()) {
            List<Series> margin = new ArrayList<>();
            for (Map.Entry<String, double[]> e : r.monthlyMarginUsd().entrySet()) {
                int c = order.indexOf(e.getKey());
                margin.add(steps(e.getKey(), bounds, scaled(e.getValue(), unit), false).withColor(c < 0 ? margin.size() : c));
            }
            section(sb, "margin", LineChart.builder()
                    .title(TITLE_MARGIN)
                    .subtitle("revenue - cost; " + span)
                    .xLabel(X_HOURS).yLabel(yUsd)
                    .series(margin)
                    .size(CHART_WIDTH, CHART_HEIGHT).build());
        }
        if (!r.monthlyUtilisation().isEmpty()) {
            List<Series> util = new ArrayList<>();
            for (Map.Entry<String, double[]> e : r.monthlyUtilisation().entrySet()) {
                int c = order.indexOf(e.getKey());
                util.add(steps(e.getKey(), bounds, scaled(e.getValue(), 0.01), false).withColor(c < 0 ? util.size() : c));
            }
            section(sb, "utilisation", LineChart.builder()
                    .title(TITLE_UTILISATION)
                    .subtitle("allocated / installed GPU-hours per month; " + span)
                    .xLabel(X_HOURS).yLabel("%")
                    .yRange(0, 100)
                    .series(util)
                    .size(CHART_WIDTH, CHART_HEIGHT).build());
        }
    }

    private static void failover(StringBuilder sb, List<SimReportData.FailoverRow> failover) {
        if (failover.isEmpty()) {
            sb.append("<h3>").append(esc(TITLE_FAILOVER)).append("</h3>\n<p class=\"info\">No outage evicted any job.</p>\n");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (SimReportData.FailoverRow f : failover) {
            StringBuilder to = new StringBuilder();
            for (Map.Entry<String, Long> e : f.restartedAt().entrySet()) {
                if (to.length() > 0) {
                    to.append(", ");
                }
                to.append(e.getKey()).append(": ").append(e.getValue()).append(e.getValue() == 1 ? " job" : " jobs");
            }
            rows.add(List.of(f.site(), to.length() == 0 ? "none" : to.toString(), Long.toString(f.restarted()),
                    Long.toString(f.waiting()), Long.toString(f.rejected()),
                    Double.isNaN(f.waitP95Seconds()) ? DASH : fmtSeconds(f.waitP95Seconds())));
        }
        table(sb, "failover-table", TITLE_FAILOVER + ": jobs evicted at a site by an outage, and where they restarted",
                List.of("Evicted at", "Restarted at", "Restarted", "Still waiting", "Rejected", "p95 wait"), rows, 2);
    }

    /** A data table; the first {@code labelColumns} columns are left-aligned text. */
    private static void table(StringBuilder sb, String id, String caption, List<String> header, List<List<String>> rows,
                              int labelColumns) {
        sb.append("<table class=\"data\" id=\"").append(id).append("\">\n<caption>").append(esc(caption))
                .append("</caption>\n<thead><tr>");
        for (String h : header) {
            sb.append("<th scope=\"col\">").append(esc(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                sb.append(i < labelColumns ? "<td class=\"label\">" : "<td>").append(esc(row.get(i))).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    /** Month {@code i}'s value as a flat step from {@code bounds[i]} to {@code bounds[i + 1]}. */
    private static Series steps(String label, double[] bounds, double[] v, boolean dashed) {
        double[] x = new double[2 * v.length];
        double[] y = new double[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            x[2 * i] = bounds[i];
            x[2 * i + 1] = bounds[i + 1];
            y[2 * i] = v[i];
            y[2 * i + 1] = v[i];
        }
        return new Series(label, x, y, dashed);
    }

    private static double[] scaled(double[] v, double unit) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / unit;
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ data helpers

    private static Series series(String label, double[] x, double[] y) {
        double[][] dec = decimate(x, y, MAX_POINTS);
        return new Series(label, dec[0], dec[1], false);
    }

    /**
     * Reduces {@code (x, y)} to at most {@code maxPoints} points, keeping the first and the last point. The inner
     * points are split into equal-count buckets; each bucket keeps the points of its minimum and maximum y (in their
     * original order), and one {@code NaN} point if it holds any, so gaps and spikes survive. Input with at most
     * {@code maxPoints} points is returned unchanged.
     *
     * @return {@code {x, y}}
     */
    static double[][] decimate(double[] x, double[] y, int maxPoints) {
        if (maxPoints < 8) {
            throw new IllegalArgumentException("maxPoints " + maxPoints + " must be >= 8");
        }
        int n = x.length;
        if (n <= maxPoints) {
            return new double[][] {x, y};
        }
        boolean hasNaN = false;
        for (double v : y) {
            if (Double.isNaN(v)) {
                hasNaN = true;
                break;
            }
        }
        int perBucket = hasNaN ? 3 : 2;
        int buckets = (maxPoints - 2) / perBucket;
        int inner = n - 2;
        double[] ox = new double[maxPoints];
        double[] oy = new double[maxPoints];
        int k = 0;
        ox[k] = x[0];
        oy[k++] = y[0];
        int[] picked = new int[3];
        for (int b = 0; b < buckets; b++) {
            int from = 1 + (int) ((long) b * inner / buckets);
            int to = 1 + (int) ((long) (b + 1) * inner / buckets); // exclusive
            int minI = -1;
            int maxI = -1;
            int nanI = -1;
            for (int i = from; i < to; i++) {
                double v = y[i];
                if (Double.isNaN(v)) {
                    if (nanI < 0) {
                        nanI = i;
                    }
                    continue;
                }
                if (minI < 0 || v < y[minI]) {
                    minI = i;
                }
                if (maxI < 0 || v > y[maxI]) {
                    maxI = i;
                }
            }
            int m = 0;
            for (int i : new int[] {minI, maxI, nanI}) {
                if (i >= 0 && (m == 0 || picked[0] != i) && (m < 2 || picked[1] != i)) {
                    picked[m++] = i;
                }
            }
            Arrays.sort(picked, 0, m);
            for (int j = 0; j < m; j++) {
                ox[k] = x[picked[j]];
                oy[k++] = y[picked[j]];
            }
        }
        ox[k] = x[n - 1];
        oy[k++] = y[n - 1];
        return new double[][] {Arrays.copyOf(ox, k), Arrays.copyOf(oy, k)};
    }

    /**
     * The empirical CDF of sorted {@code w} in percent as a step line from {@code (0, 0)}, truncated at
     * {@code xMax} (the line then ends at {@code (xMax, F(xMax))}).
     */
    static double[][] ecdf(double[] w, double xMax) {
        int n = w.length;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0});
        double prevF = 0;
        int i = 0;
        while (i < n && w[i] <= xMax) {
            double v = w[i];
            while (i < n && w[i] == v) {
                i++;
            }
            double f = 100.0 * i / n;
            if (v > 0) {
                pts.add(new double[] {v, prevF});
            }
            pts.add(new double[] {v, f});
            prevF = f;
        }
        if (pts.get(pts.size() - 1)[0] < xMax) {
            pts.add(new double[] {xMax, prevF});
        }
        double[][] out = new double[2][pts.size()];
        for (int j = 0; j < pts.size(); j++) {
            out[0][j] = pts.get(j)[0];
            out[1][j] = pts.get(j)[1];
        }
        return out;
    }

    /** Nearest-rank quantile of sorted, non-empty {@code w}. */
    static double quantile(double[] w, double q) {
        int rank = (int) Math.ceil(q * w.length);
        return w[Math.max(0, Math.min(w.length - 1, rank - 1))];
    }

    private static int countAtMost(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // ------------------------------------------------------------------------------------------------ formatting

    private static String esc(String s) {
        return LineChart.escape(s);
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static final String DASH = "\u2013";

    /** A share 0..1 as a percentage with one decimal, or a dash for NaN. */
    private static String pct(double share) {
        return Double.isNaN(share) ? DASH : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    /** USD with thousands separators (cents below $100), or a dash for NaN. */
    private static String usd(double v) {
        if (Double.isNaN(v)) {
            return DASH;
        }
        double a = Math.abs(v);
        if (a == 0) {
            return "$0";
        }
        String s = a >= 100 ? String.format(Locale.ROOT, "%,.0f", a) : String.format(Locale.ROOT, "%.2f", a);
        boolean negative = v < 0 && !s.matches("[0.,]+");
        return (negative ? "-$" : "$") + s;
    }

    private static String pctOfRevenue(double revenue, double margin) {
        return revenue > 0 ? String.format(Locale.ROOT, "%.1f %%", 100 * margin / revenue) : DASH;
    }

    private static String marginPct(double revenue, double margin) {
        return revenue > 0 ? " (" + pctOfRevenue(revenue, margin) + " of revenue)" : "";
    }

    private static String fmtSeconds(double s) {
        if (s < 1) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s < 100) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        return String.format(Locale.ROOT, "%.0f s", s);
    }
}

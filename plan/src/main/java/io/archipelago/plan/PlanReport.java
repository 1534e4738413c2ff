package io.archipelago.plan;

import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.Site;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The planner's output: a JSON tree of everything in a {@link Planner.Result} ({@link #json}, written by
 * {@link #toJson}) and a self-contained HTML page for the capacity team ({@link #html}).
 *
 * <p>Both are deterministic: the same result gives byte-identical output. Numbers in the JSON are rounded
 * (money to cents, GPUs to 3 decimals, ratios to 6 decimals, waits to milliseconds, given in seconds), NaN
 * and infinite values become {@code null}, and the only wall-clock figures are the top-level
 * {@code wall_ms} and each plan's {@code solve_ms}. The HTML holds no wall-clock time at all; it references
 * nothing external (inline CSS, inline SVG charts, no scripts), and every text in it is escaped.
 */
public final class PlanReport {
    /** File name of the JSON report written by {@link #write}. */
    public static final String JSON_FILE = "plan.json";
    /** File name of the HTML report written by {@link #write}. */
    public static final String HTML_FILE = "plan.html";

    private PlanReport() {
    }

    // =========================================================================================== files

    /**
     * Creates {@code dir} (and its parents) and writes {@value #JSON_FILE} and {@value #HTML_FILE} into it, UTF-8.
     *
     * @throws UncheckedIOException naming the folder when a file cannot be written
     */
    public static void write(Planner.Result r, Path dir) {
        Objects.requireNonNull(r, "result");
        Objects.requireNonNull(dir, "dir");
        String json = toJson(json(r)) + "\n";
        String page = html(r);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(JSON_FILE), json, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML_FILE), page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the plan report to " + dir + ": " + e.getMessage(), e);
        }
    }

    // =========================================================================================== JSON tree

    /**
     * The result as an insertion-ordered tree of maps, lists, strings, numbers, booleans and nulls, ready for
     * {@link #toJson}.
     */
    public static Map<String, Object> json(Planner.Result r) {
        Objects.requireNonNull(r, "result");
        PlanSpec spec = r.spec();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plan", spec.name());
        root.put("description", spec.description());
        root.put("start", spec.start().toString());
        root.put("quarters", labels(spec));
        root.put("seed", spec.seed());
        root.put("wall_ms", r.wallMillis());
        root.put("constraints", constraintsJson(spec));
        root.put("calibration", calibrationJson(r.calibration()));
        root.put("demand", demandJson(spec, demandTable(r)));
        root.put("candidates", candidatesJson(spec));
        List<Object> plans = new ArrayList<>();
        for (Planner.Outcome o : r.plans()) {
            plans.add(planJson(spec, o));
        }
        root.put("plans", plans);
        return root;
    }

    private static List<Object> labels(PlanSpec spec) {
        List<Object> out = new ArrayList<>();
        for (int t = 0; t < spec.quarters(); t++) {
            out.add(spec.quarterLabel(t));
        }
        return out;
    }

    private static Map<String, Object> constraintsJson(PlanSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        PlanSpec.Constraints c = spec.constraints();
        List<Object> budget = new ArrayList<>();
        for (double b : c.budgetPerYear()) {
            budget.add(money(b));
        }
        m.put("capex_budget_usd_per_year", budget);
        m.put("wait_p95_s", seconds(c.waitP95Ms()));
        m.put("slo_attainment", ratio(c.sloAttainment()));
        return m;
    }

    private static Object calibrationJson(Calibration.Result c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loads", list(c.loads(), 6, 1));
        m.put("wait_p95_s", list(c.waitP95Ms(), 3, 1000));
        m.put("slo_attainment", list(c.sloAttainment(), 6, 1));
        m.put("allocation", list(c.allocation(), 6, 1));
        m.put("service_load", ratio(c.serviceLoad()));
        m.put("saturation", ratio(c.saturation()));
        m.put("efficiency", ratio(c.efficiency()));
        m.put("efficiency_by_model", ratios(c.efficiencyByModel()));
        m.put("rho_by_model", ratios(c.rhoByModel()));
        m.put("rho_default", ratio(c.rhoDefault()));
        m.put("revenue_per_gpu_hour", list(c.revenuePerGpuHour(), 6, 1));
        m.put("notes", c.notes() == null ? List.of() : new ArrayList<Object>(c.notes()));
        return m;
    }

    private static List<Object> demandJson(PlanSpec spec, double[][] table) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < spec.demand().size(); i++) {
            PlanSpec.DemandLine d = spec.demand().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", d.region());
            m.put("class", d.jobClass());
            m.put("source", d.source());
            m.put("gpus", list(i < table.length ? table[i] : new double[0], 3, 1));
            out.add(m);
        }
        return out;
    }

    private static List<Object> candidatesJson(PlanSpec spec) {
        List<Object> out = new ArrayList<>();
        for (PlanSpec.Candidate c : spec.candidates()) {
            Site s = site(spec, c.site());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("site", c.site());
            m.put("region", c.region());
            m.put("gpu_model", c.gpuModel());
            m.put("nodes", c.nodes());
            m.put("gpus", c.gpus());
            m.put("capex_usd", s == null ? null : money(c.capexUsd(s.buildUsdPerWatt())));
            m.put("power_mw", s == null ? null : round(c.powerMw(s.pue()), 6));
            m.put("lead_time_quarters", c.leadQuarters());
            m.put("earliest", c.earliest() == null ? null : c.earliest().toString());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> planJson(PlanSpec spec, Planner.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("feasible", o.feasible());
        m.put("explanation", new ArrayList<Object>(o.explanation()));
        List<Object> schedule = new ArrayList<>();
        int[] open = openQuarters(o);
        for (int c = 0; c < Math.min(open.length, spec.candidates().size()); c++) {
            if (open[c] >= 0) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("candidate", spec.candidates().get(c).name());
                e.put("opens", spec.quarterLabel(open[c]));
                schedule.add(e);
            }
        }
        m.put("schedule", schedule);
        m.put("binding", new ArrayList<Object>(o.binding()));
        m.put("objective_usd", money(o.objectiveUsd()));
        m.put("solve_ms", o.solveMillis());

        Map<String, Object> totals = new LinkedHashMap<>();
        Map<String, Object> planned = new LinkedHashMap<>();
        planned.put("capex_usd", money(capex(o.quarters())));
        planned.put("revenue_usd", money(sum(o.quarters(), Money.REVENUE)));
        planned.put("cost_usd", money(sum(o.quarters(), Money.COST)));
        planned.put("margin_usd", money(sum(o.quarters(), Money.MARGIN)));
        totals.put("planned", planned);
        if (!o.verified().isEmpty()) {
            Map<String, Object> sim = new LinkedHashMap<>();
            sim.put("revenue_usd", money(sum(o.verified(), Money.REVENUE)));
            sim.put("cost_usd", money(sum(o.verified(), Money.COST)));
            sim.put("margin_usd", money(sum(o.verified(), Money.MARGIN)));
            totals.put("simulated", sim);
        }
        m.put("totals", totals);

        List<Object> quarters = new ArrayList<>();
        int n = Math.max(o.quarters().size(), o.verified().size());
        for (int t = 0; t < n; t++) {
            Planner.Quarter p = t < o.quarters().size() ? o.quarters().get(t) : null;
            Planner.Quarter v = t < o.verified().size() ? o.verified().get(t) : null;
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("label", p != null ? p.label() : v.label());
            if (p != null) {
                q.put("planned", quarterJson(p));
            }
            if (v != null) {
                q.put("simulated", quarterJson(v));
            }
            quarters.add(q);
        }
        m.put("quarters", quarters);
        return m;
    }

    private static Map<String, Object> quarterJson(Planner.Quarter q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", q.label());
        m.put("capex_usd", money(q.capexUsd()));
        figuresJson(m, q.total());
        m.put("wait_p95_s", seconds(q.waitP95Ms()));
        m.put("slo_attainment", ratio(q.sloAttainment()));
        Map<String, Object> regions = new LinkedHashMap<>();
        if (q.byRegion() != null) {
            for (Map.Entry<String, Planner.Figures> e : q.byRegion().entrySet()) {
                Map<String, Object> f = new LinkedHashMap<>();
                figuresJson(f, e.getValue());
                regions.put(e.getKey(), f);
            }
        }
        m.put("by_region", regions);
        return m;
    }

    private static void figuresJson(Map<String, Object> m, Planner.Figures f) {
        if (f == null) {
            f = new Planner.Figures(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        m.put("installed_gpus", gpus(f.installedGpus()));
        m.put("busy_gpus", gpus(f.busyGpus()));
        m.put("utilisation", ratio(f.utilisation()));
        m.put("revenue_usd", money(f.revenueUsd()));
        m.put("cost_usd", money(f.costUsd()));
        m.put("margin_usd", money(f.marginUsd()));
    }

    // ------------------------------------------------------------------------------- rounding

    /** {@code v} rounded half-even to {@code decimals}, or null when it is NaN or infinite. */
    private static Double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return null;
        }
        double x = BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_EVEN).doubleValue();
        return x == 0 ? 0.0 : x; // no negative zero
    }

    private static Double money(double v) {
        return round(v, 2);
    }

    private static Double ratio(double v) {
        return round(v, 6);
    }

    private static Double gpus(double v) {
        return round(v, 3);
    }

    private static Double seconds(double ms) {
        return round(ms / 1000.0, 3);
    }

    private static List<Object> list(double[] xs, int decimals, double divisor) {
        List<Object> out = new ArrayList<>();
        if (xs != null) {
            for (double x : xs) {
                out.add(round(x / divisor, decimals));
            }
        }
        return out;
    }

    private static Map<String, Object> ratios(Map<String, Double> xs) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (xs != null) {
            for (Map.Entry<String, Double> e : xs.entrySet()) {
                out.put(e.getKey(), e.getValue() == null ? null : ratio(e.getValue()));
            }
        }
        return out;
    }

    // =========================================================================================== JSON text

    /**
     * The tree as pretty-printed JSON: 2-space indentation, one member per line, arrays of plain values on one
     * line. Keys keep the map's iteration order; doubles are written in plain decimal notation (no exponent),
     * NaN and infinite values as {@code null}. No trailing newline.
     *
     * @throws IllegalArgumentException for a value that is not a map, collection, array, string, number, boolean,
     *                                  enum, date or null
     */
    public static String toJson(Map<String, Object> tree) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        value(sb, tree, 0);
        return sb.toString();
    }

    private static void value(StringBuilder sb, Object v, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> m) {
            object(sb, m, depth);
        } else if (v instanceof Collection<?> c) {
            array(sb, new ArrayList<>(c), depth);
        } else if (v instanceof double[] a) {
            List<Object> xs = new ArrayList<>();
            for (double x : a) {
                xs.add(x);
            }
            array(sb, xs, depth);
        } else if (v instanceof int[] a) {
            List<Object> xs = new ArrayList<>();
            for (int x : a) {
                xs.add(x);
            }
            array(sb, xs, depth);
        } else if (v instanceof long[] a) {
            List<Object> xs = new ArrayList<>();
            for (long x : a) {
                xs.add(x);
            }
            array(sb, xs, depth);
        } else if (v instanceof Object[] a) {
            array(sb, List.of(a), depth);
        } else {
            scalar(sb, v);
        }
    }

    private static void scalar(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                sb.append("null");
            } else if (d == 0) {
                sb.append('0');
            } else {
                sb.append(new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString());
            }
        } else if (v instanceof BigDecimal b) {
            sb.append(b.toPlainString());
        } else if (v instanceof Number n) { // Integer, Long, Short, Byte, BigInteger
            sb.append(n);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue() ? "true" : "false");
        } else if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof java.time.temporal.TemporalAccessor
                || v instanceof Character) {
            string(sb, v.toString());
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON; expected a map, list, string,"
                    + " number, boolean or null");
        }
    }

    private static boolean isContainer(Object v) {
        return v instanceof Map<?, ?> || v instanceof Collection<?> || v instanceof double[] || v instanceof int[]
                || v instanceof long[] || v instanceof Object[];
    }

    private static void object(StringBuilder sb, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            indent(sb, depth + 1);
            string(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            value(sb, e.getValue(), depth + 1);
            sb.append(++i < m.size() ? ",\n" : "\n");
        }
        indent(sb, depth);
        sb.append('}');
    }

    private static void array(StringBuilder sb, List<?> xs, int depth) {
        if (xs.isEmpty()) {
            sb.append("[]");
            return;
        }
        // plain values on one line, unless some are strings longer than a label (notes, explanations)
        boolean flat = xs.stream().noneMatch(PlanReport::isContainer)
                && xs.stream().noneMatch(x -> x instanceof CharSequence cs && cs.length() > 24);
        if (flat) {
            sb.append('[');
            for (int i = 0; i < xs.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                scalar(sb, xs.get(i));
            }
            sb.append(']');
            return;
        }
        sb.append("[\n");
        for (int i = 0; i < xs.size(); i++) {
            indent(sb, depth + 1);
            value(sb, xs.get(i), depth + 1);
            sb.append(i + 1 < xs.size() ? ",\n" : "\n");
        }
        indent(sb, depth);
        sb.append(']');
    }

    private static void indent(StringBuilder sb, int depth) {
        for (int i = 0; i < depth; i++) {
            sb.append("  ");
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // =========================================================================================== HTML

    /** Colour-blind-friendly line colours (Okabe & Ito, as in the simulation report), by plan or series index. */
    private static final String[] PALETTE = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
            "#882255", "#999933", "#332288"};
    private static final String REFERENCE = "#555555";
    private static final String DASHED = "7 5";
    private static final String DOTTED = "2 4";
    private static final String NONE = "\u2013";

    /** The report page: summary, charts, each plan's schedule, regions, forecast, candidates and calibration. */
    public static String html(Planner.Result r) {
        Objects.requireNonNull(r, "result");
        PlanSpec spec = r.spec();
        StringBuilder sb = new StringBuilder(256 * 1024);
        head(sb, "Capacity plan: " + spec.name());
        sb.append("<h1>").append(esc("Capacity plan: " + spec.name())).append("</h1>\n");
        if (spec.description() != null && !spec.description().isBlank()) {
            sb.append("<p class=\"description\">").append(esc(spec.description().strip())).append("</p>\n");
        }
        overview(sb, spec);
        summary(sb, r);
        charts(sb, r);
        for (int i = 0; i < r.plans().size(); i++) {
            plan(sb, r, i);
        }
        regions(sb, r);
        demand(sb, r);
        candidates(sb, r);
        calibration(sb, r);
        sb.append("<p class=\"footer\">").append(esc("Capacity planner report for " + spec.name() + "; seed " + spec.seed()
                + ". Planned figures are the optimiser's; simulated figures come from running the engine on each quarter's fleet."))
                .append("</p>\n");
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static void head(StringBuilder sb, String title) {
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;margin:24px auto;max-width:1100px;")
                .append("padding:0 16px;line-height:1.4}\n")
                .append("h1{font-size:24px;margin:0 0 8px}\n")
                .append("h2{font-size:19px;margin:0 0 8px}\n")
                .append("h3{font-size:16px;margin:16px 0 6px}\n")
                .append("p.description{margin:0 0 12px;color:#444}\n")
                .append("p.info,p.footer{color:#555;font-size:14px}\n")
                .append("section{margin:0 0 36px}\n")
                .append("section.chart svg{display:block;max-width:100%;height:auto;border:1px solid #ddd}\n")
                .append("div.scroll{overflow-x:auto}\n")
                .append("table.data{border-collapse:collapse;margin:8px 0 20px;font-size:14px}\n")
                .append("table.data caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}\n")
                .append("table.data th,table.data td{border:1px solid #ccc;padding:3px 10px}\n")
                .append("table.data th{background:#f2f2f2;font-weight:normal}\n")
                .append("table.data td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n")
                .append("table.data td.label{text-align:left}\n")
                .append("table.data td.wrap{white-space:normal}\n")
                .append("td.bad{color:#b00020;font-weight:bold}\n")
                .append("td.ok{color:#1b6e3a}\n")
                .append("span.badge{display:inline-block;padding:0 8px;border-radius:8px;font-size:13px;margin-left:8px}\n")
                .append("span.feasible{background:#dff3e6;color:#1b6e3a}\n")
                .append("span.infeasible{background:#fbe3e6;color:#b00020}\n")
                .append("ul.explain li.sub{margin-left:24px;list-style:circle}\n")
                .append("</style>\n</head>\n<body>\n");
    }

    private static void overview(StringBuilder sb, PlanSpec spec) {
        PlanSpec.Constraints c = spec.constraints();
        StringBuilder t = new StringBuilder();
        t.append("Horizon: ").append(spec.quarters()).append(spec.quarters() == 1 ? " quarter" : " quarters").append(", ")
                .append(spec.quarterLabel(0));
        if (spec.quarters() > 1) {
            t.append(" to ").append(spec.quarterLabel(spec.quarters() - 1));
        }
        t.append(". Service level: p95 wait at most ").append(duration(c.waitP95Ms())).append(" and SLO attainment at least ")
                .append(pct(c.sloAttainment())).append(". ");
        if (c.budgetPerYear().isEmpty()) {
            t.append("No capex budget.");
        } else {
            t.append("Capex budget per plan year: ");
            for (int y = 0; y < c.budgetPerYear().size(); y++) {
                t.append(y == 0 ? "" : ", ").append("year ").append(y + 1).append(' ').append(usd(c.budgetPerYear().get(y)));
            }
            t.append(c.budgetPerYear().size() > 1 || spec.quarters() > 4 ? " (the last value repeats)." : ".");
        }
        t.append(" Verification by simulation: ").append(spec.verification().enabled() ? "on" : "off").append('.');
        sb.append("<p class=\"info\">").append(esc(t.toString())).append("</p>\n");
    }

    // ------------------------------------------------------------------------------- summary

    private static void summary(StringBuilder sb, Planner.Result r) {
        PlanSpec spec = r.spec();
        long waitTarget = spec.constraints().waitP95Ms();
        double sloTarget = spec.constraints().sloAttainment();
        List<List<Cell>> rows = new ArrayList<>();
        for (int i = 0; i < r.plans().size(); i++) {
            Planner.Outcome o = r.plans().get(i);
            List<Cell> row = new ArrayList<>();
            row.add(new Cell(o.name(), "wrap"));
            row.add(o.feasible() ? new Cell("yes", "ok") : new Cell("no", "bad"));
            if (!o.feasible()) {
                for (int k = 0; k < 6; k++) {
                    row.add(cell(NONE));
                }
                rows.add(row);
                continue;
            }
            long added = 0;
            int[] open = openQuarters(o);
            for (int c = 0; c < Math.min(open.length, spec.candidates().size()); c++) {
                if (open[c] >= 0) {
                    added += spec.candidates().get(c).gpus();
                }
            }
            row.add(cell(String.format(Locale.ROOT, "%,d", added)));
            row.add(cell(usd(capex(o.quarters()))));
            row.add(cell(usd(o.marginUsd())));
            if (o.verified().isEmpty()) {
                row.add(cell("not simulated"));
                row.add(cell("not simulated"));
                row.add(cell("not simulated"));
            } else {
                row.add(cell(usd(o.verifiedMarginUsd())));
                double w = worstWait(o.verified());
                row.add(Double.isNaN(w) ? cell(NONE) : new Cell(duration(w) + (w > waitTarget ? " (over)" : ""),
                        w > waitTarget ? "bad" : "ok"));
                double s = worstSlo(o.verified());
                row.add(Double.isNaN(s) ? cell(NONE) : new Cell(pct(s) + (s < sloTarget ? " (under)" : ""),
                        s < sloTarget ? "bad" : "ok"));
            }
            rows.add(row);
        }
        sb.append("<section id=\"summary\">\n<h2>Plans compared</h2>\n");
        sb.append("<p class=\"info\">").append(esc("The optimal plan first, then the alternatives. Money is over the whole horizon;"
                + " \"worst\" is the worst quarter of the simulation. Targets: p95 wait at most " + duration(waitTarget)
                + ", SLO attainment at least " + pct(sloTarget) + ".")).append("</p>\n");
        table(sb, "summary-table", null, List.of("Plan", "Feasible", "GPUs added", "Capex", "Planned margin", "Simulated margin",
                "Worst p95 wait (target " + duration(waitTarget) + ")", "Worst SLO attainment (target " + pct(sloTarget) + ")"), rows, 1);
        sb.append("</section>\n");
    }

    // ------------------------------------------------------------------------------- charts

    private static void charts(StringBuilder sb, Planner.Result r) {
        PlanSpec spec = r.spec();
        int n = spec.quarters();
        List<String> xs = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            xs.add(spec.quarterLabel(t));
        }
        List<Planner.Outcome> plans = r.plans();

        // (a) installed vs busy, optimal plan
        Planner.Outcome opt = plans.isEmpty() ? null : r.optimal();
        if (opt == null || opt.quarters().isEmpty()) {
            emptyChart(sb, "chart-capacity", "Installed GPUs and demand: " + (opt == null ? "no plan" : opt.name()),
                    "The optimal plan is infeasible: there is nothing to chart (see its explanation below).");
        } else {
            List<Line> lines = new ArrayList<>();
            lines.add(new Line("Installed GPUs (planned)", series(opt.quarters(), n, q -> q.total().installedGpus()), 0, null));
            lines.add(new Line("Busy GPUs (planned)", series(opt.quarters(), n, q -> q.total().busyGpus()), 1, null));
            if (!opt.verified().isEmpty()) {
                lines.add(new Line("Busy GPUs (simulated)", series(opt.verified(), n, q -> q.total().busyGpus()), 1, DASHED));
            }
            double[][] d = demandTable(r);
            double[] total = new double[n];
            for (double[] line : d) {
                for (int t = 0; t < n && t < line.length; t++) {
                    total[t] += line[t];
                }
            }
            lines.add(new Line("Demand forecast (busy GPUs)", total, 2, DOTTED));
            chart(sb, "chart-capacity", "Installed GPUs and demand: " + opt.name(),
                    "Mean GPUs per quarter; solid: planned, dashed: simulated, dotted: the demand forecast.", "GPUs", xs, lines, 1, false);
        }

        // (b) margin
        List<Line> margin = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Planner.Outcome o = plans.get(i);
            if (!o.quarters().isEmpty()) {
                margin.add(new Line(o.name() + " (planned)", series(o.quarters(), n, q -> q.total().marginUsd()), i, null));
            }
            if (!o.verified().isEmpty()) {
                margin.add(new Line(o.name() + " (simulated)", series(o.verified(), n, q -> q.total().marginUsd()), i, DASHED));
            }
        }
        double unit = moneyUnit(margin);
        chart(sb, "chart-margin", "Margin per quarter", "Revenue minus cost (depreciation, facility, energy) of each quarter;"
                + " one colour per plan, solid: planned, dashed: simulated.", unitLabel(unit), xs, margin, unit, false);

        // (c) p95 wait
        long target = spec.constraints().waitP95Ms();
        List<Line> wait = new ArrayList<>();
        boolean simulated = plans.stream().anyMatch(o -> !o.verified().isEmpty());
        for (int i = 0; i < plans.size(); i++) {
            Planner.Outcome o = plans.get(i);
            if (simulated && !o.verified().isEmpty()) {
                wait.add(new Line(o.name() + " (simulated)", series(o.verified(), n, Planner.Quarter::waitP95Ms), i, null));
            } else if (!simulated && !o.quarters().isEmpty()) {
                wait.add(new Line(o.name() + " (predicted)", series(o.quarters(), n, Planner.Quarter::waitP95Ms), i, null));
            }
        }
        double maxWait = target;
        for (Line l : wait) {
            for (double v : l.y()) {
                if (Double.isFinite(v)) {
                    maxWait = Math.max(maxWait, v);
                }
            }
        }
        double waitUnit = maxWait >= 2 * 3_600_000.0 ? 3_600_000.0 : maxWait >= 120_000.0 ? 60_000.0 : 1000.0;
        String waitLabel = waitUnit == 3_600_000.0 ? "hours" : waitUnit == 60_000.0 ? "minutes" : "seconds";
        if (!wait.isEmpty()) {
            double[] ref = new double[n];
            java.util.Arrays.fill(ref, target);
            wait.add(new Line("Target: " + duration(target), ref, -1, DASHED));
        }
        chart(sb, "chart-wait", "p95 wait per quarter", (simulated ? "Measured by simulating each quarter's fleet"
                : "Not simulated (verification is off): the calibration's prediction at each plan's load")
                + "; one colour per plan; dashed: the target.", "p95 wait (" + waitLabel + ")", xs, wait, waitUnit, false);

        // (d) utilisation
        List<Line> util = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Planner.Outcome o = plans.get(i);
            if (!o.quarters().isEmpty()) {
                util.add(new Line(o.name() + " (planned)", series(o.quarters(), n, q -> q.total().utilisation()), i, null));
            }
            if (!o.verified().isEmpty()) {
                util.add(new Line(o.name() + " (simulated)", series(o.verified(), n, q -> q.total().utilisation()), i, DASHED));
            }
        }
        chart(sb, "chart-utilisation", "GPU utilisation per quarter", "Busy / installed GPUs; one colour per plan, solid: planned,"
                + " dashed: simulated.", "%", xs, util, 0.01, true);
    }

    private static double moneyUnit(List<Line> lines) {
        double max = 0;
        for (Line l : lines) {
            for (double v : l.y()) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        return max >= 1e6 ? 1e6 : max >= 1e3 ? 1e3 : 1;
    }

    private static String unitLabel(double unit) {
        return unit == 1e6 ? "USD (millions)" : unit == 1e3 ? "USD (thousands)" : "USD";
    }

    private interface Metric {
        double of(Planner.Quarter q);
    }

    private static double[] series(List<Planner.Quarter> qs, int n, Metric m) {
        double[] y = new double[n];
        java.util.Arrays.fill(y, Double.NaN);
        for (int t = 0; t < Math.min(n, qs.size()); t++) {
            y[t] = m.of(qs.get(t));
        }
        return y;
    }

    /**
     * One line of a chart.
     *
     * @param color palette index, or -1 for the reference grey
     * @param dash  SVG dash pattern, or null for a solid line
     */
    private record Line(String label, double[] y, int color, String dash) {
        String colour() {
            return color < 0 ? REFERENCE : PALETTE[color % PALETTE.length];
        }
    }

    private static void emptyChart(StringBuilder sb, String id, String title, String message) {
        sb.append("<section class=\"chart\" id=\"").append(id).append("\">\n<h2>").append(esc(title)).append("</h2>\n")
                .append("<p class=\"info\">").append(esc(message)).append("</p>\n</section>\n");
    }

    private static void chart(StringBuilder sb, String id, String title, String subtitle, String yLabel, List<String> xs,
                              List<Line> lines, double unit, boolean percent) {
        String svg = svg(title, yLabel, xs, lines, unit, percent);
        if (svg == null) {
            emptyChart(sb, id, title, lines.isEmpty() ? "No feasible plan to chart." : "No data in any quarter.");
            return;
        }
        sb.append("<section class=\"chart\" id=\"").append(id).append("\">\n<h2>").append(esc(title)).append("</h2>\n")
                .append("<p class=\"info\">").append(esc(subtitle)).append("</p>\n").append(svg).append("</section>\n");
    }

    /** A line chart over the quarters (one category per quarter) as inline SVG, or null when there is nothing to draw. */
    private static String svg(String title, String yLabel, List<String> xs, List<Line> lines, double unit, boolean percent) {
        int n = xs.size();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Line l : lines) {
            for (double v : l.y()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v / unit);
                    hi = Math.max(hi, v / unit);
                }
            }
        }
        if (n == 0 || lo > hi) {
            return null;
        }
        lo = Math.min(0, lo);
        hi = Math.max(0, hi);
        if (percent) {
            hi = Math.max(hi, 100);
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        double step = niceStep((hi - lo) / 5);
        lo = Math.floor(lo / step + 1e-9) * step;
        hi = Math.ceil(hi / step - 1e-9) * step;
        int decimals = decimals(step);

        final int width = 960;
        final int left = 84;
        final int right = 20;
        final int top = 16;
        final int plotH = 300;
        final double plotW = width - left - right;
        int rows = (lines.size() + 1) / 2;
        int legendTop = top + plotH + 58;
        int height = legendTop + rows * 20 + 6;
        double bandW = plotW / n;
        double yLo = lo;
        double ySpan = hi - lo;

        StringBuilder s = new StringBuilder(16 * 1024);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" font-family=\"'DejaVu Sans',Verdana,Arial,sans-serif\" font-size=\"12\">\n")
                .append("<title>").append(esc(title)).append("</title>\n")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" fill=\"#ffffff\"/>\n");
        // horizontal grid and y ticks
        int ticks = (int) Math.round((hi - lo) / step);
        for (int k = 0; k <= ticks; k++) {
            double v = lo + k * step;
            double y = top + plotH - (v - yLo) / ySpan * plotH;
            s.append("<line x1=\"").append(f1(left)).append("\" y1=\"").append(f1(y)).append("\" x2=\"").append(f1(left + plotW))
                    .append("\" y2=\"").append(f1(y)).append("\" stroke=\"").append(Math.abs(v) < step * 1e-6 && lo < 0 ? "#999999" : "#e2e2e2")
                    .append("\"/>\n");
            s.append("<text x=\"").append(f1(left - 8)).append("\" y=\"").append(f1(y + 4)).append("\" text-anchor=\"end\" fill=\"#444444\">")
                    .append(esc(String.format(Locale.ROOT, "%,." + decimals + "f", v))).append("</text>\n");
        }
        // x ticks and labels
        int every = Math.max(1, (int) Math.ceil(n / 12.0));
        for (int i = 0; i < n; i++) {
            double x = left + (i + 0.5) * bandW;
            s.append("<line x1=\"").append(f1(x)).append("\" y1=\"").append(top + plotH).append("\" x2=\"").append(f1(x))
                    .append("\" y2=\"").append(top + plotH + 5).append("\" stroke=\"#666666\"/>\n");
            if (i % every == 0) {
                s.append("<text x=\"").append(f1(x)).append("\" y=\"").append(top + plotH + 20)
                        .append("\" text-anchor=\"middle\" fill=\"#444444\">").append(esc(xs.get(i))).append("</text>\n");
            }
        }
        s.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(f1(plotW))
                .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#666666\"/>\n");
        s.append("<text x=\"").append(f1(left + plotW / 2)).append("\" y=\"").append(top + plotH + 40)
                .append("\" text-anchor=\"middle\" fill=\"#222222\">Quarter</text>\n");
        s.append("<text transform=\"translate(18 ").append(f1(top + plotH / 2.0)).append(") rotate(-90)\" text-anchor=\"middle\"")
                .append(" fill=\"#222222\">").append(esc(yLabel)).append("</text>\n");
        // lines: dashed and dotted ones beneath the solid ones
        List<Line> order = new ArrayList<>();
        lines.stream().filter(l -> l.dash() != null).forEach(order::add);
        lines.stream().filter(l -> l.dash() == null).forEach(order::add);
        for (Line l : order) {
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            double[] ys = l.y();
            for (int i = 0; i < n && i < ys.length; i++) {
                if (!Double.isFinite(ys[i])) {
                    pen = false;
                    continue;
                }
                double x = left + (i + 0.5) * bandW;
                double y = top + plotH - (ys[i] / unit - yLo) / ySpan * plotH;
                d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(f1(x)).append(' ').append(f1(y));
                pen = true;
            }
            if (d.length() == 0) {
                continue;
            }
            s.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(l.colour()).append("\" stroke-width=\"2\"");
            if (l.dash() != null) {
                s.append(" stroke-dasharray=\"").append(l.dash()).append('"');
            }
            s.append("/>\n");
            if (l.color() >= 0) { // points with a tooltip; the reference line has none
                for (int i = 0; i < n && i < ys.length; i++) {
                    if (Double.isFinite(ys[i])) {
                        double x = left + (i + 0.5) * bandW;
                        double y = top + plotH - (ys[i] / unit - yLo) / ySpan * plotH;
                        s.append("<circle cx=\"").append(f1(x)).append("\" cy=\"").append(f1(y)).append("\" r=\"3\" fill=\"")
                                .append(l.dash() == null ? l.colour() : "#ffffff").append("\" stroke=\"").append(l.colour())
                                .append("\"><title>").append(esc(l.label() + ", " + xs.get(i) + ": "
                                        + String.format(Locale.ROOT, "%,.2f", ys[i] / unit) + " " + yLabel)).append("</title></circle>\n");
                    }
                }
            }
        }
        // legend, two columns below the plot
        double colW = plotW / 2;
        for (int j = 0; j < lines.size(); j++) {
            Line l = lines.get(j);
            double x0 = left + (j % 2) * colW;
            double y0 = legendTop + (j / 2) * 20;
            s.append("<line x1=\"").append(f1(x0)).append("\" y1=\"").append(f1(y0)).append("\" x2=\"").append(f1(x0 + 30))
                    .append("\" y2=\"").append(f1(y0)).append("\" stroke=\"").append(l.colour()).append("\" stroke-width=\"2\"");
            if (l.dash() != null) {
                s.append(" stroke-dasharray=\"").append(l.dash()).append('"');
            }
            s.append("/>\n<text x=\"").append(f1(x0 + 38)).append("\" y=\"").append(f1(y0 + 4)).append("\" fill=\"#222222\">")
                    .append(esc(shorten(l.label(), 60))).append("</text>\n");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    private static int decimals(double step) {
        int d = 0;
        while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.rint(step * Math.pow(10, d))) > 1e-6) {
            d++;
        }
        return d;
    }

    private static String f1(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    // ------------------------------------------------------------------------------- plans

    private static void plan(StringBuilder sb, Planner.Result r, int i) {
        PlanSpec spec = r.spec();
        Planner.Outcome o = r.plans().get(i);
        sb.append("<section class=\"plan\" id=\"plan-").append(i + 1).append("\">\n<h2>")
                .append(esc((i == 0 ? "Optimal plan" : "Alternative") + ": " + o.name()))
                .append(o.feasible() ? "<span class=\"badge feasible\">feasible</span>" : "<span class=\"badge infeasible\">infeasible</span>")
                .append("</h2>\n");
        if (!o.feasible()) {
            sb.append("<p class=\"info\">No plan meets every constraint. Why:</p>\n<ul class=\"explain\">\n");
            for (String line : o.explanation()) {
                boolean sub = line.startsWith(" ");
                sb.append(sub ? "<li class=\"sub\">" : "<li>").append(esc(line.strip())).append("</li>\n");
            }
            if (o.explanation().isEmpty()) {
                sb.append("<li>").append(esc("the planner gave no explanation")).append("</li>\n");
            }
            sb.append("</ul>\n</section>\n");
            return;
        }
        sb.append("<p class=\"info\">").append(esc("Planned margin over the horizon " + usd(o.marginUsd())
                + (o.verified().isEmpty() ? "" : ", simulated " + usd(o.verifiedMarginUsd())) + "; the optimiser's objective "
                + usd(o.objectiveUsd()) + ".")).append("</p>\n");

        int[] open = openQuarters(o);
        int nc = Math.min(open.length, spec.candidates().size());
        List<List<Cell>> rows = new ArrayList<>();
        for (int t = 0; t < o.quarters().size(); t++) {
            List<String> opens = new ArrayList<>();
            List<String> starts = new ArrayList<>();
            for (int c = 0; c < nc; c++) {
                PlanSpec.Candidate cd = spec.candidates().get(c);
                if (open[c] == t) {
                    opens.add(cd.name() + " (" + String.format(Locale.ROOT, "%,d", cd.gpus()) + " " + cd.gpuModel() + " at " + cd.site() + ")");
                }
                if (open[c] >= 0 && Math.max(0, open[c] - cd.leadQuarters()) == t) {
                    starts.add(cd.name());
                }
            }
            Planner.Quarter q = o.quarters().get(t);
            rows.add(List.of(cell(q.label()), new Cell(opens.isEmpty() ? NONE : String.join(", ", opens), "wrap"),
                    new Cell(starts.isEmpty() ? NONE : String.join(", ", starts), "wrap"), cell(q.capexUsd() == 0 ? NONE : usd(q.capexUsd())),
                    cell(gpusText(q.total().installedGpus())), cell(gpusText(q.total().busyGpus())), cell(pct(q.total().utilisation()))));
        }
        sb.append("<div class=\"scroll\">\n");
        table(sb, "schedule-" + (i + 1), "Expansion schedule (planned)", List.of("Quarter", "Opens", "Builds started (capex paid)",
                "Capex spent", "Installed GPUs", "Busy GPUs", "Utilisation"), rows, 3);
        sb.append("</div>\n");
        List<String> notBuilt = new ArrayList<>();
        for (int c = 0; c < spec.candidates().size(); c++) {
            if (c >= open.length || open[c] < 0) {
                notBuilt.add(spec.candidates().get(c).name());
            }
        }
        if (!notBuilt.isEmpty()) {
            sb.append("<p class=\"info\">").append(esc("Not built within the horizon: " + String.join(", ", notBuilt) + "."))
                    .append("</p>\n");
        }
        sb.append("<h3>Binding constraints</h3>\n");
        if (o.binding().isEmpty()) {
            sb.append("<p class=\"info\">None reported.</p>\n");
        } else {
            sb.append("<ul>\n");
            for (String b : o.binding()) {
                sb.append("<li>").append(esc(b)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        sb.append("</section>\n");
    }

    // ------------------------------------------------------------------------------- regions

    private static void regions(StringBuilder sb, Planner.Result r) {
        if (r.plans().isEmpty() || r.optimal().quarters().isEmpty()) {
            return;
        }
        Planner.Outcome o = r.optimal();
        Set<String> ids = new LinkedHashSet<>();
        for (List<Planner.Quarter> qs : List.of(o.quarters(), o.verified())) {
            for (Planner.Quarter q : qs) {
                if (q.byRegion() != null) {
                    ids.addAll(q.byRegion().keySet());
                }
            }
        }
        boolean sim = !o.verified().isEmpty();
        sb.append("<section id=\"regions\">\n<h2>").append(esc("Per region: " + o.name())).append("</h2>\n")
                .append("<p class=\"info\">").append(esc("Installed and busy GPUs are means over the quarter; margin is the region's"
                        + " sites' revenue minus cost." + (sim ? " Simulated columns come from running the engine on the quarter's fleet." : "")))
                .append("</p>\n");
        List<String> header = new ArrayList<>(List.of("Quarter", "Installed GPUs", "Busy GPUs", "Utilisation", "Margin"));
        if (sim) {
            header.addAll(List.of("Busy GPUs (simulated)", "Utilisation (simulated)", "Margin (simulated)"));
        }
        for (String id : ids) {
            List<List<Cell>> rows = new ArrayList<>();
            for (int t = 0; t < o.quarters().size(); t++) {
                Planner.Quarter q = o.quarters().get(t);
                Planner.Figures f = q.byRegion() == null ? null : q.byRegion().get(id);
                List<Cell> row = new ArrayList<>(List.of(cell(q.label()), cell(f == null ? NONE : gpusText(f.installedGpus())),
                        cell(f == null ? NONE : gpusText(f.busyGpus())), cell(f == null ? NONE : pct(f.utilisation())),
                        cell(f == null ? NONE : usd(f.marginUsd()))));
                if (sim) {
                    Planner.Quarter v = t < o.verified().size() ? o.verified().get(t) : null;
                    Planner.Figures g = v == null || v.byRegion() == null ? null : v.byRegion().get(id);
                    row.add(cell(g == null ? NONE : gpusText(g.busyGpus())));
                    row.add(cell(g == null ? NONE : pct(g.utilisation())));
                    row.add(cell(g == null ? NONE : usd(g.marginUsd())));
                }
                rows.add(row);
            }
            sb.append("<div class=\"scroll\">\n");
            table(sb, "region-" + slug(id), regionName(r.spec(), id), header, rows, 1);
            sb.append("</div>\n");
        }
        sb.append("</section>\n");
    }

    private static String regionName(PlanSpec spec, String id) {
        for (Region g : spec.fleet().regions()) {
            if (g.id().equals(id) && g.name() != null && !g.name().isBlank() && !g.name().equals(id)) {
                return id + " (" + g.name() + ")";
            }
        }
        return id;
    }

    /** An id attribute made of [a-z0-9-] only. */
    private static String slug(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------- inputs

    private static void demand(StringBuilder sb, Planner.Result r) {
        PlanSpec spec = r.spec();
        double[][] d = demandTable(r);
        List<String> header = new ArrayList<>();
        header.add("Quarter");
        for (PlanSpec.DemandLine l : spec.demand()) {
            header.add(l.region() + " / " + l.jobClass());
        }
        header.add("Total");
        List<List<Cell>> rows = new ArrayList<>();
        for (int t = 0; t < spec.quarters(); t++) {
            List<Cell> row = new ArrayList<>();
            row.add(cell(spec.quarterLabel(t)));
            double total = 0;
            for (int i = 0; i < spec.demand().size(); i++) {
                double v = i < d.length && t < d[i].length ? d[i][t] : Double.NaN;
                total += v;
                row.add(cell(gpusText(v)));
            }
            row.add(cell(gpusText(total)));
            rows.add(row);
        }
        Set<String> sources = new LinkedHashSet<>();
        for (PlanSpec.DemandLine l : spec.demand()) {
            sources.add(l.region() + " / " + l.jobClass() + ": " + l.source());
        }
        sb.append("<section id=\"demand\">\n<h2>Demand forecast</h2>\n<p class=\"info\">")
                .append(esc("Mean busy GPUs per quarter, by origin region and job class. Sources: " + String.join("; ", sources) + "."))
                .append("</p>\n<div class=\"scroll\">\n");
        table(sb, "demand-table", null, header, rows, 1);
        sb.append("</div>\n</section>\n");
    }

    private static void candidates(StringBuilder sb, Planner.Result r) {
        PlanSpec spec = r.spec();
        int[] open = r.plans().isEmpty() ? new int[0] : openQuarters(r.optimal());
        List<List<Cell>> rows = new ArrayList<>();
        for (int c = 0; c < spec.candidates().size(); c++) {
            PlanSpec.Candidate cd = spec.candidates().get(c);
            Site s = site(spec, cd.site());
            rows.add(List.of(cell(cd.name()), cell(cd.site()), cell(cd.region()), cell(cd.gpuModel()),
                    cell(String.format(Locale.ROOT, "%,d", cd.nodes())), cell(String.format(Locale.ROOT, "%,d", cd.gpus())),
                    cell(s == null ? NONE : usd(cd.capexUsd(s.buildUsdPerWatt()))),
                    cell(s == null ? NONE : String.format(Locale.ROOT, "%.2f", cd.powerMw(s.pue()))),
                    cell(Integer.toString(cd.leadQuarters())), cell(cd.earliest() == null ? NONE : cd.earliest().toString()),
                    cell(c < open.length && open[c] >= 0 ? spec.quarterLabel(open[c]) : NONE)));
        }
        sb.append("<section id=\"candidates\">\n<h2>Candidate investments</h2>\n<div class=\"scroll\">\n");
        table(sb, "candidates-table", null, List.of("Candidate", "Site", "Region", "GPU model", "Nodes", "GPUs", "Capex", "Power (MW)",
                "Lead time (quarters)", "Earliest", "Opens (optimal plan)"), rows, 4);
        sb.append("</div>\n</section>\n");
    }

    private static void calibration(StringBuilder sb, Planner.Result r) {
        Calibration.Result c = r.calibration();
        sb.append("<section id=\"calibration\">\n<h2>Calibration</h2>\n");
        if (c == null) {
            sb.append("<p class=\"info\">No calibration.</p>\n</section>\n");
            return;
        }
        long target = r.spec().constraints().waitP95Ms();
        double sloTarget = r.spec().constraints().sloAttainment();
        sb.append("<p class=\"info\">").append(esc("The fleet as it stands at the plan's start ran the plan's workload mix at each"
                + " offered load below. The highest load meeting the service level (p95 wait at most " + duration(target)
                + ", SLO attainment at least " + pct(sloTarget) + ") is the service load L*; a run at the saturation load measures"
                + " how much of each GPU model the engine can pack.")).append("</p>\n");
        List<List<Cell>> rows = new ArrayList<>();
        int n = c.loads() == null ? 0 : c.loads().length;
        for (int i = 0; i < n; i++) {
            double w = at(c.waitP95Ms(), i);
            double s = at(c.sloAttainment(), i);
            boolean meets = w <= target && s >= sloTarget;
            rows.add(List.of(cell(String.format(Locale.ROOT, "%.2f", c.loads()[i])), cell(duration(w)), cell(pct(s)),
                    cell(pct(at(c.allocation(), i))), meets ? new Cell("yes", "ok") : new Cell("no", "bad")));
        }
        table(sb, "calibration-table", "Service sweep", List.of("Offered load", "p95 wait", "SLO attainment", "GPU allocation",
                "Meets the service level"), rows, 0);
        sb.append("<p class=\"info\">").append(esc(String.format(Locale.ROOT, "Service load L* = %.3f; saturation run at %.2f;"
                + " fleet packing efficiency \u03b7 = %.1f %%; plannable utilisation of a GPU model the fleet does not have yet"
                + " \u03c1 = %.1f %%.", c.serviceLoad(), c.saturation(), 100 * c.efficiency(), 100 * c.rhoDefault()))).append("</p>\n");
        Set<String> models = new LinkedHashSet<>();
        if (c.efficiencyByModel() != null) {
            models.addAll(c.efficiencyByModel().keySet());
        }
        if (c.rhoByModel() != null) {
            models.addAll(c.rhoByModel().keySet());
        }
        List<List<Cell>> mrows = new ArrayList<>();
        for (String m : models) {
            Double e = c.efficiencyByModel() == null ? null : c.efficiencyByModel().get(m);
            Double p = c.rhoByModel() == null ? null : c.rhoByModel().get(m);
            mrows.add(List.of(cell(m), cell(e == null ? NONE : pct(e)), cell(p == null ? NONE : pct(p))));
        }
        if (!mrows.isEmpty()) {
            table(sb, "models-table", "Per GPU model", List.of("GPU model", "Packing efficiency \u03b7", "Plannable utilisation \u03c1"),
                    mrows, 1);
        }
        if (c.notes() != null && !c.notes().isEmpty()) {
            sb.append("<h3>Notes</h3>\n<ul>\n");
            for (String note : c.notes()) {
                sb.append("<li>").append(esc(note)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        sb.append("</section>\n");
    }

    // ------------------------------------------------------------------------------- tables and text

    private record Cell(String text, String cls) {
    }

    private static Cell cell(String text) {
        return new Cell(text, null);
    }

    /** A data table; the first {@code labelColumns} columns are left-aligned text. */
    private static void table(StringBuilder sb, String id, String caption, List<String> header, List<List<Cell>> rows, int labelColumns) {
        sb.append("<table class=\"data\" id=\"").append(esc(id)).append("\">\n");
        if (caption != null) {
            sb.append("<caption>").append(esc(caption)).append("</caption>\n");
        }
        sb.append("<thead><tr>");
        for (String h : header) {
            sb.append("<th scope=\"col\">").append(esc(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<Cell> row : rows) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                Cell c = row.get(i);
                String cls = i < labelColumns ? "label" + (c.cls() == null ? "" : " " + c.cls()) : c.cls();
                sb.append(cls == null ? "<td>" : "<td class=\"" + cls + "\">").append(esc(c.text())).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
    }

    /** Escapes text for HTML content and attribute values; drops control characters HTML does not allow. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if ((c >= 0x20 || c == '\t' || c == '\n' || c == '\r') && c != 0xFFFE && c != 0xFFFF) {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** USD: millions with two decimals from 1 M, else whole dollars with thousands separators; a dash for NaN. */
    private static String usd(double v) {
        if (!Double.isFinite(v)) {
            return NONE;
        }
        double a = Math.abs(v);
        String s = a >= 1e6 ? String.format(Locale.ROOT, "$%,.2f M", a / 1e6) : String.format(Locale.ROOT, "$%,.0f", a);
        return v < 0 && !s.matches("[$0.,M ]+") ? "-" + s : s;
    }

    private static String pct(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f %%", 100 * share) : NONE;
    }

    private static String gpusText(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : NONE;
    }

    private static String duration(double ms) {
        if (!Double.isFinite(ms)) {
            return NONE;
        }
        double s = ms / 1000.0;
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 2 * 3600) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }

    // ------------------------------------------------------------------------------- helpers

    private enum Money { REVENUE, COST, MARGIN }

    private static double sum(List<Planner.Quarter> qs, Money which) {
        double s = 0;
        for (Planner.Quarter q : qs) {
            Planner.Figures f = q.total();
            s += switch (which) {
                case REVENUE -> f.revenueUsd();
                case COST -> f.costUsd();
                case MARGIN -> f.marginUsd();
            };
        }
        return s;
    }

    private static double capex(List<Planner.Quarter> qs) {
        double s = 0;
        for (Planner.Quarter q : qs) {
            s += q.capexUsd();
        }
        return s;
    }

    /** The worst (highest) p95 wait of the quarters, ignoring NaN; NaN when there is none. */
    private static double worstWait(List<Planner.Quarter> qs) {
        double w = Double.NaN;
        for (Planner.Quarter q : qs) {
            if (Double.isFinite(q.waitP95Ms()) && !(q.waitP95Ms() <= w)) {
                w = q.waitP95Ms();
            }
        }
        return w;
    }

    /** The worst (lowest) SLO attainment of the quarters, ignoring NaN; NaN when there is none. */
    private static double worstSlo(List<Planner.Quarter> qs) {
        double s = Double.NaN;
        for (Planner.Quarter q : qs) {
            if (Double.isFinite(q.sloAttainment()) && !(q.sloAttainment() >= s)) {
                s = q.sloAttainment();
            }
        }
        return s;
    }

    private static int[] openQuarters(Planner.Outcome o) {
        return o.openQuarter() == null ? new int[0] : o.openQuarter();
    }

    private static double[][] demandTable(Planner.Result r) {
        return r.demand() != null ? r.demand() : Forecast.table(r.spec());
    }

    private static double at(double[] xs, int i) {
        return xs != null && i < xs.length ? xs[i] : Double.NaN;
    }

    /** The site a candidate goes in: an existing site of the fleet or a new one; null when neither has it. */
    private static Site site(PlanSpec spec, String name) {
        for (Site s : spec.fleet().sites()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        for (Site s : spec.newSites()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}

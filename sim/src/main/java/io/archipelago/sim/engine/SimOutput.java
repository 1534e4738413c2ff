package io.archipelago.sim.engine;

import io.archipelago.sim.econ.LedgerResult;
import io.archipelago.sim.report.SimReport;
import io.archipelago.sim.report.SimReportData;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's files: {@code summary.json}, {@code timeseries.csv} and {@code report.html}.
 * Everything but the two wall-clock entries of the summary is a pure function of the result, so the
 * same scenario and seed give byte-identical files.
 */
public final class SimOutput {
    private SimOutput() {
    }

    public static void write(Path dir, SimResult r, String description) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.json"), json(r.summary(), 0) + "\n", StandardCharsets.UTF_8);
            writeCsv(dir.resolve("timeseries.csv"), r);
            SimReport.writeHtml(dir.resolve("report.html"), reportData(r, description));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
    }

    static void writeCsv(Path file, SimResult r) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(String.join(",", r.columns()));
            out.write('\n');
            int rows = r.series()[0].length;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                sb.setLength(0);
                for (int c = 0; c < r.series().length; c++) {
                    if (c > 0) {
                        sb.append(',');
                    }
                    sb.append(num(r.series()[c][i]));
                }
                sb.append('\n');
                out.write(sb.toString());
            }
        }
    }

    /** Numbers with at most 4 decimals, no exponent, no trailing zeros. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = new java.math.BigDecimal(v).setScale(4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** A small deterministic JSON writer for maps and lists of strings, numbers, booleans, nulls, maps and lists. */
    @SuppressWarnings("unchecked")
    static String json(Object v, int indent) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char ch : s.toCharArray()) {
                switch (ch) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (ch < 0x20) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                }
            }
            return sb.append('"').toString();
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? num(d) : "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                return "{}";
            }
            String pad = "  ".repeat(indent + 1);
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(pad).append(json(String.valueOf(e.getKey()), 0)).append(": ").append(json(e.getValue(), indent + 1));
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            return sb.append("  ".repeat(indent)).append('}').toString();
        }
        if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                return "[]";
            }
            String pad = "  ".repeat(indent + 1);
            StringBuilder sb = new StringBuilder("[\n");
            for (int i = 0; i < l.size(); i++) {
                sb.append(pad).append(json(l.get(i), indent + 1)).append(i + 1 < l.size() ? ",\n" : "\n");
            }
            return sb.append("  ".repeat(indent)).append(']').toString();
        }
        throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
    }

    static SimReportData reportData(SimResult r, String description) {
        LinkedHashMap<String, String> summary = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : r.summary().entrySet()) {
            String k = e.getKey();
            if (k.equals("wall_seconds") || k.equals("events_per_second") || e.getValue() instanceof Map || e.getValue() instanceof List) {
                continue; // wall-clock figures live in summary.json only, so the page is reproducible
            }
            summary.put(k, e.getValue() instanceof Double d ? num(d) : String.valueOf(e.getValue()));
        }
        double[] t = r.column("time_s").clone();
        for (int i = 0; i < t.length; i++) {
            t[i] /= 3600.0;
        }
        LinkedHashMap<String, double[]> tenantGpus = new LinkedHashMap<>();
        LinkedHashMap<String, double[]> guaranteed = new LinkedHashMap<>();
        for (Simulation.Tenant tn : r.tenants()) {
            tenantGpus.put(tn.name(), r.column("gpus_" + tn.name()));
            if (tn.guaranteedMilli() > 0) {
                guaranteed.put(tn.name(), new double[] {tn.guaranteedMilli() / 1000.0});
            }
        }
        LinkedHashMap<String, double[]> waits = new LinkedHashMap<>();
        for (int c = PriorityClass.values().length - 1; c >= 0; c--) {
            long[] ms = r.waitsMs()[c];
            double[] s = new double[ms.length];
            for (int i = 0; i < ms.length; i++) {
                s[i] = ms[i] / 1000.0;
            }
            waits.put(PriorityClass.of(c).label(), s);
        }
        return new SimReportData(r.scenario() + " (" + r.policy() + ")", description == null ? "" : description, summary, t,
                r.column("gpu_alloc_pct"), r.column("frag_pct"), r.column("tasks_queued"), r.column("tasks_running"),
                r.column("gpus_available"), tenantGpus, guaranteed, waits, List.copyOf(r.notes()),
                r.regional() == null ? null : regions(r.regional()));
    }

    /**
     * The report's "Regions and economics" data. Monthly charts show the regions that have sites; the failover table
     * lists the sites whose outages evicted work.
     */
    static SimReportData.Regions regions(SimResult.Regional reg) {
        RegionalStats st = reg.stats();
        LedgerResult led = reg.ledger();
        LedgerResult.Figures fleet = led == null ? null : led.total();
        List<SimReportData.RegionRow> regionRows = new ArrayList<>();
        for (int i = 0; i < st.regions().size(); i++) {
            String id = st.regions().get(i);
            LedgerResult.Figures f = led == null ? null : led.byRegion().get(id);
            regionRows.add(new SimReportData.RegionRow(id, st.jobsByOrigin()[i], st.sloAttainment(i), util(f), revenue(f), cost(f),
                    margin(f)));
        }
        List<SimReportData.SiteRow> siteRows = new ArrayList<>();
        for (int s = 0; s < st.sites().size(); s++) {
            String name = st.sites().get(s);
            LedgerResult.Figures f = led == null ? null : led.bySite().get(name);
            siteRows.add(new SimReportData.SiteRow(name, st.regions().get(st.regionOfSite()[s]), st.startsBySite()[s], util(f),
                    revenue(f), cost(f), margin(f)));
        }
        List<String> months = led == null ? List.of() : led.months();
        double[] bounds = new double[months.isEmpty() ? 0 : months.size() + 1];
        if (led != null) {
            long[] ms = led.monthBoundsMs();
            for (int i = 0; i < bounds.length; i++) {
                bounds[i] = ms[i] / 3_600_000.0;
            }
        }
        LinkedHashMap<String, double[]> rev = new LinkedHashMap<>();
        LinkedHashMap<String, double[]> cost = new LinkedHashMap<>();
        LinkedHashMap<String, double[]> margin = new LinkedHashMap<>();
        LinkedHashMap<String, double[]> util = new LinkedHashMap<>();
        if (led != null) {
            for (String region : led.regions()) {
                if (!led.hasSites(region)) {
                    continue;
                }
                double[] a = new double[months.size()];
                double[] b = new double[months.size()];
                double[] c = new double[months.size()];
                double[] u = new double[months.size()];
                for (int k = 0; k < months.size(); k++) {
                    LedgerResult.Figures f = led.region(months.get(k), region);
                    a[k] = f.revenueUsd();
                    b[k] = f.costUsd();
                    c[k] = f.marginUsd();
                    u[k] = f.utilisation();
                }
                rev.put(region, a);
                cost.put(region, b);
                margin.put(region, c);
                util.put(region, u);
            }
        }
        List<SimReportData.FailoverRow> failover = new ArrayList<>();
        for (int s = 0; s < st.sites().size(); s++) {
            LinkedHashMap<String, Long> to = new LinkedHashMap<>();
            for (int d = 0; d < st.sites().size(); d++) {
                if (st.failoverJobs()[s][d] != 0) {
                    to.put(st.sites().get(d), st.failoverJobs()[s][d]);
                }
            }
            if (!to.isEmpty() || st.failoverWaiting()[s] != 0 || st.failoverRejected()[s] != 0) {
                failover.add(new SimReportData.FailoverRow(st.sites().get(s), to, st.failoverWaiting()[s], st.failoverRejected()[s],
                        st.failoverWaitP95Ms()[s] / 1000.0));
            }
        }
        return new SimReportData.Regions(st.residencyViolations(), st.latencyViolations(), st.unplaceableJobs(),
                st.sloWaitMs() / 1000.0, st.sloAttainment(), util(fleet), revenue(fleet), cost(fleet), margin(fleet), regionRows,
                siteRows, months, bounds, rev, cost, margin, util, failover);
    }

    private static double util(LedgerResult.Figures f) {
        return f == null ? Double.NaN : f.utilisation();
    }

    private static double revenue(LedgerResult.Figures f) {
        return f == null ? Double.NaN : f.revenueUsd();
    }

    private static double cost(LedgerResult.Figures f) {
        return f == null ? Double.NaN : f.costUsd();
    }

    private static double margin(LedgerResult.Figures f) {
        return f == null ? Double.NaN : f.marginUsd();
    }
}

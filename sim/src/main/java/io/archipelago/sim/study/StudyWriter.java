package io.archipelago.sim.study;

import io.archipelago.core.policy.Policies;
import io.archipelago.sim.report.LineChart;
import io.archipelago.sim.report.Series;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a study's results in the artifact's layout ({@code analysis_allo_discrete.csv},
 * {@code analysis_frag_discrete.csv}, {@code analysis_frag_ratio_discrete.csv}), plus
 * {@code summary.csv} (and the same as a Markdown table, {@code summary.md}), and the allocation-vs-arrived charts ({@code allocation.png} and a zoom on
 * saturation, {@code allocation-zoom.png}, per workload; one self-contained {@code allocation.html}). Files are written to a temporary name and moved
 * into place, so a reader never sees half a file.
 */
public final class StudyWriter {
    private StudyWriter() {
    }

    /** Writes everything into {@code dir} (created if needed); returns the files written. */
    public static List<Path> write(Path dir, FgdStudy.Results results, Summary summary, ReferenceCurves ref) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        double tune = results.config().tune();
        out.add(writeCurves(dir.resolve("analysis_allo_discrete.csv"), results, tune, true, RunResult::alloc));
        out.add(writeCurves(dir.resolve("analysis_frag_discrete.csv"), results, tune, false, RunResult::frag));
        out.add(writeCurves(dir.resolve("analysis_frag_ratio_discrete.csv"), results, tune, false, RunResult::fragRatio));
        out.add(atomicWrite(dir.resolve("summary.csv"), summary.csv()));
        out.add(atomicWrite(dir.resolve("summary.md"), summary.markdown()));
        out.addAll(writeCharts(dir, results, ref));
        return out;
    }

    private static Path writeCurves(Path file, FgdStudy.Results results, double tune, boolean totalGpus,
                                    Function<RunResult, double[]> values) throws IOException {
        StringBuilder sb = new StringBuilder("workload,sc_policy,tune,seed");
        if (totalGpus) {
            sb.append(",total_gpus");
        }
        for (int x = 0; x <= StudyRun.MAX_BIN; x++) {
            sb.append(',').append(x);
        }
        sb.append('\n');
        for (RunResult r : results.runs()) {
            sb.append(r.workload()).append(',').append(Policies.studyLabel(r.policy())).append(',').append(tune)
                    .append(',').append(r.seed());
            if (totalGpus) {
                sb.append(',').append(r.totalGpus());
            }
            for (double v : values.apply(r)) {
                sb.append(',');
                if (!Double.isNaN(v)) {
                    sb.append(v);
                }
            }
            sb.append('\n');
        }
        return atomicWrite(file, sb.toString());
    }

    private static List<Path> writeCharts(Path dir, FgdStudy.Results results, ReferenceCurves ref) throws IOException {
        Map<String, Map<String, List<RunResult>>> byWorkload = new LinkedHashMap<>();
        for (RunResult r : results.runs()) {
            byWorkload.computeIfAbsent(r.workload(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        }
        double[] x = new double[StudyRun.MAX_BIN + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        List<LineChart> charts = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        List<Path> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<RunResult>>> w : byWorkload.entrySet()) {
            List<Series> series = new ArrayList<>();
            StringBuilder table = new StringBuilder("<table><tr><th>policy</th><th>seeds</th><th>alloc @100 %</th><th>alloc @130 %</th>"
                    + (ref != null ? "<th>reference @100 %</th><th>reference @130 %</th>" : "") + "</tr>");
            int colour = 0;
            for (Map.Entry<String, List<RunResult>> p : w.getValue().entrySet()) {
                double[] mean = meanCurve(p.getValue());
                String label = Policies.studyLabel(p.getKey());
                series.add(new Series(label, x, mean, false).withColor(colour++));
                table.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.2f</td><td>%.2f</td>", label,
                        p.getValue().size(), mean[100], mean[130]));
                if (ref != null) {
                    table.append(String.format(Locale.ROOT, "<td>%.2f</td><td>%.2f</td>", ref.mean(w.getKey(), label, 100),
                            ref.mean(w.getKey(), label, 130)));
                }
                table.append("</tr>");
            }
            if (ref != null) {
                colour = 0;
                for (String p : w.getValue().keySet()) {
                    String label = Policies.studyLabel(p);
                    List<double[]> cs = ref.curves(w.getKey(), label);
                    if (!cs.isEmpty()) {
                        series.add(new Series(label + " (published)", x, mean(cs), true).withColor(colour));
                    }
                    colour++;
                }
            }
            table.append("</table>");
            int seeds = w.getValue().values().iterator().next().size();
            String published = ref != null ? "; dashed: published FGD artifact results" : "";
            Series[] all = series.toArray(new Series[0]);
            LineChart chart = allocationChart("GPU allocation vs arrived workload: " + w.getKey(),
                    "mean of " + seeds + " seed(s), tune " + results.config().tune() + published, 0, StudyRun.MAX_BIN, 0, 100, all);
            LineChart zoom = allocationChart("Saturation detail: " + w.getKey(),
                    "the same curves, arrived 70-130 %, allocation 75-100 %", 70, StudyRun.MAX_BIN, 75, 100, all);
            String suffix = byWorkload.size() == 1 ? "" : "-" + shortName(w.getKey());
            Path png = dir.resolve("allocation" + suffix + ".png");
            chart.writePng(png);
            out.add(png);
            Path zoomPng = dir.resolve("allocation" + suffix + "-zoom.png");
            zoom.writePng(zoomPng);
            out.add(zoomPng);
            charts.add(chart);
            tables.add(table.toString());
            charts.add(zoom);
            tables.add("");
        }
        Path html = dir.resolve("allocation.html");
        LineChart.writeHtml(html, "Archipelago: FGD placement study", charts, tables);
        out.add(html);
        return out;
    }

    private static LineChart allocationChart(String title, String subtitle, double x0, double x1, double y0, double y1,
                                             Series[] series) {
        return LineChart.builder().title(title).subtitle(subtitle)
                .xLabel("arrived workload (% of cluster GPU capacity)")
                .yLabel("GPU allocation ratio (%)")
                .xRange(x0, x1)
                .yRange(y0, y1)
                .series(series)
                .build();
    }

    static String shortName(String workload) {
        return workload.replace("openb_pod_list_", "");
    }

    static double[] meanCurve(List<RunResult> runs) {
        List<double[]> cs = new ArrayList<>();
        for (RunResult r : runs) {
            cs.add(r.alloc());
        }
        return mean(cs);
    }

    private static double[] mean(List<double[]> cs) {
        double[] m = new double[cs.get(0).length];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            int n = 0;
            for (double[] c : cs) {
                if (i < c.length && !Double.isNaN(c[i])) {
                    s += c[i];
                    n++;
                }
            }
            m[i] = n == 0 ? Double.NaN : s / n;
        }
        return m;
    }

    static Path atomicWrite(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(text);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}

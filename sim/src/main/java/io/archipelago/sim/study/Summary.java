package io.archipelago.sim.study;

import io.archipelago.core.policy.Policies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per workload × policy: mean, min and max allocation at 100 % and 130 % arrived over the seeds,
 * and, when reference curves are given, the published means and our difference to them.
 */
public final class Summary {
    /** One row of the summary. */
    public record Row(String workload, String policy, int seeds,
                      double mean100, double min100, double max100,
                      double mean130, double min130, double max130,
                      double failedGpuTasks, double computeMillisMean,
                      double ref100, double ref130) {
        public double diff100() {
            return mean100 - ref100;
        }

        public double diff130() {
            return mean130 - ref130;
        }
    }

    private final List<Row> rows;

    private Summary(List<Row> rows) {
        this.rows = rows;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Builds the summary; {@code ref} may be null. */
    public static Summary of(FgdStudy.Results results, ReferenceCurves ref) {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : results.runs()) {
            groups.computeIfAbsent(r.workload() + "\u0000" + r.policy(), k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (List<RunResult> g : groups.values()) {
            RunResult first = g.get(0);
            double s100 = 0, s130 = 0, f = 0, ms = 0;
            double mn100 = Double.MAX_VALUE, mx100 = -Double.MAX_VALUE, mn130 = Double.MAX_VALUE, mx130 = -Double.MAX_VALUE;
            for (RunResult r : g) {
                double a = r.alloc()[100];
                double b = r.alloc()[130];
                s100 += a;
                s130 += b;
                mn100 = Math.min(mn100, a);
                mx100 = Math.max(mx100, a);
                mn130 = Math.min(mn130, b);
                mx130 = Math.max(mx130, b);
                f += r.failedGpuTasks();
                ms += r.computeNanos() / 1e6;
            }
            int n = g.size();
            String label = Policies.studyLabel(first.policy());
            double r100 = ref == null ? Double.NaN : ref.mean(first.workload(), label, 100);
            double r130 = ref == null ? Double.NaN : ref.mean(first.workload(), label, 130);
            rows.add(new Row(first.workload(), first.policy(), n, s100 / n, mn100, mx100, s130 / n, mn130, mx130,
                    f / n, ms / n, r100, r130));
        }
        return new Summary(rows);
    }

    /** The CSV text of {@code summary.csv} (results only, no timings, so it is byte-for-byte reproducible). */
    public String csv() {
        StringBuilder sb = new StringBuilder("workload,sc_policy,seeds,alloc100_mean,alloc100_min,alloc100_max,"
                + "alloc130_mean,alloc130_min,alloc130_max,failed_gpu_tasks_mean,"
                + "ref_alloc100_mean,diff100,ref_alloc130_mean,diff130\n");
        for (Row r : rows) {
            sb.append(r.workload()).append(',').append(Policies.studyLabel(r.policy())).append(',').append(r.seeds());
            for (double v : new double[] {r.mean100(), r.min100(), r.max100(), r.mean130(), r.min130(), r.max130(),
                    r.failedGpuTasks(), r.ref100(), r.diff100(), r.ref130(), r.diff130()}) {
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A fixed-width table for the terminal. */
    public String table() {
        boolean ref = rows.stream().anyMatch(r -> !Double.isNaN(r.ref100()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-28s %-16s %5s %8s %8s", "workload", "policy", "seeds", "@100%", "@130%"));
        if (ref) {
            sb.append(String.format(Locale.ROOT, " %8s %8s %7s %7s", "ref@100", "ref@130", "d100", "d130"));
        }
        sb.append(String.format(Locale.ROOT, " %10s%n", "failed"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-28s %-16s %5d %8.2f %8.2f", r.workload(), Policies.studyLabel(r.policy()),
                    r.seeds(), r.mean100(), r.mean130()));
            if (ref) {
                sb.append(String.format(Locale.ROOT, " %8.2f %8.2f %+7.2f %+7.2f", r.ref100(), r.ref130(), r.diff100(), r.diff130()));
            }
            sb.append(String.format(Locale.ROOT, " %10.1f%n", r.failedGpuTasks()));
        }
        return sb.toString();
    }

    /** A Markdown table (ours, reference, difference; reference columns only when known) for docs. */
    public String markdown() {
        if (rows.stream().allMatch(r -> Double.isNaN(r.ref100()))) {
            StringBuilder sb = new StringBuilder("| workload | policy | seeds | alloc @100 % | alloc @130 % |\n|---|---|---:|---:|---:|\n");
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f |%n", r.workload().replace("openb_pod_list_", ""),
                        Policies.studyLabel(r.policy()), r.seeds(), r.mean100(), r.mean130()));
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder("| workload | policy | ours @100 % | ref @100 % | diff | ours @130 % | ref @130 % | diff |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %+.2f | %.2f | %.2f | %+.2f |%n",
                    r.workload().replace("openb_pod_list_", ""), Policies.studyLabel(r.policy()),
                    r.mean100(), r.ref100(), r.diff100(), r.mean130(), r.ref130(), r.diff130()));
        }
        return sb.toString();
    }

    /**
     * Workloads where our policy ranking (by mean at {@code bin}) differs from the reference's,
     * ignoring swaps of policies whose reference means lie within {@code tolerance} points.
     */
    public List<String> rankMismatches(int bin, double tolerance) {
        List<String> out = new ArrayList<>();
        Map<String, List<Row>> byWorkload = new LinkedHashMap<>();
        for (Row r : rows) {
            byWorkload.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> e : byWorkload.entrySet()) {
            List<Row> rs = e.getValue();
            for (int i = 0; i < rs.size(); i++) {
                for (int j = i + 1; j < rs.size(); j++) {
                    Row a = rs.get(i);
                    Row b = rs.get(j);
                    double oa = bin == 100 ? a.mean100() : a.mean130();
                    double ob = bin == 100 ? b.mean100() : b.mean130();
                    double ra = bin == 100 ? a.ref100() : a.ref130();
                    double rb = bin == 100 ? b.ref100() : b.ref130();
                    if (Double.isNaN(ra) || Double.isNaN(rb) || Math.abs(ra - rb) <= tolerance) {
                        continue;
                    }
                    if (Math.signum(oa - ob) != Math.signum(ra - rb)) {
                        out.add(String.format(Locale.ROOT, "%s @%d%%: %s %.2f vs %s %.2f (reference %.2f vs %.2f)", e.getKey(), bin,
                                a.policy(), oa, b.policy(), ob, ra, rb));
                    }
                }
            }
        }
        return out;
    }
}

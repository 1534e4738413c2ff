package io.archipelago.sim.study;

import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.sim.report.LineChart;
import io.archipelago.sim.report.Series;
import io.archipelago.sim.report.StackedBarChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each policy's allocation next to two upper bounds for the same arrivals: {@link AllocationBound}
 * (any policy, online or offline) and the study-rules bound, min(that, {@link ForcedPlacementBound#packed}),
 * which holds for every policy that places each fitting task in arrival order and never moves one
 * (all the study's policies and ours). Per workload the 10-seed (or however many) mean of both at
 * 100 % and 130 % arrived; per workload × policy the mean allocation, the gap to the study-rules
 * bound and the unallocated GPU share. {@link #write} also draws, per workload, each policy's mean
 * allocation curve under the mean {@link ForcedPlacementBound} curve over the saturation range.
 */
public final class BoundTable {
    /**
     * Mean bounds of one workload at 100 % and 130 % arrived, % of GPU capacity: {@code bound*} for any
     * policy, {@code rules*} for policies under the study's rules (never above {@code bound*}).
     */
    public record WorkloadBound(String workload, double bound100, double bound130, double rules100, double rules130) {
    }

    /** First arrived bin of the bound chart (the saturation range, as the study's zoom chart). */
    static final int CHART_FROM = 70;

    /**
     * Mean {@link ArrangementFloor} of one workload × policy at 100 % and 130 % arrived, % of GPU
     * capacity: however the tasks this policy let in were arranged, at least this much stays unallocated.
     * {@code notConverged} counts the floors (two per run) whose search stopped early: still valid, but weaker.
     */
    record Floor(String workload, String policy, double floor100, double floor130, int notConverged) {
    }

    private final List<WorkloadBound> bounds;
    private final Summary summary;
    private final FgdStudy.Results results;
    private final Map<String, double[]> rulesCurves;
    private final Map<String, Floor> floors;

    private BoundTable(List<WorkloadBound> bounds, Summary summary, FgdStudy.Results results, Map<String, double[]> rulesCurves,
                       Map<String, Floor> floors) {
        this.bounds = bounds;
        this.summary = summary;
        this.results = results;
        this.rulesCurves = rulesCurves;
        this.floors = floors;
    }

    /** Computes the bound for every workload and seed of {@code results} (one LP bound per seed and bin). */
    public static BoundTable of(FgdStudy.Results results, Summary summary) {
        return of(results, summary, (done, total) -> { });
    }

    /**
     * {@link #of(FgdStudy.Results, Summary)}, calling {@code progress} with (arrival sequences done, total) after
     * each workload × seed (from worker threads, one call at a time): the packing stage of the study-rules
     * bound takes seconds per sequence.
     */
    public static BoundTable of(FgdStudy.Results results, Summary summary, java.util.function.BiConsumer<Integer, Integer> progress) {
        FgdStudy.Config c = results.config();
        int total = c.workloads().size() * c.seeds().size();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        List<WorkloadBound> out = new ArrayList<>();
        Map<String, double[]> curves = new LinkedHashMap<>();
        int k = c.seeds().size();
        for (FgdStudy.Workload w : c.workloads()) {
            double b100 = 0;
            double b130 = 0;
            double r100 = 0;
            double r130 = 0;
            double[] curve = new double[StudyRun.MAX_BIN + 1];
            java.util.Arrays.fill(curve, Double.NaN);
            java.util.Arrays.fill(curve, CHART_FROM, curve.length, 0);
            // per seed (in parallel; summed below in seed order, so the result does not depend on threads):
            // {any-policy bound @100, @130, then the study-rules bound per bin}
            List<double[]> perSeed = c.seeds().parallelStream().map(seed -> {
                double[] v = seedBounds(c, w, seed);
                synchronized (progress) {
                    progress.accept(done.incrementAndGet(), total);
                }
                return v;
            }).toList();
            int packed100 = 2 + StudyRun.MAX_BIN + 1;
            int packed130 = packed100 + 1;
            for (double[] v : perSeed) {
                b100 += v[0];
                b130 += v[1];
                r100 += Math.min(v[0], v[packed100]);
                r130 += Math.min(v[1], v[packed130]);
                for (int bin = CHART_FROM; bin <= StudyRun.MAX_BIN; bin++) {
                    // allocation never falls as tasks arrive, so the bound at the end of bin 100 (130) bounds every
                    // earlier bin too: the curve is the first stage, lowered to the packing stage where that is lower
                    double rules = Math.min(v[2 + bin], v[packed130]);
                    if (bin <= 100) {
                        rules = Math.min(rules, v[packed100]);
                    }
                    curve[bin] += rules / k;
                }
            }
            curves.put(w.name(), curve);
            out.add(new WorkloadBound(w.name(), b100 / k, b130 / k, r100 / k, r130 / k));
        }
        return new BoundTable(out, summary, results, curves, floors(results));
    }

    /** Mean arrangement floor per workload × policy (runs in parallel, summed in run order). */
    private static Map<String, Floor> floors(FgdStudy.Results results) {
        List<double[]> perRun = results.runs().parallelStream().map(r -> {
            ArrangementFloor.Result f100 = r.shares100().floor(r.totalGpus());
            ArrangementFloor.Result f130 = r.shares130().floor(r.totalGpus());
            return new double[] {100.0 * f100.wasteMilli() / (1000.0 * r.totalGpus()),
                    100.0 * f130.wasteMilli() / (1000.0 * r.totalGpus()),
                    (f100.converged() ? 0 : 1) + (f130.converged() ? 0 : 1)};
        }).toList();
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, RunResult> first = new LinkedHashMap<>();
        for (int i = 0; i < perRun.size(); i++) {
            RunResult r = results.runs().get(i);
            String key = r.workload() + "\u0000" + r.policy();
            first.putIfAbsent(key, r);
            double[] sum = sums.computeIfAbsent(key, k -> new double[4]);
            sum[0] += perRun.get(i)[0];
            sum[1] += perRun.get(i)[1];
            sum[2]++;
            sum[3] += perRun.get(i)[2];
        }
        Map<String, Floor> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            RunResult r = first.get(e.getKey());
            double[] v = e.getValue();
            out.put(e.getKey(), new Floor(r.workload(), r.policy(), v[0] / v[2], v[1] / v[2], (int) v[3]));
        }
        return out;
    }

    /**
     * Per policy (summary order), the mean over the workloads at 130 % arrived of its arrangement floor
     * and of its unallocated GPU above that floor, stacked; dashed lines at the study-rules limit
     * (100 − the mean rules bound) and, when FGD ran, at 30 % below FGD's unallocated GPU.
     */
    StackedBarChart arrangementChart() {
        Map<String, double[]> perPolicy = new LinkedHashMap<>(); // {floor sum, unallocated sum, n}
        for (Summary.Row r : summary.rows()) {
            Floor f = floors.get(r.workload() + "\u0000" + r.policy());
            double[] v = perPolicy.computeIfAbsent(r.policy(), k -> new double[3]);
            v[0] += f.floor130();
            v[1] += 100 - r.mean130();
            v[2]++;
        }
        List<String> names = new ArrayList<>();
        double[][] values = new double[perPolicy.size()][];
        int i = 0;
        double fgd = Double.NaN;
        for (Map.Entry<String, double[]> e : perPolicy.entrySet()) {
            double[] v = e.getValue();
            double floor = v[0] / v[2];
            double unallocated = v[1] / v[2];
            names.add(e.getKey());
            values[i++] = new double[] {floor, Math.max(0, unallocated - floor)};
            if (e.getKey().equals("FGD")) {
                fgd = unallocated;
            }
        }
        double rules = 0;
        for (WorkloadBound b : bounds) {
            rules += b.rules130();
        }
        List<StackedBarChart.Reference> refs = new ArrayList<>();
        refs.add(new StackedBarChart.Reference("least any policy under the study's rules leaves", Math.max(0, 100 - rules / bounds.size())));
        if (!Double.isNaN(fgd)) {
            refs.add(new StackedBarChart.Reference("30 % below FGD", 0.7 * fgd));
        }
        int seeds = results.config().seeds().size();
        return new StackedBarChart("Arrangement or selection: unallocated GPU at 130 % arrived",
                "mean of " + bounds.size() + " workload(s) × " + seeds + " seed(s), % of GPU capacity",
                "unallocated GPU (% of capacity)", names,
                List.of("floor: least any arrangement of the tasks the policy let in leaves", "above the floor (at most what arrangement could win)"),
                values, refs);
    }

    /**
     * For one seed's arrivals: the any-policy bound at 100 % and 130 %, then the study-rules bound's first stage at
     * every bin from {@link #CHART_FROM}, then both stages ({@link ForcedPlacementBound#packed}) at 100 % and 130 %.
     */
    private static double[] seedBounds(FgdStudy.Config c, FgdStudy.Workload w, long seed) {
        List<TaskSpec> arrivals = Arrivals.build(w.pods(), c.nodes(), c.tune(), new java.util.SplittableRandom(seed)).tasks();
        double[] v = new double[2 + StudyRun.MAX_BIN + 1 + 2];
        v[2 + StudyRun.MAX_BIN + 1] = ForcedPlacementBound.packedPercent(c.nodes(), AllocationBound.prefixUpToBin(c.nodes(), arrivals, 100));
        v[2 + StudyRun.MAX_BIN + 2] = ForcedPlacementBound.packedPercent(c.nodes(),
                AllocationBound.prefixUpToBin(c.nodes(), arrivals, StudyRun.MAX_BIN));
        v[0] = AllocationBound.percent(c.nodes(), AllocationBound.prefixUpToBin(c.nodes(), arrivals, 100));
        v[1] = AllocationBound.percent(c.nodes(), AllocationBound.prefixUpToBin(c.nodes(), arrivals, StudyRun.MAX_BIN));
        for (int bin = CHART_FROM; bin <= StudyRun.MAX_BIN; bin++) {
            v[2 + bin] = ForcedPlacementBound.percent(c.nodes(), AllocationBound.prefixUpToBin(c.nodes(), arrivals, bin));
        }
        return v;
    }

    public List<WorkloadBound> bounds() {
        return bounds;
    }

    /**
     * Markdown: workload, policy, then at 100 % and at 130 % arrived the mean allocation, the any-policy
     * bound, the study-rules bound and the gap to the latter; then the unallocated share at 130 % and the
     * policy's arrangement floor (unallocated %) at 100 % and 130 %.
     */
    public String markdown() {
        Map<String, WorkloadBound> byName = new LinkedHashMap<>();
        for (WorkloadBound b : bounds) {
            byName.put(b.workload(), b);
        }
        StringBuilder sb = new StringBuilder("| workload | policy | alloc @100 % | bound @100 % | rules bound @100 % | gap"
                + " | alloc @130 % | bound @130 % | rules bound @130 % | gap | unallocated @130 %"
                + " | arrangement floor @100 % | arrangement floor @130 % |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Summary.Row r : summary.rows()) {
            WorkloadBound b = byName.get(r.workload());
            Floor f = floors.get(r.workload() + "\u0000" + r.policy());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    r.workload().replace("openb_pod_list_", ""), r.policy(), r.mean100(), b.bound100(), b.rules100(),
                    b.rules100() - r.mean100(), r.mean130(), b.bound130(), b.rules130(), b.rules130() - r.mean130(), 100 - r.mean130(),
                    f.floor100(), f.floor130()));
        }
        int weak = 0;
        for (Floor f : floors.values()) {
            weak += f.notConverged();
        }
        if (weak > 0) {
            sb.append(String.format(Locale.ROOT, "%n%d arrangement floor(s) stopped before the LP optimum (solver failure or round"
                    + " limit); they are valid lower bounds but weaker, so their means understate the floor.%n", weak));
        }
        return sb.toString();
    }

    /**
     * Writes {@code bound.md}, {@code arrangement.png} ({@link #arrangementChart}) and, per workload,
     * {@code bound-<workload>.png} (each policy's mean allocation and the study-rules bound, arrived
     * 70-130 %) into {@code dir}; returns the paths.
     */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        Path p = dir.resolve("bound.md");
        Files.writeString(p, markdown(), StandardCharsets.UTF_8);
        out.add(p);
        Path bars = dir.resolve("arrangement.png");
        arrangementChart().writePng(bars);
        out.add(bars);
        Map<String, Map<String, List<RunResult>>> byWorkload = new LinkedHashMap<>();
        for (RunResult r : results.runs()) {
            byWorkload.computeIfAbsent(r.workload(), k -> new LinkedHashMap<>()).computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        }
        double[] x = new double[StudyRun.MAX_BIN + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        for (Map.Entry<String, Map<String, List<RunResult>>> w : byWorkload.entrySet()) {
            List<Series> series = new ArrayList<>();
            int colour = 0;
            for (Map.Entry<String, List<RunResult>> e : w.getValue().entrySet()) {
                series.add(new Series(Policies.studyLabel(e.getKey()), x, StudyWriter.meanCurve(e.getValue()), false).withColor(colour++));
            }
            double[] rules = rulesCurves.get(w.getKey());
            if (rules != null) {
                series.add(new Series("upper bound, any policy under the study's rules", x, rules, true).withColor(colour));
            }
            LineChart chart = LineChart.builder()
                    .title("How far from the limit: " + StudyWriter.shortName(w.getKey()))
                    .subtitle("mean of " + w.getValue().values().iterator().next().size()
                            + " seed(s); dashed: the most any policy under the study's rules can allocate")
                    .xLabel("arrived workload (% of cluster GPU capacity)")
                    .yLabel("GPU allocation ratio (%)")
                    .xRange(CHART_FROM, StudyRun.MAX_BIN)
                    .yRange(75, 100)
                    .series(series.toArray(new Series[0]))
                    .build();
            String suffix = byWorkload.size() == 1 ? "" : "-" + StudyWriter.shortName(w.getKey());
            Path png = dir.resolve("bound" + suffix + ".png");
            chart.writePng(png);
            out.add(png);
        }
        return out;
    }
}

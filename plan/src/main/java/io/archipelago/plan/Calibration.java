package io.archipelago.plan;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.sim.econ.LedgerResult;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Measures, with the engine itself, how much of an installed GPU the plan may count on: the capacity
 * needs are derived from the engine's packing, not assumed.
 *
 * <ol>
 *   <li><b>Packing efficiency.</b> The fleet as it stands at the plan's start runs the plan's workload mix
 *       at an overload ({@code saturation}, 1.3 by default), so every pool has a queue; the share of each
 *       GPU model's GPUs that is allocated is its packing efficiency {@code η_m}, and {@code 1 − η_m} is the
 *       share the engine strands (fragments, CPU- or memory-bound nodes, gangs that do not fit).</li>
 *   <li><b>Service headroom.</b> The same fleet and mix at a sweep of offered loads: the highest load
 *       {@code L*} at which the p95 wait and the SLO attainment still meet the plan's service level
 *       (interpolated between the last load that meets it and the first that does not).</li>
 *   <li>The plannable utilisation of model {@code m} is {@code ρ_m = η_m × L* / η}, where {@code η} is the
 *       fleet's packing efficiency: the share of packable capacity the service level lets the plan use,
 *       applied to each model's packing.</li>
 * </ol>
 *
 * Every run is independent, so they run in parallel on the given executor; each has its own seed, so the
 * result does not depend on the number of threads.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * @param loads          offered loads of the sweep
     * @param waitP95Ms      p95 wait at each load
     * @param sloAttainment  SLO attainment at each load
     * @param allocation     mean GPU allocation at each load (window)
     * @param serviceLoad    L*: the highest offered load meeting the service level
     * @param saturation     offered load of the packing run
     * @param efficiency     η: allocated share of the fleet's GPUs at saturation
     * @param efficiencyByModel η_m per GPU model
     * @param rhoByModel     ρ_m per GPU model
     * @param rhoDefault     ρ for a model the fleet does not have yet (fleet-wide L*)
     * @param notes          what the user should know
     * @param revenuePerGpuHour revenue the engine earned per allocated GPU-hour at each load (its price realisation:
     *                       which GPUs, at which tier, it actually gives the work); empty when not measured
     */
    public record Result(double[] loads, double[] waitP95Ms, double[] sloAttainment, double[] allocation, double serviceLoad, double saturation,
                  double efficiency, Map<String, Double> efficiencyByModel, Map<String, Double> rhoByModel, double rhoDefault,
                  List<String> notes, double[] revenuePerGpuHour) {

        /** A result without measured revenue (the plan then prices served work at its list prices). */
        public Result(double[] loads, double[] waitP95Ms, double[] sloAttainment, double[] allocation, double serviceLoad, double saturation,
                      double efficiency, Map<String, Double> efficiencyByModel, Map<String, Double> rhoByModel, double rhoDefault,
                      List<String> notes) {
            this(loads, waitP95Ms, sloAttainment, allocation, serviceLoad, saturation, efficiency, efficiencyByModel, rhoByModel, rhoDefault,
                    notes, new double[0]);
        }

        /** The engine's revenue per allocated GPU-hour at offered load {@code load}, or NaN when not measured. */
        public double revenueAt(double load) {
            return revenuePerGpuHour.length == 0 ? Double.NaN : interpolate(loads, revenuePerGpuHour, load);
        }

        /** The p95 wait the sweep predicts at offered load {@code load} (linear between the sweep's points). */
        public double predictedWaitMs(double load) {
            return interpolate(loads, waitP95Ms, load);
        }

        public double predictedSlo(double load) {
            return interpolate(loads, sloAttainment, load);
        }
    }

    static Result run(PlanSpec spec, ExecutorService pool) {
        PlanSpec.Calibration cal = spec.calibration();
        LocalDate window = spec.start().plusMonths(1);
        RegionalFleet fleet = PlanSim.fleetAt(spec, spec.start(), List.of());
        double[] mix = new double[spec.demand().size()];
        double total = 0;
        int firstCalendarQuarter = (spec.start().getMonthValue() - 1) / 3;
        for (int i = 0; i < mix.length; i++) {
            mix[i] = spec.demand().get(i).at(0, firstCalendarQuarter);
            total += mix[i];
        }
        if (total <= 0) {
            throw new IllegalArgumentException("the demand of the first quarter is 0; calibration needs a workload mix");
        }
        int n = cal.loads().size();
        // the overload run is the slowest (its queue only grows), so it goes first, and it measures at most 6 hours after
        // at most 6 hours of warm-up: packing settles as soon as every pool has a queue
        Future<PlanSim.Measure> satRun = submit(spec, pool, fleet, mix, total, cal.saturation(), window,
                Math.min(cal.warmupMs(), SATURATION_MAX_MS), Math.min(cal.windowMs(), SATURATION_MAX_MS), spec.seed() + 1_000_003L * (n + 1));
        List<Future<PlanSim.Measure>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(submit(spec, pool, fleet, mix, total, cal.loads().get(i), window, cal.warmupMs(), cal.windowMs(),
                    spec.seed() + 1_000_003L * (i + 1)));
        }
        futures.add(satRun);
        List<PlanSim.Measure> ms = new ArrayList<>();
        for (Future<PlanSim.Measure> f : futures) {
            ms.add(Planner.join(f));
        }
        double[] loads = new double[n];
        double[] wait = new double[n];
        double[] slo = new double[n];
        double[] alloc = new double[n];
        double[] revenue = new double[n];
        for (int i = 0; i < n; i++) {
            double h = ms.get(i).window().gpuHoursAllocated();
            revenue[i] = h > 0 ? round(ms.get(i).window().revenueUsd() / h) : 0;
            loads[i] = cal.loads().get(i);
            wait[i] = ms.get(i).waitP95Ms();
            slo[i] = Double.isNaN(ms.get(i).sloAttainment()) ? 1 : ms.get(i).sloAttainment();
            alloc[i] = ms.get(i).window().utilisation();
        }
        List<String> notes = new ArrayList<>();
        long target = spec.constraints().waitP95Ms();
        double sloTarget = spec.constraints().sloAttainment();
        double lStar;
        if (!meets(wait[0], slo[0], target, sloTarget)) {
            lStar = loads[0] * 0.5;
            notes.add(String.format(java.util.Locale.ROOT, "the service level fails already at the lowest load tried (%.2f: p95 wait %.0f s,"
                    + " SLO attainment %.1f %%); the plan assumes half of it, %.2f; add lower calibration loads", loads[0], wait[0] / 1000,
                    100 * slo[0], lStar));
        } else {
            int last = 0;
            while (last + 1 < n && meets(wait[last + 1], slo[last + 1], target, sloTarget)) {
                last++;
            }
            if (last == n - 1) {
                lStar = loads[last];
                notes.add(String.format(java.util.Locale.ROOT, "the service level held at every load tried, up to %.2f; the headroom may be"
                        + " larger (add higher calibration loads)", lStar));
            } else {
                // interpolate to where the first failing metric crosses its target
                double fw = wait[last + 1] > target ? (target - wait[last]) / (wait[last + 1] - wait[last]) : 1;
                double fs = slo[last + 1] < sloTarget ? (slo[last] - sloTarget) / (slo[last] - slo[last + 1]) : 1;
                double frac = Math.max(0, Math.min(1, Math.min(fw, fs)));
                lStar = loads[last] + frac * (loads[last + 1] - loads[last]);
            }
        }
        PlanSim.Measure sat = ms.get(n);
        double eta = sat.window().utilisation();
        Map<String, double[]> byModel = new TreeMap<>();
        for (NodePool p : fleet.pools()) {
            if (p.gpusPerNode() == 0) {
                continue;
            }
            LedgerResult.Figures f = sat.byPool().get(p.site() + "/" + p.name());
            double[] a = byModel.computeIfAbsent(p.gpuModel(), x -> new double[2]);
            a[0] += f.gpuHoursAllocated();
            a[1] += f.gpuHoursUp();
        }
        Map<String, Double> effByModel = new LinkedHashMap<>();
        Map<String, Double> rhoByModel = new LinkedHashMap<>();
        double h = eta > 0 ? Math.min(1, lStar / eta) : lStar;
        List<String> floored = new ArrayList<>();
        for (Map.Entry<String, double[]> e : byModel.entrySet()) {
            double em = e.getValue()[1] > 0 ? e.getValue()[0] / e.getValue()[1] : eta;
            if (em < eta) {
                // below the fleet's figure the model was not kept full by the plan's mix at overload (little of the demand
                // may use it), so its packing was not measured under pressure: the fleet's figure stands in
                floored.add(String.format(java.util.Locale.ROOT, "%s %.3f", e.getKey(), em));
                em = eta;
            }
            effByModel.put(e.getKey(), round(em));
            rhoByModel.put(e.getKey(), round(em * h));
        }
        if (!floored.isEmpty()) {
            notes.add("At overload these models stayed below the fleet's packing efficiency " + String.format(java.util.Locale.ROOT, "%.3f", eta)
                    + " (" + String.join(", ", floored) + "): too little of the plan's demand may use them to keep them full, so their"
                    + " packing was not measured under pressure and the fleet's figure is used for them.");
        }
        return new Result(loads, wait, slo, alloc, round(lStar), cal.saturation(), round(eta), effByModel, rhoByModel,
                round(Math.min(lStar, eta * h)), notes, revenue);
    }

    /** Longest warm-up and window of the overload run. */
    static final long SATURATION_MAX_MS = 6 * 3_600_000L;

    private static Future<PlanSim.Measure> submit(PlanSpec spec, ExecutorService pool, RegionalFleet fleet, double[] mix, double total,
                                                  double load, LocalDate window, long warmupMs, long windowMs, long seed) {
        double[] gpus = new double[mix.length];
        for (int l = 0; l < mix.length; l++) {
            gpus[l] = mix[l] / total * load * fleet.gpuCount();
        }
        return pool.submit(() -> PlanSim.run(spec, fleet, gpus, window, warmupMs, windowMs, seed));
    }

    private static boolean meets(double waitMs, double slo, long target, double sloTarget) {
        return waitMs <= target && slo >= sloTarget;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    static double interpolate(double[] xs, double[] ys, double x) {
        if (x <= xs[0]) {
            return ys[0];
        }
        for (int i = 1; i < xs.length; i++) {
            if (x <= xs[i]) {
                return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
            }
        }
        return ys[ys.length - 1];
    }
}

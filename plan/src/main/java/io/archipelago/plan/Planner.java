package io.archipelago.plan;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.Site;
import io.archipelago.sim.econ.LedgerResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The capacity planner: calibrates the engine's packing on the fleet, chooses the investments with a
 * mixed-integer program ({@link PlanModel}), finds which constraints bind, solves each named alternative
 * the same way, and verifies every feasible plan by simulating each quarter with the engine
 * ({@link PlanSim}). Same spec, same result, byte for byte: every simulation has its own seed and the
 * results are collected in a fixed order, whatever the number of threads.
 */
public final class Planner {
    /** Told how far the planner has got. */
    @FunctionalInterface
    public interface Progress {
        void step(String what, int done, int total);
    }

    /** The constraint families lifted one at a time to see which binds: budget, power, timing, and (null) the rules. */
    private static final PlanModel.Relax[] RELAXATIONS = {new PlanModel.Relax(true, false, false, false),
            new PlanModel.Relax(false, true, false, false), new PlanModel.Relax(false, false, true, false), null};

    private final PlanSpec spec;
    private Progress progress = (w, d, t) -> { };
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private ExecutorService pool;

    public Planner(PlanSpec spec) {
        this.spec = spec;
    }

    public Planner onProgress(Progress p) {
        this.progress = p;
        return this;
    }

    /** Simulations run on this many threads (default: the processors); the result does not depend on it. */
    public Planner threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads " + n + "; expected >= 1");
        }
        this.threads = n;
        return this;
    }

    /**
     * One plan: the optimum or a named alternative.
     *
     * @param name         "optimal plan" or the alternative's name
     * @param feasible     whether it meets every constraint
     * @param explanation  when infeasible: which constraint binds, where and when; else empty
     * @param openQuarter  per candidate (spec order): the quarter it opens, or -1
     * @param quarters     the planned figures per quarter (empty when infeasible)
     * @param verified     the simulated figures per quarter (empty when verification is off or the plan infeasible)
     * @param binding      the constraints that bind and what they cost
     * @param objectiveUsd the margin over the horizon as the model sees it
     * @param solveMillis  time spent in the solver
     */
    public record Outcome(String name, boolean feasible, List<String> explanation, int[] openQuarter, List<Quarter> quarters,
                          List<Quarter> verified, List<String> binding, double objectiveUsd, long solveMillis) {
        public Outcome {
            explanation = List.copyOf(explanation);
            quarters = List.copyOf(quarters);
            verified = List.copyOf(verified);
            binding = List.copyOf(binding);
        }

        /** Total margin over the horizon (planned). */
        public double marginUsd() {
            return quarters.stream().mapToDouble(q -> q.total().marginUsd()).sum();
        }

        public double verifiedMarginUsd() {
            return verified.stream().mapToDouble(q -> q.total().marginUsd()).sum();
        }
    }

    /**
     * The figures of one quarter, planned or simulated.
     *
     * @param label        "2027-Q3"
     * @param capexUsd     cash spent on builds starting this quarter
     * @param total        the fleet
     * @param byRegion     per region
     * @param waitP95Ms    p95 wait (planned: the calibration's prediction at the plan's pressure; simulated: measured)
     * @param sloAttainment share of SLO jobs meeting their SLO (predicted or measured)
     */
    public record Quarter(String label, double capexUsd, Figures total, Map<String, Figures> byRegion, double waitP95Ms,
                          double sloAttainment) {
    }

    /** Installed and busy GPUs (means over the quarter) and the money of the quarter. */
    public record Figures(double installedGpus, double busyGpus, double revenueUsd, double costUsd) {
        static final Figures ZERO = new Figures(0, 0, 0, 0);

        public double marginUsd() {
            return revenueUsd - costUsd;
        }

        public double utilisation() {
            return installedGpus == 0 ? 0 : busyGpus / installedGpus;
        }

        Figures plus(Figures o) {
            return new Figures(installedGpus + o.installedGpus, busyGpus + o.busyGpus, revenueUsd + o.revenueUsd, costUsd + o.costUsd);
        }
    }

    /**
     * Everything the planner found.
     *
     * @param spec        the input
     * @param calibration what the engine measured
     * @param plans       the optimum first, then the alternatives in file order
     * @param demand      [line][quarter] the forecast
     * @param wallMillis  total wall time
     */
    public record Result(PlanSpec spec, Calibration.Result calibration, List<Outcome> plans, double[][] demand, long wallMillis) {
        public Outcome optimal() {
            return plans.get(0);
        }
    }

    public Result run() {
        return run(null);
    }

    /** Runs with {@code given} as the calibration (tests), or measures it when null. */
    Result run(Calibration.Result given) {
        long t0 = System.nanoTime();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "planner-sim");
            t.setDaemon(true);
            return t;
        });
        try {
            progress.step("calibrating the engine's packing", 0, 4);
            Calibration.Result cal = given != null ? given : Calibration.run(spec, pool);
            progress.step("optimising", 1, 4);
            PlanModel model = new PlanModel(spec, cal.rhoByModel(), cal.rhoDefault(), false);
            model.realise(cal.revenueAt(firstQuarterLoad(model)));
            int nc = spec.candidates().size();
            int[] none = new int[nc];
            Arrays.fill(none, -1);
            // every plan is solved in its own task, which then queues its own verification runs without waiting for them
            List<Future<Planned>> plans = new ArrayList<>();
            plans.add(pool.submit(() -> planned(outcome("optimal plan", model, cal, none, new boolean[nc], true))));
            for (PlanSpec.Alternative a : spec.alternatives()) {
                int[] forced = none.clone();
                boolean[] excluded = new boolean[nc];
                for (int c = 0; c < nc; c++) {
                    PlanSpec.Candidate cd = spec.candidates().get(c);
                    if (a.open().containsKey(cd.name())) {
                        forced[c] = model.quarterOnOrAfter(a.open().get(cd.name()));
                    }
                    excluded[c] = a.exclude().contains(cd.name());
                }
                plans.add(pool.submit(() -> planned(outcome(a.name(), model, cal, forced, excluded, false))));
            }
            List<Planned> solved = new ArrayList<>();
            for (Future<Planned> f : plans) {
                solved.add(join(f));
            }
            progress.step("verifying by simulation", 2, 4);
            List<Outcome> verified = verify(solved);
            progress.step("done", 4, 4);
            return new Result(spec, cal, verified, Forecast.table(spec), (System.nanoTime() - t0) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Offered load of the first quarter on the fleet as it stands: its demand over its GPUs. */
    private double firstQuarterLoad(PlanModel model) {
        double demand = 0;
        for (PlanModel.Group g : model.groups) {
            demand += g.gpus[0];
        }
        double gpus = 0;
        for (double[] e : model.existing) {
            gpus += e[0];
        }
        return gpus == 0 ? 0 : demand / gpus;
    }

    // ---------------------------------------------------------------- one plan

    private Outcome outcome(String name, PlanModel model, Calibration.Result cal, int[] forced, boolean[] excluded, boolean bindingAnalysis) {
        int nc = spec.candidates().size();
        List<String> why = new ArrayList<>();
        for (int c = 0; c < nc; c++) {
            if (forced[c] >= 0 && forced[c] < model.candFirst[c]) {
                PlanSpec.Candidate cd = spec.candidates().get(c);
                why.add(String.format(Locale.ROOT, "%s cannot open in %s: with a lead time of %d months from the plan's start (%s) and"
                                + " earliest date %s it opens %s at the soonest", cd.name(), spec.quarterLabel(forced[c]), cd.leadQuarters() * 3,
                        spec.start(), cd.earliest(), model.candFirst[c] < spec.quarters() ? spec.quarterLabel(model.candFirst[c]) : "after the horizon"));
            }
        }
        if (!why.isEmpty()) {
            return new Outcome(name, false, why, new int[0], List.of(), List.of(), List.of(), Double.NaN, 0);
        }
        PlanModel.Solution s = model.solve(forced, excluded, PlanModel.Relax.NONE, false);
        if (!s.feasible()) {
            return new Outcome(name, false, explain(model, cal, forced, excluded), new int[0], List.of(), List.of(), List.of(), Double.NaN,
                    s.solveMillis());
        }
        List<Quarter> planned = planned(model, cal, s);
        List<String> binding = new ArrayList<>();
        if (!"OPTIMAL".equals(s.state())) {
            binding.add(String.format(Locale.ROOT, "solver: stopped after %,d branch-and-bound nodes; this plan is the best found, within %.2f %%"
                    + " of the best margin possible", PlanModel.NODE_LIMIT, 100 * s.gap()));
        }
        binding.addAll(binding(model, cal, s, forced, excluded, planned, bindingAnalysis));
        return new Outcome(name, true, List.of(), s.openQuarter(), planned, List.of(), binding, s.objective(), s.solveMillis());
    }

    /** Why no plan meets every constraint: where and when demand goes unserved, and which relaxation alone would fix it. */
    private List<String> explain(PlanModel model, Calibration.Result cal, int[] forced, boolean[] excluded) {
        List<String> out = new ArrayList<>();
        PlanModel.Solution el = model.solve(forced, excluded, PlanModel.Relax.NONE, true);
        if (el.feasible()) {
            int firstQ = -1;
            for (int t = 0; t < spec.quarters() && firstQ < 0; t++) {
                for (int g = 0; g < model.groups.size(); g++) {
                    if (el.unmet()[g][t] > 0.5) {
                        firstQ = t;
                        break;
                    }
                }
            }
            if (firstQ >= 0) {
                double total = 0;
                for (int g = 0; g < model.groups.size(); g++) {
                    total += el.unmet()[g][firstQ];
                }
                out.add(String.format(Locale.ROOT, "from %s the service level cannot be met: %.0f GPUs of demand have no capacity within it"
                        + " even with the best investments the constraints allow (the first quarter that no plan can serve)",
                        spec.quarterLabel(firstQ), total));
                for (int g = 0; g < model.groups.size(); g++) {
                    double u = el.unmet()[g][firstQ];
                    if (u > 0.5) {
                        PlanModel.Group gr = model.groups.get(g);
                        List<String> cells = new ArrayList<>();
                        for (int c = gr.cells.nextSetBit(0); c >= 0; c = gr.cells.nextSetBit(c + 1)) {
                            cells.add(model.cellRegion.get(c) + "/" + model.cellModel.get(c));
                        }
                        out.add(String.format(Locale.ROOT, "  %s: %.0f GPUs short of %.0f; it may run only on %s", gr.label, u, gr.gpus[firstQ],
                                String.join(", ", cells)));
                    }
                }
            }
        } else {
            out.add("no plan meets the constraints, and the elastic model found no solution either (" + el.state() + ")");
        }
        String[] names = {"the capex budget", "site power", "lead times and earliest dates", "residency and latency rules"};
        PlanModel.Relax[] relax = RELAXATIONS;
        List<String> fixes = new ArrayList<>();
        List<PlanModel.Solution> relaxed = relaxedSolves(model, cal, forced, excluded, relax);
        for (int i = 0; i < names.length; i++) {
            if (relaxed.get(i).feasible()) {
                fixes.add(names[i]);
            }
        }
        if (fixes.isEmpty()) {
            out.add("binding: no single constraint; lifting any one of the capex budget, site power, lead times or residency rules"
                    + " does not make it feasible: the candidates cannot add enough capacity in time (add candidates or start earlier)");
        } else {
            out.add("binding: " + String.join("; ", fixes) + " (lifting " + (fixes.size() == 1 ? "it" : "any one of them")
                    + " alone makes the plan feasible)");
        }
        return out;
    }

    /** The constraints that bind: lifting each one and solving again shows what it costs. */
    private List<String> binding(PlanModel model, Calibration.Result cal, PlanModel.Solution s, int[] forced, boolean[] excluded,
                                 List<Quarter> planned, boolean full) {
        List<String> out = new ArrayList<>();
        // budget use per year
        int years = (spec.quarters() + 3) / 4;
        double[] spend = new double[years];
        for (int t = 0; t < planned.size(); t++) {
            spend[t / 4] += planned.get(t).capexUsd();
        }
        for (int y = 0; y < years; y++) {
            double b = spec.constraints().budget(y);
            if (Double.isFinite(b) && spend[y] >= 0.9 * b && b > 0) {
                out.add(String.format(Locale.ROOT, "capex budget of plan year %d (%d): %.1f of %.1f M USD used (%.0f %%)", y + 1,
                        spec.quarterStart(4 * y).getYear(), spend[y] / 1e6, b / 1e6, 100 * spend[y] / b));
            }
        }
        for (int p = 0; p < model.powerSites.size(); p++) {
            double used = 0;
            for (int c = 0; c < spec.candidates().size(); c++) {
                if (model.candPowerSite[c] == p && s.openQuarter()[c] >= 0) {
                    used += model.candPowerMw[c];
                }
            }
            if (used > 0 && used >= 0.9 * model.powerHeadroomMw[p]) {
                out.add(String.format(Locale.ROOT, "power of site %s: %.2f of %.2f MW free for new pools used", model.powerSites.get(p), used,
                        model.powerHeadroomMw[p]));
            }
        }
        for (int c = 0; c < spec.candidates().size(); c++) {
            int q = s.openQuarter()[c];
            if (q >= 0 && q == model.candFirst[c] && forced[c] < 0) {
                PlanSpec.Candidate cd = spec.candidates().get(c);
                out.add(String.format(Locale.ROOT, "timing of %s: it opens as early as its lead time (%d months) and earliest date (%s) allow, %s",
                        cd.name(), cd.leadQuarters() * 3, cd.earliest(), spec.quarterLabel(q)));
            }
        }
        // cells at the service level's limit
        for (int k = 0; k < model.cellRegion.size(); k++) {
            int first = -1;
            int count = 0;
            for (int t = 0; t < spec.quarters(); t++) {
                double cap = model.rho[k] * installed(model, s, k, t);
                double used = 0;
                for (int g = 0; g < model.groups.size(); g++) {
                    used += s.flow()[g][k][t];
                }
                if (cap > 0 && used >= 0.995 * cap) {
                    count++;
                    if (first < 0) {
                        first = t;
                    }
                }
            }
            if (count > 0) {
                out.add(String.format(Locale.ROOT, "service level in %s/%s: at its plannable utilisation (ρ %.3f) in %d of %d quarters, from %s",
                        model.cellRegion.get(k), model.cellModel.get(k), model.rho[k], count, spec.quarters(), spec.quarterLabel(first)));
            }
        }
        if (full) {
            String[] names = {"capex budget", "site power", "lead times and earliest dates", "residency and latency rules"};
            PlanModel.Relax[] relax = RELAXATIONS;
            List<PlanModel.Solution> relaxed = relaxedSolves(model, cal, forced, excluded, relax);
            for (int i = 0; i < names.length; i++) {
                PlanModel.Solution r = relaxed.get(i);
                if (r.feasible() && r.objective() > s.objective() + 1e5) {
                    out.add(String.format(Locale.ROOT, "lifting the %s would raise the horizon's margin by %.1f M USD (%s)", names[i],
                            (r.objective() - s.objective()) / 1e6, schedule(r.openQuarter())));
                } else if (r.feasible()) {
                    out.add(String.format(Locale.ROOT, "the %s do%s not bind: lifting %s changes the margin by less than 0.1 M USD", names[i],
                            names[i].endsWith("s") ? "" : "es", names[i].endsWith("s") ? "them" : "it"));
                }
            }
        }
        return out;
    }

    /**
     * The model solved once with each relaxation ({@code null} = without residency and latency rules), one after
     * the other (the plans themselves are solved in parallel), each within {@link PlanModel#RELAX_TIME_LIMIT_MS}.
     */
    private List<PlanModel.Solution> relaxedSolves(PlanModel model, Calibration.Result cal, int[] forced, boolean[] excluded,
                                                   PlanModel.Relax[] relax) {
        List<PlanModel.Solution> out = new ArrayList<>();
        for (PlanModel.Relax r : relax) {
            out.add(r == null
                    ? model.withoutRules(cal.rhoByModel(), cal.rhoDefault()).solve(forced, excluded, PlanModel.Relax.NONE, false,
                    PlanModel.RELAX_NODE_LIMIT)
                    : model.solve(forced, excluded, r, false, PlanModel.RELAX_NODE_LIMIT));
        }
        return out;
    }

    private String schedule(int[] open) {
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < open.length; c++) {
            if (open[c] >= 0) {
                parts.add(spec.candidates().get(c).name() + " " + spec.quarterLabel(open[c]));
            }
        }
        return parts.isEmpty() ? "building nothing" : "building " + String.join(", ", parts);
    }

    private static double installed(PlanModel model, PlanModel.Solution s, int cell, int t) {
        double g = model.existing[cell][t];
        for (int c = 0; c < model.candCell.length; c++) {
            if (model.candCell[c] == cell && s.openQuarter()[c] >= 0 && s.openQuarter()[c] <= t) {
                g += model.spec.candidates().get(c).gpus();
            }
        }
        return g;
    }

    /** The planned figures of every quarter, by the ledger's formulas. */
    private List<Quarter> planned(PlanModel model, Calibration.Result cal, PlanModel.Solution s) {
        RegionalFleet f = spec.fleet();
        double hours = PlanModel.HOURS_PER_QUARTER;
        double idle = f.finance().idlePowerShare();
        List<Quarter> out = new ArrayList<>();
        for (int t = 0; t < spec.quarters(); t++) {
            Map<String, Figures> byRegion = new LinkedHashMap<>();
            for (Region r : f.regions()) {
                byRegion.put(r.id(), Figures.ZERO);
            }
            // existing pools: fixed costs once their site has opened
            for (NodePool p : f.pools()) {
                Site site = f.sites().get(f.siteIndex(p.site()));
                if (site.opens().isAfter(spec.quarterStart(t))) {
                    continue;
                }
                double fixed = p.nodes() * (p.capexUsd() / (f.finance().serverYears() * 4)
                        + p.peakKw() * 1000.0 * site.buildUsdPerWatt() / (f.finance().facilityYears() * 4)
                        + p.avgKw() * site.pue() * site.tariffUsdPerKwh() * idle * hours);
                byRegion.merge(site.region(), new Figures(p.gpus(), 0, 0, fixed), Figures::plus);
            }
            double capex = 0;
            for (int c = 0; c < spec.candidates().size(); c++) {
                PlanSpec.Candidate cd = spec.candidates().get(c);
                int q = s.openQuarter()[c];
                if (q >= 0 && q <= t) {
                    byRegion.merge(cd.region(), new Figures(cd.gpus(), 0, 0, model.candFixedUsdPerQuarter[c]), Figures::plus);
                }
                if (q >= 0 && Math.max(0, q - cd.leadQuarters()) == t) {
                    capex += model.candCapex[c];
                }
            }
            double busy = 0;
            double usable = 0;
            for (int k = 0; k < model.cellRegion.size(); k++) {
                double served = 0;
                double revenue = 0;
                for (int g = 0; g < model.groups.size(); g++) {
                    double x = s.flow()[g][k][t];
                    served += x;
                    revenue += x * hours * model.groups.get(g).revenuePerGpuHour;
                }
                busy += served;
                usable += model.rho[k] * installed(model, s, k, t);
                byRegion.merge(model.cellRegion.get(k), new Figures(0, served, revenue, served * hours * model.busyEnergyUsdPerGpuHour[k]),
                        Figures::plus);
            }
            Figures total = Figures.ZERO;
            for (Figures x : byRegion.values()) {
                total = total.plus(x);
            }
            double load = usable == 0 ? 0 : busy / usable * cal.serviceLoad();
            out.add(new Quarter(spec.quarterLabel(t), capex, total, byRegion, cal.predictedWaitMs(load), cal.predictedSlo(load)));
        }
        return out;
    }

    // ---------------------------------------------------------------- verification

    /** A solved plan and its queued verification runs (one per quarter; none when infeasible or verification is off). */
    private record Planned(Outcome outcome, List<Future<PlanSim.Measure>> runs) {
    }

    private Planned planned(Outcome o) {
        List<Future<PlanSim.Measure>> fs = new ArrayList<>();
        if (o.feasible() && spec.verification().enabled()) {
            double[][] table = Forecast.table(spec);
            for (int t = 0; t < spec.quarters(); t++) {
                List<PlanSpec.Candidate> built = new ArrayList<>();
                for (int c = 0; c < spec.candidates().size(); c++) {
                    if (o.openQuarter()[c] >= 0 && o.openQuarter()[c] <= t) {
                        built.add(spec.candidates().get(c));
                    }
                }
                java.time.LocalDate window = spec.quarterStart(t).plusMonths(1);
                RegionalFleet fleet = PlanSim.fleetAt(spec, window, built);
                double[] gpus = new double[table.length];
                for (int i = 0; i < table.length; i++) {
                    gpus[i] = table[i][t];
                }
                long seed = spec.seed() + 31L * t;
                fs.add(pool.submit(() -> PlanSim.run(spec, fleet, gpus, window, spec.verification().warmupMs(),
                        spec.verification().windowMs(), seed)));
            }
        }
        return new Planned(o, fs);
    }

    private List<Outcome> verify(List<Planned> plans) {
        int total = plans.stream().mapToInt(p -> p.runs().size()).sum();
        int done = 0;
        List<Outcome> out = new ArrayList<>();
        for (Planned p : plans) {
            Outcome o = p.outcome();
            List<Quarter> qs = new ArrayList<>();
            for (int t = 0; t < p.runs().size(); t++) {
                PlanSim.Measure m = join(p.runs().get(t));
                progress.step("verifying by simulation", ++done, total);
                double scale = PlanModel.HOURS_PER_QUARTER / m.windowHours();
                Map<String, Figures> byRegion = new LinkedHashMap<>();
                for (Map.Entry<String, LedgerResult.Figures> e : m.byRegion().entrySet()) {
                    byRegion.put(e.getKey(), figures(e.getValue(), m.windowHours(), scale));
                }
                qs.add(new Quarter(spec.quarterLabel(t), o.quarters().get(t).capexUsd(), figures(m.window(), m.windowHours(), scale), byRegion,
                        m.waitP95Ms(), m.sloAttainment()));
            }
            out.add(new Outcome(o.name(), o.feasible(), o.explanation(), o.openQuarter(), o.quarters(), qs, o.binding(), o.objectiveUsd(),
                    o.solveMillis()));
        }
        return out;
    }

    private static Figures figures(LedgerResult.Figures f, double windowHours, double scale) {
        return new Figures(f.gpuHoursInstalled() / windowHours, f.gpuHoursAllocated() / windowHours, f.revenueUsd() * scale,
                f.costUsd() * scale);
    }

    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }
}

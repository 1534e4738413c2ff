package io.archipelago.plan;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.Tier;
import io.archipelago.sim.scenario.MultiRegionSpec;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;

/**
 * The investment decision as a mixed-integer program, solved by SCIP through OR-Tools.
 *
 * <p><b>Cells.</b> Capacity is pooled per (region, GPU model): sites of one region are interchangeable
 * for residency and latency. A cell's usable GPUs in a quarter are its installed GPUs times the
 * model's plannable utilisation {@code ρ} measured by {@link Calibration} (packing efficiency × service
 * headroom). <b>Demand groups.</b> Each demand line is split by the workload's residency mix and its
 * class's latency-SLO mix; each part may be served by the cells whose region its rules allow (the
 * jurisdiction or region of its origin, a round trip within its SLO) and whose model its class allows.
 * Parts of one class with the same allowed cells are one group.
 *
 * <p><b>Variables:</b> {@code y[c][t]} = 1 when candidate {@code c} opens at the start of quarter
 * {@code t} (binary, at most one {@code t}); {@code x[g][k][t]} ≥ 0 the GPUs of group {@code g} served by
 * cell {@code k}. <b>Constraints:</b> every group's demand is served each quarter; a cell serves at most
 * {@code ρ} × its GPUs; a candidate opens no earlier than its lead time after the plan starts and its
 * earliest date; capex (paid when the build starts, a lead time before opening) stays within each
 * plan year's budget; a site's candidates fit in its power. <b>Objective:</b> the margin over the
 * horizon: revenue of served GPU-hours at the class's tier mix and the prices of the cells it may use (weighted
 * by their GPUs at the start, whichever cell serves it: the engine does not steer work to the dearest GPUs), less the energy of
 * busy GPUs and the new pools' depreciation, facility amortisation and idle energy (the ledger's own
 * formulas). Costs of the existing fleet are constant and added when reporting.
 */
final class PlanModel {
    static {
        Loader.loadNativeLibraries();
    }

    /** Safety net: the solver gives up after this long (it has never come near it on the shipped scenario). */
    static final long TIME_LIMIT_MS = 60_000;
    /**
     * Branch-and-bound nodes of each what-if solve that tests whether a constraint binds: a limit in work, not in time,
     * so the answer is the same on every machine.
     */
    static final long RELAX_NODE_LIMIT = 2_000;
    /**
     * Branch-and-bound nodes of a plan's own solve. A limit in work keeps the answer the same on every machine; when it
     * is reached the plan is the best found and the report says how far from the bound it may be.
     */
    static final long NODE_LIMIT = 20_000;
    /** Branch and bound stops within this share of the best possible margin (0.5 %). */
    static final double RELATIVE_GAP = 5e-3;

    /** Money in the model is in millions of USD, so coefficients stay well scaled. */
    static final double MUSD = 1e6;
    static final double HOURS_PER_QUARTER = 8766.0 / 4;

    final PlanSpec spec;
    final int quarters;
    final int firstCalendarQuarter;
    final List<String> cellRegion = new ArrayList<>();
    final List<String> cellModel = new ArrayList<>();
    final Map<String, Integer> cellIndex = new LinkedHashMap<>();
    /** [cell][quarter] installed GPUs of the existing fleet. */
    final double[][] existing;
    /** Per cell: ρ, energy cost per busy GPU-hour, price per GPU-hour by tier. */
    final double[] rho;
    final double[] busyEnergyUsdPerGpuHour;
    final double[][] priceByTier;
    final List<Group> groups = new ArrayList<>();
    /** [candidate] cell index, earliest quarter it may open, spend per quarter online (USD). */
    final int[] candCell;
    final int[] candFirst;
    final double[] candCapex;
    final double[] candPowerMw;
    final double[] candFixedUsdPerQuarter;
    final List<String> powerSites = new ArrayList<>();
    final double[] powerHeadroomMw;
    final int[] candPowerSite;

    /** A demand group: one class, a set of allowed cells, GPUs per quarter, revenue per GPU-hour per cell. */
    static final class Group {
        final String jobClass;
        final BitSet cells;
        final double[] gpus;
        final String label;
        final List<String> lines = new ArrayList<>();
        /** Revenue per busy GPU-hour, whatever cell serves it: the class's tier mix at the prices of its allowed cells, weighted by their GPUs at the start. */
        double revenuePerGpuHour;

        Group(String jobClass, BitSet cells, int quarters, String label) {
            this.jobClass = jobClass;
            this.cells = cells;
            this.gpus = new double[quarters];
            this.label = label;
        }
    }

    /** Relaxations used to find which constraint binds. */
    record Relax(boolean budget, boolean power, boolean timing, boolean rules) {
        static final Relax NONE = new Relax(false, false, false, false);
    }

    /**
     * One solved plan.
     *
     * @param feasible     whether every constraint held
     * @param openQuarter  per candidate: the quarter it opens, or -1
     * @param flow         [group][cell][quarter] GPUs served
     * @param unmet        [group][quarter] GPUs not served (only in the elastic solve)
     * @param objective    the objective, USD
     * @param solveMillis  wall time of the solve
     */
    record Solution(boolean feasible, int[] openQuarter, double[][][] flow, double[][] unmet, double objective, long solveMillis,
                    String state, double bound) {
        /** Relative distance between the plan found and the best possible margin (0 when proven within the gap). */
        double gap() {
            return feasible && bound > objective ? (bound - objective) / Math.max(1, Math.abs(bound)) : 0;
        }
    }

    /** Measured revenue per list-price revenue of the same work (1 when not measured): see {@link #realise(double)}. */
    double priceRealisation = 1;

    /**
     * Scales every group's revenue so that the plan's first quarter earns per busy GPU-hour what the engine earned in
     * calibration at the same offered load: the engine gives flexible work (batch on any model, inference on several)
     * to the GPUs its site scores prefer, not to the dearest, so list prices over the allowed cells overstate revenue.
     */
    void realise(double engineRevenuePerGpuHour) {
        double gpus = 0;
        double rev = 0;
        for (Group g : groups) {
            gpus += g.gpus[0];
            rev += g.gpus[0] * g.revenuePerGpuHour;
        }
        if (!(engineRevenuePerGpuHour > 0) || rev <= 0) {
            return;
        }
        priceRealisation = engineRevenuePerGpuHour / (rev / gpus);
        for (Group g : groups) {
            g.revenuePerGpuHour *= priceRealisation;
        }
    }

    /** A copy of this model's inputs with the residency and latency rules lifted, at the same price realisation. */
    PlanModel withoutRules(Map<String, Double> rhoByModel, double rhoDefault) {
        PlanModel m = new PlanModel(spec, rhoByModel, rhoDefault, true);
        m.priceRealisation = priceRealisation;
        for (Group g : m.groups) {
            g.revenuePerGpuHour *= priceRealisation;
        }
        return m;
    }

    PlanModel(PlanSpec spec, Map<String, Double> rhoByModel, double rhoDefault, boolean relaxRules) {
        this.spec = spec;
        this.quarters = spec.quarters();
        this.firstCalendarQuarter = (spec.start().getMonthValue() - 1) / 3;
        RegionalFleet f = spec.fleet();
        for (NodePool p : f.pools()) {
            if (p.gpusPerNode() > 0) {
                cell(f.sites().get(f.siteIndex(p.site())).region(), p.gpuModel());
            }
        }
        for (PlanSpec.Candidate c : spec.candidates()) {
            cell(c.region(), c.gpuModel());
        }
        int k = cellRegion.size();
        existing = new double[k][quarters];
        rho = new double[k];
        busyEnergyUsdPerGpuHour = new double[k];
        priceByTier = new double[k][Tier.values().length];
        double[] energyWeight = new double[k];
        Finance fin = f.finance();
        for (NodePool p : f.pools()) {
            if (p.gpusPerNode() == 0) {
                continue;
            }
            Site s = f.sites().get(f.siteIndex(p.site()));
            int c = cellIndex.get(s.region() + "\t" + p.gpuModel());
            for (int q = 0; q < quarters; q++) {
                if (!s.opens().isAfter(spec.quarterStart(q))) {
                    existing[c][q] += p.gpus();
                }
            }
            busyEnergyUsdPerGpuHour[c] += p.gpus() * (1 - fin.idlePowerShare()) * p.avgKw() / p.gpusPerNode() * s.pue() * s.tariffUsdPerKwh();
            energyWeight[c] += p.gpus();
        }
        candCell = new int[spec.candidates().size()];
        candFirst = new int[candCell.length];
        candCapex = new double[candCell.length];
        candPowerMw = new double[candCell.length];
        candFixedUsdPerQuarter = new double[candCell.length];
        candPowerSite = new int[candCell.length];
        for (int i = 0; i < candCell.length; i++) {
            PlanSpec.Candidate c = spec.candidates().get(i);
            Site s = site(c.site());
            int ci = cellIndex.get(c.region() + "\t" + c.gpuModel());
            candCell[i] = ci;
            candFirst[i] = Math.max(c.leadQuarters(), quarterOnOrAfter(c.earliest()));
            candCapex[i] = c.capexUsd(s.buildUsdPerWatt());
            candPowerMw[i] = c.powerMw(s.pue());
            double hours = HOURS_PER_QUARTER;
            candFixedUsdPerQuarter[i] = c.nodes() * (c.capexPerNode() / (fin.serverYears() * 4)
                    + c.peakKw() * 1000.0 * s.buildUsdPerWatt() / (fin.facilityYears() * 4)
                    + c.avgKw() * s.pue() * s.tariffUsdPerKwh() * fin.idlePowerShare() * hours);
            if (energyWeight[ci] == 0) {
                busyEnergyUsdPerGpuHour[ci] += c.gpus() * (1 - fin.idlePowerShare()) * c.avgKw() / c.gpusPerNode() * s.pue()
                        * s.tariffUsdPerKwh();
                energyWeight[ci] += c.gpus();
            }
            int ps = powerSites.indexOf(c.site());
            if (ps < 0) {
                powerSites.add(c.site());
                ps = powerSites.size() - 1;
            }
            candPowerSite[i] = ps;
        }
        powerHeadroomMw = new double[powerSites.size()];
        for (int i = 0; i < powerSites.size(); i++) {
            String name = powerSites.get(i);
            Site s = site(name);
            double need = 0;
            for (NodePool p : f.pools()) {
                if (p.site().equals(name)) {
                    need += p.peakKw() * p.nodes() * s.pue() / 1000.0;
                }
            }
            powerHeadroomMw[i] = s.powerMw() - need;
        }
        for (int c = 0; c < k; c++) {
            busyEnergyUsdPerGpuHour[c] = energyWeight[c] == 0 ? 0 : busyEnergyUsdPerGpuHour[c] / energyWeight[c];
            rho[c] = rhoByModel.getOrDefault(cellModel.get(c), rhoDefault);
            io.archipelago.core.geo.Price pr = f.price(cellModel.get(c), cellRegion.get(c));
            for (Tier t : Tier.values()) {
                priceByTier[c][t.ordinal()] = pr == null ? 0 : pr.of(t);
            }
        }
        buildGroups(relaxRules);
    }

    private void cell(String region, String model) {
        String key = region + "\t" + model;
        if (!cellIndex.containsKey(key)) {
            cellIndex.put(key, cellRegion.size());
            cellRegion.add(region);
            cellModel.add(model);
        }
    }

    Site site(String name) {
        RegionalFleet f = spec.fleet();
        int i = f.siteIndex(name);
        if (i >= 0) {
            return f.sites().get(i);
        }
        return spec.newSites().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** The first quarter that starts on or after {@code day} (a quarter already started does not count). */
    int quarterOnOrAfter(LocalDate day) {
        for (int q = 0; q < quarters; q++) {
            if (!spec.quarterStart(q).isBefore(day)) {
                return q;
            }
        }
        return quarters;
    }

    // ---------------------------------------------------------------- groups

    private void buildGroups(boolean relaxRules) {
        RegionalFleet f = spec.fleet();
        BitSet existingCells = new BitSet();
        for (int c = 0; c < cellRegion.size(); c++) {
            if (existing[c][0] > 0) {
                existingCells.set(c);
            }
        }
        double[][] table = Forecast.table(spec);
        Map<String, Group> byKey = new LinkedHashMap<>();
        MultiRegionSpec.Residency res = spec.workload().residency();
        double[] resShare = {res.none(), res.jurisdiction(), res.region()};
        String[] resName = {"anywhere", "in its jurisdiction", "in its region"};
        for (int i = 0; i < spec.demand().size(); i++) {
            PlanSpec.DemandLine d = spec.demand().get(i);
            MultiRegionSpec.JobClass jc = spec.workload().classes().stream().filter(c -> c.name().equals(d.jobClass())).findFirst()
                    .orElseThrow();
            for (int rk = 0; rk < 3; rk++) {
                if (resShare[rk] <= 0) {
                    continue;
                }
                for (MultiRegionSpec.Share<Integer> slo : jc.sloMs()) {
                    if (slo.share() <= 0) {
                        continue;
                    }
                    int residency = relaxRules ? 0 : rk;
                    int sloMs = relaxRules ? PlacementRules.NO_SLO : slo.value();
                    // as the workload generator does on the fleet it is given: a part that no cell of the fleet as it stands
                    // can serve loses its SLO, then widens its residency; the part may then use every cell, built or not,
                    // that its relaxed rules allow
                    while (!allowed(f, d.region(), jc, residency, sloMs).intersects(existingCells)
                            && (sloMs != PlacementRules.NO_SLO || residency > 0)) {
                        if (sloMs != PlacementRules.NO_SLO) {
                            sloMs = PlacementRules.NO_SLO;
                        } else {
                            residency--;
                        }
                    }
                    BitSet cells = allowed(f, d.region(), jc, residency, sloMs);
                    if (cells.isEmpty()) {
                        throw new IllegalArgumentException("demand " + d.region() + "/" + d.jobClass() + ": no existing pool or candidate has a"
                                + " GPU model the class allows (" + (jc.anyModel() ? "any" : String.join(", ", jc.gpuModels()))
                                + "); add a candidate with one of them");
                    }
                    BitSet allowedCells = cells;
                    String key = d.jobClass() + "\t" + cells;
                    String label = d.jobClass() + " from " + d.region() + " " + resName[residency]
                            + (sloMs == PlacementRules.NO_SLO ? "" : " within " + sloMs + " ms");
                    Group g = byKey.computeIfAbsent(key, x -> new Group(d.jobClass(), allowedCells, quarters, label));
                    g.lines.add(label);
                    double share = resShare[rk] * slo.share();
                    for (int q = 0; q < quarters; q++) {
                        g.gpus[q] += share * table[i][q];
                    }
                }
            }
        }
        groups.addAll(byKey.values());
        for (Group g : groups) {
            double w = 0;
            double r = 0;
            for (int c = g.cells.nextSetBit(0); c >= 0; c = g.cells.nextSetBit(c + 1)) {
                double wc = existing[c][0] > 0 ? existing[c][0] : 0;
                w += wc;
                r += wc * revenuePerGpuHour(g.jobClass, c);
            }
            if (w == 0) {
                int n = 0;
                for (int c = g.cells.nextSetBit(0); c >= 0; c = g.cells.nextSetBit(c + 1)) {
                    r += revenuePerGpuHour(g.jobClass, c);
                    n++;
                }
                w = n;
            }
            g.revenuePerGpuHour = r / w;
        }
    }

    private BitSet allowed(RegionalFleet f, String origin, MultiRegionSpec.JobClass jc, int residency, int sloMs) {
        Region o = f.regions().get(f.regionIndex(origin));
        int oi = f.regionIndex(origin);
        BitSet b = new BitSet();
        for (int c = 0; c < cellRegion.size(); c++) {
            int ri = f.regionIndex(cellRegion.get(c));
            Region r = f.regions().get(ri);
            boolean resOk = residency == 0 || (residency == 1 ? r.jurisdiction().equals(o.jurisdiction()) : ri == oi);
            boolean sloOk = sloMs == PlacementRules.NO_SLO || f.rttMs(oi, ri) <= sloMs;
            boolean modelOk = jc.anyModel() || jc.gpuModels().contains(cellModel.get(c));
            if (resOk && sloOk && modelOk) {
                b.set(c);
            }
        }
        return b;
    }

    /** Revenue per GPU-hour of class {@code jobClass} served in cell {@code c}, at the class's tier mix. */
    double revenuePerGpuHour(String jobClass, int c) {
        MultiRegionSpec.JobClass jc = spec.workload().classes().stream().filter(x -> x.name().equals(jobClass)).findFirst().orElseThrow();
        double r = 0;
        for (MultiRegionSpec.Share<Tier> t : jc.tiers()) {
            r += t.share() * priceByTier[c][t.value().ordinal()];
        }
        return r;
    }

    // ---------------------------------------------------------------- solve

    /**
     * Solves with the given forced openings ({@code forced[c]} = quarter, or -1) and exclusions; with
     * {@code elastic}, demand may go unserved at a large penalty, so the model is always feasible and
     * shows where and when demand cannot be met.
     */
    Solution solve(int[] forced, boolean[] excluded, Relax relax, boolean elastic) {
        return solve(forced, excluded, relax, elastic, NODE_LIMIT);
    }

    /**
     * As {@link #solve(int[], boolean[], Relax, boolean)}; with {@code nodeLimit} &gt; 0 branch and bound stops after that
     * many nodes and keeps the best plan found so far.
     */
    Solution solve(int[] forced, boolean[] excluded, Relax relax, boolean elastic, long nodeLimit) {
        long t0 = System.nanoTime();
        MPSolver m = MPSolver.createSolver("SCIP");
        if (m == null) {
            throw new IllegalStateException("the SCIP solver of OR-Tools is not available on this platform");
        }
        // the time limit is only a safety net; the gap (and, for what-ifs, the node limit) ends the search deterministically
        m.setTimeLimit(TIME_LIMIT_MS);
        if (nodeLimit > 0) {
            m.setSolverSpecificParametersAsString("limits/nodes = " + nodeLimit + "\n");
        }
        MPObjective obj = m.objective();
        obj.setMaximization();
        double inf = MPSolver.infinity();
        int nc = spec.candidates().size();
        int k = cellRegion.size();
        MPVariable[][] y = new MPVariable[nc][quarters];
        double maxPrice = 0;
        for (double[] p : priceByTier) {
            for (double v : p) {
                maxPrice = Math.max(maxPrice, v);
            }
        }
        for (int c = 0; c < nc; c++) {
            MPConstraint once = m.makeConstraint(forced[c] >= 0 ? 1 : 0, 1, "once_" + c);
            int first = relax.timing() ? 0 : candFirst[c];
            for (int t = 0; t < quarters; t++) {
                boolean allowed = t >= first && !excluded[c] && (forced[c] < 0 || forced[c] == t);
                MPVariable v = m.makeIntVar(0, allowed ? 1 : 0, "y_" + c + "_" + t);
                // cost of being online from t to the end of the horizon
                obj.setCoefficient(v, -candFixedUsdPerQuarter[c] * (quarters - t) / MUSD);
                once.setCoefficient(v, 1);
                y[c][t] = v;
            }
        }
        // budget per plan year: capex is paid when the build starts (lead time before opening; at the latest the first quarter)
        if (!relax.budget() && !spec.constraints().budgetPerYear().isEmpty()) {
            int years = (quarters + 3) / 4;
            MPConstraint[] b = new MPConstraint[years];
            for (int yr = 0; yr < years; yr++) {
                b[yr] = m.makeConstraint(-inf, spec.constraints().budget(yr) / MUSD, "budget_" + yr);
            }
            for (int c = 0; c < nc; c++) {
                for (int t = 0; t < quarters; t++) {
                    int pay = Math.max(0, t - spec.candidates().get(c).leadQuarters());
                    b[pay / 4].setCoefficient(y[c][t], candCapex[c] / MUSD);
                }
            }
        }
        if (!relax.power()) {
            for (int s = 0; s < powerSites.size(); s++) {
                MPConstraint p = m.makeConstraint(-inf, Math.max(0, powerHeadroomMw[s]), "power_" + s);
                for (int c = 0; c < nc; c++) {
                    if (candPowerSite[c] == s) {
                        for (int t = 0; t < quarters; t++) {
                            p.setCoefficient(y[c][t], candPowerMw[c]);
                        }
                    }
                }
            }
        }
        MPVariable[][][] x = new MPVariable[groups.size()][k][quarters];
        MPVariable[][] u = new MPVariable[groups.size()][quarters];
        for (int t = 0; t < quarters; t++) {
            MPConstraint[] cap = new MPConstraint[k];
            for (int c = 0; c < k; c++) {
                cap[c] = m.makeConstraint(-inf, rho[c] * existing[c][t], "cap_" + c + "_" + t);
            }
            for (int cd = 0; cd < nc; cd++) {
                int c = candCell[cd];
                for (int s = 0; s <= t; s++) {
                    cap[c].setCoefficient(y[cd][s], -rho[c] * spec.candidates().get(cd).gpus());
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                Group gr = groups.get(g);
                MPConstraint dem = m.makeConstraint(gr.gpus[t], gr.gpus[t], "demand_" + g + "_" + t);
                for (int c = gr.cells.nextSetBit(0); c >= 0; c = gr.cells.nextSetBit(c + 1)) {
                    // revenue does not depend on the cell (the engine does not route work to the dearest GPUs), so the model
                    // serves the demand at the least cost rather than chasing prices
                    double margin = (gr.revenuePerGpuHour - busyEnergyUsdPerGpuHour[c]) * HOURS_PER_QUARTER / MUSD;
                    MPVariable v = m.makeNumVar(0, inf, "x_" + g + "_" + c + "_" + t);
                    obj.setCoefficient(v, margin);
                    dem.setCoefficient(v, 1);
                    cap[c].setCoefficient(v, 1);
                    x[g][c][t] = v;
                }
                if (elastic) {
                    MPVariable v = m.makeNumVar(0, inf, "u_" + g + "_" + t);
                    // unserved demand costs more the earlier it is, so the solver defers any shortfall it can and the
                    // first quarter left short is the first one that cannot be served
                    obj.setCoefficient(v, -100 * maxPrice * HOURS_PER_QUARTER / MUSD * (2.0 * quarters - t) / quarters);
                    dem.setCoefficient(v, 1);
                    u[g][t] = v;
                }
            }
        }
        MPSolverParameters params = new MPSolverParameters();
        params.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, RELATIVE_GAP);
        MPSolver.ResultStatus status = m.solve(params);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        boolean ok = status == MPSolver.ResultStatus.OPTIMAL || status == MPSolver.ResultStatus.FEASIBLE;
        int[] open = new int[nc];
        java.util.Arrays.fill(open, -1);
        double[][][] flow = new double[groups.size()][k][quarters];
        double[][] unmet = new double[groups.size()][quarters];
        if (ok) {
            for (int c = 0; c < nc; c++) {
                for (int t = 0; t < quarters; t++) {
                    if (y[c][t].solutionValue() > 0.5) {
                        open[c] = t;
                    }
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                for (int c = 0; c < k; c++) {
                    for (int t = 0; t < quarters; t++) {
                        flow[g][c][t] = x[g][c][t] == null ? 0 : Math.max(0, x[g][c][t].solutionValue());
                    }
                }
                if (elastic) {
                    for (int t = 0; t < quarters; t++) {
                        unmet[g][t] = Math.max(0, u[g][t].solutionValue());
                    }
                }
            }
        }
        double value = ok ? obj.value() * MUSD : Double.NaN;
        double bound = ok ? obj.bestBound() * MUSD : Double.NaN;
        m.delete();
        return new Solution(ok, open, flow, unmet, value, ms, status.toString(), bound);
    }
}

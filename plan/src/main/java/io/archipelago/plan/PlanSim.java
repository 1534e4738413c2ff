package io.archipelago.plan;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.sim.econ.LedgerResult;
import io.archipelago.sim.engine.SimResult;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.scenario.FleetSpec;
import io.archipelago.sim.scenario.MultiRegionSpec;
import io.archipelago.sim.scenario.PolicySpec;
import io.archipelago.sim.scenario.QueueSpec;
import io.archipelago.sim.scenario.Scenario;
import io.archipelago.sim.scenario.ScenarioLoader;
import io.archipelago.sim.scenario.TenantSpec;
import io.archipelago.sim.scenario.WorkloadSpec;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The planner's bridge to the time simulation: the fleet as it stands on a day (with the chosen
 * candidates built), the workload of a quarter's demand, and one measured run of the engine over it.
 * Package-private; {@link Calibration} and {@link Verification} use it.
 */
final class PlanSim {
    private PlanSim() {
    }

    /**
     * What one run measured over its window (after the warm-up).
     *
     * @param waitP95Ms      95th percentile of waiting time of jobs arriving in the window (jobs still waiting count so far)
     * @param sloAttainment  share of the window's jobs with a latency SLO that met it (NaN when none)
     * @param window         the fleet's figures over the window's month (the window lies in one month)
     * @param byRegion       the same per region
     * @param byPool         the same per pool, {@code site/pool}
     * @param windowHours    hours in the window
     * @param jobs           jobs generated (warm-up included)
     */
    record Measure(double waitP95Ms, double sloAttainment, LedgerResult.Figures window, Map<String, LedgerResult.Figures> byRegion,
                   Map<String, LedgerResult.Figures> byPool, double windowHours, int jobs) {
    }

    /**
     * The fleet on {@code day}: the sites of the plan's fleet that have opened by then (each with its pools),
     * and the candidates in {@code built}, in new or existing sites. A site that has not opened is left out
     * with its pools; the regions, latencies and prices stay.
     */
    static RegionalFleet fleetAt(PlanSpec spec, LocalDate day, Collection<PlanSpec.Candidate> built) {
        RegionalFleet f = spec.fleet();
        List<Site> sites = new ArrayList<>();
        for (Site s : f.sites()) {
            if (!s.opens().isAfter(day)) {
                sites.add(s);
            }
        }
        Set<String> open = new java.util.HashSet<>();
        sites.forEach(s -> open.add(s.name()));
        for (PlanSpec.Candidate c : built) {
            if (!open.contains(c.site())) {
                Site ns = spec.newSites().stream().filter(s -> s.name().equals(c.site())).findFirst().orElseThrow(() ->
                        new IllegalStateException("candidate " + c.name() + " is in site " + c.site() + ", which has not opened by " + day));
                sites.add(ns);
                open.add(ns.name());
            }
        }
        List<NodePool> pools = new ArrayList<>();
        for (Site s : sites) {
            for (NodePool p : f.pools()) {
                if (p.site().equals(s.name())) {
                    pools.add(p);
                }
            }
            for (PlanSpec.Candidate c : built) {
                if (c.site().equals(s.name())) {
                    pools.add(pool(c));
                }
            }
        }
        // site power is checked by the planner against the plan's own rule (existing need + candidates);
        // here each site gets at least what its pools need so the model's own check never refuses a plan
        List<Site> sized = new ArrayList<>();
        for (Site s : sites) {
            double need = 0;
            for (NodePool p : pools) {
                if (p.site().equals(s.name())) {
                    need += p.peakKw() * p.nodes() * s.pue() / 1000.0;
                }
            }
            sized.add(need <= s.powerMw() ? s : new Site(s.name(), s.region(), s.zone(), need, s.pue(), s.tariffUsdPerKwh(),
                    s.buildUsdPerWatt(), s.opens()));
        }
        return new RegionalFleet(f.name(), f.description(), f.regions(), sized, pools, f.rttMatrix(), f.prices(), f.finance());
    }

    /** The node pool a candidate builds. */
    static NodePool pool(PlanSpec.Candidate c) {
        return new NodePool(c.poolName(), c.site(), c.gpuModel(), c.gpusPerNode(), c.cpuCores(), c.memoryGib(), 0, c.peakKw(), c.avgKw(),
                c.capexPerNode(), c.nodes());
    }

    /**
     * Runs the engine over {@code fleet} with the given mean busy GPUs per demand line, starting
     * {@code warmupMs} before {@code windowStart} and measuring {@code windowMs} from it.
     *
     * @param gpusByLine mean busy GPUs of each of the plan's demand lines (same order)
     */
    static Measure run(PlanSpec spec, RegionalFleet fleet, double[] gpusByLine, LocalDate windowStart, long warmupMs, long windowMs,
                       long seed) {
        long fleetGpus = fleet.gpuCount();
        long startOffsetDays = (warmupMs + 86_399_999L) / 86_400_000L;
        LocalDate simStart = windowStart.minusDays(startOffsetDays);
        long warm = startOffsetDays * 86_400_000L;
        long horizon = warm + windowMs;
        // the simulation starts at midnight, whole days before the window; the jobs start arriving warmupMs before it
        long offset = warm - warmupMs;
        long span = warmupMs + windowMs;
        List<Workload> parts = new ArrayList<>();
        ScenarioLoader.Loaded base = null;
        for (MultiRegionSpec.JobClass jc : spec.workload().classes()) {
            Map<String, Double> byOrigin = new LinkedHashMap<>();
            double total = 0;
            for (int i = 0; i < gpusByLine.length; i++) {
                PlanSpec.DemandLine d = spec.demand().get(i);
                if (d.jobClass().equals(jc.name()) && gpusByLine[i] > 0) {
                    byOrigin.merge(d.region(), gpusByLine[i], Double::sum);
                    total += gpusByLine[i];
                }
            }
            if (total <= 0) {
                continue;
            }
            List<MultiRegionSpec.Share<String>> origins = new ArrayList<>();
            for (Map.Entry<String, Double> e : byOrigin.entrySet()) {
                origins.add(new MultiRegionSpec.Share<>(e.getKey(), e.getValue() / total));
            }
            MultiRegionSpec.JobClass only = new MultiRegionSpec.JobClass(jc.name(), 1.0, jc.gpuModels(), jc.tiers(), jc.priority(),
                    jc.durations(), jc.minGpus(), jc.maxGpus(), jc.wholeGpus(), jc.sloMs(), jc.gangs());
            MultiRegionSpec ms = new MultiRegionSpec(span, total / fleetGpus, 0, spec.workload().diurnal(), origins, List.of(only),
                    spec.workload().residency());
            Scenario sc = new Scenario(spec.name() + "-" + jc.name(), "", seed + 7919L * parts.size(), horizon,
                    new FleetSpec.Regional(null, 1.0, fleet), new WorkloadSpec.MultiRegion(ms), PolicySpec.DEFAULT, QueueSpec.DEFAULT, true,
                    List.of(TenantSpec.DEFAULT), List.of(), 3_600_000L, false, simStart);
            ScenarioLoader.Loaded l = ScenarioLoader.load(sc, null, Map.of());
            parts.add(l.workload());
            if (base == null) {
                base = l;
            }
        }
        if (base == null) {
            throw new IllegalArgumentException("no demand to simulate in the window from " + windowStart);
        }
        Workload merged = Workload.merge(spec.name(), parts, offset);
        ScenarioLoader.Loaded l = new ScenarioLoader.Loaded(base.scenario(), base.fleet(), merged, base.tenants(), base.outages(),
                base.options(), base.profile(), base.policyLabel(), base.notes());
        SimResult r = l.simulation().measureFrom(warm).run();
        LedgerResult led = r.regional().ledger();
        String month = YearMonth.from(windowStart).toString();
        LedgerResult.Figures fw = led.byMonth().getOrDefault(month, LedgerResult.Figures.ZERO);
        Map<String, LedgerResult.Figures> regions = new LinkedHashMap<>();
        for (String id : led.regions()) {
            regions.put(id, led.region(month, id));
        }
        Map<String, LedgerResult.Figures> pools = new LinkedHashMap<>();
        for (NodePool p : fleet.pools()) {
            String k = p.site() + "/" + p.name();
            pools.put(k, led.pool(month, k));
        }
        return new Measure(r.waitPercentileSeconds(95) * 1000.0, r.regional().stats().sloAttainment(), fw, regions, pools,
                windowMs / 3_600_000.0, merged.jobs());
    }
}

package io.archipelago.sim.engine;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random multi-region worlds (1-4 regions in 1-3 jurisdictions, 1-5 sites of 1-3 pools, a random
 * round-trip matrix; jobs with random origins, residency and latency SLOs, gangs, tiers, classes and
 * tenants; random site and node outages; every node policy) run with the invariant checker on, which
 * verifies after every event that every running task is in a site its rules allow.
 *
 * <p>Besides the engine's own counters (no residency or latency violation), every run is checked from
 * the outside, against rules re-derived here from the generated regions, jurisdictions and round trips
 * (not from {@link RegionalFleet#check}): no site that no job's rules allow ever started a job and no
 * region that holds no such site ever used a GPU; the unplaceable count is exactly the jobs whose
 * allowed sites could not hold them even empty; per-origin counts match the arrivals; failover books
 * only sites hit by an outage; and the task accounting adds up.
 */
class RegionalPropertyTest {
    private static final String[] MODELS = {"H100", "A100", "L40S"};

    record PoolGen(String model, int gpus, int cores, int memGib, int nodes) {
    }

    record RuleGen(String origin, List<String> jurisdictions, List<String> regions, int slo) {
        PlacementRules rules() {
            return new PlacementRules(origin, jurisdictions, regions, slo);
        }
    }

    /** kind 0 = CPU only, 1 = a shared slice of one GPU, 2 = whole GPUs. */
    record JobGen(long at, long runs, int kind, int gpus, int milli, String model, int cpuMilli, int memMib, int workers,
                  int rule, int cls, int tier, int tenant) {
        TaskSpec task() {
            int k = kind == 0 ? 0 : kind == 1 ? 1 : gpus;
            int m = kind == 0 ? 0 : kind == 1 ? milli : 1000;
            String spec = k == 0 ? "" : model;
            long mask = spec.isEmpty() ? 0 : 1L << GpuModels.idOf(spec);
            return new TaskSpec("shape", cpuMilli, memMib, k, m, spec, mask, Qos.UNSPECIFIED, -1, -1, -1, 0, -1, 0);
        }
    }

    /** {@code site} >= 0: every node of that site; else the listed node indices (taken modulo the fleet size). */
    record OutageGen(long at, long duration, int site, List<Integer> nodes) {
    }

    /** A generated world: its fleet is built from these lists, and the rules re-checked from them. */
    record World(long seed, String policy, List<String> regionIds, List<String> jurisdictionOf, int[] siteRegion,
                 List<List<PoolGen>> pools, int[][] rtt, List<RuleGen> rules, List<JobGen> jobs, List<OutageGen> outages,
                 List<Simulation.Tenant> tenants, SiteWeights weights, long sloWaitMs, Simulation.Options options) {

        int sites() {
            return siteRegion.length;
        }

        RegionalFleet fleet() {
            List<Region> regions = new ArrayList<>();
            for (int r = 0; r < regionIds.size(); r++) {
                regions.add(new Region(regionIds.get(r), "Region " + r, jurisdictionOf.get(r), 1));
            }
            List<Site> siteList = new ArrayList<>();
            List<NodePool> poolList = new ArrayList<>();
            Set<String> models = new LinkedHashSet<>();
            for (int s = 0; s < sites(); s++) {
                siteList.add(new Site("S" + s, regionIds.get(siteRegion[s]), "a", 100, 1.1 + 0.1 * (s % 3), 0.05 + 0.05 * s, 9,
                        LocalDate.of(2020, 1, 1)));
                for (int p = 0; p < pools.get(s).size(); p++) {
                    PoolGen g = pools.get(s).get(p);
                    poolList.add(new NodePool("p" + p, "S" + s, g.model(), g.gpus(), g.cores(), g.memGib(), 0, 10, 7, 100_000,
                            g.nodes()));
                    if (!g.model().isEmpty()) {
                        models.add(g.model());
                    }
                }
            }
            List<Price> prices = new ArrayList<>();
            int k = 0;
            for (String m : models) {
                for (String r : regionIds) {
                    double od = 1 + (k++ * 7 % 10);
                    prices.add(new Price(m, r, od, od * 0.4, od * 0.7));
                }
            }
            return new RegionalFleet("random", "", regions, siteList, poolList, rtt, prices, new Finance(4, 12, 0.25));
        }

        Workload workload() {
            Workload.Builder b = Workload.builder("random");
            int[] ruleIndex = new int[rules.size()];
            for (int i = 0; i < rules.size(); i++) {
                ruleIndex[i] = b.rules(rules.get(i).rules());
            }
            for (JobGen j : jobs) {
                b.add(j.at(), j.runs(), b.prototype(j.task()), PriorityClass.of(j.cls()), j.tenant() % tenants.size(), j.workers(),
                        null, ruleIndex[j.rule()], Tier.values()[j.tier()]);
            }
            return b.build();
        }

        List<Simulation.Outage> outageList(RegionalFleet.Layout layout) {
            List<Simulation.Outage> out = new ArrayList<>();
            int n = layout.nodes().size();
            for (int i = 0; i < outages.size(); i++) {
                OutageGen o = outages.get(i);
                Set<Integer> idx = new LinkedHashSet<>();
                if (o.site() >= 0) {
                    for (int x = layout.from(o.site()); x < layout.to(o.site()); x++) {
                        idx.add(x);
                    }
                } else {
                    for (int x : o.nodes()) {
                        idx.add(x % n);
                    }
                }
                out.add(new Simulation.Outage("o" + i, o.at(), o.duration(), idx.stream().mapToInt(Integer::intValue).toArray()));
            }
            return out;
        }

        SimResult run() {
            RegionalFleet f = fleet();
            String p = policy;
            return new Simulation("random-regional", p, Fleet.regional(f), workload(), tenants, outageList(f.layout()), options,
                    ctx -> Policies.profile(p, ctx)).regional(weights, LocalDate.of(2026, 3, 1), sloWaitMs).run();
        }

        // ---- the rules, re-derived from the generated world (independent of RegionalFleet.check)

        boolean allows(RuleGen r, int site) {
            int reg = siteRegion[site];
            if (!r.jurisdictions().isEmpty() && !r.jurisdictions().contains(jurisdictionOf.get(reg))) {
                return false;
            }
            if (!r.regions().isEmpty() && !r.regions().contains(regionIds.get(reg))) {
                return false;
            }
            if (r.slo() >= 0) {
                int o = regionIds.indexOf(r.origin());
                return o >= 0 && rtt[o][reg] <= r.slo();
            }
            return true;
        }

        /** How many workers of {@code j} an empty node of pool {@code g} holds. */
        static long workersOn(PoolGen g, JobGen j) {
            TaskSpec t = j.task();
            long k = Long.MAX_VALUE;
            if (t.cpuMilli() > 0) {
                k = Math.min(k, (long) g.cores() * 1000 / t.cpuMilli());
            }
            if (t.memoryMib() > 0) {
                k = Math.min(k, (long) g.memGib() * 1024 / t.memoryMib());
            }
            if (t.gpuCount() > 0) {
                if (g.gpus() == 0 || (!t.gpuSpec().isEmpty() && !t.gpuSpec().equals(g.model()))) {
                    return 0;
                }
                k = Math.min(k, t.isSharing() ? (long) g.gpus() * (1000 / t.gpuMilli()) : g.gpus() / t.gpuCount());
            }
            return k;
        }

        /** Whether the sites {@code j}'s rules allow could hold all its workers at once, with every node empty and up. */
        boolean canEverRun(JobGen j) {
            long room = 0;
            for (int s = 0; s < sites(); s++) {
                if (!allows(rules.get(j.rule()), s)) {
                    continue;
                }
                for (PoolGen g : pools.get(s)) {
                    long per = workersOn(g, j);
                    if (j.workers() == 1 && per >= 1) {
                        return true;
                    }
                    room += Math.min(per, j.workers()) * g.nodes();
                }
            }
            return j.workers() > 1 && room >= j.workers();
        }

        String describe() {
            StringBuilder b = new StringBuilder("seed " + seed + ", policy " + policy + ", regions " + regionIds + " in "
                    + jurisdictionOf + ", site regions " + Arrays.toString(siteRegion) + ", rtt " + Arrays.deepToString(rtt)
                    + ", pools " + pools + ", rules " + rules + ", outages " + outages + ", weights " + weights + ", " + jobs.size()
                    + " jobs, options " + options);
            return b.toString();
        }
    }

    // ------------------------------------------------------------ generation

    private static World world(long seed, String policy) {
        SplittableRandom r = new SplittableRandom(seed);
        int regions = 1 + r.nextInt(4);
        int jurisdictions = 1 + r.nextInt(3);
        List<String> ids = new ArrayList<>();
        List<String> jur = new ArrayList<>();
        for (int i = 0; i < regions; i++) {
            ids.add("r" + i);
            jur.add("J" + r.nextInt(jurisdictions));
        }
        int[][] rtt = new int[regions][regions];
        for (int a = 0; a < regions; a++) {
            rtt[a][a] = r.nextInt(6);
            for (int b = a + 1; b < regions; b++) {
                rtt[a][b] = rtt[b][a] = 5 + r.nextInt(200);
            }
        }
        int sites = 1 + r.nextInt(5);
        int[] siteRegion = new int[sites];
        List<List<PoolGen>> pools = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            siteRegion[s] = r.nextInt(regions);
            List<PoolGen> ps = new ArrayList<>();
            for (int p = 0, m = 1 + r.nextInt(3); p < m; p++) {
                boolean cpu = r.nextInt(6) == 0;
                ps.add(new PoolGen(cpu ? "" : MODELS[r.nextInt(MODELS.length)], cpu ? 0 : new int[] {1, 2, 4, 8}[r.nextInt(4)],
                        16 + r.nextInt(113), 64 + r.nextInt(961), 1 + r.nextInt(3)));
            }
            pools.add(ps);
        }
        // rule sets: often one (then the outside check of starts is exact), sometimes several
        List<RuleGen> rules = new ArrayList<>();
        for (int k = 0, m = r.nextInt(3) == 0 ? 2 + r.nextInt(2) : 1; k < m; k++) {
            rules.add(randomRule(r, ids, jurisdictions));
        }
        List<JobGen> jobs = new ArrayList<>();
        for (int k = 0, m = 1 + r.nextInt(50); k < m; k++) {
            int kind = r.nextInt(3);
            int workers = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1;
            jobs.add(new JobGen(r.nextLong(120_000), r.nextInt(10) == 0 ? -1 : r.nextLong(150_000), kind,
                    new int[] {1, 1, 2, 4, 8}[r.nextInt(5)], 100 * (1 + r.nextInt(9)),
                    r.nextInt(3) == 0 ? MODELS[r.nextInt(MODELS.length)] : "", 1000 * r.nextInt(24), 1024 * r.nextInt(96),
                    workers, r.nextInt(rules.size()), r.nextInt(3), r.nextInt(3), r.nextInt(2)));
        }
        List<OutageGen> outages = new ArrayList<>();
        for (int k = 0, m = r.nextInt(4); k < m; k++) {
            outages.add(new OutageGen(r.nextLong(150_000), r.nextInt(5) == 0 ? -1 : r.nextLong(120_000),
                    r.nextInt(3) > 0 ? r.nextInt(sites) : -1, List.of(r.nextInt(64), r.nextInt(64), r.nextInt(64))));
        }
        List<Simulation.Tenant> tenants = new ArrayList<>();
        for (int t = 0, m = 1 + r.nextInt(2); t < m; t++) {
            long guaranteed = 1000L * r.nextInt(8);
            tenants.add(new Simulation.Tenant("t" + t, guaranteed, r.nextInt(3) == 0 ? guaranteed + 1000L * r.nextInt(16) : -1,
                    1 + r.nextInt(3)));
        }
        SiteWeights weights = new SiteWeights(r.nextInt(4), r.nextInt(4), r.nextInt(4), r.nextInt(4), 1 + r.nextInt(3));
        Simulation.Options options = new Simulation.Options(r.nextLong(), r.nextBoolean() ? -1 : r.nextLong(300_000),
                1_000 + r.nextLong(20_000), r.nextBoolean(), r.nextLong(60_000), r.nextInt(20),
                r.nextBoolean() ? -1 : r.nextLong(100_000), r.nextBoolean(), true);
        return new World(seed, policy, ids, jur, siteRegion, pools, rtt, rules, jobs, outages, tenants, weights, r.nextLong(60_000),
                options);
    }

    private static RuleGen randomRule(SplittableRandom r, List<String> ids, int jurisdictions) {
        if (r.nextInt(10) == 0) {
            return new RuleGen(null, List.of(), List.of(), PlacementRules.NO_SLO); // anywhere
        }
        // an origin in the fleet, none, or (rarely) one the fleet does not have
        String origin = r.nextInt(4) == 0 ? null : r.nextInt(15) == 0 ? "elsewhere" : ids.get(r.nextInt(ids.size()));
        List<String> jur = new ArrayList<>();
        if (r.nextInt(5) < 2) {
            for (int k = 0, m = 1 + r.nextInt(2); k < m; k++) {
                jur.add("J" + r.nextInt(jurisdictions + 1)); // may name a jurisdiction no region has
            }
        }
        List<String> reg = new ArrayList<>();
        if (r.nextInt(5) < 2) {
            for (int k = 0, m = 1 + r.nextInt(2); k < m; k++) {
                reg.add(ids.get(r.nextInt(ids.size())));
            }
        }
        int slo = origin != null && r.nextBoolean() ? new int[] {0, 3, 10, 50, 120, 250}[r.nextInt(6)] : PlacementRules.NO_SLO;
        return new RuleGen(origin, jur.stream().distinct().toList(), reg.stream().distinct().toList(), slo);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.STUDY);
    }

    // ------------------------------------------------------------ the property

    @Property(tries = 1000)
    void placementNeverBreaksTheRulesAndTheBooksAddUp(@ForAll long seed, @ForAll("policies") String policy) {
        World w = world(seed, policy);
        SimResult r = w.run(); // the invariant checker runs after every event
        String ctx = w.describe();
        RegionalStats s = r.regional().stats();
        int sites = w.sites();
        int regions = w.regionIds().size();

        // the engine's own independent check at every bind
        assertThat(s.residencyViolations()).as(ctx).isZero();
        assertThat(s.latencyViolations()).as(ctx).isZero();

        // which jobs arrived: every job up to the end (arrivals are processed in order)
        List<JobGen> arrived = w.jobs().stream().filter(j -> j.at() <= r.endMs()).toList();

        // no site that no arrived job may use ever started one; no region without such a site ever used a GPU
        boolean[] usable = new boolean[sites];
        for (JobGen j : arrived) {
            for (int x = 0; x < sites; x++) {
                usable[x] |= w.allows(w.rules().get(j.rule()), x);
            }
        }
        for (int x = 0; x < sites; x++) {
            if (!usable[x]) {
                assertThat(s.startsBySite()[x]).as("starts in site S%d, which no job's rules allow; %s", x, ctx).isZero();
            }
        }
        for (int reg = 0; reg < regions; reg++) {
            boolean any = false;
            for (int x = 0; x < sites; x++) {
                any |= usable[x] && w.siteRegion()[x] == reg;
            }
            if (!any) {
                assertThat(r.column("gpus_used_" + w.regionIds().get(reg))).as("GPUs used in r%d; %s", reg, ctx).containsOnly(0.0);
            }
        }
        // the per-region series add up to the fleet's
        double[] used = r.column("gpus_used");
        for (int i = 0; i < used.length; i++) {
            double sum = 0;
            for (String id : w.regionIds()) {
                sum += r.column("gpus_used_" + id)[i];
            }
            assertThat(sum).as("sample %d; %s", i, ctx).isCloseTo(used[i], org.assertj.core.data.Offset.offset(1e-9));
        }

        // unplaceable: exactly the arrived jobs whose allowed sites could not hold them even empty
        long unplaceable = arrived.stream().filter(j -> !w.canEverRun(j)).count();
        assertThat(s.unplaceableJobs()).as(ctx).isEqualTo(unplaceable);

        // per-origin counts match the arrivals
        for (int reg = 0; reg < regions; reg++) {
            String id = w.regionIds().get(reg);
            long jobs = arrived.stream().filter(j -> id.equals(w.rules().get(j.rule()).origin())).count();
            long slo = arrived.stream().filter(j -> id.equals(w.rules().get(j.rule()).origin()) && w.rules().get(j.rule()).slo() >= 0)
                    .count();
            assertThat(s.jobsByOrigin()[reg]).as("jobs from %s; %s", id, ctx).isEqualTo(jobs);
            assertThat(s.sloJobsByOrigin()[reg]).as(ctx).isEqualTo(slo);
            assertThat(s.sloMetByOrigin()[reg]).as(ctx).isBetween(0L, slo);
            assertThat(s.gpuHoursByOrigin()[reg]).as(ctx).isGreaterThanOrEqualTo(0.0);
        }

        // task accounting
        assertThat(r.tasksArrived()).as(ctx).isEqualTo(arrived.stream().mapToLong(JobGen::workers).sum());
        assertThat(r.tasksArrived()).as(ctx).isEqualTo(r.tasksCompleted() + r.tasksRunning() + r.tasksQueued() + r.tasksRejected());
        assertThat(r.tasksTimedOut()).as(ctx).isLessThanOrEqualTo(r.tasksRejected());
        if (w.options().maxWaitMs() < 0) {
            assertThat(r.tasksTimedOut()).as(ctx).isZero();
        }
        long firstStarts = Arrays.stream(r.waitsMs()).mapToLong(a -> a.length).sum();
        long starts = Arrays.stream(s.startsBySite()).sum();
        assertThat(starts).as("starts are first starts plus restarts after evictions; %s", ctx)
                .isBetween(firstStarts, firstStarts + r.preemptions() + r.outageEvictions());

        // failover: only from sites an outage hit, never more jobs than were evicted by outages
        Set<Integer> hit = new LinkedHashSet<>();
        RegionalFleet.Layout layout = w.fleet().layout();
        for (Simulation.Outage o : w.outageList(layout)) {
            for (int n : o.nodes()) {
                hit.add(layout.siteOfNode()[n]);
            }
        }
        long booked = 0;
        for (int from = 0; from < sites; from++) {
            long row = Arrays.stream(s.failoverJobs()[from]).sum() + s.failoverWaiting()[from] + s.failoverRejected()[from];
            if (!hit.contains(from)) {
                assertThat(row).as("failover from S%d, which no outage hit; %s", from, ctx).isZero();
            }
            booked += row;
        }
        assertThat(booked).as(ctx).isLessThanOrEqualTo(r.outageEvictions());
        assertThat(Arrays.stream(s.failoverWaiting()).sum()).as(ctx).isLessThanOrEqualTo(r.tasksQueued());
        assertThat(Arrays.stream(s.failoverRejected()).sum()).as(ctx).isLessThanOrEqualTo(r.tasksRejected());
    }
}

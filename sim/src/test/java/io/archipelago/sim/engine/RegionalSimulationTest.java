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
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs on a multi-region fleet, one behaviour per test, with the invariant checker on (which also
 * verifies after every event that every running task is in a site its rules allow):
 *
 * <pre>
 * region      jurisdiction  site   nodes (4 x H100 each)   H100 on-demand $/GPU-h
 * eu-west     EU            PAR-A  0-3                     4
 * eu-central  EU            FRA-A  4-5                     2
 *                           FRA-B  6-7
 * us-east     US            IAD-A  8-9                     3
 *
 * RTT ms: eu-west/eu-central 10, eu-west/us-east 80, eu-central/us-east 100, inside a region 2
 * </pre>
 *
 * Every job takes one node's four GPUs unless a test says otherwise.
 */
class RegionalSimulationTest {
    static final long SECOND = 1_000;
    static final long HOUR = 3_600_000;
    static final int PAR_A = 0;
    static final int FRA_A = 1;
    static final int FRA_B = 2;
    static final int IAD_A = 3;
    static final int EU_WEST = 0;
    static final int EU_CENTRAL = 1;
    static final int US_EAST = 2;

    static final PlacementRules ONLY_EU_WEST = rules(null, List.of(), List.of("eu-west"), -1);
    static final PlacementRules ONLY_EU_CENTRAL = rules(null, List.of(), List.of("eu-central"), -1);
    static final PlacementRules ONLY_US_EAST = rules(null, List.of(), List.of("us-east"), -1);

    static PlacementRules rules(String origin, List<String> jurisdictions, List<String> regions, int slo) {
        return new PlacementRules(origin, jurisdictions, regions, slo);
    }

    static Site site(String name, String region, double tariff) {
        return new Site(name, region, "a", 10, 1.2, tariff, 8, LocalDate.of(2020, 1, 1));
    }

    static NodePool h100(String site, int nodes) {
        return new NodePool("h100", site, "H100", 4, 64, 512, 0, 6, 5, 150_000, nodes);
    }

    /** The fleet of the class comment. */
    static RegionalFleet fleet() {
        return new RegionalFleet("small", "",
                List.of(new Region("eu-west", "Paris", "EU", 3), new Region("eu-central", "Frankfurt", "EU", 3),
                        new Region("us-east", "Virginia", "US", 6)),
                List.of(site("PAR-A", "eu-west", 0.10), site("FRA-A", "eu-central", 0.20), site("FRA-B", "eu-central", 0.20),
                        site("IAD-A", "us-east", 0.30)),
                List.of(h100("PAR-A", 4), h100("FRA-A", 2), h100("FRA-B", 2), h100("IAD-A", 2)),
                new int[][] {{2, 10, 80}, {10, 2, 100}, {80, 100, 2}},
                List.of(new Price("H100", "eu-west", 4.0, 1.0, 3.0), new Price("H100", "eu-central", 2.0, 1.0, 1.5),
                        new Price("H100", "us-east", 3.0, 1.0, 2.0)),
                new Finance(5, 15, 0.3));
    }

    /** A run on a regional fleet, written as a specification. */
    static final class Run {
        private final RegionalFleet fleet;
        private final Workload.Builder wb = Workload.builder("regional");
        private final List<Simulation.Outage> outages = new ArrayList<>();
        private SiteWeights weights = SiteWeights.DEFAULT;
        private long sloWaitMs = 60 * SECOND;
        private long horizonMs = -1;
        private long sampleEveryMs = 5 * SECOND;
        private long maxWaitMs = -1;
        private String policy = "BestFit";
        private long seed = 1;

        Run(RegionalFleet fleet) {
            this.fleet = fleet;
        }

        Run weights(SiteWeights w) { weights = w; return this; }
        Run sloWait(long ms) { sloWaitMs = ms; return this; }
        Run horizon(long ms) { horizonMs = ms; return this; }
        Run maxWait(long ms) { maxWaitMs = ms; return this; }
        Run policy(String p) { policy = p; return this; }
        Run seed(long s) { seed = s; return this; }

        /** A job of {@code workers} tasks (a gang when more than one) of {@code gpus} whole GPUs each. */
        Run job(String name, long at, long runs, int gpus, int workers, PlacementRules r, Tier tier, PriorityClass cls) {
            int proto = wb.prototype(TaskSpec.of("gpus-" + gpus, 4_000, 8_192, gpus, gpus == 0 ? 0 : 1000));
            wb.add(at, runs, proto, cls, 0, workers, name, wb.rules(r), tier);
            return this;
        }

        Run job(String name, long at, long runs, PlacementRules r) {
            return job(name, at, runs, 4, 1, r, Tier.ON_DEMAND, PriorityClass.BURSTABLE);
        }

        /** Every node of {@code site} goes down at {@code atMs} for {@code durationMs}. */
        Run siteOutage(String site, long atMs, long durationMs) {
            RegionalFleet.Layout l = fleet.layout();
            int s = fleet.siteIndex(site);
            int[] nodes = new int[l.to(s) - l.from(s)];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = l.from(s) + i;
            }
            outages.add(new Simulation.Outage(site + " down", atMs, durationMs, nodes));
            return this;
        }

        Workload workload() {
            return wb.build();
        }

        SimResult run() {
            String p = policy;
            Simulation.Options opt = new Simulation.Options(seed, horizonMs, sampleEveryMs, false, 0, 16, maxWaitMs, false, true);
            return new Simulation("regional", p, Fleet.regional(fleet), workload(), List.of(), outages, opt,
                    ctx -> Policies.profile(p, ctx)).regional(weights, LocalDate.of(2026, 1, 1), sloWaitMs).run();
        }
    }

    static Run on(RegionalFleet fleet) {
        return new Run(fleet);
    }

    static RegionalStats stats(SimResult r) {
        assertThat(r.regional()).as("a regional run has a regional result").isNotNull();
        RegionalStats s = r.regional().stats();
        assertThat(s.residencyViolations()).as("residency violations").isZero();
        assertThat(s.latencyViolations()).as("latency violations").isZero();
        return s;
    }

    /** GPUs in use in {@code region} at the sample taken at {@code ms}. */
    static double gpusUsed(SimResult r, String region, long ms) {
        return SimScenario.at(r, "gpus_used_" + region, ms);
    }

    // ------------------------------------------------------------ (a) a site outage

    /**
     * EU-central is full of its own long jobs. PAR-A runs four jobs: one with no residency, one kept in
     * the EU, two kept in eu-west (whose only site is PAR-A). PAR-A fails at 10 s for 60 s.
     */
    private static Run parisOutage() {
        Run run = on(fleet()).weights(new SiteWeights(0, 0, 0, 0, 1)); // closest site to the origin first
        for (int k = 1; k <= 4; k++) {
            run.job("fra-" + k, 0, HOUR, ONLY_EU_CENTRAL);
        }
        return run.job("free", 0, HOUR, PlacementRules.from("eu-west"))
                .job("eu-only", 0, HOUR, rules("eu-west", List.of("EU"), List.of(), -1))
                .job("paris-1", 0, HOUR, ONLY_EU_WEST)
                .job("paris-2", 0, HOUR, ONLY_EU_WEST)
                .siteOutage("PAR-A", 10 * SECOND, 60 * SECOND);
    }

    @Test
    void duringASiteOutageJobsThatMayOnlyRunThereWaitAndTheOthersFailOverToAnAllowedSite() {
        SimResult r = parisOutage().horizon(50 * SECOND).run();
        RegionalStats s = stats(r);

        assertThat(s.startsBySite()).as("PAR-A 4 and EU-central 4 at 0 s; free restarts in IAD-A").containsExactly(4, 2, 2, 1);
        assertThat(s.failoverJobs()[PAR_A]).as("PAR-A -> IAD-A: the job without residency").containsExactly(0, 0, 0, 1);
        assertThat(s.failoverJobs()[FRA_A]).containsExactly(0, 0, 0, 0);
        assertThat(s.failoverWaiting()).as("eu-only (EU is full) and both paris jobs wait").containsExactly(3, 0, 0, 0);
        assertThat(s.failoverRejected()).containsExactly(0, 0, 0, 0);
        assertThat(r.outageEvictions()).isEqualTo(4);
        assertThat(r.tasksQueued()).isEqualTo(3);
        assertThat(gpusUsed(r, "eu-west", 50 * SECOND)).as("nothing of PAR-A runs anywhere in eu-west").isZero();
        assertThat(gpusUsed(r, "eu-central", 50 * SECOND)).isEqualTo(16.0);
        assertThat(gpusUsed(r, "us-east", 50 * SECOND)).as("only the job without residency").isEqualTo(4.0);
        assertThat(gpusUsed(r, "eu-west", 5 * SECOND)).as("before the outage").isEqualTo(16.0);
    }

    @Test
    void afterTheOutageTheWaitingJobsStartInTheirOwnSite() {
        SimResult r = parisOutage().horizon(200 * SECOND).run();
        RegionalStats s = stats(r);

        assertThat(s.failoverWaiting()).containsExactly(0, 0, 0, 0);
        assertThat(s.failoverJobs()[PAR_A]).as("three back home at 70 s, one in IAD-A").containsExactly(3, 0, 0, 1);
        assertThat(s.startsBySite()).containsExactly(7, 2, 2, 1);
        assertThat(s.failoverWaitP95Ms()[PAR_A]).as("waits 0, 60, 60, 60 s").isEqualTo(60_000.0);
        assertThat(s.failoverWaitP95Ms()[FRA_A]).isNaN();
        assertThat(r.tasksRunning()).isEqualTo(8);
        assertThat(gpusUsed(r, "eu-west", 60 * SECOND)).isZero();
        assertThat(gpusUsed(r, "eu-west", 70 * SECOND)).isEqualTo(12.0);
        assertThat(gpusUsed(r, "us-east", 200 * SECOND)).as("a failed-over job stays where it restarted").isEqualTo(4.0);
        // the summary reports the same moves
        @SuppressWarnings("unchecked")
        Map<String, Object> failover = (Map<String, Object>) r.summary().get("failover");
        assertThat(failover.get("moves").toString()).isEqualTo("[{from=PAR-A, to=PAR-A, jobs=3}, {from=PAR-A, to=IAD-A, jobs=1}]");
    }

    @Test
    void aFailedOverJobThatTimesOutIsCountedAsRejected() {
        SimResult r = parisOutage().maxWait(30 * SECOND).horizon(200 * SECOND).run();
        RegionalStats s = stats(r);

        assertThat(s.failoverRejected()).as("the three waiting jobs time out at 40 s").containsExactly(3, 0, 0, 0);
        assertThat(s.failoverWaiting()).containsExactly(0, 0, 0, 0);
        assertThat(s.failoverJobs()[PAR_A]).containsExactly(0, 0, 0, 1);
        assertThat(r.tasksTimedOut()).isEqualTo(3);
    }

    @Test
    void aGangSpanningTwoSitesThatLosesOneFailsOverFromTheSiteThatWentDown() {
        // two sites of one node each: a gang of two 4-GPU workers needs both
        RegionalFleet two = new RegionalFleet("two", "",
                List.of(new Region("eu-west", "Paris", "EU", 3), new Region("eu-central", "Frankfurt", "EU", 3)),
                List.of(site("PAR-A", "eu-west", 0.1), site("FRA-A", "eu-central", 0.2)),
                List.of(h100("PAR-A", 1), h100("FRA-A", 1)), new int[][] {{2, 10}, {10, 2}},
                List.of(new Price("H100", "eu-west", 4.0, 1.0, 3.0), new Price("H100", "eu-central", 2.0, 1.0, 1.5)),
                new Finance(5, 15, 0.3));
        SimResult during = on(two).job("gang", 0, HOUR, 4, 2, PlacementRules.ANYWHERE, Tier.ON_DEMAND, PriorityClass.BURSTABLE)
                .siteOutage("FRA-A", 10 * SECOND, 30 * SECOND).horizon(20 * SECOND).run();
        assertThat(stats(during).startsBySite()).containsExactly(1, 0);
        assertThat(stats(during).failoverWaiting()).as("the outage was at FRA-A (site 1)").containsExactly(0, 1);

        SimResult after = on(two).job("gang", 0, HOUR, 4, 2, PlacementRules.ANYWHERE, Tier.ON_DEMAND, PriorityClass.BURSTABLE)
                .siteOutage("FRA-A", 10 * SECOND, 30 * SECOND).horizon(60 * SECOND).run();
        assertThat(stats(after).failoverJobs()[1]).as("from FRA-A, restarted with its first worker in PAR-A")
                .containsExactly(1, 0);
        assertThat(stats(after).failoverJobs()[0]).containsExactly(0, 0);
    }

    // ------------------------------------------------------------ (b) latency SLO

    @Test
    void jobsWithALatencySloOnlyLandWithinIt() {
        // by price alone EU-central (cheapest) would win; from us-east an 80 ms SLO allows PAR-A (80) and IAD-A (2)
        SiteWeights priceOnly = new SiteWeights(0, 1, 0, 0, 0);
        Run slo = on(fleet()).weights(priceOnly);
        Run free = on(fleet()).weights(priceOnly);
        for (int k = 0; k < 10; k++) {
            slo.job("slo-" + k, k * SECOND, HOUR, rules("us-east", List.of(), List.of(), 80));
            free.job("free-" + k, k * SECOND, HOUR, PlacementRules.from("us-east"));
        }
        SimResult rs = slo.horizon(60 * SECOND).run();
        RegionalStats s = stats(rs);
        assertThat(s.startsBySite()).as("IAD-A (cheaper) first, then PAR-A; never EU-central").containsExactly(4, 0, 0, 2);
        assertThat(rs.tasksQueued()).isEqualTo(4);
        assertThat(gpusUsed(rs, "eu-central", 60 * SECOND)).isZero();

        SimResult rf = free.horizon(60 * SECOND).run();
        assertThat(stats(rf).startsBySite()).as("without the SLO the cheapest sites fill first").containsExactly(4, 2, 2, 2);
        assertThat(gpusUsed(rf, "eu-central", 60 * SECOND)).isEqualTo(16.0);
    }

    @Test
    void aRoundTripEqualToTheSloIsWithinIt() {
        Run run = on(fleet()).weights(new SiteWeights(0, 1, 0, 0, 0));
        for (int k = 0; k < 10; k++) {
            run.job("slo-" + k, k * SECOND, HOUR, rules("us-east", List.of(), List.of(), 100));
        }
        RegionalStats s = stats(run.horizon(60 * SECOND).run());
        assertThat(s.startsBySite()).as("RTT 100 to eu-central is within an SLO of 100").containsExactly(4, 2, 2, 2);
    }

    // ------------------------------------------------------------ (c) SLO attainment

    /** IAD-A is busy until 100 s; slow (us-east, 10 ms) arrives at 1 s and can only run there. */
    private static Run sloScenario(long sloWaitMs) {
        return on(fleet()).sloWait(sloWaitMs)
                .job("quick", 0, 10 * SECOND, rules("eu-west", List.of(), List.of(), 10))
                .job("block-1", 0, 100 * SECOND, ONLY_US_EAST)
                .job("block-2", 0, 100 * SECOND, ONLY_US_EAST)
                .job("slow", SECOND, 10 * SECOND, rules("us-east", List.of(), List.of(), 10))
                .job("later", 150 * SECOND, 10 * SECOND, rules("us-east", List.of(), List.of(), 10));
    }

    @Test
    void aJobThatWaitedLongerThanTheSloWaitMissesItsSlo() {
        SimResult r = sloScenario(30 * SECOND).run();
        RegionalStats s = stats(r);

        assertThat(s.jobsByOrigin()).as("the blockers have no origin").containsExactly(1, 0, 2);
        assertThat(s.sloJobsByOrigin()).containsExactly(1, 0, 2);
        assertThat(s.sloMetByOrigin()).as("slow waited 99 s > 30 s").containsExactly(1, 0, 1);
        assertThat(s.sloAttainment(US_EAST)).isEqualTo(0.5);
        assertThat(s.sloAttainment(EU_WEST)).isEqualTo(1.0);
        assertThat(s.sloAttainment(EU_CENTRAL)).isNaN();
        assertThat(s.sloAttainment()).isEqualTo(2.0 / 3);
        assertThat(r.summary().get("slo_attainment")).isEqualTo(0.6667);
    }

    @Test
    void waitingExactlyTheSloWaitStillMeetsIt() {
        assertThat(stats(sloScenario(99 * SECOND).run()).sloMetByOrigin()).containsExactly(1, 0, 2);
        assertThat(stats(sloScenario(99 * SECOND - 1).run()).sloMetByOrigin()).containsExactly(1, 0, 1);
    }

    @Test
    void aJobStillWaitingAtTheEndMissesAndOneNotYetArrivedIsNotCounted() {
        RegionalStats s = stats(sloScenario(HOUR).horizon(50 * SECOND).run());
        assertThat(s.sloJobsByOrigin()).as("later arrives at 150 s, after the end").containsExactly(1, 0, 1);
        assertThat(s.sloMetByOrigin()).containsExactly(1, 0, 0);
    }

    // ------------------------------------------------------------ (d) unplaceable rules

    @Test
    void jobsWhoseRulesLeaveNoSiteThatCouldHoldThemAreRejectedOnArrivalAndCounted() {
        SimResult r = on(fleet())
                .siteOutage("IAD-A", 0, 10 * SECOND) // down is not unplaceable: those jobs wait
                .job("no-such-region", 0, HOUR, rules(null, List.of(), List.of("eu-south"), -1))
                .job("too-wide", 0, HOUR, 8, 1, ONLY_US_EAST, Tier.ON_DEMAND, PriorityClass.BURSTABLE)
                .job("gang-too-big", 0, HOUR, 4, 3, ONLY_US_EAST, Tier.SPOT, PriorityClass.BURSTABLE)
                .job("slo-too-tight", 0, HOUR, rules("eu-central", List.of(), List.of(), 1))
                .job("gang-fits", 0, 20 * SECOND, 4, 2, ONLY_US_EAST, Tier.RESERVED, PriorityClass.BURSTABLE)
                .job("waits", 0, 20 * SECOND, ONLY_US_EAST)
                .run();
        RegionalStats s = stats(r);

        assertThat(s.unplaceableJobs()).isEqualTo(4);
        assertThat(r.tasksRejected()).as("1 + 1 + 3 + 1 tasks").isEqualTo(6);
        assertThat(r.tasksCompleted()).as("the gang at 10 s, then the single job at 30 s").isEqualTo(3);
        assertThat(r.waitsMs()[PriorityClass.BURSTABLE.ordinal()]).containsExactly(10 * SECOND, 30 * SECOND);
        assertThat(s.startsBySite()).containsExactly(0, 0, 0, 2);
        assertThat(s.sloJobsByOrigin()[EU_CENTRAL]).isEqualTo(1);
        assertThat(s.sloMetByOrigin()[EU_CENTRAL]).as("a rejected job misses its SLO").isZero();
        assertThat(r.summary().get("unplaceable_jobs")).isEqualTo(4L);
    }

    // ------------------------------------------------------------ (e) determinism

    private static Run randomRun(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<PlacementRules> menu = List.of(PlacementRules.ANYWHERE, ONLY_EU_WEST, ONLY_US_EAST,
                rules("eu-west", List.of("EU"), List.of(), -1), rules("us-east", List.of(), List.of(), 80),
                rules("eu-central", List.of(), List.of(), 10), PlacementRules.from("us-east"));
        Run run = on(fleet()).policy("FGD").seed(seed).sloWait(20 * SECOND).maxWait(300 * SECOND);
        for (int k = 0; k < 150; k++) {
            int gpus = new int[] {1, 2, 4}[rnd.nextInt(3)];
            run.job("j" + k, rnd.nextLong(800 * SECOND), rnd.nextInt(10) == 0 ? -1 : rnd.nextLong(60 * SECOND), gpus,
                    rnd.nextInt(5) == 0 ? 2 : 1, menu.get(rnd.nextInt(menu.size())), Tier.values()[rnd.nextInt(3)],
                    PriorityClass.of(rnd.nextInt(3)));
        }
        run.siteOutage(rnd.nextBoolean() ? "IAD-A" : "PAR-A", 100 * SECOND, 120 * SECOND);
        run.siteOutage("FRA-B", 300 * SECOND, 60 * SECOND);
        return run.horizon(900 * SECOND);
    }

    @Test
    void theSameSeedGivesTheSameRegionalResults() {
        SimResult a = randomRun(42).run();
        SimResult b = randomRun(42).run();
        RegionalStats sa = stats(a);
        assertThat(stats(b)).usingRecursiveComparison().withEqualsForType(Double::equals, Double.class).isEqualTo(sa);
        assertThat(withoutWallClock(a.summary())).isEqualTo(withoutWallClock(b.summary()));
        assertThat(Arrays.deepEquals(a.series(), b.series())).isTrue();
        // the run exercised what it is meant to
        assertThat(Arrays.stream(sa.startsBySite()).sum()).isGreaterThan(50);
        assertThat(Arrays.stream(sa.failoverJobs()).flatMapToLong(Arrays::stream).sum()).isPositive();
        assertThat(sa.sloJobsByOrigin()[US_EAST]).isPositive();
    }

    @Test
    void anotherSeedGivesAnotherWorkloadAndOtherResults() {
        RegionalStats a = stats(randomRun(42).run());
        RegionalStats c = stats(randomRun(43).run());
        assertThat(c.startsBySite()).isNotEqualTo(a.startsBySite());
    }

    private static Map<String, Object> withoutWallClock(Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>(summary);
        m.remove("wall_seconds");
        m.remove("events_per_second");
        return m;
    }
}

package io.archipelago.core.geo;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.Profile;
import io.archipelago.core.framework.Reason;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two-level placement on a small hand-built fleet:
 *
 * <pre>
 * region      jurisdiction  site   pools (nodes)                    tariff $/kWh
 * eu-west     EU            PAR-A  h100 x2 (nodes 0-1)              0.10
 *                           PAR-B  a100 x2 (nodes 2-3)              0.10
 * eu-central  EU            FRA-A  h100 x2 (4-5), cpu x1 (6)        0.20
 * us-east     US            IAD-A  h100 x2 (nodes 7-8)              0.30
 *
 * RTT ms      eu-west eu-central us-east        on-demand $/GPU-h: H100 eu-west 4, eu-central 6,
 * eu-west        2       10        80                              us-east 3; A100 eu-west 2
 * eu-central    10        2       100
 * us-east       80      100         2
 * </pre>
 *
 * Every GPU server draws 8 kW for 8 GPUs at PUE 1, so energy per GPU-hour follows the tariff. Unless a
 * test says otherwise the node policy scores every node 50 (weight 2), so the node-level component is
 * 50 everywhere and the site-level scores alone decide.
 */
class TwoLevelPlacerTest {
    static final int PAR_A = 0;
    static final int PAR_B = 1;
    static final int FRA_A = 2;
    static final int IAD_A = 3;

    /** The fleet of the class comment. */
    static RegionalFleet fleet() {
        return fleet(List.of(
                // given out of site order on purpose: the fleet groups them by site
                pool("h100", "IAD-A", "H100", 8, 2),
                pool("h100", "PAR-A", "H100", 8, 2),
                pool("a100", "PAR-B", "A100", 8, 2),
                pool("h100", "FRA-A", "H100", 8, 2),
                new NodePool("cpu", "FRA-A", "", 0, 64, 256, 0, 1, 0.5, 0, 1)));
    }

    static RegionalFleet fleet(List<NodePool> pools) {
        return new RegionalFleet("tiny", "a test fleet", regions(), sites(), pools, rtt(), prices(), finance());
    }

    static List<Region> regions() {
        return List.of(new Region("eu-west", "Paris", "EU", 3), new Region("eu-central", "Frankfurt", "EU", 3),
                new Region("us-east", "Virginia", "US", 6));
    }

    static List<Site> sites() {
        return List.of(site("PAR-A", "eu-west", 0.10), site("PAR-B", "eu-west", 0.10), site("FRA-A", "eu-central", 0.20),
                site("IAD-A", "us-east", 0.30));
    }

    static Site site(String name, String region, double tariff) {
        return new Site(name, region, "a", 1.0, 1.0, tariff, 10, LocalDate.of(2020, 1, 1));
    }

    static int[][] rtt() {
        return new int[][] {{2, 10, 80}, {10, 2, 100}, {80, 100, 2}};
    }

    static List<Price> prices() {
        return List.of(new Price("H100", "eu-west", 4.0, 1.0, 3.0), new Price("A100", "eu-west", 2.0, 1.0, 1.5),
                new Price("H100", "eu-central", 6.0, 1.0, 3.0), new Price("H100", "us-east", 3.0, 3.0, 3.0));
    }

    static Finance finance() {
        return new Finance(5, 15, 0.3);
    }

    static NodePool pool(String name, String site, String model, int gpus, int nodes) {
        return new NodePool(name, site, model, gpus, 224, 2048, 0, 10, 8, 0, nodes);
    }

    /** Scores every feasible node the same. */
    static final ScorePlugin FLAT = new ScorePlugin() {
        @Override
        public int score(ClusterState s, int node, TaskSpec t) {
            return 50;
        }

        @Override
        public String name() {
            return "Flat";
        }
    };

    /** A fleet laid out into a cluster, with its scheduler and placer. */
    static final class World {
        final RegionalFleet fleet;
        final RegionalFleet.Layout layout;
        final ClusterState state;
        final Scheduler scheduler;
        final TwoLevelPlacer placer;

        World(RegionalFleet fleet, SiteWeights weights, Profile profile) {
            this.fleet = fleet;
            this.layout = fleet.layout();
            this.state = new ClusterState(layout.nodes());
            this.scheduler = new Scheduler(state, profile);
            this.placer = new TwoLevelPlacer(scheduler, fleet, layout, weights);
        }

        World(SiteWeights weights) {
            this(fleet(), weights, flatProfile());
        }

        static Profile flatProfile() {
            Profile.Builder b = Profile.builder("flat");
            Filters.standard().forEach(b::filter);
            return b.score(FLAT, 2).gpuSelector(GpuSelectors.bestFit()).build();
        }

        int node(String name) {
            for (int i = 0; i < state.nodeCount(); i++) {
                if (state.name(i).equals(name)) {
                    return i;
                }
            }
            throw new AssertionError("no node " + name);
        }

        /** Binds whole GPUs of node {@code name} directly (a job placed earlier). */
        void occupy(String name, int gpus) {
            int n = node(name);
            int mask = 0;
            int taken = 0;
            for (int g = 0; g < state.gpuCount(n) && taken < gpus; g++) {
                if (state.gpuFree(n, g) == ClusterState.GPU_MILLI) {
                    mask |= 1 << g;
                    taken++;
                }
            }
            state.bind(n, TaskSpec.of("occupier-" + name + "-" + mask, 0, 0, gpus, 1000), mask);
        }

        int place(TaskSpec t, PlacementRules r, Tier tier) {
            return placer.place(t, scheduler.shapeOf(t), placer.rules(r), tier);
        }

        int select(TaskSpec t, PlacementRules r, Tier tier) {
            return placer.select(t, scheduler.shapeOf(t), placer.rules(r), tier);
        }

        TwoLevelPlacer.Explanation explain(TaskSpec t, PlacementRules r, Tier tier) {
            return placer.explain(t, placer.rules(r), tier);
        }

        String siteOf(int node) {
            return fleet.sites().get(placer.siteOf(node)).name();
        }
    }

    private static int seq;

    /** {@code gpus} whole GPUs of {@code model} ("" = any model), one core. */
    static TaskSpec gpus(int gpus, String model) {
        long mask = model.isEmpty() ? 0 : 1L << GpuModels.idOf(model);
        return new TaskSpec("job-" + (seq++), 1000, 1024, gpus, 1000, model, mask, Qos.UNSPECIFIED, -1, -1, -1, 0, -1, 0);
    }

    static PlacementRules rules(String origin, List<String> jurisdictions, List<String> regions, int slo) {
        return new PlacementRules(origin, jurisdictions, regions, slo);
    }

    static TwoLevelPlacer.SiteVerdict verdict(TwoLevelPlacer.Explanation e, String site) {
        return e.sites().stream().filter(v -> v.site().equals(site)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------ the layout the placer relies on

    @Test
    void sitesAreContiguousNodeRangesInSiteOrder() {
        World w = new World(SiteWeights.DEFAULT);
        assertThat(new int[] {w.layout.from(PAR_A), w.layout.from(PAR_B), w.layout.from(FRA_A), w.layout.from(IAD_A),
                w.layout.to(IAD_A)}).containsExactly(0, 2, 4, 7, 9);
        assertThat(w.state.name(4)).isEqualTo("FRA-A-h100-001");
        assertThat(w.state.name(6)).isEqualTo("FRA-A-cpu-001");
        assertThat(w.siteOf(8)).isEqualTo("IAD-A");
    }

    // ------------------------------------------------------------ site filter

    @Test
    void residencyByJurisdictionKeepsTheJobInItsJurisdiction() {
        World w = new World(SiteWeights.DEFAULT);
        PlacementRules us = rules(null, List.of("US"), List.of(), PlacementRules.NO_SLO);
        assertThat(w.placer.eligibleSites(w.placer.rules(us))).containsExactly(IAD_A);
        PlacementRules eu = rules(null, List.of("EU"), List.of(), PlacementRules.NO_SLO);
        assertThat(w.placer.eligibleSites(w.placer.rules(eu))).containsExactly(PAR_A, PAR_B, FRA_A);
        // IAD-A is the cheapest H100 on demand, but EU data stays in the EU
        SiteWeights priceOnly = new SiteWeights(0, 1, 0, 0, 0);
        World p = new World(fleet(), priceOnly, World.flatProfile());
        assertThat(p.siteOf(p.place(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("IAD-A");
        assertThat(p.siteOf(p.place(gpus(1, "H100"), eu, Tier.ON_DEMAND))).isEqualTo("PAR-A");
        TwoLevelPlacer.SiteVerdict iad = verdict(p.explain(gpus(1, "H100"), eu, Tier.ON_DEMAND), "IAD-A");
        assertThat(iad.reason()).isEqualTo(SiteReason.JURISDICTION);
        assertThat(iad.detail()).isEqualTo("jurisdiction US not in EU");
        assertThat(iad.candidate()).isFalse();
    }

    @Test
    void residencyByRegionAllowsOnlyTheListedRegions() {
        World w = new World(SiteWeights.DEFAULT);
        PlacementRules fra = rules(null, List.of(), List.of("eu-central"), PlacementRules.NO_SLO);
        assertThat(w.placer.eligibleSites(w.placer.rules(fra))).containsExactly(FRA_A);
        for (int k = 0; k < 4; k++) {
            int n = w.place(gpus(4, ""), fra, Tier.ON_DEMAND);
            assertThat(n).as("placement %d", k).isIn(4, 5);
        }
        assertThat(w.place(gpus(4, ""), fra, Tier.ON_DEMAND)).as("FRA-A's 16 GPUs are taken").isEqualTo(-1);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, ""), fra, Tier.ON_DEMAND);
        assertThat(verdict(e, "PAR-A").reason()).isEqualTo(SiteReason.REGION);
        assertThat(verdict(e, "PAR-A").detail()).isEqualTo("region eu-west not in eu-central");
        assertThat(verdict(e, "IAD-A").reason()).as("jurisdiction passes (no list), region fails").isEqualTo(SiteReason.REGION);
        PlacementRules two = rules(null, List.of(), List.of("eu-central", "us-east"), PlacementRules.NO_SLO);
        assertThat(w.placer.eligibleSites(w.placer.rules(two))).containsExactly(FRA_A, IAD_A);
    }

    @Test
    void aLatencySloKeepsOnlySitesWithinTheRoundTripIncludingTheBoundary() {
        World w = new World(SiteWeights.DEFAULT);
        assertThat(w.placer.eligibleSites(w.placer.rules(rules("eu-west", List.of(), List.of(), 10))))
                .as("RTT 2, 2, 10 <= 10").containsExactly(PAR_A, PAR_B, FRA_A);
        assertThat(w.placer.eligibleSites(w.placer.rules(rules("eu-west", List.of(), List.of(), 9)))).containsExactly(PAR_A, PAR_B);
        assertThat(w.placer.eligibleSites(w.placer.rules(rules("us-east", List.of(), List.of(), 80))))
                .containsExactly(PAR_A, PAR_B, IAD_A);
        assertThat(w.placer.eligibleSites(w.placer.rules(PlacementRules.from("us-east"))))
                .as("an origin without SLO restricts nothing").containsExactly(PAR_A, PAR_B, FRA_A, IAD_A);
        PlacementRules near = rules("eu-west", List.of(), List.of(), 9);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, ""), near, Tier.ON_DEMAND);
        assertThat(verdict(e, "FRA-A").reason()).isEqualTo(SiteReason.LATENCY);
        assertThat(verdict(e, "FRA-A").detail()).isEqualTo("RTT 10 ms from eu-west > SLO 9 ms");
        assertThat(verdict(e, "IAD-A").detail()).isEqualTo("RTT 80 ms from eu-west > SLO 9 ms");
        // fill both Paris sites: the job does not spill to Frankfurt
        for (String n : List.of("PAR-A-h100-001", "PAR-A-h100-002", "PAR-B-a100-001", "PAR-B-a100-002")) {
            w.occupy(n, 8);
        }
        assertThat(w.place(gpus(1, ""), near, Tier.ON_DEMAND)).isEqualTo(-1);
        assertThat(w.siteOf(w.place(gpus(1, ""), rules("eu-west", List.of(), List.of(), 10), Tier.ON_DEMAND))).isEqualTo("FRA-A");
    }

    @Test
    void theFilterChecksJurisdictionThenRegionThenLatency() {
        RegionalFleet f = fleet();
        PlacementRules all = rules("eu-west", List.of("EU"), List.of("eu-west"), 5);
        assertThat(f.check(all, IAD_A)).isEqualTo(SiteReason.JURISDICTION);
        assertThat(f.check(all, FRA_A)).isEqualTo(SiteReason.REGION);
        assertThat(f.check(rules("eu-west", List.of("EU"), List.of(), 5), FRA_A)).isEqualTo(SiteReason.LATENCY);
        assertThat(f.check(all, PAR_B)).isEqualTo(SiteReason.ELIGIBLE);
        assertThat(f.check(rules("nowhere", List.of(), List.of(), 500), PAR_A)).as("an unknown origin is never within an SLO")
                .isEqualTo(SiteReason.LATENCY);
    }

    // ------------------------------------------------------------ node level

    @Test
    void aSiteWithoutTheAllowedModelIsRejectedAtTheNodeLevel() {
        World w = new World(SiteWeights.DEFAULT);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        TwoLevelPlacer.SiteVerdict parB = verdict(e, "PAR-B");
        assertThat(parB.reason()).isEqualTo(SiteReason.GPU_MODEL);
        assertThat(parB.detail()).isEqualTo("needs H100");
        assertThat(parB.nodeReasons()).isEqualTo(Map.of(Reason.MODEL_NOT_ALLOWED, 2));
        assertThat(parB.bestNode()).isNull();
        // FRA-A's CPU node cannot take it either, but its H100 nodes can: a candidate
        assertThat(verdict(e, "FRA-A").reason()).isEqualTo(SiteReason.ELIGIBLE);
        assertThat(verdict(e, "FRA-A").bestNode()).isEqualTo("FRA-A-h100-001");
        for (int k = 0; k < 30; k++) {
            int n = w.place(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
            assertThat(n).isGreaterThanOrEqualTo(0);
            assertThat(w.siteOf(n)).isNotEqualTo("PAR-B");
        }
    }

    @Test
    void aSiteWithoutTheAllowedModelStaysAModelRejectionWhenOneOfItsNodesIsDown() {
        World w = new World(SiteWeights.DEFAULT);
        w.state.setUp(w.node("PAR-B-a100-001"), false);
        TwoLevelPlacer.SiteVerdict parB = verdict(w.explain(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND), "PAR-B");
        assertThat(parB.reason()).as("no node of PAR-B has an H100, up or down").isEqualTo(SiteReason.GPU_MODEL);
        assertThat(parB.nodeReasons()).isEqualTo(Map.of(Reason.NODE_UNAVAILABLE, 1, Reason.MODEL_NOT_ALLOWED, 1));
    }

    @Test
    void aSiteOfCpuServersIsAModelRejectionForAGpuJobEvenWhenItsCpuRequestFailsFirst() {
        List<Site> withCpuSite = new ArrayList<>(sites());
        withCpuSite.add(site("FRA-B", "eu-central", 0.20));
        List<NodePool> pools = new ArrayList<>(fleet().pools());
        pools.add(new NodePool("cpu", "FRA-B", "", 0, 64, 256, 0, 1, 0.5, 0, 2));
        RegionalFleet f = new RegionalFleet("five", "", regions(), withCpuSite, pools, rtt(), prices(), finance());
        World w = new World(f, SiteWeights.DEFAULT, World.flatProfile());
        // 100 cores: more than a CPU server has, so the CPU filter is the first to fail there
        TaskSpec big = new TaskSpec("big", 100_000, 1024, 1, 1000, "", 0, Qos.UNSPECIFIED, -1, -1, -1, 0, -1, 0);
        TwoLevelPlacer.SiteVerdict fraB = verdict(w.explain(big, PlacementRules.ANYWHERE, Tier.ON_DEMAND), "FRA-B");
        assertThat(fraB.reason()).isEqualTo(SiteReason.GPU_MODEL);
        assertThat(fraB.detail()).isEqualTo("needs any");
        assertThat(fraB.nodeReasons()).isEqualTo(Map.of(Reason.INSUFFICIENT_CPU, 2));
        TaskSpec cpuJob = TaskSpec.of("cpu-only", 100_000, 1024, 0, 0);
        TwoLevelPlacer.SiteVerdict forCpu = verdict(w.explain(cpuJob, PlacementRules.ANYWHERE, Tier.ON_DEMAND), "FRA-B");
        assertThat(forCpu.reason()).as("a CPU job needs no GPU model").isEqualTo(SiteReason.NO_NODE_FITS);
        assertThat(forCpu.detail()).isEqualTo("0/2 nodes fit: 2 insufficient CPU");
    }

    @Test
    void aFullSiteIsRejectedWithNoNodeFitsAndThePerReasonCounts() {
        World w = new World(SiteWeights.DEFAULT);
        w.occupy("PAR-A-h100-001", 8);
        w.occupy("PAR-A-h100-002", 8);
        w.occupy("FRA-A-h100-001", 8);
        w.state.setUp(w.node("FRA-A-h100-002"), false);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        TwoLevelPlacer.SiteVerdict parA = verdict(e, "PAR-A");
        assertThat(parA.reason()).isEqualTo(SiteReason.NO_NODE_FITS);
        assertThat(parA.nodeReasons()).isEqualTo(Map.of(Reason.INSUFFICIENT_GPU, 2));
        assertThat(parA.detail()).isEqualTo("0/2 nodes fit: 2 insufficient GPU");
        TwoLevelPlacer.SiteVerdict fra = verdict(e, "FRA-A");
        assertThat(fra.reason()).as("FRA-A has H100s, none free").isEqualTo(SiteReason.NO_NODE_FITS);
        assertThat(fra.nodeReasons()).isEqualTo(Map.of(Reason.NODE_UNAVAILABLE, 1, Reason.INSUFFICIENT_GPU, 1, Reason.NO_GPU, 1));
        assertThat(e.chosenSite()).isEqualTo("IAD-A");
        assertThat(w.siteOf(w.place(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("IAD-A");
        assertThat(e.message()).isEqualTo("placed on IAD-A-h100-001 in IAD-A; 4 sites: 1 candidate, 1 rejected at the node level"
                + " (no allowed GPU model), 2 rejected at the node level (no node fits)");
    }

    // ------------------------------------------------------------ site score

    @Test
    void theSiteScoreComponentsAreFragmentationPriceEnergyFreeCapacityAndLatency() {
        World w = new World(SiteWeights.DEFAULT);
        w.occupy("PAR-A-h100-001", 4); // PAR-A: 12 of 16 GPUs free
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, ""), PlacementRules.from("eu-west"), Tier.ON_DEMAND);
        // price on demand: A100 eu-west $2 (cheapest) 100, H100 eu-west $4 50, eu-central $6 (dearest) 0, us-east $3 75
        // energy per GPU-h: tariff 0.10 -> 100, 0.20 -> 50, 0.30 -> 0; latency from eu-west: 100 x (1 - RTT / 100)
        assertThat(verdict(e, "PAR-A").components()).containsExactly(50, 50, 100, 75, 98);
        assertThat(verdict(e, "PAR-B").components()).containsExactly(50, 100, 100, 100, 98);
        assertThat(verdict(e, "FRA-A").components()).containsExactly(50, 0, 50, 100, 90);
        assertThat(verdict(e, "IAD-A").components()).containsExactly(50, 75, 0, 100, 20);
        // the total is the weighted sum (2, 1, 1, 2, 1)
        assertThat(verdict(e, "PAR-A").total()).isEqualTo(2 * 50 + 50 + 100 + 2 * 75 + 98);
        assertThat(verdict(e, "PAR-B").total()).isEqualTo(2 * 50 + 100 + 100 + 2 * 100 + 98);
        assertThat(verdict(e, "FRA-A").total()).isEqualTo(2 * 50 + 0 + 50 + 2 * 100 + 90);
        assertThat(verdict(e, "IAD-A").total()).isEqualTo(2 * 50 + 75 + 0 + 2 * 100 + 20);
        assertThat(e.chosenSite()).isEqualTo("PAR-B");
        assertThat(e.chosenNode()).isEqualTo("PAR-B-a100-001");
        assertThat(verdict(e, "PAR-B").bestNode()).isEqualTo("PAR-B-a100-001");
    }

    @Test
    void aJobWithoutAnOriginScoresFullLatencyEverywhereAndCpuJobsFullPrice() {
        World w = new World(SiteWeights.DEFAULT);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, ""), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        for (String s : List.of("PAR-A", "PAR-B", "FRA-A", "IAD-A")) {
            assertThat(verdict(e, s).components()[4]).as(s).isEqualTo(100);
        }
        TaskSpec cpu = TaskSpec.of("cpu-job", 1000, 1024, 0, 0);
        TwoLevelPlacer.Explanation c = w.explain(cpu, PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        assertThat(verdict(c, "FRA-A").components()[1]).as("a CPU job pays no GPU price").isEqualTo(100);
        assertThat(verdict(c, "IAD-A").components()[1]).isEqualTo(100);
    }

    @Test
    void theNodePolicyScoreIsNormalisedIntoTheFragmentationComponent() {
        RegionalFleet f = fleet();
        RegionalFleet.Layout l = f.layout();
        ClusterState s = new ClusterState(l.nodes());
        Profile bestFit = Policies.profile("BestFit", new PolicyContext(s, new SplittableRandom(1),
                new Fragmentation(TargetWorkload.of(List.of(gpus(1, ""))))));
        Scheduler sch = new Scheduler(s, bestFit);
        TwoLevelPlacer placer = new TwoLevelPlacer(sch, f, l, SiteWeights.DEFAULT);
        s.bind(0, TaskSpec.of("busy", 100_000, 0, 6, 1000), 0b111111); // PAR-A-h100-001 nearly full: BestFit likes it
        TaskSpec t = gpus(1, "H100");
        TwoLevelPlacer.Explanation e = placer.explain(t, placer.rules(PlacementRules.ANYWHERE), Tier.ON_DEMAND);
        ScorePlugin plugin = bestFit.scores().get(0).plugin();
        assertThat(verdict(e, "PAR-A").bestNode()).isEqualTo("PAR-A-h100-001");
        int parA = verdict(e, "PAR-A").components()[0];
        int fra = verdict(e, "FRA-A").components()[0];
        assertThat(parA).isEqualTo(plugin.score(s, 0, t));
        assertThat(fra).isEqualTo(plugin.score(s, 4, t));
        assertThat(parA).isGreaterThan(fra);
    }

    @Test
    void theWeightsChooseTheWinner() {
        TaskSpec h100 = gpus(1, "H100");
        assertThat(winner(SiteWeights.DEFAULT, h100, PlacementRules.ANYWHERE, Tier.ON_DEMAND))
                .as("550 against FRA-A 450 and IAD-A 475").isEqualTo("PAR-A");
        assertThat(winner(new SiteWeights(0, 1, 0, 0, 0), h100, PlacementRules.ANYWHERE, Tier.ON_DEMAND))
                .as("cheapest H100 on demand").isEqualTo("IAD-A");
        assertThat(winner(new SiteWeights(0, 0, 1, 0, 0), h100, PlacementRules.ANYWHERE, Tier.ON_DEMAND))
                .as("cheapest energy").isEqualTo("PAR-A");
        assertThat(winner(new SiteWeights(0, 0, 0, 0, 1), h100, PlacementRules.from("us-east"), Tier.ON_DEMAND))
                .as("closest to us-east").isEqualTo("IAD-A");
        assertThat(winner(new SiteWeights(0, 0, 0, 0, 1), h100, PlacementRules.from("eu-central"), Tier.ON_DEMAND))
                .as("closest to eu-central").isEqualTo("FRA-A");
        // price and latency pull apart: the heavier weight wins
        assertThat(winner(new SiteWeights(0, 3, 0, 0, 1), h100, PlacementRules.from("eu-west"), Tier.ON_DEMAND))
                .as("PAR-A 3x50+98 = 248 beats IAD-A 3x75+20 = 245").isEqualTo("PAR-A");
        assertThat(winner(new SiteWeights(0, 4, 0, 0, 1), h100, PlacementRules.from("eu-west"), Tier.ON_DEMAND))
                .as("PAR-A 4x50+98 = 298 < IAD-A 4x75+20 = 320").isEqualTo("IAD-A");
    }

    @Test
    void theTierChoosesWhichPriceCounts() {
        TaskSpec h100 = gpus(1, "H100");
        SiteWeights priceOnly = new SiteWeights(0, 1, 0, 0, 0);
        assertThat(winner(priceOnly, h100, PlacementRules.ANYWHERE, Tier.ON_DEMAND)).isEqualTo("IAD-A");
        // spot: H100 $1 in Europe, $3 in us-east: PAR-A and FRA-A tie at 100, the first listed wins
        assertThat(winner(priceOnly, h100, PlacementRules.ANYWHERE, Tier.SPOT)).isEqualTo("PAR-A");
        TwoLevelPlacer.Explanation e = new World(priceOnly).explain(h100, PlacementRules.ANYWHERE, Tier.SPOT);
        assertThat(verdict(e, "PAR-A").total()).isEqualTo(verdict(e, "FRA-A").total()).isEqualTo(100);
        assertThat(verdict(e, "IAD-A").total()).isZero();
    }

    @Test
    void freeCapacitySpreadsLoadAndTiesGoToTheFirstSite() {
        SiteWeights freeOnly = new SiteWeights(0, 0, 0, 1, 0);
        World w = new World(freeOnly);
        TaskSpec h100 = gpus(8, "H100");
        // all empty: PAR-A, FRA-A and IAD-A tie at 100; the first listed wins
        assertThat(w.siteOf(w.place(h100, PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("PAR-A");
        // PAR-A now 50 % free: FRA-A and IAD-A tie at 100, FRA-A is listed first
        assertThat(w.siteOf(w.place(gpus(8, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("FRA-A");
        assertThat(w.siteOf(w.place(gpus(8, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("IAD-A");
        // all three at 50 %: back to the first
        assertThat(w.siteOf(w.place(gpus(8, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND))).isEqualTo("PAR-A");
        // a node that goes down takes its free GPUs out of its site's free share
        World d = new World(freeOnly);
        d.state.setUp(d.node("PAR-A-h100-002"), false);
        TwoLevelPlacer.Explanation e = d.explain(gpus(1, "H100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        assertThat(verdict(e, "PAR-A").components()[3]).isEqualTo(50);
        assertThat(e.chosenSite()).isEqualTo("FRA-A");
    }

    private static String winner(SiteWeights weights, TaskSpec t, PlacementRules r, Tier tier) {
        World w = new World(weights);
        int node = w.select(t, r, tier);
        assertThat(node).isGreaterThanOrEqualTo(0);
        assertThat(w.placer.lastSite()).isEqualTo(w.placer.siteOf(node));
        assertThat(w.state.usedGpuMilli()).as("select binds nothing").isZero();
        return w.siteOf(node);
    }

    // ------------------------------------------------------------ explanations

    @Test
    void theMessageNamesTheLevelAndTheReasonOfEachRejection() {
        World w = new World(SiteWeights.DEFAULT);
        PlacementRules nearIad = rules("us-east", List.of(), List.of(), 50);
        TwoLevelPlacer.Explanation e = w.explain(gpus(1, "H100"), nearIad, Tier.ON_DEMAND);
        assertThat(e.message()).isEqualTo("placed on IAD-A-h100-001 in IAD-A; 4 sites: 1 candidate, 3 rejected at the site level"
                + " (latency SLO exceeded)");
        assertThat(e.rules()).isEqualTo("origin us-east, RTT <= 50 ms");
        w.occupy("IAD-A-h100-001", 8);
        w.occupy("IAD-A-h100-002", 8);
        TwoLevelPlacer.Explanation full = w.explain(gpus(1, "H100"), nearIad, Tier.ON_DEMAND);
        assertThat(full.chosenNode()).isNull();
        assertThat(full.chosenSite()).isNull();
        assertThat(full.message()).isEqualTo("unschedulable; 4 sites: 3 rejected at the site level (latency SLO exceeded),"
                + " 1 rejected at the node level (no node fits)");
        TwoLevelPlacer.Explanation any = w.explain(gpus(1, "A100"), PlacementRules.ANYWHERE, Tier.ON_DEMAND);
        assertThat(any.message()).isEqualTo("placed on PAR-B-a100-001 in PAR-B; 4 sites: 1 candidate, 3 rejected at the node level"
                + " (no allowed GPU model)");
        assertThat(w.state.usedGpuMilli()).as("explain binds nothing").isEqualTo(16_000);
    }

    @Test
    void rulesThatNoSiteSatisfiesPlaceNothing() {
        World w = new World(SiteWeights.DEFAULT);
        PlacementRules impossible = rules(null, List.of("EU"), List.of("us-east"), PlacementRules.NO_SLO);
        int id = w.placer.rules(impossible);
        assertThat(w.placer.eligibleSites(id)).isEmpty();
        assertThat(w.placer.rulesOf(id)).isEqualTo(impossible);
        TaskSpec t = gpus(1, "");
        assertThat(w.placer.place(t, w.scheduler.shapeOf(t), id, Tier.ON_DEMAND)).isEqualTo(-1);
        assertThat(w.placer.lastSite()).isEqualTo(-1);
        assertThat(w.state.usedGpuMilli()).isZero();
        assertThat(w.explain(t, impossible, Tier.ON_DEMAND).message()).isEqualTo("unschedulable; 4 sites: 1 rejected at the site level"
                + " (jurisdiction not allowed), 3 rejected at the site level (region not allowed)");
        assertThat(w.placer.rules(impossible)).as("interned once").isEqualTo(id);
        assertThat(w.select(gpus(1, ""), rules("eu-west", List.of(), List.of(), 1), Tier.SPOT)).as("RTT 2 > SLO 1 everywhere")
                .isEqualTo(-1);
    }

    @Test
    void theSchedulerMustCoverTheLayout() {
        RegionalFleet f = fleet();
        ClusterState small = new ClusterState(f.layout().nodes().subList(0, 3));
        Scheduler s = new Scheduler(small, World.flatProfile());
        assertThatThrownBy(() -> new TwoLevelPlacer(s, f, f.layout(), SiteWeights.DEFAULT))
                .hasMessage("the scheduler has 3 nodes but fleet tiny lays out 9");
    }

    // ------------------------------------------------------------ never outside an eligible site

    @Property(tries = 200)
    void placeNeverReturnsANodeOutsideAnEligibleSite(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        SiteWeights weights = new SiteWeights(r.nextInt(4), r.nextInt(4), r.nextInt(4), r.nextInt(4), 1 + r.nextInt(3));
        World w = new World(weights);
        String[] regions = {"eu-west", "eu-central", "us-east"};
        String[] models = {"", "", "H100", "A100"};
        List<int[]> placed = new ArrayList<>(); // node, mask, task index
        List<TaskSpec> tasks = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            List<String> jur = r.nextInt(3) == 0 ? List.of(r.nextBoolean() ? "EU" : "US") : List.of();
            List<String> reg = r.nextInt(3) == 0 ? List.of(regions[r.nextInt(3)], regions[r.nextInt(3)]).stream().distinct().toList()
                    : List.of();
            String origin = r.nextInt(3) == 0 ? null : regions[r.nextInt(3)];
            int slo = origin != null && r.nextBoolean() ? new int[] {1, 2, 10, 80, 100}[r.nextInt(5)] : PlacementRules.NO_SLO;
            PlacementRules rl = rules(origin, jur, reg, slo);
            TaskSpec t = r.nextInt(6) == 0 ? TaskSpec.of("cpu-" + k, 1000 * r.nextInt(40), 1024, 0, 0)
                    : gpus(new int[] {1, 1, 2, 4, 8}[r.nextInt(5)], models[r.nextInt(models.length)]);
            Tier tier = Tier.values()[r.nextInt(3)];
            int node = w.place(t, rl, tier);
            if (node >= 0) {
                int site = w.placer.siteOf(node);
                assertThat(w.fleet.check(rl, site)).as("%s placed in %s", rl.describe(), w.siteOf(node))
                        .isEqualTo(SiteReason.ELIGIBLE);
                assertThat(w.placer.eligibleSites(w.placer.rules(rl))).contains(site);
                assertThat(w.placer.lastSite()).isEqualTo(site);
                placed.add(new int[] {node, w.scheduler.lastGpuMask(), tasks.size()});
                tasks.add(t);
            } else {
                // nothing fits in any eligible site, as the explanation confirms site by site
                TwoLevelPlacer.Explanation e = w.explain(t, rl, tier);
                assertThat(e.chosenNode()).isNull();
                assertThat(e.sites()).noneMatch(TwoLevelPlacer.SiteVerdict::candidate);
                for (int s = 0; s < w.fleet.sites().size(); s++) {
                    if (w.fleet.check(rl, s) == SiteReason.ELIGIBLE) {
                        for (int i = w.layout.from(s); i < w.layout.to(s); i++) {
                            assertThat(w.scheduler.fits(t, i)).isNotEqualTo(Reason.FITS);
                        }
                    }
                }
            }
            if (!placed.isEmpty() && r.nextInt(3) == 0) {
                int[] x = placed.remove(r.nextInt(placed.size()));
                w.state.unbind(x[0], tasks.get(x[2]), x[1]);
            }
            if (r.nextInt(10) == 0) {
                int n = r.nextInt(w.state.nodeCount());
                if (w.state.taskCount(n) == 0) {
                    w.state.setUp(n, !w.state.isUp(n));
                }
            }
        }
        w.state.checkInvariants();
    }

    @Test
    void theLastSelectionReportsItsCandidatesAndRunnerUpAsTheExplanationScoresThem() {
        World w = new World(SiteWeights.DEFAULT);
        PlacementRules eu = rules(null, List.of("EU"), List.of(), PlacementRules.NO_SLO);
        TaskSpec t = gpus(1, "H100");
        TwoLevelPlacer.Explanation e = w.explain(t, eu, Tier.ON_DEMAND);
        List<TwoLevelPlacer.SiteVerdict> candidates = e.sites().stream().filter(TwoLevelPlacer.SiteVerdict::candidate)
                .sorted((a, b) -> Long.compare(b.total(), a.total())).toList();

        int node = w.placer.select(t, w.scheduler.shapeOf(t), w.placer.rules(eu), Tier.ON_DEMAND);

        assertThat(node).isNotNegative();
        assertThat(w.placer.lastCandidates()).isEqualTo(candidates.size());
        assertThat(w.placer.lastTotal()).isEqualTo(candidates.get(0).total());
        if (candidates.size() > 1) {
            assertThat(w.fleet.sites().get(w.placer.runnerUpSite()).name()).isEqualTo(candidates.get(1).site());
            assertThat(w.placer.runnerUpTotal()).isEqualTo(candidates.get(1).total());
        } else {
            assertThat(w.placer.runnerUpSite()).isEqualTo(-1);
        }
        PlacementRules nowhere = rules(null, List.of(), List.of("us-east"), PlacementRules.NO_SLO);
        w.placer.select(gpus(8, "A10"), w.scheduler.shapeOf(gpus(8, "A10")), w.placer.rules(nowhere), Tier.ON_DEMAND);
        assertThat(w.placer.lastCandidates()).isZero();
        assertThat(w.placer.runnerUpSite()).isEqualTo(-1);
    }
}

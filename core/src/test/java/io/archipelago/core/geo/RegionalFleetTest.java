package io.archipelago.core.geo;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.archipelago.core.geo.TwoLevelPlacerTest.finance;
import static io.archipelago.core.geo.TwoLevelPlacerTest.fleet;
import static io.archipelago.core.geo.TwoLevelPlacerTest.pool;
import static io.archipelago.core.geo.TwoLevelPlacerTest.prices;
import static io.archipelago.core.geo.TwoLevelPlacerTest.regions;
import static io.archipelago.core.geo.TwoLevelPlacerTest.rtt;
import static io.archipelago.core.geo.TwoLevelPlacerTest.site;
import static io.archipelago.core.geo.TwoLevelPlacerTest.sites;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RegionalFleet}: what it derives (layout, indices, prices) and, above all, that every invalid
 * input is rejected with a message naming the element and the value. The valid fleet is the one of
 * {@link TwoLevelPlacerTest}; each case breaks one thing.
 */
class RegionalFleetTest {

    private static List<NodePool> pools() {
        return new ArrayList<>(List.of(pool("h100", "PAR-A", "H100", 8, 2), pool("a100", "PAR-B", "A100", 8, 2),
                pool("h100", "FRA-A", "H100", 8, 2), pool("h100", "IAD-A", "H100", 8, 2)));
    }

    private static RegionalFleet build(List<Region> regions, List<Site> sites, List<NodePool> pools, int[][] rtt, List<Price> prices) {
        return new RegionalFleet("tiny", "", regions, sites, pools, rtt, prices, finance());
    }

    private static <T> List<T> plus(List<T> list, T extra) {
        List<T> out = new ArrayList<>(list);
        out.add(extra);
        return out;
    }

    // ------------------------------------------------------------ what it derives

    @Test
    void poolsAreGroupedBySiteInSiteOrderAndNodesLaidOutSiteBySite() {
        RegionalFleet f = fleet();
        assertThat(f.pools().stream().map(p -> p.site() + "/" + p.name()).toList())
                .containsExactly("PAR-A/h100", "PAR-B/a100", "FRA-A/h100", "FRA-A/cpu", "IAD-A/h100");
        RegionalFleet.Layout l = f.layout();
        assertThat(l.nodes().stream().map(n -> n.name()).toList()).containsExactly("PAR-A-h100-001", "PAR-A-h100-002",
                "PAR-B-a100-001", "PAR-B-a100-002", "FRA-A-h100-001", "FRA-A-h100-002", "FRA-A-cpu-001", "IAD-A-h100-001",
                "IAD-A-h100-002");
        assertThat(l.siteOfNode()).containsExactly(0, 0, 1, 1, 2, 2, 2, 3, 3);
        assertThat(l.poolOfNode()).containsExactly(0, 0, 1, 1, 2, 2, 3, 4, 4);
        assertThat(l.siteStart()).containsExactly(0, 2, 4, 7, 9);
        assertThat(l.nodes().get(6).gpuCount()).isZero();
        assertThat(l.nodes().get(6).gpuModel()).isEqualTo(-1);
        assertThat(l.nodes().get(0).cpuMilli()).isEqualTo(224_000);
        assertThat(l.nodes().get(0).memoryMib()).isEqualTo(2048L * 1024);
        assertThat(f.nodeCount()).isEqualTo(9);
        assertThat(f.gpuCount()).isEqualTo(64);
    }

    @Test
    void indicesLatencyAndPricesAreLookedUpByName() {
        RegionalFleet f = fleet();
        assertThat(f.regionIndex("us-east")).isEqualTo(2);
        assertThat(f.regionIndex("mars")).isEqualTo(-1);
        assertThat(f.siteIndex("FRA-A")).isEqualTo(2);
        assertThat(f.siteIndex("nope")).isEqualTo(-1);
        assertThat(f.regionOfSite(TwoLevelPlacerTest.PAR_B)).isZero();
        assertThat(f.regionOfSite(TwoLevelPlacerTest.IAD_A)).isEqualTo(2);
        assertThat(f.rttMs(1, 2)).isEqualTo(100).isEqualTo(f.rttMs(2, 1));
        assertThat(f.price("H100", "eu-central").of(Tier.ON_DEMAND)).isEqualTo(6.0);
        assertThat(f.price("A100", "us-east")).isNull();
        int[][] copy = f.rttMatrix();
        copy[0][1] = 999;
        assertThat(f.rttMs(0, 1)).as("the matrix handed out is a copy").isEqualTo(10);
        int[][] input = rtt();
        RegionalFleet g = new RegionalFleet("tiny", "", regions(), sites(), pools(), input, prices(), finance());
        input[0][0] = 77;
        assertThat(g.rttMs(0, 0)).as("the matrix passed in is copied").isEqualTo(2);
    }

    @Test
    void aScaledFleetMultipliesEveryPoolAndKeepsAtLeastOneNode() {
        RegionalFleet f = fleet().scaled(0.1);
        assertThat(f.pools()).allMatch(p -> p.nodes() == 1);
        RegionalFleet big = fleet().scaled(3);
        assertThat(big.nodeCount()).isEqualTo(27);
        assertThat(big.sites().get(0).powerMw()).isEqualTo(6.0);
        assertThatThrownBy(() -> fleet().scaled(0)).hasMessage("scale 0.0; expected > 0");
    }

    // ------------------------------------------------------------ structure

    @Test
    void aFleetNeedsARegionASiteAndAPool() {
        assertThatThrownBy(() -> build(List.of(), sites(), pools(), rtt(), prices()))
                .hasMessage("fleet tiny: needs at least one region, one site and one node pool; has 0, 4 and 4");
        assertThatThrownBy(() -> build(regions(), sites(), List.of(), rtt(), prices()))
                .hasMessage("fleet tiny: needs at least one region, one site and one node pool; has 3, 4 and 0");
    }

    @Test
    void duplicateRegionsSitesAndPoolsAreNamed() {
        assertThatThrownBy(() -> build(plus(regions(), new Region("eu-west", "Paris 2", "EU", 1)), sites(), pools(), rtt(), prices()))
                .hasMessage("fleet tiny: region eu-west appears twice");
        assertThatThrownBy(() -> build(regions(), plus(sites(), site("PAR-A", "eu-west", 0.1)), pools(), rtt(), prices()))
                .hasMessage("fleet tiny: site PAR-A appears twice");
        assertThatThrownBy(() -> build(regions(), sites(), plus(pools(), pool("h100", "PAR-A", "H100", 4, 1)), rtt(), prices()))
                .hasMessage("site PAR-A: pool h100 appears 2 times");
        assertThatCode(() -> build(regions(), sites(), plus(pools(), pool("h100", "PAR-B", "H100", 4, 1)), rtt(), prices()))
                .as("the same pool name in another site is fine").doesNotThrowAnyException();
    }

    @Test
    void unknownReferencesListWhatExists() {
        assertThatThrownBy(() -> build(regions(), plus(sites(), site("MAD-A", "eu-south", 0.1)), pools(), rtt(), prices()))
                .hasMessage("site MAD-A: unknown region 'eu-south'; expected one of eu-central, eu-west, us-east");
        assertThatThrownBy(() -> build(regions(), sites(), plus(pools(), pool("h100", "MAD-A", "H100", 8, 1)), rtt(), prices()))
                .hasMessage("pool h100: unknown site 'MAD-A'; expected one of PAR-A, PAR-B, FRA-A, IAD-A");
    }

    @Test
    void aSiteMustHaveThePowerItsPoolsNeed() {
        // PAR-A: 1 MW at PUE 1; 101 servers of 10 kW peak need 1.01 MW
        assertThatThrownBy(() -> build(regions(), sites(), plus(pools(), pool("more", "PAR-A", "H100", 8, 99)), rtt(), prices()))
                .hasMessage("site PAR-A: its pools need 1.010 MW (peak IT 1010 kW x PUE 1.00) but power_mw is 1.000; raise power_mw"
                        + " or shrink a pool");
        assertThatCode(() -> build(regions(), sites(), plus(pools(), pool("more", "PAR-A", "H100", 8, 98)), rtt(), prices()))
                .as("exactly 1 MW fits").doesNotThrowAnyException();
    }

    // ------------------------------------------------------------ latency matrix

    @Test
    void theLatencyMatrixMustBeSquareSymmetricAndNonNegative() {
        assertThatThrownBy(() -> build(regions(), sites(), pools(), new int[][] {{2, 10, 80}, {10, 2, 100}}, prices()))
                .hasMessage("latency matrix has 2 rows for 3 regions");
        assertThatThrownBy(() -> build(regions(), sites(), pools(), new int[][] {{2, 10, 80}, {10, 2}, {80, 100, 2}}, prices()))
                .hasMessage("latency matrix row eu-central has 2 entries for 3 regions");
        assertThatThrownBy(() -> build(regions(), sites(), pools(), new int[][] {{2, 10, 80}, {11, 2, 100}, {80, 100, 2}}, prices()))
                .hasMessage("latency eu-west -> eu-central is 10 ms and the reverse 11 ms; expected equal and >= 0");
        assertThatThrownBy(() -> build(regions(), sites(), pools(), new int[][] {{2, 10, 80}, {10, 2, 100}, {80, 100, -1}}, prices()))
                .hasMessage("latency us-east -> us-east is -1 ms and the reverse -1 ms; expected equal and >= 0");
    }

    // ------------------------------------------------------------ price book

    @Test
    void thePriceBookMustCoverEveryGpuPoolAndNameOnlyKnownThings() {
        assertThatThrownBy(() -> build(regions(), sites(), pools(), rtt(), plus(prices(), new Price("H100", "eu-south", 4, 1, 3))))
                .hasMessage("price of H100: unknown region 'eu-south'");
        assertThatThrownBy(() -> build(regions(), sites(), pools(), rtt(), plus(prices(), new Price("X9", "eu-west", 4, 1, 3))))
                .hasMessage("price in eu-west: unknown GPU model 'X9'");
        assertThatThrownBy(() -> build(regions(), sites(), pools(), rtt(), plus(prices(), new Price("H100", "eu-west", 5, 1, 3))))
                .hasMessage("price of H100 in eu-west appears twice");
        List<Price> noA100 = prices().stream().filter(p -> !p.gpuModel().equals("A100")).toList();
        assertThatThrownBy(() -> build(regions(), sites(), pools(), rtt(), noA100))
                .hasMessage("pool PAR-B/a100: no price for A100 in eu-west; add it to the price book");
        assertThatCode(() -> build(regions(), sites(), plus(pools(), new NodePool("cpu", "IAD-A", "", 0, 64, 256, 0, 1, 0.5, 0, 1)),
                rtt(), prices())).as("a CPU-only pool needs no price").doesNotThrowAnyException();
    }

    // ------------------------------------------------------------ the elements' own checks

    @Test
    void theElementsRejectImpossibleValues() {
        assertThatThrownBy(() -> new Region("r", "R", "J", -1)).hasMessage("region r: zones -1; expected >= 0");
        assertThatThrownBy(() -> new Site("S", "r", "a", 1, 0.9, 0.1, 1, LocalDate.EPOCH))
                .hasMessage("site S: power 1.0 MW, PUE 0.9, tariff 0.1 $/kWh, build 1.0 $/W; expected power > 0, PUE >= 1, tariff >= 0,"
                        + " build >= 0");
        assertThatThrownBy(() -> new NodePool("p", "S", "", 8, 1, 1, 0, 1, 1, 0, 1))
                .hasMessage("pool S/p: 8 GPUs of model ''; expected 1..16 GPUs with a model, or 0 GPUs and no model");
        assertThatThrownBy(() -> new NodePool("p", "S", "Z80", 8, 1, 1, 0, 1, 1, 0, 1))
                .hasMessageStartingWith("pool S/p: unknown GPU model 'Z80'; expected one of A10, G2,");
        assertThatThrownBy(() -> new NodePool("p", "S", "H100", 8, 1, 1, 0, 1, 2, 0, 1))
                .hasMessage("pool S/p: peak 1.0 kW, average 2.0 kW, capex 0.0 USD; expected 0 <= average <= peak, peak > 0, capex >= 0");
        assertThatThrownBy(() -> new NodePool("p", "S", "H100", 8, 1, 1, 0, 1, 1, 0, 0))
                .hasMessage("pool S/p: cpu 1, memory 1 GiB, rdma 0, nodes 0; expected cpu > 0, memory > 0, rdma >= 0, nodes >= 1");
        assertThatThrownBy(() -> new Price("H100", "r", 2, 3, 1))
                .hasMessage("price of H100 in r: on-demand 2.0, spot 3.0, reserved 1.0; expected all > 0 and spot, reserved <= on-demand");
        assertThatThrownBy(() -> new Finance(0, 15, 0.3)).hasMessageContaining("server_years 0.0");
        assertThatThrownBy(() -> new SiteWeights(0, 0, 0, 0, 0)).hasMessageContaining("all 0");
        assertThatThrownBy(() -> new SiteWeights(1, -1, 0, 0, 0))
                .hasMessage("site weights {fragmentation: 1, price: -1, energy: 0, free_capacity: 0, latency: 0}: every weight must lie"
                        + " in 0..1000");
        assertThatThrownBy(() -> Tier.parse("free")).hasMessage("tier 'free': expected one of on-demand, spot, reserved");
        assertThat(Tier.parse("SPOT")).isEqualTo(Tier.SPOT);
    }

    @Test
    void placementRulesNeedAnOriginForAnSlo() {
        assertThatThrownBy(() -> new PlacementRules(null, List.of(), List.of(), 20))
                .hasMessage("a latency SLO of 20 ms needs an origin region to measure from");
        assertThatThrownBy(() -> new PlacementRules("eu-west", List.of(), List.of(), -2))
                .hasMessage("latency SLO -2 ms; expected >= 0, or -1 for none");
        PlacementRules r = new PlacementRules("eu-west", List.of("EU"), List.of("eu-west", "eu-central"), 20);
        assertThat(r.describe()).isEqualTo("origin eu-west, jurisdictions EU, regions eu-west|eu-central, RTT <= 20 ms");
        assertThat(r.restrictsResidency()).isTrue();
        assertThat(r.hasSlo()).isTrue();
        assertThat(PlacementRules.from("us-east").restrictsResidency()).isFalse();
        assertThat(PlacementRules.ANYWHERE.describe()).isEqualTo("no origin");
    }

    // ------------------------------------------------------------ validating rules against the fleet

    @Test
    void rulesNamingWhatTheFleetLacksOrThatNoSiteSatisfiesAreRejected() {
        RegionalFleet f = fleet();
        assertThatThrownBy(() -> f.validate(PlacementRules.from("mars")))
                .hasMessage("origin region 'mars' is not in fleet tiny; expected one of eu-west, eu-central, us-east");
        assertThatThrownBy(() -> f.validate(new PlacementRules(null, List.of(), List.of("eu-west", "ap-south"), -1)))
                .hasMessage("allowed region 'ap-south' is not in fleet tiny; expected one of eu-west, eu-central, us-east");
        assertThatThrownBy(() -> f.validate(new PlacementRules(null, List.of("CN"), List.of(), -1)))
                .hasMessage("jurisdiction 'CN' is not one of fleet tiny's: EU, US");
        assertThatThrownBy(() -> f.validate(new PlacementRules(null, List.of("EU"), List.of("us-east"), -1)))
                .hasMessage("no site of fleet tiny satisfies no origin, jurisdictions EU, regions us-east; relax the residency or the"
                        + " latency SLO");
        assertThatThrownBy(() -> f.validate(new PlacementRules("eu-central", List.of(), List.of(), 1)))
                .hasMessage("no site of fleet tiny satisfies origin eu-central, RTT <= 1 ms; relax the residency or the latency SLO");
        assertThatCode(() -> f.validate(new PlacementRules("eu-central", List.of("US"), List.of(), 100))).doesNotThrowAnyException();
        assertThatCode(() -> f.validate(PlacementRules.ANYWHERE)).doesNotThrowAnyException();
    }
}

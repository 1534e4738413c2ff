package io.archipelago.sim.engine;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.Tier;
import io.archipelago.sim.econ.Ledger;
import io.archipelago.sim.econ.LedgerResult;
import io.archipelago.sim.report.SimReport;
import io.archipelago.sim.report.SimReportData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files of a run on a multi-region fleet: the summary keys and the report section, from a
 * {@link SimResult} built by hand with a small {@link RegionalStats} and a {@link LedgerResult}.
 *
 * <p>The fleet: Singapore (SIN-A: 2 × H200, SIN-B: 1 × H100), Johor (JHB-A: 2 × H100) and Hong Kong
 * (no site). Over the run (Jan 1 00:00 to Feb 2 00:00, 768 h) one H200 server of SIN-A is fully
 * allocated on demand, and half a JHB-A server spot for 100 h.
 */
class SimOutputTest {
    static final long H = 3_600_000L;

    @TempDir
    Path tmp;

    static RegionalFleet fleet() {
        LocalDate open = LocalDate.of(2025, 1, 1);
        return new RegionalFleet("sea-mini", "three sites", List.of(
                new Region("ap-southeast-1", "Singapore", "SG", 3), new Region("ap-southeast-8", "Johor", "MY", 2),
                new Region("ap-east-1", "Hong Kong", "HK", 3)),
                List.of(new Site("SIN-A", "ap-southeast-1", "a", 1, 1.25, 0.1919, 12.5, open),
                        new Site("SIN-B", "ap-southeast-1", "b", 1, 1.25, 0.1919, 12.5, open),
                        new Site("JHB-A", "ap-southeast-8", "a", 1, 1.35, 0.078, 8.78, open)),
                List.of(new NodePool("h200", "SIN-A", "H200", 8, 112, 2048, 0, 10.2, 8.5, 286_000, 2),
                        new NodePool("h100", "SIN-B", "H100", 8, 112, 2048, 0, 10.2, 8.5, 270_000, 1),
                        new NodePool("h100", "JHB-A", "H100", 8, 112, 2048, 0, 10.2, 8.5, 270_000, 2)),
                new int[][] {{2, 7, 34}, {7, 2, 41}, {34, 41, 2}},
                List.of(new Price("H200", "ap-southeast-1", 6.30, 3.00, 4.50), new Price("H100", "ap-southeast-1", 5.50, 2.45, 4.00),
                        new Price("H100", "ap-southeast-8", 5.50, 2.45, 4.00), new Price("H200", "ap-east-1", 6.31, 2.62, 5.00)),
                new Finance(5, 15, 0.3));
    }

    static LedgerResult ledger() {
        Ledger l = new Ledger(fleet(), LocalDate.of(2026, 1, 1));
        l.allocated(0, Tier.ON_DEMAND, 8000, 0);
        l.allocated(2, Tier.SPOT, 4000, 10 * H);
        l.allocated(2, Tier.SPOT, -4000, 110 * H);
        return l.close(768 * H);
    }

    static RegionalStats stats() {
        double nan = Double.NaN;
        return new RegionalStats(List.of("ap-southeast-1", "ap-southeast-8", "ap-east-1"), List.of("SIN-A", "SIN-B", "JHB-A"),
                new int[] {0, 0, 1}, 0, 1, 60_000, new long[] {10, 5, 2}, new long[] {8, 4, 0}, new long[] {8, 3, 0},
                new double[] {6144, 400, 0}, new long[] {7, 3, 5}, new long[][] {{0, 0, 3}, {0, 0, 0}, {0, 0, 0}},
                new long[] {1, 0, 0}, new long[] {2, 0, 0}, new double[] {95_500, nan, nan}, 4);
    }

    static SimResult base() {
        double[][] series = {
            {0, 1000, 2000}, // time_s
            {40, 40, 40}, // gpus_available
            {20, 25, 30}, // gpu_alloc_pct
            {1, 2, 3}, // frag_pct
            {0, 1, 0}, // tasks_queued
            {2, 3, 4}, // tasks_running
            {8, 10, 12}, // gpus_default
        };
        return new SimResult("sea-mini", "fgd", 7, 5, 40, 768 * H, 17, 12, 3, 1, 1, 0, 99, 1_000_000, 25, 2,
                new long[][] {{}, {1000, 2000}, {}}, 0, 3, 0, 1.5,
                List.of("time_s", "gpus_available", "gpu_alloc_pct", "frag_pct", "tasks_queued", "tasks_running", "gpus_default"),
                series, List.of(new Simulation.Tenant("default", 0, -1, 1)), List.of("t=5.0 h: SIN-A down"));
    }

    static SimResult regional() {
        return base().withRegional(stats(), ledger());
    }

    @Test
    void withoutARegionalPartTheSummaryIsUnchanged() {
        SimResult r = base();

        assertThat(r.regional()).isNull();
        assertThat(r.summary()).doesNotContainKeys("residency_violations", "regions", "sites", "months", "failover",
                "unplaceable_jobs", "revenue_usd");
        assertThat(SimOutput.reportData(r, "").regions()).isNull();
    }

    @Test
    void withRegionalCopiesEverythingElse() {
        RegionalStats st = stats();
        LedgerResult led = ledger();
        SimResult r = base().withRegional(st, led);

        assertThat(r.regional().stats()).isSameAs(st);
        assertThat(r.regional().ledger()).isSameAs(led).isEqualTo(ledger());
        Map<String, Object> before = base().summary();
        Map<String, Object> after = r.summary();
        for (Map.Entry<String, Object> e : before.entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                assertThat(after).containsEntry(e.getKey(), e.getValue());
            }
        }
        assertThat(List.copyOf(after.keySet()).subList(0, before.size())).isEqualTo(List.copyOf(before.keySet()));
    }

    @Test
    void summaryHoldsTheFleetFigures() {
        Map<String, Object> m = regional().summary();
        LedgerResult.Figures total = ledger().total();

        assertThat(m).containsEntry("residency_violations", 0L)
                .containsEntry("latency_violations", 1L)
                .containsEntry("slo_attainment", 0.9167) // 11 of 12 jobs with an SLO
                .containsEntry("unplaceable_jobs", 4L)
                .containsEntry("slo_wait_s", 60.0)
                // 8 GPUs × 768 h at 6.30 + 4 GPUs × 100 h at 2.45
                .containsEntry("revenue_usd", 39_687.2)
                .containsEntry("revenue_usd", SimResult.round(total.revenueUsd(), 2))
                .containsEntry("cost_usd", SimResult.round(total.costUsd(), 2))
                .containsEntry("margin_usd", SimResult.round(total.marginUsd(), 2))
                .containsEntry("margin_pct", SimResult.round(total.marginPct(), 2))
                .containsEntry("utilisation", SimResult.round((8 * 768 + 4 * 100) / (40.0 * 768), 4))
                .containsEntry("gpu_hours_installed", 40.0 * 768)
                .containsEntry("gpu_hours_allocated", 8.0 * 768 + 400);
        assertThat(m.keySet()).containsSubsequence("residency_violations", "latency_violations", "slo_attainment", "utilisation",
                "revenue_usd", "cost_usd", "margin_usd", "margin_pct", "regions", "sites", "months", "failover", "unplaceable_jobs");
        assertThat(asMap(m.get("revenue_by_tier_usd"))).containsEntry("on-demand", 38_707.2).containsEntry("spot", 980.0)
                .containsEntry("reserved", 0.0);
        assertThat(asMap(m.get("cost_split_usd"))).containsOnlyKeys("depreciation", "facility", "energy");
    }

    @Test
    void summaryHoldsRegionsSitesAndMonths() {
        Map<String, Object> m = regional().summary();
        LedgerResult led = ledger();

        Map<String, Object> regions = asMap(m.get("regions"));
        assertThat(regions.keySet()).containsExactly("ap-southeast-1", "ap-southeast-8", "ap-east-1");
        Map<String, Object> sin = asMap(regions.get("ap-southeast-1"));
        assertThat(sin).containsEntry("origin_jobs", 10L).containsEntry("origin_slo_jobs", 8L).containsEntry("origin_slo_met", 8L)
                .containsEntry("slo_attainment", 1.0).containsEntry("origin_gpu_hours", 6144.0)
                .containsEntry("gpu_hours_allocated", 6144.0).containsEntry("gpu_hours_installed", 24.0 * 768)
                .containsEntry("utilisation", SimResult.round(6144 / (24.0 * 768), 4))
                .containsEntry("revenue_usd", 38_707.2)
                .containsEntry("depreciation_usd", SimResult.round(led.region("ap-southeast-1").depreciationUsd(), 2))
                .containsEntry("facility_usd", SimResult.round(led.region("ap-southeast-1").facilityUsd(), 2))
                .containsEntry("energy_usd", SimResult.round(led.region("ap-southeast-1").energyUsd(), 2))
                .containsEntry("cost_usd", SimResult.round(led.region("ap-southeast-1").costUsd(), 2))
                .containsEntry("margin_usd", SimResult.round(led.region("ap-southeast-1").marginUsd(), 2));
        Map<String, Object> hk = asMap(regions.get("ap-east-1"));
        assertThat(hk).containsEntry("origin_jobs", 2L).containsEntry("slo_attainment", null).containsEntry("utilisation", null)
                .containsEntry("revenue_usd", 0.0).containsEntry("margin_pct", null);

        Map<String, Object> sites = asMap(m.get("sites"));
        assertThat(sites.keySet()).containsExactly("SIN-A", "SIN-B", "JHB-A");
        assertThat(asMap(sites.get("JHB-A"))).containsEntry("region", "ap-southeast-8").containsEntry("starts", 5L)
                .containsEntry("revenue_usd", 980.0).containsEntry("utilisation", SimResult.round(400 / (16.0 * 768), 4))
                .containsKeys("cost_usd", "margin_usd", "margin_pct", "depreciation_usd", "facility_usd", "energy_usd");

        Map<String, Object> months = asMap(m.get("months"));
        assertThat(months.keySet()).containsExactly("2026-01", "2026-02");
        Map<String, Object> feb = asMap(months.get("2026-02"));
        assertThat(feb.keySet()).containsExactly("ap-southeast-1", "ap-southeast-8"); // Hong Kong has no site
        assertThat(asMap(feb.get("ap-southeast-1"))).containsEntry("revenue_usd", SimResult.round(8 * 24 * 6.30, 2))
                .containsEntry("utilisation", SimResult.round(8.0 / 24, 4))
                .containsKeys("cost_usd", "margin_usd");
        assertThat(asMap(feb.get("ap-southeast-8"))).containsEntry("revenue_usd", 0.0).containsEntry("utilisation", 0.0);
    }

    @Test
    void summaryHoldsTheFailover() {
        Map<String, Object> failover = asMap(regional().summary().get("failover"));

        assertThat(failover.get("moves")).isEqualTo(List.of(Map.of("from", "SIN-A", "to", "JHB-A", "jobs", 3L)));
        Map<String, Object> bySite = asMap(failover.get("by_site"));
        assertThat(bySite.keySet()).containsExactly("SIN-A", "SIN-B", "JHB-A");
        assertThat(asMap(bySite.get("SIN-A"))).containsEntry("restarted", 3L).containsEntry("waiting", 1L)
                .containsEntry("rejected", 2L).containsEntry("wait_p95_s", 95.5);
        assertThat(asMap(bySite.get("SIN-B"))).containsEntry("restarted", 0L).containsEntry("wait_p95_s", null);
    }

    @Test
    void aRegionalPartWithoutALedgerLeavesTheMoneyNull() {
        Map<String, Object> m = base().withRegional(stats(), null).summary();

        assertThat(m).containsEntry("revenue_usd", null).containsEntry("utilisation", null).containsEntry("slo_attainment", 0.9167);
        assertThat(asMap(asMap(m.get("regions")).get("ap-southeast-1"))).containsEntry("revenue_usd", null)
                .containsEntry("origin_jobs", 10L);
        assertThat(asMap(m.get("months"))).isEmpty();
        assertThat(SimReport.html(SimOutput.reportData(base().withRegional(stats(), null), "")))
                .contains(SimReport.TITLE_REGIONS, "No economics recorded for this run.");
    }

    @Test
    void jsonWritesListsOfMaps() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("moves", List.of(Map.of("jobs", 3L), List.of()));
        m.put("none", List.of());

        assertThat(SimOutput.json(m, 0)).isEqualTo("{\n  \"moves\": [\n    {\n      \"jobs\": 3\n    },\n    []\n  ],\n"
                + "  \"none\": []\n}");
    }

    @Test
    void writesTheRegionalPartToSummaryJsonAndReportHtmlDeterministically() throws Exception {
        SimOutput.write(tmp.resolve("a"), regional(), "three sites");
        SimOutput.write(tmp.resolve("b"), regional(), "three sites");

        String json = Files.readString(tmp.resolve("a/summary.json"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"residency_violations\": 0,", "\"unplaceable_jobs\": 4", "\"failover\": {",
                "\"moves\": [\n", "\"from\": \"SIN-A\",", "\"to\": \"JHB-A\",", "\"jobs\": 3", "\"2026-02\": {",
                "\"revenue_usd\": 39687.2,");
        String html = Files.readString(tmp.resolve("a/report.html"), StandardCharsets.UTF_8);
        assertThat(html).contains(SimReport.TITLE_REGIONS, "independent check at every bind", "Residency violations: 0; latency violations: 1",
                        "<td class=\"label\">SIN-A</td><td class=\"label\">JHB-A: 3 jobs</td><td>3</td><td>1</td><td>2</td><td>95.5 s</td>",
                        SimReport.TITLE_MONEY, SimReport.TITLE_MARGIN, SimReport.TITLE_UTILISATION, "ap-southeast-8 revenue")
                .doesNotContain("ap-east-1 revenue"); // no site, no line
        // the scalar regional keys also appear in the summary table, the nested ones only in the section
        assertThat(html).contains("<th scope=\"row\">revenue_usd</th><td>39687.2</td>").doesNotContain("<th scope=\"row\">regions</th>");
        assertThat(Files.readAllBytes(tmp.resolve("a/report.html"))).isEqualTo(Files.readAllBytes(tmp.resolve("b/report.html")));
        assertThat(Files.readAllBytes(tmp.resolve("a/summary.json"))).isEqualTo(Files.readAllBytes(tmp.resolve("b/summary.json")));
    }

    @Test
    void reportDataListsOnlySitesWithFailoverActivity() {
        SimReportData.Regions r = SimOutput.reportData(regional(), "").regions();

        assertThat(r.failover()).hasSize(1);
        assertThat(r.failover().get(0).site()).isEqualTo("SIN-A");
        assertThat(r.failover().get(0).restartedAt()).containsExactly(Map.entry("JHB-A", 3L));
        assertThat(r.monthlyRevenueUsd().keySet()).containsExactly("ap-southeast-1", "ap-southeast-8");
        assertThat(r.months()).containsExactly("2026-01", "2026-02");
        assertThat(r.monthBoundsHours()).containsExactly(0, 744, 768);
        assertThat(r.regionRows()).extracting(SimReportData.RegionRow::region)
                .containsExactly("ap-southeast-1", "ap-southeast-8", "ap-east-1");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }
}

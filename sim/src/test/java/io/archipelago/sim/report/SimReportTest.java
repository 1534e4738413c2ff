package io.archipelago.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimReportTest {

    @TempDir
    Path tmp;

    /** A run of {@code n} samples; {@code outage} drops capacity in the middle third. */
    private static SimReportData run(int n, boolean outage, String tenantName, double[] bestEffortWaits) {
        double[] t = new double[n];
        double[] alloc = new double[n];
        double[] frag = new double[n];
        double[] queued = new double[n];
        double[] running = new double[n];
        double[] avail = new double[n];
        double[] tenantA = new double[n];
        double[] tenantB = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 24.0 / Math.max(1, n - 1);
            alloc[i] = 50 + 40 * Math.sin(i * 0.01);
            frag[i] = 5 + 3 * Math.cos(i * 0.013);
            queued[i] = (i * 7919) % 50;
            running[i] = 100 + (i * 104_729) % 30;
            avail[i] = outage && i > n / 3 && i < 2 * n / 3 ? 448 : 512;
            tenantA[i] = 200 + (i % 17);
            tenantB[i] = 100 + (i % 23);
        }
        LinkedHashMap<String, String> summary = new LinkedHashMap<>();
        summary.put("Tasks submitted", "12345");
        summary.put("Mean GPU allocation", "78.9 %");
        LinkedHashMap<String, double[]> tenants = new LinkedHashMap<>();
        tenants.put("team-a", tenantA);
        tenants.put(tenantName, tenantB);
        LinkedHashMap<String, double[]> guaranteed = new LinkedHashMap<>();
        guaranteed.put("team-a", new double[] {256});
        LinkedHashMap<String, double[]> waits = new LinkedHashMap<>();
        waits.put("latency-sensitive", new double[] {0, 0, 1, 2, 3, 5, 8, 13, 21, 600});
        waits.put("burstable", new double[] {10, 20, 30, 40, 50});
        waits.put("best-effort", bestEffortWaits);
        return new SimReportData("openb-default-fgd", "Default openb trace, FGD & friends", summary,
                t, alloc, frag, queued, running, avail, tenants, guaranteed, waits,
                List.of("t=8.0 h: node n-12 down", "t=16.0 h: node n-12 up"));
    }

    private static SimReportData small() {
        return run(500, true, "team-b", new double[0]);
    }

    @Test
    void pageHoldsTitleDescriptionSummaryAndEveryChartTitle() {
        String html = SimReport.html(small());

        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<h1>openb-default-fgd</h1>")
                .contains("Default openb trace, FGD &amp; friends")
                .contains("Tasks submitted", "12345", "Mean GPU allocation", "78.9 %")
                .contains(SimReport.TITLE_ALLOCATION, SimReport.TITLE_QUEUE, SimReport.TITLE_CAPACITY,
                        SimReport.TITLE_WAITING, SimReport.TITLE_TENANTS)
                .contains("<li>t=8.0 h: node n-12 down</li>", "<li>t=16.0 h: node n-12 up</li>")
                .contains("team-a (guaranteed)");
        assertThat(html.indexOf(SimReport.TITLE_ALLOCATION)).isLessThan(html.indexOf(SimReport.TITLE_QUEUE));
        assertThat(html.indexOf(SimReport.TITLE_QUEUE)).isLessThan(html.indexOf(SimReport.TITLE_CAPACITY));
        assertThat(html.indexOf(SimReport.TITLE_CAPACITY)).isLessThan(html.indexOf(SimReport.TITLE_WAITING));
        assertThat(html.indexOf(SimReport.TITLE_WAITING)).isLessThan(html.indexOf(SimReport.TITLE_TENANTS));
        assertThat(html.indexOf(SimReport.TITLE_TENANTS)).isLessThan(html.indexOf("node n-12 down"));
    }

    @Test
    void pageIsSelfContained() {
        String html = SimReport.html(small());

        assertThat(html).doesNotContain("<script", "<link", "@import", "src=\"http", "href=\"http", "url(http");
    }

    @Test
    void escapesTenantNames() {
        String html = SimReport.html(run(200, false, "<script>alert(1)</script>", new double[0]));

        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void omitsCapacityChartWhenCapacityIsConstant() {
        assertThat(SimReport.html(run(300, false, "team-b", new double[0])))
                .doesNotContain(SimReport.TITLE_CAPACITY)
                .contains(SimReport.TITLE_ALLOCATION, SimReport.TITLE_TENANTS);
        assertThat(SimReport.html(run(300, true, "team-b", new double[0])))
                .contains(SimReport.TITLE_CAPACITY, "min 448, max 512");
    }

    @Test
    void waitingChartListsEmptyClassesAsNoTasksAndStatesTheCap() {
        String html = SimReport.html(small());

        assertThat(html).contains("<li>best-effort: no tasks</li>")
                .doesNotContain("latency-sensitive: no tasks", "burstable: no tasks")
                // p99 of latency-sensitive is 600 s (nearest rank of 10 samples), of burstable 50 s
                .contains("capped at the largest per-class p99 = 600 s")
                .contains("latency-sensitive (n=10, p50 3.0 s, p99 600 s)")
                .contains("burstable (n=5, p50 30.0 s, p99 50.0 s)");
    }

    @Test
    void waitingChartSaysHowManyTasksItCutsOff() {
        double[] many = new double[1000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i; // p99 = 989, so 10 tasks (990..999) lie beyond the cap
        }
        String html = SimReport.html(run(100, false, "team-b", many));

        assertThat(html).contains("p99 = 989 s").contains("10 tasks beyond it not shown");
    }

    @Test
    void sameDataGivesByteIdenticalHtml() {
        assertThat(SimReport.html(small())).isEqualTo(SimReport.html(small()));
    }

    @Test
    void staysSmallWith100kSamples() {
        SimReportData big = run(100_000, true, "team-b", new double[0]);
        String html = SimReport.html(big);

        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(800_000);
        Matcher m = Pattern.compile("<path class=\"series\"[^>]* d=\"([^\"]*)\"").matcher(html);
        int paths = 0;
        while (m.find()) {
            paths++;
            long points = m.group(1).chars().filter(c -> c == 'M' || c == 'L').count();
            assertThat(points).isLessThanOrEqualTo(SimReport.MAX_POINTS);
        }
        assertThat(paths).isGreaterThanOrEqualTo(8);
    }

    @Test
    void decimationKeepsEndsAndExtremes() {
        int n = 100_000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i == 54_321 ? 1000 : (i == 12_345 ? -1000 : 1);
        }
        y[77_777] = Double.NaN;

        double[][] d = SimReport.decimate(x, y, 2000);

        assertThat(d[0].length).isLessThanOrEqualTo(2000);
        assertThat(d[0][0]).isEqualTo(0);
        assertThat(d[0][d[0].length - 1]).isEqualTo(n - 1);
        assertThat(d[1]).contains(1000.0, -1000.0, Double.NaN);
        for (int i = 1; i < d[0].length; i++) {
            assertThat(d[0][i]).isGreaterThan(d[0][i - 1]);
        }
    }

    @Test
    void writesTheSamePageToAFile() throws Exception {
        Path file = tmp.resolve("out/report.html");

        SimReport.writeHtml(file, small());

        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(SimReport.html(small()));
    }

    @Test
    void constructorRejectsMismatchedLengthsNamingTheField() {
        double[] t = {0, 1, 2};
        double[] ok = {1, 2, 3};
        assertThatThrownBy(() -> new SimReportData("r", "", null, t, ok, new double[] {1, 2}, ok, ok, ok,
                null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fragPct").hasMessageContaining("2").hasMessageContaining("timeHours has 3");

        LinkedHashMap<String, double[]> tenants = new LinkedHashMap<>();
        tenants.put("team-a", new double[] {1, 2, 3, 4});
        assertThatThrownBy(() -> new SimReportData("r", "", null, t, ok, ok, ok, ok, ok,
                tenants, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenantGpus['team-a'] has 4 values but timeHours has 3");
    }

    @Test
    void constructorRejectsMalformedGuaranteesAndWaits() {
        double[] t = {0, 1};
        LinkedHashMap<String, double[]> guaranteed = new LinkedHashMap<>();
        guaranteed.put("team-a", new double[] {1, 2});
        assertThatThrownBy(() -> new SimReportData("r", "", null, t, t, t, t, t, t, null, guaranteed, null, null))
                .hasMessageContaining("tenantGuaranteed['team-a'] must hold exactly one value");

        LinkedHashMap<String, double[]> waits = new LinkedHashMap<>();
        waits.put("burstable", new double[] {1, -2});
        assertThatThrownBy(() -> new SimReportData("r", "", null, t, t, t, t, t, t, null, null, waits, null))
                .hasMessageContaining("waitSecondsByClass['burstable'][1] = -2.0");

        assertThatThrownBy(() -> new SimReportData("r", "", null, new double[] {1, 0}, t, t, t, t, t,
                null, null, null, null))
                .hasMessageContaining("timeHours must be ascending");
    }

    @Test
    void minimalDataStillRenders() {
        double[] none = new double[0];
        String html = SimReport.html(new SimReportData("empty", null, null, none, none, none, none, none, none,
                null, null, null, null));

        assertThat(html).contains(SimReport.TITLE_ALLOCATION, SimReport.TITLE_QUEUE, SimReport.TITLE_WAITING,
                        SimReport.TITLE_TENANTS, "No waiting-time data.", "No tenant data.")
                .doesNotContain(SimReport.TITLE_CAPACITY, "<ul>");
    }

    // ------------------------------------------------------------------------------------------------ regions

    /** Two regions with sites, one without (an overflow region), three months. */
    static SimReportData.Regions regions(String regionName) {
        List<String> months = List.of("2026-01", "2026-02", "2026-03");
        LinkedHashMap<String, double[]> revenue = new LinkedHashMap<>();
        revenue.put("ap-southeast-1", new double[] {2_100_000, 1_900_000, 2_050_000});
        revenue.put(regionName, new double[] {900_000, 950_000, 1_000_000});
        LinkedHashMap<String, double[]> cost = new LinkedHashMap<>();
        cost.put("ap-southeast-1", new double[] {1_200_000, 1_100_000, 1_200_000});
        cost.put(regionName, new double[] {1_000_000, 900_000, 1_000_000});
        LinkedHashMap<String, double[]> margin = new LinkedHashMap<>();
        margin.put("ap-southeast-1", new double[] {900_000, 800_000, 850_000});
        margin.put(regionName, new double[] {-100_000, 50_000, 0});
        LinkedHashMap<String, double[]> util = new LinkedHashMap<>();
        util.put("ap-southeast-1", new double[] {0.71, 0.65, 0.7});
        util.put(regionName, new double[] {0.5, Double.NaN, 0.55});
        LinkedHashMap<String, Long> fromSin = new LinkedHashMap<>();
        fromSin.put("JHB-A", 12L);
        fromSin.put("SIN-B", 1L);
        return new SimReportData.Regions(0, 0, 3, 60, 0.975, 0.684, 8_900_000, 6_400_000, 2_500_000,
                List.of(new SimReportData.RegionRow("ap-southeast-1", 1200, 0.99, 0.687, 6_050_000, 3_500_000, 2_550_000),
                        new SimReportData.RegionRow(regionName, 800, 0.95, 0.52, 2_850_000, 2_900_000, -50_000),
                        new SimReportData.RegionRow("ap-east-1", 40, Double.NaN, Double.NaN, 0, 0, 0)),
                List.of(new SimReportData.SiteRow("SIN-A", "ap-southeast-1", 700, 0.70, 3_000_000, 1_700_000, 1_300_000),
                        new SimReportData.SiteRow("SIN-B", "ap-southeast-1", 650, 0.67, 3_050_000, 1_800_000, 1_250_000),
                        new SimReportData.SiteRow("JHB-A", regionName, 820, 0.52, 2_850_000, 2_900_000, -50_000)),
                months, new double[] {0, 744, 1416, 2160}, revenue, cost, margin, util,
                List.of(new SimReportData.FailoverRow("SIN-A", fromSin, 2, 1, 340)));
    }

    private static SimReportData withRegions() {
        return small().withRegions(regions("ap-southeast-8"));
    }

    @Test
    void regionsSectionShowsTheChecksTablesChartsAndFailover() {
        String html = SimReport.html(withRegions());

        assertThat(html).contains("<h2>" + SimReport.TITLE_REGIONS + "</h2>")
                .contains("Residency violations: 0; latency violations: 0. Both are counted by an independent check at every bind")
                .contains("Unplaceable jobs (rejected on arrival because no site their rules allow could ever hold them): 3.")
                .contains("SLO attainment 97.5 %", "within 60.0 s of it becoming ready", "utilisation 68.4 %",
                        "revenue $8,900,000, cost $6,400,000, margin $2,500,000 (28.1 % of revenue)")
                // per-region table: origin jobs, SLO attainment, utilisation, revenue, cost, margin, margin %
                .contains("<td class=\"label\">ap-southeast-1</td><td>1200</td><td>99.0 %</td><td>68.7 %</td>"
                        + "<td>$6,050,000</td><td>$3,500,000</td><td>$2,550,000</td><td>42.1 %</td>")
                .contains("<td class=\"label\">ap-southeast-8</td><td>800</td><td>95.0 %</td><td>52.0 %</td>"
                        + "<td>$2,850,000</td><td>$2,900,000</td><td>-$50,000</td><td>-1.8 %</td>")
                .contains("<td class=\"label\">ap-east-1</td><td>40</td><td>\u2013</td><td>\u2013</td><td>$0</td>")
                // per-site table
                .contains("<td class=\"label\">JHB-A</td><td class=\"label\">ap-southeast-8</td><td>820</td><td>52.0 %</td>")
                // charts
                .contains(SimReport.TITLE_MONEY, SimReport.TITLE_MARGIN, SimReport.TITLE_UTILISATION)
                .contains("ap-southeast-1 revenue", "ap-southeast-8 cost", "USD (millions)")
                .contains("one step per calendar month, 2026-01 to 2026-03")
                // failover: evicted at SIN-A, restarted at JHB-A and SIN-B; still waiting, rejected, p95 wait
                .contains("<td class=\"label\">SIN-A</td><td class=\"label\">JHB-A: 12 jobs, SIN-B: 1 job</td>"
                        + "<td>13</td><td>2</td><td>1</td><td>340 s</td>");
        int regions = html.indexOf("id=\"regions\"");
        assertThat(regions).isGreaterThan(html.indexOf(SimReport.TITLE_TENANTS));
        assertThat(regions).isLessThan(html.indexOf("id=\"notes\""));
        assertThat(html.indexOf("id=\"regions-table\"")).isLessThan(html.indexOf("id=\"sites-table\""));
        assertThat(html.indexOf("id=\"sites-table\"")).isLessThan(html.indexOf(SimReport.TITLE_MONEY));
        assertThat(html.indexOf(SimReport.TITLE_UTILISATION)).isLessThan(html.indexOf("id=\"failover-table\""));
    }

    @Test
    void regionsSectionIsOnlyThereForMultiRegionRuns() {
        assertThat(SimReport.html(small())).doesNotContain(SimReport.TITLE_REGIONS, SimReport.TITLE_MONEY, "independent check");
    }

    @Test
    void regionsSectionIsDeterministicSelfContainedAndEscaped() {
        assertThat(SimReport.html(withRegions())).isEqualTo(SimReport.html(withRegions()));
        String html = SimReport.html(small().withRegions(regions("<b>x</b>")));
        assertThat(html).doesNotContain("<b>x</b>", "<script", "<link", "src=\"http", "href=\"http")
                .contains("&lt;b&gt;x&lt;/b&gt;");
    }

    @Test
    void regionsSectionSaysWhenNoOutageEvictedWorkAndWhenThereIsNoLedger() {
        SimReportData.Regions r = regions("ap-southeast-8");
        SimReportData.Regions quiet = new SimReportData.Regions(0, 0, 0, 60, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, r.regionRows(), r.siteRows(), List.of(), null, null, null, null, null, List.of());
        String html = SimReport.html(small().withRegions(quiet));

        assertThat(html).contains("No outage evicted any job.", "No economics recorded for this run.",
                        "SLO attainment \u2013", "revenue \u2013")
                .doesNotContain(SimReport.TITLE_MARGIN, "id=\"failover-table\"");
    }

    @Test
    void regionsRejectMonthlySeriesOfTheWrongLength() {
        LinkedHashMap<String, double[]> revenue = new LinkedHashMap<>();
        revenue.put("ap-southeast-1", new double[] {1, 2});
        List<String> months = List.of("2026-01", "2026-02", "2026-03");
        double[] bounds = {0, 744, 1416, 2160};
        assertThatThrownBy(() -> new SimReportData.Regions(0, 0, 0, 60, 1, 1, 1, 1, 0, List.of(), List.of(),
                months, bounds, revenue, null, null, null, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("monthlyRevenueUsd['ap-southeast-1'] has 2 values but months has 3");
        assertThatThrownBy(() -> new SimReportData.Regions(0, 0, 0, 60, 1, 1, 1, 1, 0, List.of(), List.of(),
                months, new double[] {0, 744, 1416}, null, null, null, null, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("monthBoundsHours has 3 values for 3 months");
        assertThatThrownBy(() -> new SimReportData.Regions(0, 0, 0, 60, 1, 1, 1, 1, 0, List.of(), List.of(),
                months, new double[] {0, 744, 700, 2160}, null, null, null, null, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("monthBoundsHours[2] = 700.0");
    }
}

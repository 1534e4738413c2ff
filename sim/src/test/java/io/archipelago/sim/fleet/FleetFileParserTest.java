package io.archipelago.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.sim.scenario.ScenarioException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Specification of the fleet file format (docs/fleet-format.md) and of the built-in "SEA AI cloud"
 * demo fleet, whose figures are those of the facts file's §6 tables.
 */
class FleetFileParserTest {

    private static final String SRC = "fleets/tiny.yaml";
    private static final double HOURS_PER_YEAR = 8760;

    private static final String SIN = "ap-southeast-1";
    private static final String JHB = "ap-southeast-8";
    private static final String KUL = "ap-southeast-3";
    private static final String CGK = "ap-southeast-5";
    private static final String MNL = "ap-southeast-6";
    private static final String BKK = "ap-southeast-7";

    // ================================================================ the demo fleet

    private static final RegionalFleet DEMO = FleetFileParser.demo();

    @Test
    void demoFleetHasNineSitesInSixRegionsWith768NodesAnd6144Gpus() {
        assertThat(DEMO.name()).isEqualTo("sea-ai-cloud");
        assertThat(DEMO.regions()).extracting(Region::id).containsExactly(SIN, JHB, KUL, CGK, MNL, BKK);
        assertThat(DEMO.sites()).extracting(Site::name)
                .containsExactly("SIN-A", "SIN-B", "JHB-A", "JHB-B", "KUL-A", "CGK-A", "MNL-A", "MNL-B", "BKK-A");
        assertThat(DEMO.pools()).hasSize(13);
        assertThat(DEMO.nodeCount()).isEqualTo(768);
        assertThat(DEMO.gpuCount()).isEqualTo(6144);
        assertThat(DEMO.pools()).allSatisfy(p -> assertThat(p.gpusPerNode()).isEqualTo(8));
        assertThat(DEMO.layout().nodes()).hasSize(768);
    }

    @Test
    void demoFleetIsLoadedOnceAndShared() {
        assertThat(FleetFileParser.demo()).isSameAs(FleetFileParser.demo());
    }

    @ParameterizedTest(name = "{0} {1}, {2} zones")
    @CsvSource({
            "ap-southeast-1, Singapore,    SG, 3",
            "ap-southeast-8, Johor,        MY, 2",
            "ap-southeast-3, Kuala Lumpur, MY, 3",
            "ap-southeast-5, Jakarta,      ID, 3",
            "ap-southeast-6, Manila,       PH, 2",
            "ap-southeast-7, Bangkok,      TH, 2"})
    void demoRegionsFollowTheFactsFileRegionTable(String id, String name, String jurisdiction, int zones) {
        assertThat(DEMO.regions().get(DEMO.regionIndex(id))).isEqualTo(new Region(id, name, jurisdiction, zones));
    }

    /** Facts file §6 "Node pools": every pool's size, power, capex, energy bill, unit cost and list prices. */
    @ParameterizedTest(name = "{0}/{1}: {3} nodes of {2}")
    @CsvSource({
            // site, pool, model,  nodes, gpus, peak IT kW, facility MW, capex $M, energy $M/yr, owned $/GPU-h, list, spot
            "SIN-A, h200, H200,    64,  512,  653, 0.82, 18.3, 1.14, 1.19, 6.30, 3.00",
            "SIN-B, h100, H100,    64,  512,  653, 0.82, 17.3, 1.14, 1.15, 5.50, 2.45",
            "SIN-B, a10,  A10,     32,  256,   83, 0.10,    0, 0.13, 0.09, 1.29, 0.55",
            "JHB-A, h100, H100,    256, 2048, 2611, 3.53, 69.1, 2.01, 0.97, 5.50, 2.45",
            "JHB-B, h200, H200,    128, 1024, 1306, 1.76, 36.6, 1.00, 1.01, 6.30, 3.00",
            "KUL-A, h20,  H20,     64,  512,  499, 0.70, 12.5, 0.40, 0.71, 3.95, 1.75",
            "KUL-A, a10,  A10,     32,  256,   83, 0.12,    0, 0.06, 0.05, 1.29, 0.55",
            "CGK-A, h20,  H20,     32,  256,  250, 0.37,  6.2, 0.16, 0.69, 3.95, 1.75",
            "CGK-A, a10,  A10,     32,  256,   83, 0.12,    0, 0.05, 0.04, 1.29, 0.55",
            "MNL-A, h20,  H20,     16,  128,  125, 0.19,  3.1, 0.19, 0.76, 3.95, 1.75",
            "MNL-B, a10,  A10,     16,  128,   42, 0.06,    0, 0.06, 0.06, 1.29, 0.55",
            "BKK-A, a10,  A10,     16,  128,   42, 0.06,    0, 0.05, 0.06, 1.29, 0.55",
            "BKK-A, v100, V100M32, 16,  128,   56, 0.08,    0, 0.07, 0.09, 0.79, 0.35"})
    void demoPoolsReproduceTheFactsFileTable(String site, String pool, String model, int nodes, int gpus, double peakItKw,
                                             double facilityMw, double capexMusd, double energyMusdPerYear, double ownedPerGpuHour,
                                             double list, double spot) {
        NodePool p = pool(DEMO, site, pool);
        Site s = site(DEMO, site);
        assertThat(p.gpuModel()).isEqualTo(model);
        assertThat(p.nodes()).isEqualTo(nodes);
        assertThat(p.gpus()).isEqualTo(gpus);
        assertThat(p.peakKw() * p.nodes()).as("peak IT kW").isCloseTo(peakItKw, within(0.5));
        assertThat(p.peakKw() * p.nodes() * s.pue() / 1000).as("facility MW").isCloseTo(facilityMw, within(0.005));
        assertThat(p.capexUsd() * p.nodes() / 1e6).as("server capex $M").isCloseTo(capexMusd, within(0.05));
        assertThat(energyUsdPerYear(p, s) / 1e6).as("energy $M/yr").isCloseTo(energyMusdPerYear, within(0.005));
        assertThat(ownedUsdPerGpuHour(DEMO, p, s)).as("owned $/GPU-h @100 %").isCloseTo(ownedPerGpuHour, within(0.01));
        Price price = DEMO.price(model, s.region());
        assertThat(price.onDemand()).isEqualTo(list);
        assertThat(price.spot()).isEqualTo(spot);
    }

    @Test
    void demoTotalsMatchTheTableTotalRow() {
        double peakKw = 0;
        double facilityMw = 0;
        double capex = 0;
        double energy = 0;
        for (NodePool p : DEMO.pools()) {
            Site s = site(DEMO, p.site());
            peakKw += p.peakKw() * p.nodes();
            facilityMw += p.peakKw() * p.nodes() * s.pue() / 1000;
            capex += p.capexUsd() * p.nodes();
            energy += energyUsdPerYear(p, s);
        }
        assertThat(peakKw).isCloseTo(6485, within(0.5));
        assertThat(facilityMw).isCloseTo(8.7, within(0.05));
        assertThat(capex / 1e6).isCloseTo(163.2, within(0.05));
        assertThat(energy / 1e6).isCloseTo(6.5, within(0.05));
    }

    /** The table's "Owned $/GPU-h @100 %" recomputed with the facts file's formula, for the three headline pools. */
    @ParameterizedTest(name = "{0}/{1}: ${2} per GPU-hour")
    @CsvSource({"SIN-B, h100, 1.15", "JHB-A, h100, 0.97", "SIN-A, h200, 1.19"})
    void demoOwnedCostPerGpuHourMatchesTheFactsFile(String site, String pool, double expected) {
        NodePool p = pool(DEMO, site, pool);
        Site s = site(DEMO, site);
        Finance f = DEMO.finance();
        double owned = p.capexUsd() / (8 * HOURS_PER_YEAR * f.serverYears())
                + p.peakKw() * s.buildUsdPerWatt() * 1000 / (8 * HOURS_PER_YEAR * f.facilityYears())
                + p.avgKw() * s.pue() * s.tariffUsdPerKwh() / 8;
        assertThat(owned).isCloseTo(expected, within(0.01));
    }

    /** Facts file §6 "Site parameters", the zone spread, the opening dates and the connected-power rule. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // site, region,      zone, tariff, PUE,  $/W,   opens,      power_mw
            "SIN-A, ap-southeast-1, a, 0.1919, 1.25, 12.5, 2023-01-01, 0.9",
            "SIN-B, ap-southeast-1, b, 0.1919, 1.25, 12.5, 2023-01-01, 1.1",
            "JHB-A, ap-southeast-8, a, 0.078,  1.35, 8.78, 2025-10-01, 5.5",
            "JHB-B, ap-southeast-8, b, 0.078,  1.35, 8.78, 2025-10-01, 3.0",
            "KUL-A, ap-southeast-3, a, 0.078,  1.40, 8.78, 2025-07-01, 1.5",
            "CGK-A, ap-southeast-5, a, 0.060,  1.50, 8.78, 2024-01-01, 1.0",
            "MNL-A, ap-southeast-6, a, 0.136,  1.50, 4.59, 2024-01-01, 0.5",
            "MNL-B, ap-southeast-6, b, 0.136,  1.50, 4.59, 2025-10-01, 0.5",
            "BKK-A, ap-southeast-7, a, 0.115,  1.50, 8.78, 2024-01-01, 0.5"})
    void demoSitesMatchTheSiteParameterTable(String name, String region, String zone, double tariff, double pue, double build,
                                             LocalDate opens, double powerMw) {
        assertThat(site(DEMO, name)).isEqualTo(new Site(name, region, zone, powerMw, pue, tariff, build, opens));
    }

    @Test
    void demoSitePowerFitsTheirPoolsWithTheDocumentedHeadroom() {
        for (Site s : DEMO.sites()) {
            double needMw = DEMO.pools().stream().filter(p -> p.site().equals(s.name()))
                    .mapToDouble(p -> p.peakKw() * p.nodes()).sum() * s.pue() / 1000;
            assertThat(needMw).as("%s need", s.name()).isLessThanOrEqualTo(s.powerMw());
            // Singapore is power-constrained: 1.1x rounded up to 0.1 MW; elsewhere 1.5x rounded up to 0.5 MW
            boolean singapore = s.region().equals(SIN);
            double factor = singapore ? 1.1 : 1.5;
            double step = singapore ? 0.1 : 0.5;
            double expected = Math.ceil(needMw * factor / step - 1e-9) * step;
            assertThat(s.powerMw()).as("%s power_mw", s.name()).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void demoPricesAreTheSameInEveryRegionAndReservedIs30PercentOff() {
        String[][] table = {{"H100", "5.50", "2.45"}, {"H200", "6.30", "3.00"}, {"H20", "3.95", "1.75"},
                {"A10", "1.29", "0.55"}, {"V100M32", "0.79", "0.35"}};
        assertThat(DEMO.prices()).hasSize(table.length * 6);
        for (String[] row : table) {
            double od = Double.parseDouble(row[1]);
            for (Region r : DEMO.regions()) {
                Price p = DEMO.price(row[0], r.id());
                assertThat(p).as("%s in %s", row[0], r.id())
                        .isEqualTo(new Price(row[0], r.id(), od, Double.parseDouble(row[2]), Math.round(od * 0.7 * 1e6) / 1e6));
            }
        }
    }

    @Test
    void demoFinanceIsFiveYearServersFifteenYearFacilitiesAndThirtyPercentIdlePower() {
        assertThat(DEMO.finance()).isEqualTo(new Finance(5, 15, 0.3));
    }

    /** Facts file §2: range upper ends, estimates as given, 5 ms for Singapore-Johor, 2 ms inside a region. */
    @ParameterizedTest(name = "{0} <-> {1}: {2} ms")
    @CsvSource({
            "ap-southeast-1, ap-southeast-8, 5", "ap-southeast-1, ap-southeast-3, 11", "ap-southeast-1, ap-southeast-5, 19",
            "ap-southeast-1, ap-southeast-6, 39", "ap-southeast-1, ap-southeast-7, 26", "ap-southeast-8, ap-southeast-3, 11",
            "ap-southeast-8, ap-southeast-5, 19", "ap-southeast-8, ap-southeast-6, 39", "ap-southeast-8, ap-southeast-7, 26",
            "ap-southeast-3, ap-southeast-5, 23", "ap-southeast-3, ap-southeast-6, 40", "ap-southeast-3, ap-southeast-7, 23",
            "ap-southeast-5, ap-southeast-6, 44", "ap-southeast-5, ap-southeast-7, 38", "ap-southeast-6, ap-southeast-7, 36",
            "ap-southeast-1, ap-southeast-1, 2", "ap-southeast-6, ap-southeast-6, 2"})
    void demoLatencyFollowsTheFactsFileMatrix(String a, String b, int ms) {
        int i = DEMO.regionIndex(a);
        int j = DEMO.regionIndex(b);
        assertThat(DEMO.rttMs(i, j)).isEqualTo(ms);
        assertThat(DEMO.rttMs(j, i)).isEqualTo(ms);
    }

    @Test
    void demoNodeClassesHaveTheAssumedServerShapes() {
        for (NodePool p : DEMO.pools()) {
            int[] expected = switch (p.gpuModel()) {
                case "H100", "H200" -> new int[] {224, 2048, 100};
                case "H20" -> new int[] {192, 1536, 100};
                case "A10" -> new int[] {128, 752, 0};
                case "V100M32" -> new int[] {96, 368, 0};
                default -> throw new AssertionError(p.gpuModel());
            };
            assertThat(new int[] {p.cpuCores(), p.memoryGib(), p.rdma()}).as(p.site() + "/" + p.name()).isEqualTo(expected);
        }
    }

    // ================================================================ a small inline fleet

    /** A valid fleet; the bad-input table edits single lines of it, so the line numbers matter. */
    private static final List<String> TINY = List.of(
            /* 1 */ "name: tiny",
            /* 2 */ "regions:",
            /* 3 */ "  - {id: r-one, name: One, jurisdiction: AA, zones: 2}",
            /* 4 */ "  - {id: r-two, name: Two, jurisdiction: BB}",
            /* 5 */ "  - {id: r-three, name: Three, jurisdiction: BB}",
            /* 6 */ "latency_ms:",
            /* 7 */ "  pairs:",
            /* 8 */ "    - [r-one, r-two, 10]",
            /* 9 */ "    - [r-three, r-one, 20]",
            /* 10 */ "    - [r-two, r-three, 15]",
            /* 11 */ "sites:",
            /* 12 */ "  - {name: ONE-A, region: r-one, zone: b, power_mw: 1.0, pue: 1.25, tariff_usd_per_kwh: 0.10, build_usd_per_watt: 10, opens: 2024-03-01}",
            /* 13 */ "  - {name: TWO-A, region: r-two, power_mw: 0.5, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}",
            /* 14 */ "pools:",
            /* 15 */ "  - {site: ONE-A, name: h100, gpu_model: H100, gpus_per_node: 8, cpu: 224, memory_gib: 2048, rdma: 100, peak_kw: 10.2, avg_kw: 8.5, capex_usd: 270_000, nodes: 4}",
            /* 16 */ "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}",
            /* 17 */ "prices:",
            /* 18 */ "  list:",
            /* 19 */ "    - {gpu_model: H100, region: \"*\", on_demand: 5.50, spot: 2.45}",
            /* 20 */ "    - {gpu_model: A10, region: r-two, on_demand: 1.10, spot: 0.50, reserved: 0.90}",
            /* 21 */ "    - {gpu_model: A10, region: \"*\", on_demand: 1.29, spot: 0.55}");

    private static String tiny() {
        return String.join("\n", TINY) + "\n";
    }

    /** {@link #TINY} with line {@code line} (1-based) replaced by {@code text}, or removed when {@code text} is null. */
    private static String edit(int line, String text) {
        List<String> lines = new ArrayList<>(TINY);
        if (text == null) {
            lines.remove(line - 1);
        } else {
            lines.set(line - 1, text);
        }
        return String.join("\n", lines) + "\n";
    }

    /** {@link #TINY} with {@code text} inserted as line {@code line}. */
    private static String insert(int line, String text) {
        List<String> lines = new ArrayList<>(TINY);
        lines.add(line - 1, text);
        return String.join("\n", lines) + "\n";
    }

    @Test
    void smallFleetParsesIntoExactlyTheRecordsWritten() {
        RegionalFleet f = FleetFileParser.parse(tiny(), SRC);
        assertThat(f.name()).isEqualTo("tiny");
        assertThat(f.description()).isEmpty();
        assertThat(f.finance()).as("defaults").isEqualTo(new Finance(5, 15, 0.3));
        assertThat(f.regions()).containsExactly(new Region("r-one", "One", "AA", 2), new Region("r-two", "Two", "BB", 1),
                new Region("r-three", "Three", "BB", 1));
        assertThat(f.rttMatrix()).as("symmetric, intra_region 2 by default")
                .isEqualTo(new int[][] {{2, 10, 20}, {10, 2, 15}, {20, 15, 2}});
        assertThat(f.sites()).containsExactly(
                new Site("ONE-A", "r-one", "b", 1.0, 1.25, 0.10, 10, LocalDate.of(2024, 3, 1)),
                new Site("TWO-A", "r-two", "a", 0.5, 1.5, 0.05, 8, LocalDate.EPOCH));
        assertThat(f.pools()).containsExactly(
                new NodePool("h100", "ONE-A", "H100", 8, 224, 2048, 100, 10.2, 8.5, 270_000, 4),
                new NodePool("a10", "TWO-A", "A10", 8, 128, 752, 0, 2.6, 2.0, 0, 2));
        // "*" covers every region; the explicit r-two entry overrides it although it comes first
        assertThat(f.prices()).containsExactlyInAnyOrder(
                new Price("H100", "r-one", 5.50, 2.45, 3.85), new Price("H100", "r-two", 5.50, 2.45, 3.85),
                new Price("H100", "r-three", 5.50, 2.45, 3.85),
                new Price("A10", "r-two", 1.10, 0.50, 0.90),
                new Price("A10", "r-one", 1.29, 0.55, 0.903), new Price("A10", "r-three", 1.29, 0.55, 0.903));
        assertThat(f.layout().nodes()).extracting(n -> n.name())
                .containsExactly("ONE-A-h100-001", "ONE-A-h100-002", "ONE-A-h100-003", "ONE-A-h100-004", "TWO-A-a10-001",
                        "TWO-A-a10-002");
    }

    @Test
    void fileAndTextGiveTheSameFleet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, tiny(), StandardCharsets.UTF_8);
        RegionalFleet fromFile = FleetFileParser.parse(file);
        RegionalFleet fromText = FleetFileParser.parse(tiny(), SRC);
        assertThat(fromFile.regions()).isEqualTo(fromText.regions());
        assertThat(fromFile.sites()).isEqualTo(fromText.sites());
        assertThat(fromFile.pools()).isEqualTo(fromText.pools());
        assertThat(fromFile.prices()).isEqualTo(fromText.prices());
        assertThat(fromFile.rttMatrix()).isEqualTo(fromText.rttMatrix());
    }

    @Test
    void optionalSectionsOverrideTheDefaults() {
        String text = tiny().replace("name: tiny\n", "name: tiny\ndescription: A test fleet.\n"
                + "finance: {server_years: 6, facility_years: 20, idle_power_share: 0}\n")
                .replace("latency_ms:\n", "latency_ms:\n  intra_region: 1\n")
                .replace("prices:\n", "prices:\n  reserved_discount: 0.5\n");
        RegionalFleet f = FleetFileParser.parse(text, SRC);
        assertThat(f.description()).isEqualTo("A test fleet.");
        assertThat(f.finance()).isEqualTo(new Finance(6, 20, 0));
        assertThat(f.rttMs(1, 1)).isEqualTo(1);
        assertThat(f.price("H100", "r-one").reserved()).isEqualTo(2.75);
        assertThat(f.price("A10", "r-two").reserved()).as("explicit reserved wins").isEqualTo(0.90);
    }

    @Test
    void singleRegionFleetNeedsNoLatencySectionAndCpuOnlyPoolsNeedNoPrice() {
        String text = String.join("\n",
                "name: one",
                "regions: [{id: solo, name: Solo, jurisdiction: XX}]",
                "sites: [{name: S1, region: solo, power_mw: 0.1, pue: 1.2, tariff_usd_per_kwh: 0.1, build_usd_per_watt: 5}]",
                "pools: [{site: S1, name: cpu, gpus_per_node: 0, cpu: 64, memory_gib: 256, peak_kw: 0.8, avg_kw: 0.5,"
                        + " capex_usd: 20000, nodes: 10}]",
                "");
        RegionalFleet f = FleetFileParser.parse(text, SRC);
        assertThat(f.rttMs(0, 0)).isEqualTo(2);
        assertThat(f.gpuCount()).isZero();
        assertThat(f.prices()).isEmpty();
    }

    // ================================================================ bad input

    static Stream<Arguments> badInputs() {
        return Stream.of(
                // structure and keys
                Arguments.of("unknown key, with a suggestion",
                        edit(12, "  - {name: ONE-A, region: r-one, power_mv: 1.0, pue: 1.25, tariff_usd_per_kwh: 0.1, build_usd_per_watt: 10}"),
                        12, "sites[0].power_mv", "unknown key 'power_mv'; did you mean 'power_mw'?"),
                Arguments.of("unknown top-level key", insert(2, "descripton: typo"),
                        2, "descripton", "did you mean 'description'?"),
                Arguments.of("duplicate key",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: 0.5, pue: 1.5, pue: 1.4, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].pue", "duplicate key; first given on line 13"),
                Arguments.of("missing key in a site",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: 0.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].pue", "missing required key 'pue'"),
                Arguments.of("missing key in a pool",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0}"),
                        16, "pools[1].nodes", "missing required key 'nodes'"),
                Arguments.of("missing gpu_model for a GPU pool",
                        edit(16, "  - {site: TWO-A, name: a10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].gpu_model", "needs a gpu_model"),
                Arguments.of("missing latency section", String.join("\n", TINY.subList(0, 5)) + "\n"
                                + String.join("\n", TINY.subList(10, TINY.size())) + "\n",
                        1, "latency_ms", "missing required key 'latency_ms'"),
                // types
                Arguments.of("wrong type: words for a whole number",
                        edit(3, "  - {id: r-one, name: One, jurisdiction: AA, zones: many}"),
                        3, "regions[0].zones", "expected a whole number in 0..100"),
                Arguments.of("wrong type: a list for a site",
                        edit(13, "  - [TWO-A, r-two]"),
                        13, "sites[1]", "expected a site mapping with keys name, region"),
                Arguments.of("wrong type: text for a number",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: lots, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].power_mw", "expected a number"),
                Arguments.of("wrong type: a decimal for a whole number",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2.5}"),
                        16, "pools[1].nodes", "expected a whole number in 1..1000000"),
                Arguments.of("bad fleet name", edit(1, "name: Tiny Fleet"),
                        1, "name", "expected a name of lower-case letters"),
                Arguments.of("lower-case jurisdiction", edit(4, "  - {id: r-two, name: Two, jurisdiction: bb}"),
                        4, "regions[1].jurisdiction", "expected an upper-case code"),
                // ranges
                Arguments.of("negative power",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: -0.5, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].power_mw", "expected a facility power in MW, > 0"),
                Arguments.of("PUE below 1",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: 0.5, pue: 0.9, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].pue", "expected a PUE in 1..5"),
                Arguments.of("absurd tariff (cents instead of dollars)",
                        edit(13, "  - {name: TWO-A, region: r-two, power_mw: 0.5, pue: 1.5, tariff_usd_per_kwh: 19.19, build_usd_per_watt: 8}"),
                        13, "sites[1].tariff_usd_per_kwh", "expected an energy price in USD per kWh in 0..10"),
                Arguments.of("absurd node count",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 5_000_000}"),
                        16, "pools[1].nodes", "expected a whole number in 1..1000000"),
                Arguments.of("too many GPUs per server",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 32, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].gpus_per_node", "expected a whole number in 0..16"),
                Arguments.of("average power above peak",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 3.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].avg_kw", "expected an average power per server in kW, 0..peak_kw (2.6)"),
                Arguments.of("negative capex",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: -1, nodes: 2}"),
                        16, "pools[1].capex_usd", "expected a price per server in USD"),
                Arguments.of("absurd latency", edit(8, "    - [r-one, r-two, 10000]"),
                        8, "latency_ms.pairs[0][2]", "expected a whole number in 0..2000"),
                Arguments.of("spot above on-demand",
                        edit(19, "    - {gpu_model: H100, region: \"*\", on_demand: 5.50, spot: 6.00}"),
                        19, "prices.list[0].spot", "at most on_demand (5.5)"),
                Arguments.of("reserved discount of 100 %", insert(18, "  reserved_discount: 1"),
                        18, "prices.reserved_discount", "expected a share of the on-demand price in [0, 1)"),
                Arguments.of("idle power share above 1", insert(2, "finance: {idle_power_share: 1.5}"),
                        2, "finance.idle_power_share", "expected a share of average power in 0..1"),
                // references
                Arguments.of("unknown GPU model, with a suggestion",
                        edit(15, "  - {site: ONE-A, name: h100, gpu_model: H1OO, gpus_per_node: 8, cpu: 224, memory_gib: 2048, peak_kw: 10.2, avg_kw: 8.5, capex_usd: 0, nodes: 4}"),
                        15, "pools[0].gpu_model", "unknown GPU model; expected one of A10, G2"),
                Arguments.of("unknown GPU model in a price",
                        edit(19, "    - {gpu_model: h100, region: \"*\", on_demand: 5.50, spot: 2.45}"),
                        19, "prices.list[0].gpu_model", "did you mean 'H100'?"),
                Arguments.of("unknown region in a site",
                        edit(13, "  - {name: TWO-A, region: r-tow, power_mw: 0.5, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].region", "unknown region; expected one of the fleet's regions: r-one, r-two, r-three;"
                                + " did you mean 'r-two'?"),
                Arguments.of("unknown site in a pool",
                        edit(16, "  - {site: TWO-B, name: a10, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].site", "unknown site; expected one of the fleet's sites: ONE-A, TWO-A; did you mean 'TWO-A'?"),
                Arguments.of("unknown region in a price",
                        edit(20, "    - {gpu_model: A10, region: r-4, on_demand: 1.10, spot: 0.50}"),
                        20, "prices.list[1].region", "unknown region; expected \"*\" (every region) or one of"),
                // latency pairs
                Arguments.of("asymmetric pair (listed twice, reversed, with another value)", insert(11, "    - [r-two, r-one, 12]"),
                        11, "latency_ms.pairs[3]", "pair r-two / r-one is already given at latency_ms.pairs[0] (line 8) with 10 ms,"
                                + " here 12 ms"),
                Arguments.of("pair listed twice", insert(11, "    - [r-one, r-three, 20]"),
                        11, "latency_ms.pairs[3]", "already given at latency_ms.pairs[1] (line 9)"),
                Arguments.of("missing pair", edit(10, null),
                        7, "latency_ms.pairs", "missing round trip for 1 region pair: r-two / r-three"),
                Arguments.of("region paired with itself", edit(10, "    - [r-two, r-two, 1]"),
                        10, "latency_ms.pairs[2]", "region r-two is paired with itself"),
                Arguments.of("pair naming an unknown region", edit(10, "    - [r-two, r-thre, 15]"),
                        10, "latency_ms.pairs[2][1]", "unknown region in latency pair; expected one of the fleet's regions:"
                                + " r-one, r-two, r-three; did you mean 'r-three'?"),
                Arguments.of("pair with two items", edit(10, "    - [r-two, r-three]"),
                        10, "latency_ms.pairs[2]", "expected [region-a, region-b, ms] (3 items), got 2 items"),
                // duplicates
                Arguments.of("duplicate site",
                        edit(13, "  - {name: ONE-A, region: r-two, power_mw: 0.5, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"),
                        13, "sites[1].name", "duplicate site name; already used by sites[0] (line 12)"),
                Arguments.of("duplicate region", edit(5, "  - {id: r-one, name: Three, jurisdiction: BB}"),
                        5, "regions[2].id", "duplicate region id; already used by regions[0] (line 3)"),
                Arguments.of("duplicate pool in a site",
                        edit(16, "  - {site: ONE-A, name: h100, gpu_model: A10, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].name", "duplicate pool h100 in site ONE-A; already used by pools[0] (line 15)"),
                Arguments.of("duplicate price", insert(22, "    - {gpu_model: H100, region: \"*\", on_demand: 5.0, spot: 2.0}"),
                        22, "prices.list[3].region", "duplicate price for H100 in \"*\"; already given at prices.list[0] (line 19)"),
                // cross-checks
                Arguments.of("pools need more power than the site has",
                        edit(15, "  - {site: ONE-A, name: h100, gpu_model: H100, gpus_per_node: 8, cpu: 224, memory_gib: 2048, peak_kw: 10.2, avg_kw: 8.5, capex_usd: 0, nodes: 100}"),
                        12, "sites[0].power_mw", "the site's pools need 1.275 MW (peak IT 1020.0 kW: h100 100 x 10.2 kW; x PUE 1.25)"
                                + " but power_mw is 1; raise power_mw or shrink a pool"),
                Arguments.of("no price for a pool's model",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: H200, gpus_per_node: 8, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].gpu_model", "no price for H200 in r-two (the region of site TWO-A)"),
                Arguments.of("GPU model on a CPU-only pool",
                        edit(16, "  - {site: TWO-A, name: a10, gpu_model: A10, gpus_per_node: 0, cpu: 128, memory_gib: 752, peak_kw: 2.6, avg_kw: 2.0, capex_usd: 0, nodes: 2}"),
                        16, "pools[1].gpu_model", "a CPU-only pool (gpus_per_node: 0) has no GPU model"),
                // dates
                Arguments.of("impossible date",
                        edit(12, "  - {name: ONE-A, region: r-one, power_mw: 1.0, pue: 1.25, tariff_usd_per_kwh: 0.10, build_usd_per_watt: 10, opens: 2024-13-01}"),
                        12, "sites[0].opens", "expected a calendar date YYYY-MM-DD"),
                Arguments.of("date in another format",
                        edit(12, "  - {name: ONE-A, region: r-one, power_mw: 1.0, pue: 1.25, tariff_usd_per_kwh: 0.10, build_usd_per_watt: 10, opens: 01/03/2024}"),
                        12, "sites[0].opens", "expected a calendar date YYYY-MM-DD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsRejectedNamingFileLineKeyAndProblem(String label, String text, int line, String key, String fragment) {
        ScenarioException e = fails(text);
        assertThat(e.file()).isEqualTo(SRC);
        assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
        assertThat(e.key()).as("key of: %s", e.getMessage()).isEqualTo(key);
        assertThat(e.getMessage()).startsWith(SRC + ", line " + line + ", key " + key).contains(fragment);
    }

    @Test
    void errorsQuoteTheOffendingValue() {
        ScenarioException e = fails(edit(13,
                "  - {name: TWO-A, region: r-two, power_mw: -0.5, pue: 1.5, tariff_usd_per_kwh: 0.05, build_usd_per_watt: 8}"));
        assertThat(e.value()).isEqualTo("-0.5");
        assertThat(e.getMessage()).contains("value '-0.5'");
        ScenarioException pair = fails(insert(11, "    - [r-two, r-one, 12]"));
        assertThat(pair.value()).isEqualTo("[r-two, r-one, 12]");
    }

    @Test
    void invalidYamlEmptyFilesAndMissingFilesAreReportedWithTheSource(@TempDir Path dir) {
        assertThat(fails("name: tiny\nregions: [\n").getMessage()).startsWith(SRC + ", line ").contains("invalid YAML");
        assertThat(fails("").getMessage()).isEqualTo(SRC + ": empty fleet file; expected a mapping with at least the keys"
                + " name, regions, sites, pools (see docs/fleet-format.md)");
        assertThat(fails("- a\n- b\n").getMessage()).contains("expected the fleet file to be a mapping");
        Path missing = dir.resolve("nope.yaml");
        Throwable t = catchThrowable(() -> FleetFileParser.parse(missing));
        assertThat(t).isInstanceOf(ScenarioException.class).hasMessageStartingWith(missing + ": no such fleet file");
    }

    // ================================================================ helpers

    private static ScenarioException fails(String text) {
        Throwable t = catchThrowable(() -> FleetFileParser.parse(text, SRC));
        assertThat(t).as("expected a ScenarioException for:%n%s", text).isInstanceOf(ScenarioException.class);
        return (ScenarioException) t;
    }

    private static Site site(RegionalFleet f, String name) {
        return f.sites().get(f.siteIndex(name));
    }

    private static NodePool pool(RegionalFleet f, String site, String name) {
        return f.pools().stream().filter(p -> p.site().equals(site) && p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no pool " + site + "/" + name + " in " + Arrays.toString(f.pools().toArray())));
    }

    /** Facts file: energy = nodes × average kW × PUE × tariff × 8,760 h. */
    private static double energyUsdPerYear(NodePool p, Site s) {
        return p.nodes() * p.avgKw() * s.pue() * s.tariffUsdPerKwh() * HOURS_PER_YEAR;
    }

    /** Facts file: server capex + facility build + energy, per GPU-hour at 100 % utilisation. */
    private static double ownedUsdPerGpuHour(RegionalFleet f, NodePool p, Site s) {
        int g = p.gpusPerNode();
        return p.capexUsd() / (g * HOURS_PER_YEAR * f.finance().serverYears())
                + p.peakKw() * s.buildUsdPerWatt() * 1000 / (g * HOURS_PER_YEAR * f.finance().facilityYears())
                + p.avgKw() * s.pue() * s.tariffUsdPerKwh() / g;
    }
}

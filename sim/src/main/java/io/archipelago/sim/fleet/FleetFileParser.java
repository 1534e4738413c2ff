package io.archipelago.sim.fleet;

import io.archipelago.core.geo.Finance;
import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Price;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.sim.scenario.ScenarioException;
import io.archipelago.sim.scenario.YamlNodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a fleet file (YAML, documented in {@code docs/fleet-format.md}) into an immutable
 * {@link RegionalFleet}, or fails with a {@link ScenarioException} that names the file, the line,
 * the dotted key path, the bad value and what was expected.
 *
 * <p>Like {@code ScenarioParser}, SnakeYAML only composes the text into a node tree (no object is
 * built from tags) and the tree is walked with {@link YamlNodes}: unknown keys (with a "did you
 * mean"), duplicate keys, wrong types and out-of-range values are rejected. Every cross-reference
 * (a site's region, a pool's site, a price's region and model, the latency pairs, site power, the
 * price of each pool's model) is checked here so the error points at the offending line; any
 * {@link IllegalArgumentException} still raised by the core model is turned into a
 * {@link ScenarioException} at the element that caused it. Nothing is returned half-loaded.
 */
public final class FleetFileParser {
    /** Classpath location of the built-in demo fleet. */
    static final String DEMO_RESOURCE = "/io/archipelago/sim/fleet/sea-ai-cloud.yaml";

    static final List<String> TOP_KEYS = List.of("name", "description", "finance", "regions", "latency_ms", "sites", "pools",
            "prices");
    static final List<String> FINANCE_KEYS = List.of("server_years", "facility_years", "idle_power_share");
    static final List<String> REGION_KEYS = List.of("id", "name", "jurisdiction", "zones");
    static final List<String> LATENCY_KEYS = List.of("intra_region", "pairs");
    static final List<String> SITE_KEYS = List.of("name", "region", "zone", "power_mw", "pue", "tariff_usd_per_kwh",
            "build_usd_per_watt", "opens");
    static final List<String> POOL_KEYS = List.of("site", "name", "gpu_model", "gpus_per_node", "cpu", "memory_gib", "rdma",
            "peak_kw", "avg_kw", "capex_usd", "nodes");
    static final List<String> PRICES_KEYS = List.of("reserved_discount", "list");
    static final List<String> PRICE_KEYS = List.of("gpu_model", "region", "on_demand", "spot", "reserved");

    /** Defaults of the optional keys (docs/fleet-format.md). */
    static final Finance DEFAULT_FINANCE = new Finance(5, 15, 0.3);
    static final int DEFAULT_INTRA_REGION_MS = 2;
    static final double DEFAULT_RESERVED_DISCOUNT = 0.30;
    static final int DEFAULT_ZONES = 1;
    static final String DEFAULT_ZONE = "a";
    static final LocalDate DEFAULT_OPENS = LocalDate.EPOCH;
    /** Region value of a price entry that applies to every region of the fleet. */
    static final String ALL_REGIONS = "*";

    // plausibility bounds: larger values are typos (a unit mix-up), not fleets
    static final int MAX_RTT_MS = 2000;
    static final double MAX_POWER_MW = 10_000;
    static final double MAX_PUE = 5;
    static final double MAX_TARIFF = 10;
    static final double MAX_BUILD_USD_PER_WATT = 1000;
    static final double MAX_PEAK_KW = 1000;
    static final double MAX_CAPEX_USD = 1e9;
    static final int MAX_NODES = 1_000_000;
    static final int MAX_CPU = 100_000;
    static final int MAX_MEMORY_GIB = 10_000_000;
    static final int MAX_RDMA = 100_000;
    static final double MAX_PRICE = 10_000;
    static final int MAX_ZONES = 100;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final String NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit";
    private static final Pattern SITE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final String SITE_NAME_RULE = "letters, digits and '-', starting with a letter or digit, e.g. SIN-A";
    private static final Pattern JURISDICTION = Pattern.compile("[A-Z][A-Z0-9-]*");

    private final YamlNodes r;

    private FleetFileParser(YamlNodes r) {
        this.r = r;
    }

    /** Reads and validates a fleet file (UTF-8); the file name in errors is {@code file} as given. */
    public static RegionalFleet parse(Path file) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String text = YamlNodes.read(file, "fleet file", "check the path", "the fleet file");
        return parse(text, source);
    }

    /** Parses fleet text; {@code sourceName} (e.g. a path or {@code <inline>}) is used in errors. */
    public static RegionalFleet parse(String yamlText, String sourceName) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(sourceName, "sourceName");
        YamlNodes r = new YamlNodes(sourceName);
        Node root = r.composeMapping(yamlText, "the fleet file",
                "empty fleet file; expected a mapping with at least the keys name, regions, sites, pools (see docs/fleet-format.md)",
                TOP_KEYS);
        return new FleetFileParser(r).fleet(root);
    }

    /** The built-in "SEA AI cloud" demo fleet (9 sites in 6 Southeast Asian regions); loaded once. */
    public static RegionalFleet demo() {
        return Demo.FLEET;
    }

    private static final class Demo {
        static final RegionalFleet FLEET = load();

        private static RegionalFleet load() {
            try (InputStream in = FleetFileParser.class.getResourceAsStream(DEMO_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("demo fleet resource " + DEMO_RESOURCE + " is missing from the classpath");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEMO_RESOURCE.substring(1));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read demo fleet " + DEMO_RESOURCE, e);
            }
        }
    }

    // ---------------------------------------------------------------- top level

    private RegionalFleet fleet(Node root) {
        YamlNodes.Section top = r.section(root, "", "a mapping").allow(TOP_KEYS, "at the top level of a fleet file");
        String name = top.string("name", "every fleet needs a name of " + NAME_RULE + ", e.g. name: sea-ai-cloud").trim();
        top.check("name", NAME.matcher(name).matches(), "expected a name of " + NAME_RULE + ", e.g. sea-ai-cloud");
        String description = top.string("description", "", true);
        Finance finance = top.has("finance") ? finance(top.get("finance"), top.path("finance")) : DEFAULT_FINANCE;

        List<Region> regions = new ArrayList<>();
        Map<String, Integer> regionIndex = new LinkedHashMap<>();
        regions(top, regions, regionIndex);
        int[][] rtt = latency(top, regions, regionIndex);

        List<Site> sites = new ArrayList<>();
        List<Node> siteNodes = new ArrayList<>();
        Map<String, Integer> siteIndex = new LinkedHashMap<>();
        sites(top, regions, regionIndex, sites, siteNodes, siteIndex);

        List<NodePool> pools = new ArrayList<>();
        List<Node> poolNodes = new ArrayList<>();
        pools(top, siteIndex, pools, poolNodes);
        checkSitePower(top, sites, siteNodes, pools);

        List<Price> prices = top.has("prices") ? prices(top.get("prices"), top.path("prices"), regions, regionIndex)
                : List.of();
        checkPoolPrices(top, sites, siteIndex, pools, poolNodes, prices);

        try {
            return new RegionalFleet(name, description, regions, sites, pools, rtt, prices, finance);
        } catch (IllegalArgumentException e) {
            // every rule of the constructor is checked above with a precise location; this is a safety net
            String msg = e.getMessage();
            String key = msg.startsWith("site") ? "sites" : msg.startsWith("pool") ? "pools"
                    : msg.startsWith("price") ? "prices" : msg.startsWith("latency") ? "latency_ms" : "regions";
            int line = top.has(key) ? top.keyLine(key) : 1;
            throw new ScenarioException(r.source(), line, key, null, msg, e);
        }
    }

    private Finance finance(Node n, String path) {
        YamlNodes.Section f = r.section(n, path, "a mapping such as {server_years: 5, facility_years: 15, idle_power_share: 0.3}")
                .allow(FINANCE_KEYS, "under finance");
        double server = f.number("server_years", DEFAULT_FINANCE.serverYears());
        f.check("server_years", server > 0 && server <= 50, "expected a depreciation period in years, > 0 and at most 50");
        double facility = f.number("facility_years", DEFAULT_FINANCE.facilityYears());
        f.check("facility_years", facility > 0 && facility <= 100, "expected an amortisation period in years, > 0 and at most 100");
        double idle = f.number("idle_power_share", DEFAULT_FINANCE.idlePowerShare());
        f.check("idle_power_share", idle >= 0 && idle <= 1, "expected a share of average power in 0..1");
        return build(n, path, () -> new Finance(server, facility, idle));
    }

    // ---------------------------------------------------------------- regions and latency

    private void regions(YamlNodes.Section top, List<Region> out, Map<String, Integer> index) {
        List<Node> items = top.list("regions", "a list of regions such as "
                + "[{id: ap-southeast-1, name: Singapore, jurisdiction: SG, zones: 3}]");
        if (items.isEmpty()) {
            throw top.error("regions", "expected at least one region");
        }
        Map<String, Node> firstNode = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(top.path("regions"), i);
            YamlNodes.Section s = r.section(items.get(i), ip, "a region mapping with keys " + String.join(", ", REGION_KEYS))
                    .allow(REGION_KEYS, "in a region");
            String id = s.string("id", "every region needs an id of " + NAME_RULE + ", e.g. id: ap-southeast-1").trim();
            s.check("id", NAME.matcher(id).matches(), "expected a region id of " + NAME_RULE + ", e.g. ap-southeast-1");
            Integer before = index.get(id);
            if (before != null) {
                throw s.error("id", "duplicate region id; already used by " + YamlNodes.element(top.path("regions"), before)
                        + " (line " + YamlNodes.line(firstNode.get(id)) + ")");
            }
            String name = s.string("name", "expected a human name such as name: Singapore").trim();
            String jurisdiction = s.string("jurisdiction", "expected the legal jurisdiction code residency rules name, e.g."
                    + " jurisdiction: SG").trim();
            s.check("jurisdiction", JURISDICTION.matcher(jurisdiction).matches(),
                    "expected an upper-case code such as SG, MY or ID (letters, digits, '-')");
            int zones = s.int32("zones", DEFAULT_ZONES, 0, MAX_ZONES);
            out.add(build(items.get(i), ip, () -> new Region(id, name, jurisdiction, zones)));
            index.put(id, i);
            firstNode.put(id, s.get("id"));
        }
    }

    /** The region named by {@code n} (index into {@code index}), rejecting unknown ids with a suggestion. */
    private int regionRef(Node n, String path, Map<String, Integer> index, String where) {
        String id = r.text(n, path, "a region id, one of " + String.join(", ", index.keySet())).trim();
        Integer i = index.get(id);
        if (i == null) {
            throw r.error(n, path, "unknown region" + where + "; expected one of the fleet's regions: "
                    + String.join(", ", index.keySet()) + YamlNodes.didYouMean(id, index.keySet()));
        }
        return i;
    }

    private int[][] latency(YamlNodes.Section top, List<Region> regions, Map<String, Integer> index) {
        int n = regions.size();
        String pairsHint = "expected one [region-a, region-b, ms] entry for each of the " + n * (n - 1) / 2
                + " pairs of distinct regions, e.g. [" + regions.get(0).id() + ", " + regions.get(n - 1).id() + ", 11]";
        int[][] rtt = new int[n][n];
        if (!top.has("latency_ms")) {
            if (n > 1) {
                throw top.missing("latency_ms", "a fleet with " + n + " regions needs {intra_region: 2, pairs: [...]}; "
                        + pairsHint);
            }
            rtt[0][0] = DEFAULT_INTRA_REGION_MS;
            return rtt;
        }
        String path = top.path("latency_ms");
        YamlNodes.Section l = r.section(top.get("latency_ms"), path,
                "a mapping such as {intra_region: 2, pairs: [[ap-southeast-1, ap-southeast-3, 11]]}")
                .allow(LATENCY_KEYS, "under latency_ms");
        int intra = l.int32("intra_region", DEFAULT_INTRA_REGION_MS, 0, MAX_RTT_MS);
        for (int i = 0; i < n; i++) {
            rtt[i][i] = intra;
        }
        List<Node> pairs;
        if (l.has("pairs")) {
            pairs = l.list("pairs", "a list of [region-a, region-b, ms] entries");
        } else if (n > 1) {
            throw l.missing("pairs", pairsHint);
        } else {
            pairs = List.of();
        }
        int[][] givenAt = new int[n][n];
        for (int[] row : givenAt) {
            Arrays.fill(row, -1);
        }
        for (int k = 0; k < pairs.size(); k++) {
            String ip = YamlNodes.element(l.path("pairs"), k);
            List<Node> e = r.list(pairs.get(k), ip, "a pair [region-a, region-b, ms] such as [ap-southeast-1, ap-southeast-3, 11]");
            if (e.size() != 3) {
                throw new ScenarioException(r.source(), YamlNodes.line(pairs.get(k)), ip, pairText(e),
                        "expected [region-a, region-b, ms] (3 items), got " + e.size() + " item" + (e.size() == 1 ? "" : "s"));
            }
            int a = regionRef(e.get(0), YamlNodes.element(ip, 0), index, " in latency pair");
            int b = regionRef(e.get(1), YamlNodes.element(ip, 1), index, " in latency pair");
            if (a == b) {
                throw new ScenarioException(r.source(), YamlNodes.line(pairs.get(k)), ip, pairText(e),
                        "region " + regions.get(a).id() + " is paired with itself; the round trip between two sites of one region"
                                + " is latency_ms.intra_region (default " + DEFAULT_INTRA_REGION_MS + ")");
            }
            int ms = (int) r.integer(e.get(2), YamlNodes.element(ip, 2), 0, MAX_RTT_MS);
            if (givenAt[a][b] >= 0) {
                int first = givenAt[a][b];
                String firstPath = YamlNodes.element(l.path("pairs"), first);
                String asym = rtt[a][b] != ms ? " with " + rtt[a][b] + " ms, here " + ms + " ms (round trips are symmetric)" : "";
                throw new ScenarioException(r.source(), YamlNodes.line(pairs.get(k)), ip, pairText(e),
                        "pair " + regions.get(a).id() + " / " + regions.get(b).id() + " is already given at " + firstPath
                                + " (line " + YamlNodes.line(pairs.get(first)) + ")" + asym
                                + "; list each unordered pair of regions exactly once");
            }
            givenAt[a][b] = k;
            givenAt[b][a] = k;
            rtt[a][b] = ms;
            rtt[b][a] = ms;
        }
        List<String> missing = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (givenAt[a][b] < 0) {
                    missing.add(regions.get(a).id() + " / " + regions.get(b).id());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ScenarioException(r.source(), l.keyLine("pairs"), l.path("pairs"), null,
                    "missing round trip for " + missing.size() + " region pair" + (missing.size() == 1 ? "" : "s") + ": "
                            + String.join(", ", missing) + "; list every unordered pair of distinct regions exactly once"
                            + " as [region-a, region-b, ms]");
        }
        return rtt;
    }

    private static String pairText(List<Node> items) {
        List<String> parts = new ArrayList<>();
        for (Node n : items) {
            parts.add(n instanceof ScalarNode && !YamlNodes.isNull(n) ? ((ScalarNode) n).getValue() : YamlNodes.describe(n));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    // ---------------------------------------------------------------- sites and pools

    private void sites(YamlNodes.Section top, List<Region> regions, Map<String, Integer> regionIndex, List<Site> out,
                       List<Node> nodes, Map<String, Integer> index) {
        List<Node> items = top.list("sites", "a list of sites such as [{name: SIN-A, region: ap-southeast-1, zone: a,"
                + " power_mw: 1.0, pue: 1.25, tariff_usd_per_kwh: 0.1919, build_usd_per_watt: 12.5, opens: 2024-01-01}]");
        if (items.isEmpty()) {
            throw top.error("sites", "expected at least one site");
        }
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(top.path("sites"), i);
            YamlNodes.Section s = r.section(items.get(i), ip, "a site mapping with keys " + String.join(", ", SITE_KEYS))
                    .allow(SITE_KEYS, "in a site");
            String name = s.string("name", "every site needs a name of " + SITE_NAME_RULE).trim();
            s.check("name", SITE_NAME.matcher(name).matches(), "expected a site name of " + SITE_NAME_RULE);
            Integer before = index.get(name);
            if (before != null) {
                throw s.error("name", "duplicate site name; already used by " + YamlNodes.element(top.path("sites"), before)
                        + " (line " + YamlNodes.line(nodes.get(before)) + ")");
            }
            int region = regionRef(s.require("region", "expected the id of the site's region, one of "
                    + String.join(", ", regionIndex.keySet())), s.path("region"), regionIndex, "");
            String regionId = regions.get(region).id();
            String zone = s.string("zone", DEFAULT_ZONE, false).trim();
            s.check("zone", NAME.matcher(zone).matches(), "expected a zone name of " + NAME_RULE + ", e.g. a");
            double power = s.requiredNumber("power_mw", "expected the facility power the site may draw, MW, e.g. power_mw: 1.5");
            s.check("power_mw", power > 0 && power <= MAX_POWER_MW, "expected a facility power in MW, > 0 and at most "
                    + fmt(MAX_POWER_MW));
            double pue = s.requiredNumber("pue", "expected the power usage effectiveness, e.g. pue: 1.3");
            s.check("pue", pue >= 1 && pue <= MAX_PUE, "expected a PUE in 1.." + fmt(MAX_PUE));
            double tariff = s.requiredNumber("tariff_usd_per_kwh", "expected the energy price in USD per kWh, e.g."
                    + " tariff_usd_per_kwh: 0.115");
            s.check("tariff_usd_per_kwh", tariff >= 0 && tariff <= MAX_TARIFF, "expected an energy price in USD per kWh in 0.."
                    + fmt(MAX_TARIFF) + " (0.1919 is 19.19 cents)");
            double build = s.requiredNumber("build_usd_per_watt", "expected the facility build cost in USD per watt of IT load,"
                    + " e.g. build_usd_per_watt: 8.78");
            s.check("build_usd_per_watt", build >= 0 && build <= MAX_BUILD_USD_PER_WATT, "expected a build cost in USD per watt"
                    + " in 0.." + fmt(MAX_BUILD_USD_PER_WATT) + " (12.5 $/W = 12.5 M$ per MW)");
            LocalDate opens = DEFAULT_OPENS;
            if (s.has("opens")) {
                String d = r.text(s.get("opens"), s.path("opens"), "a date such as 2025-07-01").trim();
                try {
                    opens = LocalDate.parse(d);
                } catch (DateTimeParseException e) {
                    throw s.error("opens", "expected a calendar date YYYY-MM-DD, e.g. opens: 2025-07-01");
                }
            }
            LocalDate o = opens;
            out.add(build(items.get(i), ip, () -> new Site(name, regionId, zone, power, pue, tariff, build, o)));
            nodes.add(items.get(i));
            index.put(name, i);
        }
    }

    private void pools(YamlNodes.Section top, Map<String, Integer> siteIndex, List<NodePool> out, List<Node> nodes) {
        List<Node> items = top.list("pools", "a list of node pools such as [{site: SIN-A, name: h200, gpu_model: H200,"
                + " gpus_per_node: 8, cpu: 224, memory_gib: 2048, rdma: 100, peak_kw: 10.2, avg_kw: 8.5, capex_usd: 286000,"
                + " nodes: 64}]");
        if (items.isEmpty()) {
            throw top.error("pools", "expected at least one node pool");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(top.path("pools"), i);
            YamlNodes.Section p = r.section(items.get(i), ip, "a pool mapping with keys " + String.join(", ", POOL_KEYS))
                    .allow(POOL_KEYS, "in a pool");
            Node siteNode = p.require("site", "expected the name of the pool's site, one of " + String.join(", ", siteIndex.keySet()));
            String site = r.text(siteNode, p.path("site"), "a site name").trim();
            if (!siteIndex.containsKey(site)) {
                throw p.error("site", "unknown site; expected one of the fleet's sites: " + String.join(", ", siteIndex.keySet())
                        + YamlNodes.didYouMean(site, siteIndex.keySet()));
            }
            String name = p.string("name", "every pool needs a name of " + NAME_RULE + ", e.g. name: h100").trim();
            p.check("name", NAME.matcher(name).matches(), "expected a pool name of " + NAME_RULE + ", e.g. h100");
            Integer before = seen.putIfAbsent(site + "/" + name, i);
            if (before != null) {
                throw p.error("name", "duplicate pool " + name + " in site " + site + "; already used by "
                        + YamlNodes.element(top.path("pools"), before) + " (line " + YamlNodes.line(nodes.get(before))
                        + "). Pool names must be unique within a site");
            }
            int gpus = p.requiredInt("gpus_per_node", 0, NodeSpec.MAX_GPUS, "expected GPUs per server, 0.." + NodeSpec.MAX_GPUS
                    + ", e.g. gpus_per_node: 8");
            String model = gpuModel(p, gpus);
            int cpu = p.requiredInt("cpu", 1, MAX_CPU, "expected allocatable CPU cores per server, e.g. cpu: 224");
            int memory = p.requiredInt("memory_gib", 1, MAX_MEMORY_GIB, "expected allocatable memory per server in GiB,"
                    + " e.g. memory_gib: 2048");
            int rdma = p.int32("rdma", 0, 0, MAX_RDMA);
            double peak = p.requiredNumber("peak_kw", "expected the peak IT power per server in kW, e.g. peak_kw: 10.2");
            p.check("peak_kw", peak > 0 && peak <= MAX_PEAK_KW, "expected a peak power per server in kW, > 0 and at most "
                    + fmt(MAX_PEAK_KW));
            double avg = p.requiredNumber("avg_kw", "expected the average IT power of a busy server in kW, e.g. avg_kw: 8.5");
            p.check("avg_kw", avg >= 0 && avg <= peak, "expected an average power per server in kW, 0..peak_kw (" + fmt(peak) + ")");
            double capex = p.requiredNumber("capex_usd", "expected the purchase price per server in USD (0 = fully"
                    + " depreciated), e.g. capex_usd: 270000");
            p.check("capex_usd", capex >= 0 && capex <= MAX_CAPEX_USD, "expected a price per server in USD, 0.."
                    + fmt(MAX_CAPEX_USD));
            int count = p.requiredInt("nodes", 1, MAX_NODES, "expected the number of servers, e.g. nodes: 64");
            out.add(build(items.get(i), ip, () -> new NodePool(name, site, model, gpus, cpu, memory, rdma, peak, avg, capex,
                    count)));
            nodes.add(items.get(i));
        }
    }

    private String gpuModel(YamlNodes.Section p, int gpus) {
        List<String> known = GpuModels.names();
        if (gpus == 0) {
            if (p.has("gpu_model")) {
                throw p.error("gpu_model", "a CPU-only pool (gpus_per_node: 0) has no GPU model; remove gpu_model or set"
                        + " gpus_per_node");
            }
            return "";
        }
        String model = p.string("gpu_model", "a pool with gpus_per_node: " + gpus + " needs a gpu_model, one of "
                + String.join(", ", known)).trim();
        return knownModel(p, "gpu_model", model);
    }

    private static String knownModel(YamlNodes.Section s, String key, String model) {
        List<String> known = GpuModels.names();
        if (GpuModels.idOf(model) < 0) {
            throw s.error(key, "unknown GPU model; expected one of " + String.join(", ", known)
                    + YamlNodes.didYouMean(model, known));
        }
        return model;
    }

    private void checkSitePower(YamlNodes.Section top, List<Site> sites, List<Node> siteNodes, List<NodePool> pools) {
        for (int i = 0; i < sites.size(); i++) {
            Site s = sites.get(i);
            double peakKw = 0;
            List<String> names = new ArrayList<>();
            for (NodePool p : pools) {
                if (p.site().equals(s.name())) {
                    peakKw += p.peakKw() * p.nodes();
                    names.add(String.format(Locale.ROOT, "%s %d x %s kW", p.name(), p.nodes(), fmt(p.peakKw())));
                }
            }
            double needMw = peakKw * s.pue() / 1000;
            if (needMw > s.powerMw() * (1 + 1e-9)) {
                String ip = YamlNodes.element(top.path("sites"), i);
                YamlNodes.Section sec = r.section(siteNodes.get(i), ip, "a site mapping");
                throw sec.error("power_mw", String.format(Locale.ROOT, "the site's pools need %.3f MW (peak IT %.1f kW: %s; x PUE"
                        + " %s) but power_mw is %s; raise power_mw or shrink a pool", needMw, peakKw, String.join(" + ", names),
                        fmt(s.pue()), fmt(s.powerMw())));
            }
        }
    }

    // ---------------------------------------------------------------- prices

    private List<Price> prices(Node n, String path, List<Region> regions, Map<String, Integer> regionIndex) {
        YamlNodes.Section ps = r.section(n, path, "a mapping such as {reserved_discount: 0.3, list: [{gpu_model: H100,"
                + " region: \"*\", on_demand: 5.50, spot: 2.45}]}").allow(PRICES_KEYS, "under prices");
        double discount = ps.number("reserved_discount", DEFAULT_RESERVED_DISCOUNT);
        ps.check("reserved_discount", discount >= 0 && discount < 1, "expected a share of the on-demand price in [0, 1)"
                + " (0.30 = reserved costs 30 % less)");
        List<Node> items = ps.list("list", "a list of prices such as [{gpu_model: H100, region: \"*\", on_demand: 5.50,"
                + " spot: 2.45}]");
        List<String> regionKeys = new ArrayList<>(regionIndex.keySet());
        List<String> regionOptions = new ArrayList<>(regionKeys);
        regionOptions.add(0, ALL_REGIONS);
        // (model@region or model@*) -> entry index, to reject duplicates and let explicit regions override "*"
        Map<String, Integer> seen = new LinkedHashMap<>();
        List<String> models = new ArrayList<>();
        List<String> regionOf = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(ps.path("list"), i);
            YamlNodes.Section e = r.section(items.get(i), ip, "a price mapping with keys " + String.join(", ", PRICE_KEYS))
                    .allow(PRICE_KEYS, "in a price entry");
            String model = knownModel(e, "gpu_model", e.string("gpu_model", "expected the GPU model this price is for, e.g."
                    + " gpu_model: H100").trim());
            String region = e.string("region", "expected a region id, or \"*\" for every region of the fleet").trim();
            if (!region.equals(ALL_REGIONS) && !regionIndex.containsKey(region)) {
                throw e.error("region", "unknown region; expected \"*\" (every region) or one of the fleet's regions: "
                        + String.join(", ", regionKeys) + YamlNodes.didYouMean(region, regionKeys));
            }
            Integer before = seen.putIfAbsent(model + "@" + region, i);
            if (before != null) {
                throw e.error("region", "duplicate price for " + model + " in " + (region.equals(ALL_REGIONS) ? "\"*\"" : region)
                        + "; already given at " + YamlNodes.element(ps.path("list"), before) + " (line "
                        + YamlNodes.line(items.get(before)) + ")");
            }
            double onDemand = e.requiredNumber("on_demand", "expected the on-demand price in USD per GPU-hour, e.g. on_demand: 5.50");
            e.check("on_demand", onDemand > 0 && onDemand <= MAX_PRICE, "expected a price in USD per GPU-hour, > 0 and at most "
                    + fmt(MAX_PRICE));
            double spot = e.requiredNumber("spot", "expected the spot price in USD per GPU-hour, e.g. spot: 2.45");
            e.check("spot", spot > 0 && spot <= onDemand, "expected a spot price in USD per GPU-hour, > 0 and at most on_demand ("
                    + fmt(onDemand) + ")");
            double reserved;
            if (e.has("reserved")) {
                reserved = e.number("reserved", 0);
                e.check("reserved", reserved > 0 && reserved <= onDemand, "expected a reserved price in USD per GPU-hour, > 0"
                        + " and at most on_demand (" + fmt(onDemand) + ")");
            } else {
                reserved = Math.round(onDemand * (1 - discount) * 1e6) / 1e6;
                if (!(reserved > 0)) {
                    reserved = onDemand * (1 - discount);
                }
            }
            double res = reserved;
            build(items.get(i), ip, () -> new Price(model, region.equals(ALL_REGIONS) ? regionKeys.get(0) : region, onDemand,
                    spot, res));
            models.add(model);
            regionOf.add(region);
            values.add(new double[] {onDemand, spot, reserved});
        }
        List<Price> out = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            String model = models.get(i);
            double[] v = values.get(i);
            if (!regionOf.get(i).equals(ALL_REGIONS)) {
                out.add(new Price(model, regionOf.get(i), v[0], v[1], v[2]));
                continue;
            }
            for (Region reg : regions) {
                if (!seen.containsKey(model + "@" + reg.id())) {
                    out.add(new Price(model, reg.id(), v[0], v[1], v[2]));
                }
            }
        }
        return out;
    }

    private void checkPoolPrices(YamlNodes.Section top, List<Site> sites, Map<String, Integer> siteIndex, List<NodePool> pools,
                                 List<Node> poolNodes, List<Price> prices) {
        for (int i = 0; i < pools.size(); i++) {
            NodePool p = pools.get(i);
            if (p.gpuModel().isEmpty()) {
                continue;
            }
            String region = sites.get(siteIndex.get(p.site())).region();
            boolean found = prices.stream().anyMatch(q -> q.gpuModel().equals(p.gpuModel()) && q.region().equals(region));
            if (!found) {
                String ip = YamlNodes.element(top.path("pools"), i);
                YamlNodes.Section sec = r.section(poolNodes.get(i), ip, "a pool mapping");
                throw sec.error("gpu_model", "no price for " + p.gpuModel() + " in " + region + " (the region of site " + p.site()
                        + "); add {gpu_model: " + p.gpuModel() + ", region: " + region + " or \"*\", on_demand: ..., spot: ...}"
                        + " under prices.list");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Runs a core-model constructor, turning its IllegalArgumentException into an error at {@code at}. */
    private <T> T build(Node at, String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(r.source(), YamlNodes.line(at), path, null, e.getMessage(), e);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}

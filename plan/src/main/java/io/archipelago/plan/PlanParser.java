package io.archipelago.plan;

import io.archipelago.core.geo.NodePool;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.model.GpuModels;
import io.archipelago.sim.fleet.FleetFileParser;
import io.archipelago.sim.scenario.MultiRegionSpec;
import io.archipelago.sim.scenario.ScenarioException;
import io.archipelago.sim.scenario.ScenarioParser;
import io.archipelago.sim.scenario.YamlNodes;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code PLAN.yaml} (docs/planning.md) into a {@link PlanSpec}, as strictly as the scenario and
 * fleet parsers: unknown keys (with the closest allowed one), wrong types, out-of-range numbers and
 * dangling names (regions, sites, classes, candidates) are refused with a {@link ScenarioException}
 * naming the file, the line, the key path, the value and what was expected. Nothing is half-read.
 */
public final class PlanParser {
    static final List<String> TOP_KEYS = List.of("name", "description", "seed", "start", "quarters", "fleet", "workload", "demand",
            "demand_history", "new_sites", "candidates", "constraints", "alternatives", "calibration", "verification");
    static final List<String> DEMAND_KEYS = List.of("region", "class", "gpus", "growth", "seasonality");
    static final List<String> SITE_KEYS = List.of("name", "region", "zone", "power_mw", "pue", "tariff_usd_per_kwh", "build_usd_per_watt");
    static final List<String> CANDIDATE_KEYS = List.of("name", "site", "pool", "gpu_model", "nodes", "capex_usd_per_node", "gpus_per_node",
            "cpu", "memory_gib", "peak_kw", "avg_kw", "lead_time_months", "earliest");
    static final List<String> CONSTRAINT_KEYS = List.of("capex_budget_usd_per_year", "wait_p95", "slo_attainment");
    static final List<String> WORKLOAD_KEYS = List.of("diurnal", "classes", "residency");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern CANDIDATE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final long DAY_MS = 86_400_000L;
    /** Most quarters a plan may span (25 years). */
    public static final int MAX_QUARTERS = 100;

    private final YamlNodes r;
    private final Path baseDir;
    private final RegionalFleet defaultFleet;
    private final boolean files;

    private PlanParser(YamlNodes r, Path baseDir, RegionalFleet defaultFleet, boolean files) {
        this.r = r;
        this.baseDir = baseDir;
        this.defaultFleet = defaultFleet;
        this.files = files;
    }

    /** Reads and parses {@code file} (UTF-8); relative paths in it resolve against its folder. */
    public static PlanSpec parse(Path file) {
        Objects.requireNonNull(file, "file");
        String text = YamlNodes.read(file, "file", "check the path, e.g. scenarios/sea-plan-3y.yaml", "the plan");
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /** Parses plan text; {@code sourceName} names it in errors; relative paths resolve against {@code baseDir} (may be null). */
    public static PlanSpec parse(String text, String sourceName, Path baseDir) {
        YamlNodes r = new YamlNodes(sourceName);
        Node root = r.composeMapping(text, "the plan",
                "empty plan; expected a mapping with at least name, demand and candidates (see docs/planning.md)", TOP_KEYS);
        return new PlanParser(r, baseDir, null, true).plan(root);
    }

    /**
     * Parses plan text received from a client (the control plane's what-if API): without a {@code fleet:} key
     * the plan runs on {@code fleet} (the server's own), and keys that name files ({@code fleet.file},
     * {@code demand_history}) are refused, so a request can never make the server read its disk.
     */
    public static PlanSpec parseUntrusted(String text, String sourceName, RegionalFleet fleet) {
        Objects.requireNonNull(fleet, "fleet");
        YamlNodes r = new YamlNodes(sourceName);
        Node root = r.composeMapping(text, "the plan",
                "empty plan; expected a mapping with at least name, demand and candidates (see docs/planning.md)", TOP_KEYS);
        return new PlanParser(r, null, fleet, false).plan(root);
    }

    private PlanSpec plan(Node root) {
        YamlNodes.Section top = r.section(root, "", "a mapping").allow(TOP_KEYS, "at the top level of a plan");
        String name = top.string("name", "every plan needs a name of lower-case letters, digits and '-', e.g. name: sea-plan-3y");
        top.check("name", NAME.matcher(name).matches(), "expected lower-case letters, digits and '-', e.g. sea-plan-3y");
        String description = top.string("description", "", true);
        long seed = top.integer("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        LocalDate start = top.has("start") ? date(top.get("start"), top.path("start")) : LocalDate.of(2027, 1, 1);
        top.check("start", start.getDayOfMonth() == 1 && (start.getMonthValue() - 1) % 3 == 0,
                "expected the first day of a quarter (YYYY-01-01, -04-01, -07-01 or -10-01)");
        int quarters = top.int32("quarters", 12, 1, MAX_QUARTERS);

        RegionalFleet fleet = fleet(top);
        MultiRegionSpec workload = workload(top, fleet);
        Set<String> classes = new LinkedHashSet<>();
        workload.classes().stream().filter(c -> c.share() > 0).forEach(c -> classes.add(c.name()));

        top.exclusive("demand", "demand_history", "give the forecast either as lines (demand:) or fitted from a history file"
                + " (demand_history: {file: ...}), not both");
        List<PlanSpec.DemandLine> demand;
        if (top.has("demand_history") && !files) {
            throw top.error("demand_history", "history files cannot be read through the API; give the forecast as demand: lines");
        }
        if (top.has("demand_history")) {
            demand = history(top.section("demand_history", "a mapping with file: a CSV of month,region,class,gpus"),
                    fleet, classes, start);
        } else {
            demand = demand(top.require("demand", "expected a list of {region, class, gpus, growth, seasonality} (or demand_history)"),
                    top.path("demand"), fleet, classes);
        }
        List<Site> newSites = top.has("new_sites") ? newSites(top.get("new_sites"), top.path("new_sites"), fleet) : List.of();
        List<PlanSpec.Candidate> candidates = candidates(top.require("candidates",
                "expected a list of candidate pools: {name, site, gpu_model, nodes, lead_time_months, ...}"), top.path("candidates"),
                fleet, newSites, start);
        PlanSpec.Constraints constraints = top.has("constraints") ? constraints(top.section("constraints", "a mapping"))
                : new PlanSpec.Constraints(List.of(), 10 * 60_000L, 0.95);
        List<PlanSpec.Alternative> alternatives = top.has("alternatives")
                ? alternatives(top.get("alternatives"), top.path("alternatives"), candidates, start, quarters) : List.of();
        PlanSpec.Calibration calibration = calibration(top);
        PlanSpec.Verification verification = verification(top);
        return new PlanSpec(name, description, seed, start, quarters, fleet, workload, demand, newSites, candidates, constraints,
                alternatives, calibration, verification);
    }

    // ---------------------------------------------------------------- fleet and workload

    private RegionalFleet fleet(YamlNodes.Section top) {
        if (!top.has("fleet")) {
            return defaultFleet != null ? defaultFleet : FleetFileParser.demo();
        }
        YamlNodes.Section f = top.section("fleet", "a mapping with file (a fleet file) and scale").allow(List.of("file", "scale"),
                "under fleet");
        RegionalFleet rf;
        if (f.has("file") && !files) {
            throw f.error("file", "fleet files cannot be read through the API; leave fleet: out to plan on the server's fleet");
        }
        if (f.has("file")) {
            String file = f.string("file", "a path");
            Path p = baseDir == null ? Path.of(file) : baseDir.resolve(file);
            rf = FleetFileParser.parse(p);
        } else {
            rf = defaultFleet != null ? defaultFleet : FleetFileParser.demo();
        }
        double scale = f.number("scale", 1.0);
        f.check("scale", scale > 0 && scale <= 100, "expected a number in (0, 100]");
        return scale == 1.0 ? rf : rf.scaled(scale);
    }

    private MultiRegionSpec workload(YamlNodes.Section top, RegionalFleet fleet) {
        if (!top.has("workload")) {
            return MultiRegionSpec.defaults();
        }
        YamlNodes.Section w = top.section("workload", "a mapping with classes, residency and diurnal of the multi-region workload");
        for (String k : w.presentKeys()) {
            if (List.of("span", "load", "rate_per_s", "origins", "kind").contains(k)) {
                throw w.error(k, "'" + k + "' is set by the planner from the demand forecast; allowed keys under workload: "
                        + String.join(", ", WORKLOAD_KEYS));
            }
        }
        w.allow(WORKLOAD_KEYS, "under workload");
        return ScenarioParser.multiRegionWorkload(r, w, fleet);
    }

    // ---------------------------------------------------------------- demand

    private List<PlanSpec.DemandLine> demand(Node n, String path, RegionalFleet fleet, Set<String> classes) {
        List<Node> items = r.list(n, path, "a non-empty list of {region, class, gpus, growth, seasonality}");
        if (items.isEmpty()) {
            throw r.error(n, path, "expected at least one demand line");
        }
        List<PlanSpec.DemandLine> out = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String p = YamlNodes.element(path, i);
            YamlNodes.Section d = r.section(items.get(i), p, "a mapping {region, class, gpus, growth, seasonality}")
                    .allow(DEMAND_KEYS, "in a demand line");
            String region = region(d, "region", fleet);
            String cls = d.string("class", "expected a job class: one of " + String.join(", ", classes));
            d.check("class", classes.contains(cls), "expected a job class of the workload with a share > 0: one of "
                    + String.join(", ", classes) + YamlNodes.didYouMean(cls, classes));
            double gpus = d.requiredNumber("gpus", "expected mean busy GPUs in the first quarter, e.g. gpus: 400");
            d.check("gpus", gpus >= 0 && gpus <= 1e7, "expected mean busy GPUs in 0..10,000,000");
            double growth = d.number("growth", 0);
            d.check("growth", growth > -1 && growth <= 20, "expected growth per year as a fraction > -1 (0.4 = +40 %/year)");
            double[] season = d.has("seasonality") ? seasonality(d) : new double[] {1, 1, 1, 1};
            Integer prev = seen.putIfAbsent(region + "/" + cls, i);
            if (prev != null) {
                throw d.error("class", "region " + region + " and class " + cls + " are already forecast at "
                        + YamlNodes.element(path, prev) + "; give each (region, class) once");
            }
            out.add(new PlanSpec.DemandLine(region, cls, gpus, growth, season, "file"));
        }
        if (out.stream().mapToDouble(PlanSpec.DemandLine::gpus).sum() <= 0) {
            throw r.error(n, path, "every line has gpus: 0; the first quarter needs some demand (it sets the workload mix the engine is"
                    + " calibrated with)");
        }
        return out;
    }

    private double[] seasonality(YamlNodes.Section d) {
        List<Node> xs = d.list("seasonality", "a list of 4 factors, one per calendar quarter Q1..Q4, e.g. [0.95, 1.0, 1.0, 1.05]");
        if (xs.size() != 4) {
            throw d.error("seasonality", "expected 4 factors (Q1..Q4), got " + xs.size());
        }
        double[] s = new double[4];
        double sum = 0;
        for (int q = 0; q < 4; q++) {
            s[q] = r.number(xs.get(q), YamlNodes.element(d.path("seasonality"), q));
            if (!(s[q] > 0 && s[q] <= 10)) {
                throw r.error(xs.get(q), YamlNodes.element(d.path("seasonality"), q), "expected a factor in (0, 10]");
            }
            sum += s[q];
        }
        if (Math.abs(sum / 4 - 1) > 0.01) {
            throw d.error("seasonality", "factors average " + String.format(java.util.Locale.ROOT, "%.3f", sum / 4)
                    + "; expected a mean of 1 (within 0.01), so that growth alone sets the yearly level");
        }
        return s;
    }

    private List<PlanSpec.DemandLine> history(YamlNodes.Section h, RegionalFleet fleet, Set<String> classes, LocalDate start) {
        h.allow(List.of("file"), "under demand_history");
        String file = h.string("file", "a CSV with the header month,region,class,gpus");
        Path p = baseDir == null ? Path.of(file) : baseDir.resolve(file);
        try {
            return Forecast.fit(p, fleet, classes, start);
        } catch (IllegalArgumentException e) {
            throw h.error("file", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- sites and candidates

    private List<Site> newSites(Node n, String path, RegionalFleet fleet) {
        List<Site> out = new ArrayList<>();
        List<Node> items = r.list(n, path, "a list of sites {name, region, power_mw, pue, tariff_usd_per_kwh, build_usd_per_watt}");
        for (int i = 0; i < items.size(); i++) {
            String p = YamlNodes.element(path, i);
            YamlNodes.Section s = r.section(items.get(i), p, "a mapping").allow(SITE_KEYS, "in a new site");
            String name = s.string("name", "expected a site name, e.g. MNL-C");
            s.check("name", CANDIDATE.matcher(name).matches(), "expected letters, digits and '-', e.g. MNL-C");
            boolean dup = fleet.sites().stream().anyMatch(x -> x.name().equals(name)) || out.stream().anyMatch(x -> x.name().equals(name));
            s.check("name", !dup, "site " + name + " already exists; a new site needs a new name (candidates may also go in existing sites)");
            String region = region(s, "region", fleet);
            Site template = fleet.sites().stream().filter(x -> x.region().equals(region)).findFirst().orElse(null);
            double power = s.requiredNumber("power_mw", "expected the facility power the new site will have, MW");
            s.check("power_mw", power > 0 && power <= 10_000, "expected MW in (0, 10000]");
            double pue = template == null ? s.requiredNumber("pue", "no site of " + region + " to copy it from") : s.number("pue", template.pue());
            s.check("pue", pue >= 1 && pue <= 5, "expected a PUE in 1..5");
            double tariff = template == null ? s.requiredNumber("tariff_usd_per_kwh", "no site of " + region + " to copy it from")
                    : s.number("tariff_usd_per_kwh", template.tariffUsdPerKwh());
            s.check("tariff_usd_per_kwh", tariff >= 0 && tariff <= 10, "expected USD per kWh in 0..10 (19.19 would be cents)");
            double build = template == null ? s.requiredNumber("build_usd_per_watt", "no site of " + region + " to copy it from")
                    : s.number("build_usd_per_watt", template.buildUsdPerWatt());
            s.check("build_usd_per_watt", build >= 0 && build <= 1000, "expected USD per watt in 0..1000");
            String zone = s.string("zone", "a", false);
            out.add(new Site(name, region, zone, power, pue, tariff, build, LocalDate.of(1970, 1, 1)));
        }
        return out;
    }

    private List<PlanSpec.Candidate> candidates(Node n, String path, RegionalFleet fleet, List<Site> newSites, LocalDate start) {
        List<Node> items = r.list(n, path, "a non-empty list of candidate pools");
        if (items.isEmpty()) {
            throw r.error(n, path, "expected at least one candidate");
        }
        List<PlanSpec.Candidate> out = new ArrayList<>();
        List<String> siteNames = new ArrayList<>();
        fleet.sites().forEach(s -> siteNames.add(s.name()));
        newSites.forEach(s -> siteNames.add(s.name()));
        for (int i = 0; i < items.size(); i++) {
            String p = YamlNodes.element(path, i);
            YamlNodes.Section c = r.section(items.get(i), p, "a mapping").allow(CANDIDATE_KEYS, "in a candidate");
            String name = c.string("name", "expected a candidate name, e.g. MNL-C-h100");
            c.check("name", CANDIDATE.matcher(name).matches(), "expected letters, digits and '-', e.g. MNL-C-h100");
            c.check("name", out.stream().noneMatch(x -> x.name().equals(name)), "candidate " + name + " is listed twice");
            String site = c.string("site", "expected an existing site or one of new_sites: " + String.join(", ", siteNames));
            c.check("site", siteNames.contains(site), "unknown site; expected an existing site or one of new_sites: "
                    + String.join(", ", siteNames) + YamlNodes.didYouMean(site, siteNames));
            String region = fleet.sites().stream().filter(s -> s.name().equals(site)).map(Site::region).findFirst()
                    .orElseGet(() -> newSites.stream().filter(s -> s.name().equals(site)).findFirst().orElseThrow().region());
            String model = c.string("gpu_model", "expected a GPU model, e.g. H100");
            c.check("gpu_model", GpuModels.names().contains(model), "unknown GPU model; expected one of " + String.join(", ", GpuModels.names())
                    + YamlNodes.didYouMean(model, GpuModels.names()));
            c.check("gpu_model", fleet.prices().stream().anyMatch(x -> x.gpuModel().equals(model) && x.region().equals(region)),
                    "the fleet's price book has no price for " + model + " in " + region + "; add one to the fleet file");
            NodePool t = fleet.pools().stream().filter(x -> model.equals(x.gpuModel())).findFirst().orElse(null);
            String why = "the fleet has no " + model + " pool to copy it from";
            int nodes = c.requiredInt("nodes", 1, 100_000, "expected the number of servers");
            int gpn = t == null ? c.requiredInt("gpus_per_node", 1, 16, why) : c.int32("gpus_per_node", t.gpusPerNode(), 1, 16);
            int cpu = t == null ? c.requiredInt("cpu", 1, 100_000, why) : c.int32("cpu", t.cpuCores(), 1, 100_000);
            int mem = t == null ? c.requiredInt("memory_gib", 1, 10_000_000, why) : c.int32("memory_gib", t.memoryGib(), 1, 10_000_000);
            double peak = t == null ? c.requiredNumber("peak_kw", why) : c.number("peak_kw", t.peakKw());
            c.check("peak_kw", peak > 0 && peak <= 1000, "expected kW per server in (0, 1000]");
            double avg = t == null ? c.requiredNumber("avg_kw", why) : c.number("avg_kw", t.avgKw());
            c.check("avg_kw", avg >= 0 && avg <= peak, "expected kW per busy server in 0..peak_kw (" + peak + ")");
            double capex = t == null || t.capexUsd() == 0 ? c.requiredNumber("capex_usd_per_node", t == null ? why
                    : "the fleet's " + model + " pool is fully depreciated (capex 0); give the price of a new server")
                    : c.number("capex_usd_per_node", t.capexUsd());
            c.check("capex_usd_per_node", capex >= 0 && capex <= 1e9, "expected USD per server in 0..1e9");
            int lead = c.requiredInt("lead_time_months", 0, 120, "expected the months from decision to opening, e.g. 12");
            LocalDate earliest = c.has("earliest") ? date(c.get("earliest"), c.path("earliest")) : start;
            String pool = c.has("pool") ? c.string("pool", "a pool name") : model.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            c.check("pool", NAME.matcher(pool).matches(), "expected lower-case letters, digits and '-'");
            boolean clash = fleet.pools().stream().anyMatch(x -> x.site().equals(site) && x.name().equals(pool))
                    || out.stream().anyMatch(x -> x.site().equals(site) && x.poolName().equals(pool));
            c.check(c.has("pool") ? "pool" : "gpu_model", !clash, "site " + site + " already has a pool named " + pool
                    + "; give this candidate its own pool: name");
            out.add(new PlanSpec.Candidate(name, site, region, pool, model, gpn, cpu, mem, peak, avg, capex, nodes, (lead + 2) / 3, earliest));
        }
        return out;
    }

    // ---------------------------------------------------------------- constraints and alternatives

    private PlanSpec.Constraints constraints(YamlNodes.Section c) {
        c.allow(CONSTRAINT_KEYS, "under constraints");
        List<Double> budget = new ArrayList<>();
        if (c.has("capex_budget_usd_per_year")) {
            Node b = c.get("capex_budget_usd_per_year");
            String p = c.path("capex_budget_usd_per_year");
            if (b instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                List<Node> xs = r.list(b, p, "a list of USD per plan year");
                for (int i = 0; i < xs.size(); i++) {
                    budget.add(budgetValue(xs.get(i), YamlNodes.element(p, i)));
                }
                if (budget.isEmpty()) {
                    throw r.error(b, p, "expected at least one yearly budget (the last repeats)");
                }
            } else {
                budget.add(budgetValue(b, p));
            }
        }
        long wait = c.duration("wait_p95", 10 * 60_000L, null, 0);
        c.check("wait_p95", wait > 0 && wait <= 30 * DAY_MS, "expected a duration > 0, e.g. 10m");
        double slo = c.number("slo_attainment", 0.95);
        c.check("slo_attainment", slo >= 0 && slo <= 1, "expected a share 0..1, e.g. 0.95");
        return new PlanSpec.Constraints(budget, wait, slo);
    }

    private double budgetValue(Node n, String path) {
        double v = r.number(n, path);
        if (!(v >= 0 && v <= 1e13)) {
            throw r.error(n, path, "expected USD per plan year in 0..1e13, e.g. 150_000_000");
        }
        return v;
    }

    private List<PlanSpec.Alternative> alternatives(Node n, String path, List<PlanSpec.Candidate> candidates, LocalDate start,
                                                    int quarters) {
        List<String> names = candidates.stream().map(PlanSpec.Candidate::name).toList();
        List<PlanSpec.Alternative> out = new ArrayList<>();
        List<Node> items = r.list(n, path, "a list of {name, open: {candidate: date}, exclude: [candidate]}");
        for (int i = 0; i < items.size(); i++) {
            String p = YamlNodes.element(path, i);
            YamlNodes.Section a = r.section(items.get(i), p, "a mapping").allow(List.of("name", "open", "exclude"), "in an alternative");
            String name = a.string("name", "expected a name, e.g. \"second Manila site in October\"");
            a.check("name", out.stream().noneMatch(x -> x.name().equals(name)), "alternative " + name + " is listed twice");
            Map<String, LocalDate> open = new LinkedHashMap<>();
            if (a.has("open")) {
                YamlNodes.Section o = a.section("open", "a mapping of candidate name to the day it opens");
                for (String k : o.presentKeys()) {
                    if (!names.contains(k)) {
                        throw o.error(k, "unknown candidate '" + k + "'; expected one of " + String.join(", ", names)
                                + YamlNodes.didYouMean(k, names));
                    }
                    LocalDate d = date(o.get(k), o.path(k));
                    if (d.isBefore(start) || !d.isBefore(start.plusMonths(3L * quarters))) {
                        throw o.error(k, "date " + d + " is outside the plan (" + start + " to " + start.plusMonths(3L * quarters).minusDays(1) + ")");
                    }
                    open.put(k, d);
                }
            }
            List<String> exclude = new ArrayList<>();
            if (a.has("exclude")) {
                List<Node> xs = a.list("exclude", "a list of candidate names");
                for (int k = 0; k < xs.size(); k++) {
                    String x = r.text(xs.get(k), YamlNodes.element(a.path("exclude"), k), "a candidate name").trim();
                    if (!names.contains(x)) {
                        throw r.error(xs.get(k), YamlNodes.element(a.path("exclude"), k), "unknown candidate; expected one of "
                                + String.join(", ", names) + YamlNodes.didYouMean(x, names));
                    }
                    if (open.containsKey(x)) {
                        throw r.error(xs.get(k), YamlNodes.element(a.path("exclude"), k), "candidate " + x + " is both opened and excluded");
                    }
                    exclude.add(x);
                }
            }
            a.check("name", !open.isEmpty() || !exclude.isEmpty(), "an alternative needs open: or exclude: (else it is the optimum)");
            out.add(new PlanSpec.Alternative(name, open, exclude));
        }
        return out;
    }

    private PlanSpec.Calibration calibration(YamlNodes.Section top) {
        List<Double> loads = List.of(0.6, 0.7, 0.8, 0.9);
        double saturation = 1.1;
        long warmup = DAY_MS;
        long window = DAY_MS;
        if (top.has("calibration")) {
            YamlNodes.Section c = top.section("calibration", "a mapping").allow(List.of("loads", "saturation", "warmup", "window"),
                    "under calibration");
            if (c.has("loads")) {
                List<Node> xs = c.list("loads", "a list of offered loads, ascending, e.g. [0.5, 0.6, 0.7, 0.8, 0.9]");
                List<Double> ls = new ArrayList<>();
                for (int i = 0; i < xs.size(); i++) {
                    double v = r.number(xs.get(i), YamlNodes.element(c.path("loads"), i));
                    if (!(v > 0 && v <= 2) || (!ls.isEmpty() && v <= ls.get(ls.size() - 1))) {
                        throw r.error(xs.get(i), YamlNodes.element(c.path("loads"), i), "expected ascending loads in (0, 2]");
                    }
                    ls.add(v);
                }
                c.check("loads", ls.size() >= 2, "expected at least two loads");
                loads = ls;
            }
            saturation = c.number("saturation", saturation);
            c.check("saturation", saturation > 1 && saturation <= 5, "expected an overload in (1, 5], e.g. 1.3");
            warmup = c.duration("warmup", warmup, null, 0);
            window = c.duration("window", window, null, 0);
            c.check("window", window >= 3_600_000L && window <= 60 * DAY_MS, "expected a duration of 1h..60d");
            c.check("warmup", warmup >= 0 && warmup <= 60 * DAY_MS, "expected a duration of 0..60d");
        }
        return new PlanSpec.Calibration(loads, saturation, warmup, window);
    }

    private PlanSpec.Verification verification(YamlNodes.Section top) {
        if (!top.has("verification")) {
            return new PlanSpec.Verification(true, DAY_MS, DAY_MS);
        }
        YamlNodes.Section v = top.section("verification", "a mapping").allow(List.of("enabled", "warmup", "window"), "under verification");
        boolean enabled = v.bool("enabled", true);
        long warmup = v.duration("warmup", DAY_MS, null, 0);
        long window = v.duration("window", DAY_MS, null, 0);
        v.check("window", window >= 3_600_000L && window <= 28 * DAY_MS, "expected a duration of 1h..28d (it sits in one month)");
        v.check("warmup", warmup >= 0 && warmup <= 28 * DAY_MS, "expected a duration of 0..28d");
        return new PlanSpec.Verification(enabled, warmup, window);
    }

    // ---------------------------------------------------------------- values

    private String region(YamlNodes.Section s, String key, RegionalFleet fleet) {
        List<String> ids = fleet.regions().stream().map(Region::id).toList();
        String id = s.string(key, "expected a region of the fleet: one of " + String.join(", ", ids));
        s.check(key, ids.contains(id), "unknown region; expected one of the fleet's regions: " + String.join(", ", ids)
                + YamlNodes.didYouMean(id, ids));
        return id;
    }

    private LocalDate date(Node n, String path) {
        String t = r.text(n, path, "a date YYYY-MM-DD").trim();
        try {
            return LocalDate.parse(t);
        } catch (DateTimeParseException e) {
            throw r.error(n, path, "expected a date YYYY-MM-DD, e.g. 2027-10-01");
        }
    }
}

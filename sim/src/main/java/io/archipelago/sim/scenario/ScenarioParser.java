package io.archipelago.sim.scenario;

import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.core.model.GpuModels;
import io.archipelago.sim.fleet.FleetFileParser;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.policy.Policies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a scenario file (YAML, documented in {@code docs/scenario-format.md}) into an immutable
 * {@link Scenario}, or fails with a {@link ScenarioException} that names the file, the line, the
 * dotted key path, the bad value and what was expected.
 *
 * <p>Design: SnakeYAML only <em>composes</em> the document into a node tree (no object is ever
 * constructed from the text, so the file cannot instantiate classes), and this class walks the
 * tree with {@link YamlNodes}, which keeps each node's line. The parser is strict: unknown keys,
 * duplicate keys, wrong types, YAML 1.1 booleans (yes/no/on/off) and out-of-range values are all
 * rejected, unknown keys with a "did you mean" suggestion. Defaults are applied here, so the model
 * has no optional fields other than the documented nulls and sentinels.
 */
public final class ScenarioParser {
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    static final String NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit";
    private static final Pattern SITE = Pattern.compile("site-([1-9][0-9]*)");

    static final List<String> TOP_KEYS = List.of("name", "description", "seed", "horizon", "fleet", "workload", "policy",
            "queue", "preemption", "tenants", "outages", "report", "check", "start");
    static final List<String> FLEET_KINDS = List.of("regional", "openb", "spot-gpu", "generated", "sized");
    static final List<String> WORKLOAD_KINDS = List.of("openb", "dlrm", "generated", "multi-region");
    static final List<String> ARRIVAL_PROCESSES = List.of("poisson", "bursty");
    static final List<String> DISTRIBUTIONS = List.of("lognormal", "pareto", "exponential", "fixed");

    private static final List<String> NODE_TYPE_KEYS = List.of("count", "gpus", "gpu_model", "cpu", "memory_gib");
    private static final List<String> TEMPLATE_KEYS = List.of("gpus", "gpu_model", "cpu", "memory_gib");
    private static final List<String> SHAPE_KEYS = List.of("cpu", "memory_gib", "gpus", "gpu_milli", "weight");
    private static final List<String> WORKER_KEYS = List.of("cpu", "memory_gib", "gpus", "gpu_milli");
    private static final int MAX_SITES = 1000;

    private final YamlNodes r;
    /** Folder that relative paths read at parse time (a fleet file) resolve against; null = working directory. */
    private final Path baseDir;

    private ScenarioParser(YamlNodes r, Path baseDir) {
        this.r = r;
        this.baseDir = baseDir;
    }

    /** Reads and parses {@code file} (UTF-8); the file name in errors is {@code file} as given. */
    public static Scenario parse(Path file) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String text = YamlNodes.read(file, "file", "check the path, e.g. scenarios/<name>.yaml", "the scenario");
        return parse(text, source, file.toAbsolutePath().getParent());
    }

    /** Parses scenario text; {@code sourceName} (e.g. a path or {@code <inline>}) is used in errors. */
    public static Scenario parse(String yamlText, String sourceName) {
        return parse(yamlText, sourceName, null);
    }

    private static Scenario parse(String yamlText, String sourceName, Path baseDir) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(sourceName, "sourceName");
        YamlNodes r = new YamlNodes(sourceName);
        Node root = r.composeMapping(yamlText, "the scenario",
                "empty scenario; expected a mapping with at least the keys name, fleet and workload (see docs/scenario-format.md)",
                TOP_KEYS);
        return new ScenarioParser(r, baseDir).scenario(root);
    }

    /**
     * Reads a multi-region workload mapping that sits inside another file (the capacity planner's
     * {@code workload:}), with that file's reader {@code r} so errors name its source and lines. The keys
     * and rules are those of {@code workload: {kind: multi-region}} (docs/scenario-format.md); the caller
     * decides which of them it accepts before calling.
     */
    public static MultiRegionSpec multiRegionWorkload(YamlNodes r, YamlNodes.Section w, io.archipelago.core.geo.RegionalFleet fleet) {
        return new MultiRegionParser(r, new ScenarioParser(r, null)::durations).parse(w, new FleetSpec.Regional(null, 1.0, fleet));
    }

    // ---------------------------------------------------------------- top level

    private Scenario scenario(Node root) {
        YamlNodes.Section top = r.section(root, "", "a mapping").allow(TOP_KEYS, "at the top level");
        String name = top.string("name", "every scenario needs a name of " + NAME_RULE + ", e.g. name: openb-fgd");
        top.check("name", NAME.matcher(name).matches(), "expected a name of " + NAME_RULE + ", e.g. openb-fgd");
        String description = top.string("description", "", true);
        long seed = top.integer("seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        long horizon = top.duration("horizon", Scenario.UNTIL_DRAINED, "end", Scenario.UNTIL_DRAINED);
        top.check("horizon", horizon != 0, "expected a duration > 0, or 'end' to run until the workload drains");

        FleetSpec fleet = top.has("fleet") ? fleet(top.get("fleet"), top.path("fleet")) : demoFleet(top);
        WorkloadSpec workload = workload(top.require("workload",
                "expected a mapping with kind: one of " + String.join(", ", WORKLOAD_KINDS)), top.path("workload"), fleet);
        PolicySpec policy = top.has("policy") ? policy(top.get("policy"), top.path("policy")) : PolicySpec.DEFAULT;
        QueueSpec queue = top.has("queue") ? queue(top.get("queue"), top.path("queue")) : QueueSpec.DEFAULT;
        boolean preemption = top.bool("preemption", true);
        List<TenantSpec> tenants = top.has("tenants") ? tenants(top.get("tenants"), top.path("tenants"), fleet)
                : List.of(TenantSpec.DEFAULT);
        List<OutageSpec> outages = top.has("outages") ? outages(top.get("outages"), top.path("outages"), fleet, horizon)
                : List.of();
        long sampleEvery = top.has("report") ? report(top.get("report"), top.path("report")) : Scenario.AUTO_SAMPLE;
        boolean check = top.bool("check", false);
        java.time.LocalDate start = Scenario.DEFAULT_START;
        if (top.has("start")) {
            String d = r.text(top.get("start"), top.path("start"), "a date such as 2026-01-01").trim();
            try {
                start = java.time.LocalDate.parse(d);
            } catch (java.time.format.DateTimeParseException e) {
                throw top.error("start", "expected a calendar date YYYY-MM-DD, e.g. start: 2026-01-01");
            }
        }
        return new Scenario(name, description, seed, horizon, fleet, workload, policy, queue, preemption, tenants, outages,
                sampleEvery, check, start);
    }

    private long report(Node n, String path) {
        YamlNodes.Section s = r.section(n, path, "a mapping such as {sample_every: 5m}")
                .allow(List.of("sample_every"), "under report");
        long every = s.duration("sample_every", Scenario.AUTO_SAMPLE, "auto", Scenario.AUTO_SAMPLE);
        s.check("sample_every", every != 0 || isWord(s.get("sample_every"), "auto"),
                "expected a duration > 0, or 'auto' to let the simulator choose");
        return every;
    }

    // ---------------------------------------------------------------- fleet

    private FleetSpec fleet(Node n, String path) {
        YamlNodes.Section f = r.section(n, path, "a mapping with kind: one of " + String.join(", ", FLEET_KINDS));
        String kind = f.choice("kind", null, FLEET_KINDS);
        List<String> common = List.of("kind", "sites", "rdma_per_node");
        switch (kind) {
            case "regional": {
                f.allow(List.of("kind", "file", "scale"), "for fleet kind regional (sites and RDMA come from the fleet file)");
                String file = f.string("file", null, true);
                double scale = f.number("scale", 1.0);
                f.check("scale", scale > 0 && scale <= 100, "expected a factor in (0, 100] applied to every pool's node count");
                RegionalFleet rf;
                if (file == null) {
                    rf = FleetFileParser.demo();
                } else {
                    Path p = baseDir == null ? Path.of(file) : baseDir.resolve(file);
                    rf = FleetFileParser.parse(p);
                }
                return new FleetSpec.Regional(file, scale, scale == 1.0 ? rf : rf.scaled(scale));
            }
            case "openb": {
                f.allow(keys(common, "nodes", "copies", "trace_dir"), "for fleet kind openb");
                boolean gpuOnly = f.choice("nodes", "gpu", List.of("gpu", "all")).equals("gpu");
                int copies = f.int32("copies", 1, 1, 100_000);
                String dir = f.string("trace_dir", null, true);
                return new FleetSpec.Openb(gpuOnly, copies, dir, sites(f), rdma(f));
            }
            case "spot-gpu": {
                f.allow(keys(common, "file", "memory_gib_per_core"), "for fleet kind spot-gpu");
                String file = f.string("file", null, true);
                double gib = f.number("memory_gib_per_core", 8);
                f.check("memory_gib_per_core", gib > 0 && gib <= 1024, "expected a number of GiB in (0, 1024]");
                return new FleetSpec.SpotGpu(file, Math.round(gib * 1024), sites(f), rdma(f));
            }
            case "generated": {
                f.allow(keys(common, "node_types"), "for fleet kind generated");
                List<Node> items = f.list("node_types", "a list of node types such as "
                        + "[{count: 64, gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}]");
                if (items.isEmpty()) {
                    throw f.error("node_types", "expected at least one node type");
                }
                List<NodeType> types = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    types.add(nodeType(items.get(i), YamlNodes.element(f.path("node_types"), i), false));
                }
                return new FleetSpec.Generated(types, sites(f), rdma(f));
            }
            case "sized": {
                f.allow(keys(common, "template", "headroom"), "for fleet kind sized");
                NodeType template = nodeType(f.require("template",
                        "expected the node to replicate, e.g. {gpus: 8, gpu_model: H100, cpu: 96, memory_gib: 768}"),
                        f.path("template"), true);
                double headroom = f.number("headroom", 1.0);
                f.check("headroom", headroom >= 1.0 && headroom <= 100,
                        "expected a number in 1.0..100 (nodes = peak demand × headroom; 1.0 = exactly the peak)");
                return new FleetSpec.Sized(template, headroom, sites(f), rdma(f));
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /** No {@code fleet:} key: the built-in demo fleet. */
    private static FleetSpec demoFleet(YamlNodes.Section top) {
        return new FleetSpec.Regional(null, 1.0, FleetFileParser.demo());
    }

    private static int sites(YamlNodes.Section f) {
        return f.int32("sites", 1, 1, MAX_SITES);
    }

    private static int rdma(YamlNodes.Section f) {
        return f.int32("rdma_per_node", 100, 0, 100_000);
    }

    private NodeType nodeType(Node n, String path, boolean template) {
        YamlNodes.Section t = r.section(n, path, "a node type mapping with keys "
                + String.join(", ", template ? TEMPLATE_KEYS : NODE_TYPE_KEYS));
        if (template && t.has("count")) {
            throw t.error("count", "a sized fleet computes the node count from the workload's peak demand; remove 'count'"
                    + " (or use fleet kind generated for a fixed count)");
        }
        t.allow(template ? TEMPLATE_KEYS : NODE_TYPE_KEYS, template ? "in a sized fleet's template" : "in a node type");
        int count = template ? 0 : t.requiredInt("count", 1, 1_000_000, "expected the number of such nodes, e.g. count: 64");
        int gpus = t.requiredInt("gpus", 0, NodeSpec.MAX_GPUS, "expected GPUs per node, 0.." + NodeSpec.MAX_GPUS);
        String model = gpuModel(t, gpus);
        double cores = t.requiredNumber("cpu", "expected CPU cores per node, e.g. cpu: 96");
        int cpuMilli = (int) Math.min(Integer.MAX_VALUE, Math.round(cores * 1000));
        t.check("cpu", cores > 0 && cores <= 1_000_000 && cpuMilli > 0, "expected a number of cores > 0 (at least 0.001)");
        double gib = t.requiredNumber("memory_gib", "expected memory per node in GiB, e.g. memory_gib: 768");
        long mib = Math.round(gib * 1024);
        t.check("memory_gib", gib > 0 && gib <= 1e9 && mib > 0, "expected a number of GiB > 0");
        return new NodeType(count, gpus, model, cpuMilli, mib);
    }

    private String gpuModel(YamlNodes.Section t, int gpus) {
        List<String> known = GpuModels.names();
        if (gpus == 0) {
            if (t.has("gpu_model")) {
                throw t.error("gpu_model", "a CPU-only node (gpus: 0) has no GPU model; remove gpu_model or set gpus");
            }
            return null;
        }
        String model = t.string("gpu_model", "a node with gpus: " + gpus + " needs a gpu_model, one of " + String.join(", ", known))
                .trim();
        if (GpuModels.idOf(model) < 0) {
            throw t.error("gpu_model", "expected a known GPU model: " + String.join(", ", known)
                    + YamlNodes.didYouMean(model, known));
        }
        return model;
    }

    // ---------------------------------------------------------------- workload

    /** {@code fleet} lets kind multi-region check its origin regions against a regional fleet. */
    private WorkloadSpec workload(Node n, String path, FleetSpec fleet) {
        YamlNodes.Section w = r.section(n, path, "a mapping with kind: one of " + String.join(", ", WORKLOAD_KINDS));
        String kind = w.choice("kind", null, WORKLOAD_KINDS);
        switch (kind) {
            case "openb": {
                w.allow(List.of("kind", "trace", "trace_dir", "time_scale"), "for workload kind openb");
                String trace = w.choice("trace", "default", WorkloadSpec.OPENB_TRACES);
                String dir = w.string("trace_dir", null, true);
                return new WorkloadSpec.Openb(trace, dir, timeScale(w));
            }
            case "dlrm": {
                w.allow(List.of("kind", "file", "time_scale"), "for workload kind dlrm");
                String file = w.string("file", null, true);
                return new WorkloadSpec.Dlrm(file, timeScale(w));
            }
            case "generated": {
                w.allow(List.of("kind", "tasks", "arrivals", "durations", "shapes", "classes", "gangs"),
                        "for workload kind generated");
                long tasks = r.integer(w.require("tasks", "expected the number of tasks to generate, e.g. tasks: 100_000"),
                        w.path("tasks"), 1, Long.MAX_VALUE);
                ArrivalSpec arrivals = arrivals(w.require("arrivals", "expected e.g. {process: poisson, rate_per_s: 40}"),
                        w.path("arrivals"));
                DurationSpec durations = durations(w.require("durations",
                        "expected e.g. {distribution: lognormal, median: 10m, sigma: 1.5, max: 7d}"), w.path("durations"));
                List<ShapeSpec> shapes = w.has("shapes") ? shapes(w.get("shapes"), w.path("shapes")) : List.of();
                ClassMix classes = w.has("classes") ? classes(w.get("classes"), w.path("classes")) : ClassMix.DEFAULT;
                GangSpec gangs = w.has("gangs") && !YamlNodes.isNull(w.get("gangs")) ? gangs(w.get("gangs"), w.path("gangs")) : null;
                return new WorkloadSpec.Generated(tasks, arrivals, durations, shapes, classes, gangs);
            }
            case "multi-region":
                return new WorkloadSpec.MultiRegion(new MultiRegionParser(r, this::durations).parse(w, fleet));
            default:
                throw new AssertionError(kind);
        }
    }

    private static double timeScale(YamlNodes.Section w) {
        double scale = w.number("time_scale", 1.0);
        w.check("time_scale", scale > 0 && scale <= 1e6, "expected a number > 0 that multiplies every trace time "
                + "(0.5 = twice as fast, 2 = half as fast)");
        return scale;
    }

    private ArrivalSpec arrivals(Node n, String path) {
        YamlNodes.Section a = r.section(n, path, "a mapping with process: one of " + String.join(", ", ARRIVAL_PROCESSES));
        String process = a.choice("process", null, ARRIVAL_PROCESSES);
        double rate;
        switch (process) {
            case "poisson":
                a.allow(List.of("process", "rate_per_s"), "for process poisson");
                return new ArrivalSpec.Poisson(rate(a, "rate_per_s"));
            case "bursty": {
                a.allow(List.of("process", "rate_per_s", "burst_rate_per_s", "burst_every", "burst_length"),
                        "for process bursty");
                rate = rate(a, "rate_per_s");
                double burstRate = rate(a, "burst_rate_per_s");
                a.check("burst_rate_per_s", burstRate > rate, "expected a rate above rate_per_s (" + fmt(rate)
                        + ") during bursts; for a steady rate use process: poisson");
                long every = a.requiredDuration("burst_every", null, 0, "expected the burst period, e.g. burst_every: 1h");
                a.check("burst_every", every > 0, "expected a duration > 0");
                long length = a.requiredDuration("burst_length", null, 0, "expected the burst length, e.g. burst_length: 5m");
                a.check("burst_length", length > 0 && length < every, "expected a duration > 0 and shorter than burst_every ("
                        + Durations.format(every) + ")");
                return new ArrivalSpec.Bursty(rate, burstRate, every, length);
            }
            default:
                throw new AssertionError(process);
        }
    }

    private static double rate(YamlNodes.Section a, String key) {
        double rate = a.requiredNumber(key, "expected tasks per second, e.g. " + key + ": 40");
        a.check(key, rate > 0 && rate <= 1e9, "expected tasks per second > 0");
        return rate;
    }

    private DurationSpec durations(Node n, String path) {
        YamlNodes.Section d = r.section(n, path, "a mapping with distribution: one of " + String.join(", ", DISTRIBUTIONS));
        String dist = d.choice("distribution", null, DISTRIBUTIONS);
        switch (dist) {
            case "lognormal": {
                d.allow(List.of("distribution", "median", "sigma", "max"), "for distribution lognormal");
                long median = positiveDuration(d, "median", "the median run time, e.g. median: 10m");
                double sigma = d.requiredNumber("sigma", "expected the log-space standard deviation, e.g. sigma: 1.5");
                d.check("sigma", sigma > 0 && sigma <= 20, "expected a number in (0, 20]");
                return new DurationSpec.Lognormal(median, sigma, max(d, median, "median"));
            }
            case "pareto": {
                d.allow(List.of("distribution", "min", "alpha", "max"), "for distribution pareto");
                long min = positiveDuration(d, "min", "the shortest run time (the scale), e.g. min: 1m");
                double alpha = d.requiredNumber("alpha", "expected the shape, e.g. alpha: 1.2");
                d.check("alpha", alpha > 0 && alpha <= 100, "expected a number in (0, 100]");
                return new DurationSpec.Pareto(min, alpha, max(d, min, "min"));
            }
            case "exponential": {
                d.allow(List.of("distribution", "mean", "max"), "for distribution exponential");
                long mean = positiveDuration(d, "mean", "the mean run time, e.g. mean: 30m");
                return new DurationSpec.Exponential(mean, max(d, mean, "mean"));
            }
            case "fixed": {
                d.allow(List.of("distribution", "value"), "for distribution fixed");
                return new DurationSpec.Fixed(positiveDuration(d, "value", "the run time of every task, e.g. value: 10m"));
            }
            default:
                throw new AssertionError(dist);
        }
    }

    private static long positiveDuration(YamlNodes.Section d, String key, String what) {
        long ms = d.requiredDuration(key, null, 0, "expected " + what);
        d.check(key, ms > 0, "expected a duration > 0");
        return ms;
    }

    private static long max(YamlNodes.Section d, long floor, String floorKey) {
        long max = d.duration("max", DurationSpec.NO_MAX, "none", DurationSpec.NO_MAX);
        d.check("max", max == DurationSpec.NO_MAX || max > floor, "expected a cap above " + floorKey + " ("
                + Durations.format(floor) + "), or 'none'");
        return max;
    }

    private List<ShapeSpec> shapes(Node n, String path) {
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            r.choice(n, path, List.of("openb"));
            return List.of();
        }
        if (!(n instanceof SequenceNode)) {
            throw r.error(n, path, "expected 'openb' or a list of shapes such as [{cpu: 8, memory_gib: 32, gpus: 1}], got "
                    + YamlNodes.describe(n));
        }
        List<Node> items = ((SequenceNode) n).getValue();
        if (items.isEmpty()) {
            throw r.error(n, path, "expected at least one shape, or 'openb' for the openb task-shape mix");
        }
        List<ShapeSpec> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(shape(items.get(i), YamlNodes.element(path, i), false));
        }
        return out;
    }

    private ShapeSpec shape(Node n, String path, boolean worker) {
        List<String> allowed = worker ? WORKER_KEYS : SHAPE_KEYS;
        YamlNodes.Section s = r.section(n, path, "a shape mapping with keys " + String.join(", ", allowed));
        if (worker && s.has("weight")) {
            throw s.error("weight", "a gang worker has no weight (every worker of a gang has this shape); remove it");
        }
        s.allow(allowed, worker ? "in a gang worker" : "in a shape");
        double cores = s.requiredNumber("cpu", "expected the CPU request in cores, e.g. cpu: 8");
        int cpuMilli = (int) Math.min(Integer.MAX_VALUE, Math.round(cores * 1000));
        s.check("cpu", cores > 0 && cores <= 1_000_000 && cpuMilli > 0, "expected a number of cores > 0 (at least 0.001)");
        double gib = s.requiredNumber("memory_gib", "expected the memory request in GiB, e.g. memory_gib: 32");
        s.check("memory_gib", gib >= 0 && gib <= 1e9, "expected a number of GiB >= 0");
        int gpus = s.int32("gpus", 0, 0, NodeSpec.MAX_GPUS);
        int milli;
        if (gpus == 0) {
            milli = s.int32("gpu_milli", 0, 0, 1000);
            s.check("gpu_milli", milli == 0, "a CPU-only shape (gpus: 0) takes no GPU; remove gpu_milli or set gpus");
        } else if (gpus == 1) {
            milli = s.int32("gpu_milli", 1000, 1, 1000);
        } else {
            milli = s.int32("gpu_milli", 1000, 1, 1000);
            s.check("gpu_milli", milli == 1000, "a multi-GPU shape (gpus: " + gpus
                    + ") takes whole GPUs: gpu_milli must be 1000 (or omitted); only a single-GPU shape can share a GPU");
        }
        double weight = worker ? 1.0 : s.number("weight", 1.0);
        s.check("weight", weight > 0, "expected a relative weight > 0");
        return new ShapeSpec(cpuMilli, Math.round(gib * 1024), gpus, milli, weight);
    }

    private ClassMix classes(Node n, String path) {
        List<String> keys = List.of("latency_sensitive", "burstable", "best_effort");
        YamlNodes.Section c = r.section(n, path, "a mapping such as {latency_sensitive: 0.57, burstable: 0.01, best_effort: 0.42}")
                .allow(keys, "under classes");
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            v[i] = c.number(keys.get(i), 0);
            c.check(keys.get(i), v[i] >= 0, "expected a share >= 0");
        }
        double sum = v[0] + v[1] + v[2];
        if (sum <= 0) {
            throw r.error(n, path, "expected at least one class share > 0 (absent classes count as 0); "
                    + "e.g. {latency_sensitive: 0.57, burstable: 0.01, best_effort: 0.42}");
        }
        return new ClassMix(v[0] / sum, v[1] / sum, v[2] / sum);
    }

    private GangSpec gangs(Node n, String path) {
        YamlNodes.Section g = r.section(n, path, "a mapping such as {fraction: 0.1, sizes: [2, 4, 8]}")
                .allow(List.of("fraction", "sizes", "worker"), "under gangs");
        double fraction = g.requiredNumber("fraction", "expected the share of jobs that are gangs, e.g. fraction: 0.1");
        g.check("fraction", fraction >= 0 && fraction <= 1, "expected a share of jobs in 0..1");
        List<Node> items = g.list("sizes", "a list of gang sizes such as [2, 4, 8]");
        if (items.isEmpty()) {
            throw g.error("sizes", "expected at least one gang size, e.g. [2, 4, 8]");
        }
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            sizes.add((int) r.integer(items.get(i), YamlNodes.element(g.path("sizes"), i), 2, 256));
        }
        ShapeSpec worker = g.has("worker") && !YamlNodes.isNull(g.get("worker"))
                ? shape(g.get("worker"), g.path("worker"), true) : null;
        return new GangSpec(fraction, sizes, worker);
    }

    // ---------------------------------------------------------------- policy and queue

    private PolicySpec policy(Node n, String path) {
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            return PolicySpec.named(policyName(n, path));
        }
        YamlNodes.Section p = r.section(n, path, "a policy name such as FGD, or a mapping with name or scores")
                .allow(List.of("name", "scores", "gpu_selector", "sites"), "under policy");
        p.exclusive("name", "scores", "give either a named policy (name: FGD) or a weighted mix (scores: [...])");
        String selector = p.has("gpu_selector") ? r.choice(p.get("gpu_selector"), p.path("gpu_selector"), PolicySpec.GPU_SELECTORS)
                : null;
        SiteWeights sites = SiteWeights.DEFAULT;
        if (p.has("sites")) {
            YamlNodes.Section w = r.section(p.get("sites"), p.path("sites"),
                    "a mapping of site-score weights such as {fragmentation: 2, price: 1, energy: 1, free_capacity: 2, latency: 1}")
                    .allow(List.of("fragmentation", "price", "energy", "free_capacity", "latency"), "under policy.sites");
            SiteWeights d = SiteWeights.DEFAULT;
            int f = w.int32("fragmentation", d.fragmentation(), 0, 1000);
            int pr = w.int32("price", d.price(), 0, 1000);
            int e = w.int32("energy", d.energy(), 0, 1000);
            int c = w.int32("free_capacity", d.freeCapacity(), 0, 1000);
            int l = w.int32("latency", d.latency(), 0, 1000);
            if (f + pr + e + c + l == 0) {
                throw r.error(p.get("sites"), p.path("sites"), "every site weight is 0; give at least one a positive weight");
            }
            sites = new SiteWeights(f, pr, e, c, l);
        }
        if (p.has("name")) {
            return new PolicySpec(policyName(p.get("name"), p.path("name")), List.of(), selector, sites);
        }
        if (!p.has("scores") && p.has("sites")) {
            return new PolicySpec("FGD", List.of(), selector, sites);
        }
        if (!p.has("scores")) {
            throw p.missing("name", "give name: FGD (one of " + String.join(", ", Policies.names())
                    + ") or scores: [{plugin: BestFit, weight: 2}, ...]");
        }
        List<Node> items = p.list("scores", "a list such as [{plugin: BestFit, weight: 2}, {plugin: FGD, weight: 1}]");
        if (items.isEmpty()) {
            throw p.error("scores", "expected at least one score plugin, e.g. [{plugin: FGD, weight: 1}]");
        }
        List<WeightedPlugin> scores = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(p.path("scores"), i);
            YamlNodes.Section s = r.section(items.get(i), ip, "a mapping such as {plugin: FGD, weight: 1}")
                    .allow(List.of("plugin", "weight"), "in a score entry");
            String plugin = policyName(s.require("plugin", "expected one of " + String.join(", ", Policies.names())),
                    s.path("plugin"));
            Integer before = seen.putIfAbsent(plugin, i);
            if (before != null) {
                throw s.error("plugin", "plugin " + plugin + " is already listed at " + YamlNodes.element(p.path("scores"), before)
                        + "; list each plugin once and add up the weights");
            }
            scores.add(new WeightedPlugin(plugin, s.int32("weight", 1, 1, 1000)));
        }
        return new PolicySpec(null, scores, selector, sites);
    }

    private String policyName(Node n, String path) {
        String raw = r.text(n, path, "a policy name, one of " + String.join(", ", Policies.names()));
        try {
            return Policies.canonical(raw);
        } catch (IllegalArgumentException e) {
            throw r.error(n, path, e.getMessage() + YamlNodes.didYouMean(raw.trim(), Policies.names()));
        }
    }

    private QueueSpec queue(Node n, String path) {
        YamlNodes.Section q = r.section(n, path, "a mapping such as {backfill: true, backfill_window: 64}")
                .allow(List.of("backfill", "backfill_max_head_wait", "backfill_window", "max_wait"), "under queue");
        QueueSpec d = QueueSpec.DEFAULT;
        boolean backfill = q.bool("backfill", d.backfill());
        long headWait = q.duration("backfill_max_head_wait", d.backfillMaxHeadWaitMs(), null, 0);
        int window = q.int32("backfill_window", d.backfillWindow(), 1, 1_000_000);
        long maxWait = q.duration("max_wait", d.maxWaitMs(), "none", QueueSpec.NO_MAX_WAIT);
        q.check("max_wait", maxWait != 0, "expected a duration > 0, or 'none' to let tasks wait forever");
        return new QueueSpec(backfill, headWait, window, maxWait);
    }

    // ---------------------------------------------------------------- tenants and outages

    private List<TenantSpec> tenants(Node n, String path, FleetSpec fleet) {
        List<Node> items = r.list(n, path, "a list of tenants such as [{name: research, guaranteed_gpus: 400, share: 0.5}]");
        if (items.isEmpty()) {
            throw r.error(n, path, "expected at least one tenant; remove the key for a single 'default' tenant");
        }
        List<String> keys = List.of("name", "guaranteed_gpus", "max_gpus", "weight", "share");
        List<TenantSpec> raw = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        double shareSum = 0;
        long guaranteedSum = 0;
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(path, i);
            YamlNodes.Section t = r.section(items.get(i), ip, "a tenant mapping with keys " + String.join(", ", keys))
                    .allow(keys, "in a tenant");
            String name = t.string("name", "every tenant needs a name of " + NAME_RULE).trim();
            t.check("name", NAME.matcher(name).matches(), "expected a tenant name of " + NAME_RULE);
            Integer before = seen.putIfAbsent(name, i);
            if (before != null) {
                throw t.error("name", "duplicate tenant name; already used by " + YamlNodes.element(path, before));
            }
            int guaranteed = t.int32("guaranteed_gpus", 0, 0, Integer.MAX_VALUE);
            int max = TenantSpec.UNLIMITED;
            if (t.has("max_gpus") && !isWord(t.get("max_gpus"), "unlimited")) {
                String v = r.text(t.get("max_gpus"), t.path("max_gpus"), "a whole number >= 0, or 'unlimited'");
                if (!v.trim().matches("[0-9_]+")) {
                    throw t.error("max_gpus", "expected a whole number >= 0, or 'unlimited'"
                            + YamlNodes.didYouMean(v.trim(), List.of("unlimited")));
                }
                max = (int) r.integer(t.get("max_gpus"), t.path("max_gpus"), 0, Integer.MAX_VALUE);
            }
            if (max != TenantSpec.UNLIMITED && max < guaranteed) {
                throw t.error("max_gpus", "expected max_gpus >= guaranteed_gpus (" + guaranteed + "), or 'unlimited'");
            }
            double weight = t.number("weight", 1.0);
            t.check("weight", weight > 0, "expected a fair-share weight > 0");
            double share = t.number("share", 1.0);
            t.check("share", share > 0, "expected a share of the workload > 0 (shares are normalised to sum to 1)");
            shareSum += share;
            guaranteedSum += guaranteed;
            raw.add(new TenantSpec(name, guaranteed, max, weight, share));
        }
        if (fleet instanceof FleetSpec.Generated) {
            long gpus = ((FleetSpec.Generated) fleet).gpuCount();
            if (guaranteedSum > gpus) {
                throw r.error(n, path, "the tenants' guaranteed_gpus add up to " + guaranteedSum + " but the fleet has only "
                        + gpus + " GPUs; lower the guarantees or add nodes");
            }
        }
        List<TenantSpec> out = new ArrayList<>();
        for (TenantSpec t : raw) {
            out.add(new TenantSpec(t.name(), t.guaranteedGpus(), t.maxGpus(), t.weight(), t.share() / shareSum));
        }
        return out;
    }

    private List<OutageSpec> outages(Node n, String path, FleetSpec fleet, long horizon) {
        List<Node> items = r.list(n, path, "a list of outages such as [{at: 2h, for: 6h, count: 50}]");
        List<String> targets = List.of("nodes", "count", "site", "fraction");
        List<String> keys = List.of("at", "for", "nodes", "count", "site", "fraction");
        List<OutageSpec> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(path, i);
            YamlNodes.Section o = r.section(items.get(i), ip, "an outage mapping such as {at: 2h, for: 6h, count: 50}")
                    .allow(keys, "in an outage");
            long at = o.requiredDuration("at", null, 0, "expected when the nodes fail, e.g. at: 2h");
            if (horizon != Scenario.UNTIL_DRAINED && at >= horizon) {
                throw o.error("at", "the outage starts at or after the horizon (" + Durations.format(horizon)
                        + ") and would never happen; move it earlier or extend the horizon");
            }
            long duration = o.requiredDuration("for", "forever", OutageSpec.FOREVER,
                    "expected how long the nodes stay down, e.g. for: 6h, or for: forever");
            o.check("for", duration != 0, "expected a duration > 0, or 'forever'");
            List<String> given = new ArrayList<>();
            for (String k : targets) {
                if (o.has(k)) {
                    given.add(k);
                }
            }
            if (given.isEmpty()) {
                throw new ScenarioException(r.source(), YamlNodes.line(items.get(i)), ip, null,
                        "expected exactly one target: nodes (a list of names), count (that many random nodes), "
                                + "site (every node of a site) or fraction (that share of all nodes)");
            }
            if (given.size() > 1) {
                o.exclusive(given.get(0), given.get(1), "an outage has exactly one of nodes, count, site, fraction; "
                        + "split it into several outages");
            }
            List<String> nodes = List.of();
            int count = 0;
            String site = null;
            double fraction = 0;
            switch (given.get(0)) {
                case "nodes": {
                    List<Node> ns = o.list("nodes", "a list of node names such as [node-a, node-b]");
                    if (ns.isEmpty()) {
                        throw o.error("nodes", "expected at least one node name");
                    }
                    List<String> names = new ArrayList<>();
                    for (int j = 0; j < ns.size(); j++) {
                        String jp = YamlNodes.element(o.path("nodes"), j);
                        String name = r.text(ns.get(j), jp, "a node name").trim();
                        if (names.contains(name)) {
                            throw r.error(ns.get(j), jp, "node listed twice in this outage; list each node once");
                        }
                        names.add(name);
                    }
                    nodes = names;
                    break;
                }
                case "count":
                    count = o.int32("count", 0, 1, Integer.MAX_VALUE);
                    if (fleet instanceof FleetSpec.Generated && count > ((FleetSpec.Generated) fleet).nodeCount()) {
                        throw o.error("count", "expected at most the fleet's " + ((FleetSpec.Generated) fleet).nodeCount()
                                + " nodes; use fraction: 1 to fail every node");
                    }
                    break;
                case "site": {
                    site = r.text(o.get("site"), o.path("site"), "a site name such as site-2").trim();
                    if (fleet instanceof FleetSpec.Regional reg) {
                        if (reg.fleet().siteIndex(site) < 0) {
                            List<String> names = reg.fleet().sites().stream().map(io.archipelago.core.geo.Site::name).toList();
                            throw o.error("site", "expected a site of fleet " + reg.fleet().name() + ": " + String.join(", ", names)
                                    + YamlNodes.didYouMean(site, names));
                        }
                        break;
                    }
                    Matcher m = SITE.matcher(site);
                    int sites = fleet.sites();
                    if (!m.matches() || m.group(1).length() > 4 || Integer.parseInt(m.group(1)) > sites) {
                        throw o.error("site", "expected a site of the fleet, site-1.." + "site-" + sites
                                + (sites == 1 ? " (the fleet has one site; set fleet.sites for more)" : ""));
                    }
                    break;
                }
                case "fraction":
                    fraction = o.number("fraction", 0);
                    o.check("fraction", fraction > 0 && fraction <= 1, "expected a share of all nodes in (0, 1]");
                    break;
                default:
                    throw new AssertionError(given.get(0));
            }
            out.add(new OutageSpec(at, duration, nodes, count, site, fraction));
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static boolean isWord(Node n, String word) {
        return n instanceof ScalarNode && !YamlNodes.isNull(n) && word.equals(((ScalarNode) n).getValue().trim());
    }

    private static List<String> keys(List<String> common, String... more) {
        List<String> out = new ArrayList<>(common.subList(0, 1));
        out.addAll(List.of(more));
        out.addAll(common.subList(1, common.size()));
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}

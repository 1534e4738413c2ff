package io.archipelago.sim.scenario;

import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.sim.engine.PriorityClass;
import io.archipelago.sim.scenario.MultiRegionSpec.JobClass;
import io.archipelago.sim.scenario.MultiRegionSpec.Residency;
import io.archipelago.sim.scenario.MultiRegionSpec.Share;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads {@code workload: {kind: multi-region, ...}} for {@link ScenarioParser} into a
 * {@link MultiRegionSpec}, as strictly as the rest of the file: unknown keys, wrong types, shares
 * that do not add up and unknown regions or GPU models are rejected with the line, the key and the
 * value. Package-private: part of the parser.
 */
final class MultiRegionParser {
    static final List<String> KEYS = List.of("kind", "span", "load", "rate_per_s", "diurnal", "origins", "classes", "residency");
    static final List<String> CLASS_KEYS = List.of("share", "gpu_models", "tier", "priority", "durations", "min_gpus", "max_gpus",
            "whole_gpus", "latency_slo_ms", "gang");
    static final List<String> RESIDENCY_KEYS = List.of("none", "jurisdiction", "region");
    /** Shares given in a file must add up to 1 within this; they are then normalised exactly. */
    static final double SUM_TOLERANCE = 1e-3;
    private static final long MAX_SPAN_MS = 3650 * MultiRegionSpec.DAY_MS;

    private final YamlNodes r;
    private final BiFunction<Node, String, DurationSpec> durations;

    MultiRegionParser(YamlNodes r, BiFunction<Node, String, DurationSpec> durations) {
        this.r = r;
        this.durations = durations;
    }

    MultiRegionSpec parse(YamlNodes.Section w, FleetSpec fleet) {
        w.allow(KEYS, "for workload kind multi-region");
        long span = w.duration("span", MultiRegionSpec.DEFAULT_SPAN_MS, null, 0);
        w.check("span", span > 0 && span <= MAX_SPAN_MS, "expected a duration > 0 and at most 3650d, e.g. span: 30d");
        w.exclusive("load", "rate_per_s", "give either the offered load (load: 0.7) or the arrival rate (rate_per_s: 5), not both");
        double load = 0;
        double rate = 0;
        if (w.has("rate_per_s")) {
            rate = w.number("rate_per_s", 0);
            w.check("rate_per_s", rate > 0 && rate <= 1e6, "expected jobs per second > 0");
        } else {
            load = w.number("load", MultiRegionSpec.DEFAULT_LOAD);
            w.check("load", load > 0 && load <= 10, "expected an offered load in (0, 10]: mean busy GPUs / fleet GPUs"
                    + " (1 = demand equals the fleet; above 1 the queue grows)");
        }
        double diurnal = w.number("diurnal", MultiRegionSpec.DEFAULT_DIURNAL);
        w.check("diurnal", diurnal >= 0 && diurnal <= 1, "expected an amplitude in 0..1 (0 = flat; 1 = no arrivals at 02:00 UTC+8)");
        List<Share<String>> origins = w.has("origins") ? origins(w.get("origins"), w.path("origins"), fleet) : List.of();
        List<JobClass> classes = w.has("classes") ? classes(w.get("classes"), w.path("classes"), load > 0) : JobClass.defaults();
        Residency residency = w.has("residency") ? residency(w.get("residency"), w.path("residency")) : Residency.DEFAULT;
        return new MultiRegionSpec(span, load, rate, diurnal, origins, classes, residency);
    }

    // ---------------------------------------------------------------- origins and residency

    private List<Share<String>> origins(Node n, String path, FleetSpec fleet) {
        YamlNodes.Section s = r.section(n, path, "a mapping of region id to share, e.g. {ap-southeast-1: 0.4, ap-southeast-3: 0.6}");
        List<String> ids = fleet instanceof FleetSpec.Regional reg ? reg.fleet().regions().stream().map(Region::id).toList() : null;
        List<Share<String>> out = new ArrayList<>();
        for (String key : s.presentKeys()) {
            if (ids != null && !ids.contains(key)) {
                throw keyError(s, key, "region '" + key + "' is not in fleet " + ((FleetSpec.Regional) fleet).fleet().name()
                        + "; expected one of " + String.join(", ", ids) + YamlNodes.didYouMean(key, ids));
            }
            out.add(new Share<>(key, share(s, key)));
        }
        if (out.isEmpty()) {
            throw r.error(n, path, "expected at least one origin region; remove origins to weigh regions by their GPUs");
        }
        return normalised(n, path, out, "origin shares");
    }

    private Residency residency(Node n, String path) {
        YamlNodes.Section s = r.section(n, path, "a mapping such as {none: 0.6, jurisdiction: 0.3, region: 0.1}")
                .allow(RESIDENCY_KEYS, "under residency (a key left out counts as 0)");
        List<Share<String>> v = new ArrayList<>();
        for (String k : RESIDENCY_KEYS) {
            v.add(new Share<>(k, s.has(k) ? share(s, k) : 0));
        }
        v = normalised(n, path, v, "residency shares");
        return new Residency(v.get(0).share(), v.get(1).share(), v.get(2).share());
    }

    // ---------------------------------------------------------------- classes

    private List<JobClass> classes(Node n, String path, boolean byLoad) {
        YamlNodes.Section s = r.section(n, path, "a mapping of class name (" + String.join(", ", JobClass.NAMES)
                + ") to its settings, e.g. {inference: {share: 0.6}, batch: {share: 0.25}}")
                .allow(JobClass.NAMES, "under classes (a class left out keeps its defaults)");
        List<JobClass> out = new ArrayList<>();
        double sum = 0;
        StringBuilder terms = new StringBuilder();
        for (String name : JobClass.NAMES) {
            JobClass c = s.has(name) ? jobClass(name, s.get(name), s.path(name), byLoad) : JobClass.defaultFor(name);
            out.add(c);
            sum += c.share();
            boolean given = s.has(name) && s.get(name) instanceof org.yaml.snakeyaml.nodes.MappingNode
                    && r.section(s.get(name), s.path(name), "").has("share");
            terms.append(terms.length() == 0 ? "" : " + ").append(name).append(' ').append(fmt(c.share()))
                    .append(given ? "" : " (default)");
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw r.error(n, path, "class shares add up to " + fmt(sum) + " (" + terms + "); expected 1."
                    + " A class left out keeps its default share; set share: 0 to leave a class out");
        }
        List<JobClass> norm = new ArrayList<>();
        for (JobClass c : out) {
            norm.add(new JobClass(c.name(), c.share() / sum, c.gpuModels(), c.tiers(), c.priority(), c.durations(), c.minGpus(),
                    c.maxGpus(), c.wholeGpus(), c.sloMs(), c.gangs()));
        }
        return norm;
    }

    private JobClass jobClass(String name, Node n, String path, boolean byLoad) {
        JobClass d = JobClass.defaultFor(name);
        YamlNodes.Section s = r.section(n, path, "a mapping with keys " + String.join(", ", CLASS_KEYS))
                .allow(CLASS_KEYS, "in a job class (every key is optional)");
        double share = s.has("share") ? share(s, "share") : d.share();
        List<String> models = s.has("gpu_models") ? gpuModels(s) : d.gpuModels();
        List<Share<Tier>> tiers = s.has("tier") ? tiers(s.get("tier"), s.path("tier")) : d.tiers();
        PriorityClass priority = d.priority();
        if (s.has("priority")) {
            List<String> labels = Arrays.stream(PriorityClass.values()).map(PriorityClass::label).toList();
            String p = s.choice("priority", null, labels);
            priority = PriorityClass.values()[labels.indexOf(p)];
        }
        DurationSpec dur = d.durations();
        if (s.has("durations")) {
            dur = durations.apply(s.get("durations"), s.path("durations"));
            if (byLoad && dur instanceof DurationSpec.Pareto p && p.alpha() <= 1 && p.maxMs() == DurationSpec.NO_MAX) {
                throw r.error(s.get("durations"), s.path("durations"), "a Pareto run time with alpha <= 1 and no max has an"
                        + " infinite mean, so load cannot set the arrival rate; give max, or rate_per_s instead of load");
            }
        }
        int min = s.int32("min_gpus", d.minGpus(), 0, NodeSpec.MAX_GPUS);
        int max = s.int32("max_gpus", d.maxGpus(), 0, NodeSpec.MAX_GPUS);
        if (max < min) {
            String at = s.has("max_gpus") ? "max_gpus" : "min_gpus";
            throw s.error(at, "expected min_gpus (" + min + ") <= max_gpus (" + max + ")");
        }
        boolean whole = s.bool("whole_gpus", d.wholeGpus());
        List<Share<Integer>> slo = s.has("latency_slo_ms") ? slos(s.get("latency_slo_ms"), s.path("latency_slo_ms")) : d.sloMs();
        List<Share<Integer>> gangs = s.has("gang") ? gangs(s.get("gang"), s.path("gang")) : d.gangs();
        return new JobClass(name, share, models, tiers, priority, dur, min, max, whole, slo, gangs);
    }

    private List<String> gpuModels(YamlNodes.Section s) {
        Node n = s.get("gpu_models");
        String path = s.path("gpu_models");
        List<String> known = GpuModels.names();
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            r.choice(n, path, List.of("any"));
            return List.of();
        }
        List<Node> items = r.list(n, path, "'any' or a list of GPU models such as [H100, H200]");
        if (items.isEmpty()) {
            throw r.error(n, path, "expected at least one GPU model, or 'any'");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = YamlNodes.element(path, i);
            String m = r.text(items.get(i), ip, "a GPU model name").trim();
            if (GpuModels.idOf(m) < 0) {
                throw r.error(items.get(i), ip, "expected a known GPU model: " + String.join(", ", known) + YamlNodes.didYouMean(m, known));
            }
            if (out.contains(m)) {
                throw r.error(items.get(i), ip, "GPU model listed twice; list each model once");
            }
            out.add(m);
        }
        return out;
    }

    private List<Share<Tier>> tiers(Node n, String path) {
        List<String> labels = Arrays.stream(Tier.values()).map(Tier::label).toList();
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            return List.of(new Share<>(tierOf(r.choice(n, path, labels)), 1));
        }
        YamlNodes.Section s = r.section(n, path, "a tier (" + String.join(", ", labels) + ") or a mapping of tier to share,"
                + " e.g. {spot: 0.5, reserved: 0.5}").allow(labels, "under tier");
        List<Share<Tier>> out = new ArrayList<>();
        for (String k : labels) { // enum order
            if (s.has(k)) {
                out.add(new Share<>(tierOf(k), share(s, k)));
            }
        }
        if (out.isEmpty()) {
            throw r.error(n, path, "expected at least one tier, e.g. {spot: 0.5, reserved: 0.5}");
        }
        return normalised(n, path, out, "tier shares");
    }

    private static Tier tierOf(String label) {
        return Tier.parse(label);
    }

    private List<Share<Integer>> slos(Node n, String path) {
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            return List.of(new Share<>(sloValue(n, path, ((ScalarNode) n).getValue().trim(), -1), 1));
        }
        YamlNodes.Section s = r.section(n, path, "a round trip in ms (e.g. 20), 'none', or a mapping of SLO to share such as"
                + " {20: 0.5, 40: 0.3, none: 0.2}");
        List<Share<Integer>> out = new ArrayList<>();
        for (String key : s.presentKeys()) {
            int v = sloValue(null, s.path(key), key.trim(), s.keyLine(key));
            out.add(new Share<>(v, share(s, key)));
        }
        if (out.isEmpty()) {
            throw r.error(n, path, "expected at least one SLO, e.g. {20: 0.5, 40: 0.5}");
        }
        // ascending, "none" last
        out.sort(Comparator.comparingLong(x -> x.value() == PlacementRules.NO_SLO ? Long.MAX_VALUE : x.value()));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).value().equals(out.get(i - 1).value())) {
                throw r.error(n, path, "SLO " + out.get(i).value() + " ms is listed twice; list each value once");
            }
        }
        return normalised(n, path, out, "latency SLO shares");
    }

    /** An SLO key or value: a whole number of ms 0..100000, or 'none'. */
    private int sloValue(Node at, String path, String text, int line) {
        if (text.equals("none")) {
            return PlacementRules.NO_SLO;
        }
        if (!text.matches("[0-9]{1,6}") || Integer.parseInt(text) > 100_000) {
            String problem = "expected a round-trip latency SLO in whole ms, 0..100000 (e.g. 20), or 'none'"
                    + (text.endsWith("ms") ? "; write the number without the unit" : "");
            if (at != null) {
                throw r.error(at, path, problem);
            }
            throw new ScenarioException(r.source(), line, path, text, problem);
        }
        return Integer.parseInt(text);
    }

    private List<Share<Integer>> gangs(Node n, String path) {
        if (n instanceof ScalarNode && !YamlNodes.isNull(n)) {
            r.choice(n, path, List.of("none"));
            return List.of();
        }
        YamlNodes.Section s = r.section(n, path, "'none' or a mapping of gang size to share of the class's jobs, e.g. {2: 0.2, 4: 0.1}");
        List<Share<Integer>> out = new ArrayList<>();
        double sum = 0;
        for (String key : s.presentKeys()) {
            String k = key.trim();
            if (!k.matches("[0-9]{1,3}") || Integer.parseInt(k) < 2 || Integer.parseInt(k) > 256) {
                throw keyError(s, key, "expected a gang size (workers) 2..256 as the key, e.g. {2: 0.2, 4: 0.1}");
            }
            double v = share(s, key);
            sum += v;
            out.add(new Share<>(Integer.parseInt(k), v));
        }
        if (sum > 1 + SUM_TOLERANCE) {
            throw r.error(n, path, "gang shares add up to " + fmt(sum) + "; expected at most 1 (the rest of the class's jobs are"
                    + " single tasks)");
        }
        out.sort(Comparator.comparingInt(Share::value));
        if (sum > 1) {
            List<Share<Integer>> norm = new ArrayList<>();
            for (Share<Integer> x : out) {
                norm.add(new Share<>(x.value(), x.share() / sum));
            }
            return norm;
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private double share(YamlNodes.Section s, String key) {
        double v = s.number(key, 0);
        s.check(key, v >= 0 && v <= 1, "expected a share in 0..1");
        return v;
    }

    /** Checks that the shares add up to 1 (within {@link #SUM_TOLERANCE}) and scales them to exactly 1. */
    private <T> List<Share<T>> normalised(Node n, String path, List<Share<T>> in, String what) {
        double sum = in.stream().mapToDouble(Share::share).sum();
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            StringBuilder terms = new StringBuilder();
            for (Share<T> x : in) {
                terms.append(terms.length() == 0 ? "" : " + ").append(fmt(x.share()));
            }
            throw r.error(n, path, what + " add up to " + fmt(sum) + " (" + terms + "); expected 1");
        }
        List<Share<T>> out = new ArrayList<>();
        for (Share<T> x : in) {
            out.add(new Share<>(x.value(), x.share() / sum));
        }
        return out;
    }

    private ScenarioException keyError(YamlNodes.Section s, String key, String problem) {
        return new ScenarioException(r.source(), s.keyLine(key), s.path(key), key, problem);
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String t = String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}

package io.archipelago.sim.scenario;

import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.sim.engine.Fleet;
import io.archipelago.sim.engine.PriorityClass;
import io.archipelago.sim.engine.Simulation;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.synth.Draws;
import io.archipelago.sim.synth.MultiRegionWorkload;
import io.archipelago.sim.synth.SyntheticOpenb;
import io.archipelago.sim.trace.DlrmCsvReader;
import io.archipelago.sim.trace.DlrmInstance;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import io.archipelago.sim.trace.SpotNodeCsvReader;
import io.archipelago.sim.trace.TraceLocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Turns a parsed {@link Scenario} into what the engine runs: the fleet, the workload, the tenants,
 * the outages (as node indices), the options and the policy profile.
 *
 * <p>Trace files are looked up like the openb trace ({@link TraceLocator}): an explicit path in the
 * scenario (relative to the scenario file), then {@code $ARCHIPELAGO_TRACES/<name>}, then
 * {@code ../shared/traces/<name>}, then the download cache. When the openb files are missing, an openb
 * fleet and the openb task shapes fall back to the built-in synthetic openb (and say so in the notes);
 * a workload that replays a trace's timeline cannot, and fails with the list of places looked at.
 *
 * <p>Random choices (tenant of each job, generated arrivals, durations, shapes, classes, gangs, which
 * nodes an outage takes) each draw from their own stream split from the scenario seed, so changing one
 * part of a scenario does not reshuffle the others.
 */
public final class ScenarioLoader {
    /** Everything a run needs. */
    public record Loaded(Scenario scenario, Fleet fleet, Workload workload, List<Simulation.Tenant> tenants,
                         List<Simulation.Outage> outages, Simulation.Options options, Simulation.ProfileFactory profile,
                         String policyLabel, List<String> notes) {
        public Simulation simulation() {
            return new Simulation(scenario.name(), policyLabel, fleet, workload, tenants, outages, options, profile)
                    .regional(scenario.policy().sites(), scenario.startDate(), SLO_WAIT_MS);
        }
    }

    /** A job with a latency SLO meets it when it starts within this long of becoming ready (docs/fleet-format.md). */
    public static final long SLO_WAIT_MS = 60_000;

    private final Scenario sc;
    private final Path baseDir;
    private final Map<String, String> env;
    private final List<String> notes = new ArrayList<>();

    private ScenarioLoader(Scenario sc, Path baseDir, Map<String, String> env) {
        this.sc = sc;
        this.baseDir = baseDir;
        this.env = env;
    }

    /** Loads {@code sc}; relative paths resolve against {@code baseDir} (the scenario file's folder). */
    public static Loaded load(Scenario sc, Path baseDir, Map<String, String> env) {
        return new ScenarioLoader(sc, baseDir, env).load();
    }

    /** Parses and loads a scenario file with the process environment. */
    public static Loaded load(Path file) {
        Path abs = file.toAbsolutePath();
        return load(ScenarioParser.parse(file), abs.getParent(), System.getenv());
    }

    private Loaded load() {
        long seed = sc.seed();
        List<Simulation.Tenant> tenants = new ArrayList<>();
        for (TenantSpec t : sc.tenants()) {
            tenants.add(new Simulation.Tenant(t.name(), t.guaranteedGpus() * 1000L, t.maxGpus() < 0 ? -1 : t.maxGpus() * 1000L,
                    t.weight()));
        }
        Workload workload = workload(seed);
        Fleet fleet = fleet(workload);
        List<Simulation.Outage> outages = outages(fleet, seed);
        long horizon = sc.horizonMs();
        long sample = sc.sampleEveryMs();
        if (sample <= 0) {
            long span = horizon >= 0 ? horizon : Math.max(workload.lastArrival(), 1000);
            sample = Math.max(1000, (span / 1000 + 999) / 1000 * 1000);
        }
        QueueSpec qs = sc.queue();
        Simulation.Options opt = new Simulation.Options(seed, horizon, sample, qs.backfill(), qs.backfillMaxHeadWaitMs(),
                qs.backfillWindow(), qs.maxWaitMs(), sc.preemption(), sc.check());
        PolicySpec ps = sc.policy();
        Simulation.ProfileFactory profile;
        String label;
        if (ps.name() != null) {
            String name = Policies.canonical(ps.name());
            label = name;
            profile = ctx -> Policies.profile(name, ctx);
        } else {
            List<String> plugins = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            for (WeightedPlugin wp : ps.scores()) {
                plugins.add(Policies.canonical(wp.plugin()));
                weights.add(wp.weight());
                sb.append(sb.length() == 0 ? "" : "+").append(wp.weight()).append('x').append(Policies.canonical(wp.plugin()));
            }
            label = sb.toString();
            String selector = ps.gpuSelector();
            profile = ctx -> Policies.composite(label, plugins, weights, selector, ctx);
        }
        return new Loaded(sc, fleet, workload, tenants, outages, opt, profile, label, List.copyOf(notes));
    }

    // ---------------------------------------------------------------- files

    private Path resolve(String p) {
        Path path = Path.of(p);
        return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path);
    }

    /** Candidate folders for trace {@code name} (openb, dlrm, spot-gpu). */
    private List<Path> candidates(String name) {
        List<Path> out = new ArrayList<>();
        String traces = env.get("ARCHIPELAGO_TRACES");
        if (traces != null && !traces.isBlank()) {
            out.add(Path.of(traces).resolve(name));
        }
        out.add(Path.of("..", "shared", "traces", name));
        String cache = env.get("ARCHIPELAGO_CACHE");
        if (cache != null && !cache.isBlank()) {
            out.add(Path.of(cache).resolve("traces").resolve(name));
        }
        out.add(Path.of(System.getProperty("user.home"), ".cache", "archipelago", "traces", name));
        return out;
    }

    /** The file {@code fileName} of trace {@code name}, or null. */
    private Path find(String explicit, String name, String fileName) {
        if (explicit != null) {
            Path p = resolve(explicit);
            if (Files.isDirectory(p)) {
                p = p.resolve(fileName);
            }
            return Files.isRegularFile(p) ? p : null;
        }
        for (Path dir : candidates(name)) {
            if (Files.isRegularFile(dir.resolve(fileName))) {
                return dir.resolve(fileName);
            }
        }
        return null;
    }

    private IllegalArgumentException missing(String what, String explicit, String name, String fileName, String fix) {
        List<String> looked = new ArrayList<>();
        if (explicit != null) {
            looked.add(resolve(explicit).toString());
        } else {
            for (Path d : candidates(name)) {
                looked.add(d.resolve(fileName).toString());
            }
        }
        return new IllegalArgumentException("scenario " + sc.name() + ": " + what + " not found; looked at " + String.join(", ", looked)
                + ". " + fix);
    }

    // ---------------------------------------------------------------- fleet

    private Fleet fleet(Workload workload) {
        FleetSpec f = sc.fleet();
        if (f instanceof FleetSpec.Regional r) {
            return Fleet.regional(r.fleet());
        }
        if (f instanceof FleetSpec.Openb o) {
            String file = o.gpuNodesOnly() ? TraceLocator.GPU_NODE_FILE : "openb_node_list_all_node.csv";
            Path p = find(o.traceDir(), "openb", file);
            List<NodeSpec> base;
            if (p == null) {
                if (o.traceDir() != null) {
                    throw missing("openb node list", o.traceDir(), "openb", file, "Check trace_dir.");
                }
                base = SyntheticOpenb.nodes();
                notes.add("openb node list not found; the built-in synthetic openb fleet (" + base.size() + " nodes) stands in."
                        + " Run ./archipelago trace download openb for the real one.");
            } else {
                base = NodeCsvReader.read(p);
                if (o.gpuNodesOnly()) {
                    base = NodeCsvReader.gpuNodes(base);
                }
            }
            return Fleet.of(copies(base, o.copies(), o.rdmaPerNode()), o.sites());
        }
        if (f instanceof FleetSpec.SpotGpu s) {
            Path p = find(s.file(), "spot-gpu", "node_info_df.csv");
            if (p == null) {
                throw missing("spot-GPU node list", s.file(), "spot-gpu", "node_info_df.csv",
                        "Put node_info_df.csv there or name it with fleet.file.");
            }
            List<NodeSpec> nodes = new ArrayList<>();
            for (NodeSpec n : SpotNodeCsvReader.toNodeSpecs(SpotNodeCsvReader.read(p), s.memoryMibPerCore())) {
                nodes.add(n.withRdma(s.rdmaPerNode()));
            }
            return Fleet.of(nodes, s.sites());
        }
        if (f instanceof FleetSpec.Generated g) {
            List<NodeSpec> nodes = new ArrayList<>();
            for (NodeType t : g.types()) {
                for (int i = 0; i < t.count(); i++) {
                    nodes.add(node(t, nodes.size(), g.rdmaPerNode()));
                }
            }
            return Fleet.of(nodes, g.sites());
        }
        FleetSpec.Sized s = (FleetSpec.Sized) f;
        int count = sizedCount(s, workload);
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(node(s.template(), i, s.rdmaPerNode()));
        }
        return Fleet.of(nodes, Math.min(s.sites(), nodes.size()));
    }

    private static NodeSpec node(NodeType t, int index, int rdma) {
        int model = t.gpus() > 0 ? GpuModels.idOf(t.gpuModel()) : -1;
        return new NodeSpec(String.format("node-%05d", index), t.cpuMilli(), t.memoryMib(), t.gpus(), model, rdma);
    }

    private static List<NodeSpec> copies(List<NodeSpec> base, int copies, int rdma) {
        List<NodeSpec> out = new ArrayList<>(base.size() * copies);
        for (int c = 0; c < copies; c++) {
            for (NodeSpec n : base) {
                NodeSpec x = c == 0 ? n : n.renamed(n.name() + "-c" + (c + 1));
                out.add(x.withRdma(rdma));
            }
        }
        return out;
    }

    /**
     * Nodes needed so that the workload's peak concurrent demand of every resource (CPU, memory, GPU,
     * RDMA), and of every group's per-node limit, fits with the headroom; jobs are assumed to start on
     * arrival and run their duration (jobs without an end run to the horizon).
     */
    private int sizedCount(FleetSpec.Sized s, Workload w) {
        NodeType t = s.template();
        int jobs = w.jobs();
        long[] times = new long[2 * jobs];
        int[] idx = new int[2 * jobs];
        int n = 0;
        for (int j = 0; j < jobs; j++) {
            times[n] = w.arrival(j);
            idx[n++] = j + 1;
            if (w.duration(j) >= 0) {
                times[n] = w.arrival(j) + w.duration(j);
                idx[n++] = -(j + 1);
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long[] tt = times;
        int[] ii = idx;
        // at equal times, ends before starts
        Arrays.sort(order, (a, b) -> tt[a] != tt[b] ? Long.compare(tt[a], tt[b]) : Integer.compare(ii[a], ii[b]));
        double cpu = 0;
        double mem = 0;
        double gpu = 0;
        double rdma = 0;
        double pc = 0;
        double pm = 0;
        double pg = 0;
        double pr = 0;
        Map<Integer, Integer> groupNow = new HashMap<>();
        Map<Integer, Integer> groupPeak = new HashMap<>();
        Map<Integer, Integer> groupLimit = new HashMap<>();
        for (int k = 0; k < n; k++) {
            int e = ii[order[k]];
            int j = Math.abs(e) - 1;
            int sign = e > 0 ? 1 : -1;
            TaskSpec spec = w.spec(j);
            int size = w.size(j);
            cpu += sign * (double) size * spec.cpuMilli();
            mem += sign * (double) size * spec.memoryMib();
            gpu += sign * (double) size * spec.gpuDemandMilli();
            rdma += sign * (double) size * spec.rdma();
            pc = Math.max(pc, cpu);
            pm = Math.max(pm, mem);
            pg = Math.max(pg, gpu);
            pr = Math.max(pr, rdma);
            if (spec.maxPerNode() > 0) {
                int now = groupNow.merge(spec.group(), sign * size, Integer::sum);
                groupPeak.merge(spec.group(), now, Math::max);
                groupLimit.put(spec.group(), spec.maxPerNode());
            }
        }
        double need = 1;
        String binding = "CPU";
        double[] req = {pc / t.cpuMilli(), pm / t.memoryMib(), t.gpus() > 0 ? pg / (t.gpus() * 1000.0) : 0,
                s.rdmaPerNode() > 0 ? pr / s.rdmaPerNode() : 0};
        String[] names = {"CPU", "memory", "GPU", "RDMA"};
        for (int r = 0; r < req.length; r++) {
            if (req[r] > need) {
                need = req[r];
                binding = names[r];
            }
        }
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(groupPeak).entrySet()) {
            double g = Math.ceil((double) e.getValue() / groupLimit.get(e.getKey()));
            if (g > need) {
                need = g;
                binding = "the per-node limit of group " + e.getKey();
            }
        }
        int count = (int) Math.ceil(need * s.headroom() - 1e-9);
        notes.add(String.format(java.util.Locale.ROOT, "fleet sized to %d nodes: peak demand needs %.1f nodes (bound by %s) × headroom %.2f",
                count, need, binding, s.headroom()));
        return Math.max(1, count);
    }

    // ---------------------------------------------------------------- workload

    private int[] tenantAssignment(int jobs, long seed) {
        int[] out = new int[jobs];
        List<TenantSpec> ts = sc.tenants();
        if (ts.size() <= 1) {
            return out;
        }
        double[] cum = new double[ts.size()];
        double sum = 0;
        for (int i = 0; i < ts.size(); i++) {
            sum += ts.get(i).share();
            cum[i] = sum;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7E4A47L);
        for (int j = 0; j < jobs; j++) {
            double u = rng.nextDouble() * sum;
            int k = 0;
            while (k < cum.length - 1 && u >= cum[k]) {
                k++;
            }
            out[j] = k;
        }
        return out;
    }

    private Workload workload(long seed) {
        WorkloadSpec ws = sc.workload();
        if (ws instanceof WorkloadSpec.Openb o) {
            return openb(o, seed);
        }
        if (ws instanceof WorkloadSpec.Dlrm d) {
            return dlrm(d, seed);
        }
        if (ws instanceof WorkloadSpec.MultiRegion m) {
            return multiRegion(m, seed);
        }
        return generated((WorkloadSpec.Generated) ws, seed);
    }

    /**
     * {@code kind: multi-region}: jobs over the scenario's regional fleet, with the openb task shapes,
     * tenants as for every workload ({@link #tenantAssignment}), and the generator's notes (summary,
     * left-out shapes, relaxed placement rules) passed on to the user.
     */
    private Workload multiRegion(WorkloadSpec.MultiRegion m, long seed) {
        if (!(sc.fleet() instanceof FleetSpec.Regional regional)) {
            throw new IllegalArgumentException("scenario " + sc.name() + ": workload kind multi-region needs a regional fleet;"
                    + " remove fleet: to use the built-in demo fleet or give fleet: {kind: regional, file: ...}");
        }
        List<Double> weights = new ArrayList<>();
        List<TaskSpec> shapes = openbShapes(weights);
        MultiRegionWorkload.Result r;
        try {
            r = MultiRegionWorkload.generate(m.spec(), regional.fleet(), shapes, weights, n -> tenantAssignment(n, seed), seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scenario " + sc.name() + ": " + e.getMessage(), e);
        }
        notes.addAll(r.notes());
        return r.workload();
    }

    private Workload openb(WorkloadSpec.Openb o, long seed) {
        String file = "openb_pod_list_" + o.trace() + ".csv";
        Path p = find(o.traceDir(), "openb", file);
        if (p == null) {
            throw missing("openb pod list " + file, o.traceDir(), "openb", file,
                    "Replaying the trace's timeline needs the real file: run ./archipelago trace download openb.");
        }
        List<TaskSpec> pods = PodCsvReader.read(p);
        int[] tenant = tenantAssignment(pods.size(), seed);
        Workload.Builder b = Workload.builder("openb-" + o.trace());
        for (int i = 0; i < pods.size(); i++) {
            TaskSpec t = pods.get(i);
            long created = Math.max(0, t.creationTime());
            long arrival = Math.round(created * 1000.0 * o.timeScale());
            long duration = t.deletionTime() < 0 ? -1 : Math.round((t.deletionTime() - created) * 1000.0 * o.timeScale());
            TaskSpec proto = TaskSpec.openb("shape", t.cpuMilli(), t.memoryMib(), t.gpuCount(), t.gpuMilli(), t.gpuSpec(),
                    t.allowedModels(), t.qos(), -1, -1, -1);
            b.add(arrival, duration, b.prototype(proto), PriorityClass.ofQos(t.qos()), tenant[i], 1, t.name());
        }
        return b.build();
    }

    private Workload dlrm(WorkloadSpec.Dlrm d, long seed) {
        String file = "disaggregated_DLRM_trace.csv";
        Path p = find(d.file(), "dlrm", file);
        if (p == null) {
            throw missing("DLRM trace", d.file(), "dlrm", file, "Put " + file + " there or name it with workload.file.");
        }
        List<DlrmInstance> rows = DlrmCsvReader.read(p);
        Map<String, Integer> apps = new LinkedHashMap<>();
        for (DlrmInstance r : rows) {
            apps.putIfAbsent(r.app(), apps.size());
        }
        int[] tenant = tenantAssignment(rows.size(), seed);
        Workload.Builder b = Workload.builder("dlrm");
        int predating = 0;
        for (int i = 0; i < rows.size(); i++) {
            DlrmInstance r = rows.get(i);
            long created = Math.max(0, r.creationMs());
            if (r.creationMs() < 0) {
                predating++;
            }
            long arrival = Math.round(created * d.timeScale());
            long duration = r.deletionMs() < 0 ? -1 : Math.round((r.deletionMs() - created) * d.timeScale());
            int group = apps.get(r.app());
            TaskSpec proto = new TaskSpec(r.app(), r.cpuMilli(), r.memoryMib(), r.gpuCount(), r.gpuMilli(), "", 0L, Qos.LS, -1, -1, -1,
                    r.rdmaPercent(), group, r.maxInstancePerNode());
            b.add(arrival, duration, b.prototype(proto), PriorityClass.LATENCY_SENSITIVE, tenant[i], 1, r.name());
        }
        notes.add(predating + " DLRM instances pre-date the trace; they arrive at time 0, before the rest");
        return b.build();
    }

    /**
     * The openb task shapes: the classes of the FGD target workload (CPU, GPU count, GPU milli,
     * allowed models) covering 95 % of the openb default pods, weighted by their pod counts, each
     * with the most common memory request of its pods (or the synthetic stand-in's).
     */
    private List<TaskSpec> openbShapes(List<Double> weightsOut) {
        Path p = find(null, "openb", "openb_pod_list_default.csv");
        List<TaskSpec> pods;
        if (p == null) {
            pods = SyntheticOpenb.defaultTasks(42);
            notes.add("openb pod list not found; task shapes come from the built-in synthetic openb");
        } else {
            pods = PodCsvReader.read(p);
        }
        // classes as in the FGD target workload (CPU, GPU count, GPU milli, GPU models); each class
        // takes the most common memory request of its pods (ties: the first seen)
        Map<TaskSpec, Integer> counts = new LinkedHashMap<>();
        Map<TaskSpec, Map<Long, Integer>> memories = new HashMap<>();
        for (TaskSpec t : pods) {
            TaskSpec k = TaskSpec.openb("shape", t.cpuMilli(), 0, t.gpuCount(), t.gpuMilli(), t.gpuSpec(),
                    t.allowedModels(), Qos.UNSPECIFIED, -1, -1, -1);
            counts.merge(k, 1, Integer::sum);
            memories.computeIfAbsent(k, x -> new LinkedHashMap<>()).merge(t.memoryMib(), 1, Integer::sum);
        }
        List<Map.Entry<TaskSpec, Integer>> list = new ArrayList<>(counts.entrySet());
        // most frequent first; ties keep first appearance
        list.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        List<TaskSpec> out = new ArrayList<>();
        long total = pods.size();
        long covered = 0;
        for (Map.Entry<TaskSpec, Integer> e : list) {
            if (covered >= TargetWorkload.DEFAULT_COVERAGE * total) {
                break;
            }
            TaskSpec k = e.getKey();
            long mem = 0;
            int best = -1;
            for (Map.Entry<Long, Integer> m : memories.get(k).entrySet()) {
                if (m.getValue() > best) {
                    best = m.getValue();
                    mem = m.getKey();
                }
            }
            out.add(TaskSpec.openb("shape", k.cpuMilli(), mem, k.gpuCount(), k.gpuMilli(), k.gpuSpec(), k.allowedModels(),
                    Qos.UNSPECIFIED, -1, -1, -1));
            weightsOut.add((double) e.getValue());
            covered += e.getValue();
        }
        return out;
    }

    private Workload generated(WorkloadSpec.Generated g, long seed) {
        List<TaskSpec> shapes = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        if (g.shapes().isEmpty()) {
            shapes = openbShapes(weights);
        } else {
            for (ShapeSpec s : g.shapes()) {
                shapes.add(TaskSpec.of("shape", s.cpuMilli(), s.memoryMib(), s.gpus(), s.gpuMilli()));
                weights.add(s.weight());
            }
        }
        double[] cum = Draws.cumulative(weights);
        ClassMix mix = g.classes();
        double[] classCum = Draws.cumulative(List.of(mix.bestEffort(), mix.burstable(), mix.latencySensitive()));
        SplittableRandom arrivals = new SplittableRandom(seed ^ 0xA221L);
        SplittableRandom durations = new SplittableRandom(seed ^ 0xD0AL);
        SplittableRandom shapeRng = new SplittableRandom(seed ^ 0x5A9EL);
        SplittableRandom classRng = new SplittableRandom(seed ^ 0xC1A5L);
        SplittableRandom gangRng = new SplittableRandom(seed ^ 0x6A96L);
        if (g.tasks() > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("workload.tasks = " + g.tasks() + " is above the supported " + (Integer.MAX_VALUE / 4));
        }
        int jobs = (int) g.tasks();
        int[] tenant = tenantAssignment(jobs, seed);
        Workload.Builder b = Workload.builder("generated");
        int[] protoOfShape = new int[shapes.size()];
        for (int i = 0; i < shapes.size(); i++) {
            protoOfShape[i] = b.prototype(shapes.get(i));
        }
        int gangProto = -1;
        GangSpec gang = g.gangs();
        if (gang != null && gang.worker() != null) {
            ShapeSpec ws = gang.worker();
            gangProto = b.prototype(TaskSpec.of("gang-worker", ws.cpuMilli(), ws.memoryMib(), ws.gpus(), ws.gpuMilli()));
        }
        double t = 0;
        long tasksSoFar = 0;
        for (int j = 0; tasksSoFar < g.tasks(); j++) {
            t += Draws.interArrivalMs(g.arrivals(), t, arrivals);
            long arrival = (long) Math.floor(t);
            long duration = Draws.duration(g.durations(), durations);
            int shape = Draws.pick(cum, shapeRng.nextDouble());
            int cls = Draws.pick(classCum, classRng.nextDouble());
            int size = 1;
            int proto = protoOfShape[shape];
            double u = gangRng.nextDouble();
            int sizeIdx = gangRng.nextInt(Math.max(1, gang == null ? 1 : gang.sizes().size()));
            if (gang != null && u < gang.fraction()) {
                size = (int) Math.min(gang.sizes().get(sizeIdx), g.tasks() - tasksSoFar);
                if (gangProto >= 0) {
                    proto = gangProto;
                }
            }
            b.add(arrival, duration, proto, PriorityClass.of(cls), tenant[Math.min(j, tenant.length - 1)], size, null);
            tasksSoFar += size;
        }
        return b.build();
    }

    // ---------------------------------------------------------------- outages

    private List<Simulation.Outage> outages(Fleet fleet, long seed) {
        List<Simulation.Outage> out = new ArrayList<>();
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < fleet.size(); i++) {
            byName.put(fleet.nodes().get(i).name(), i);
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x0D7A6EL);
        int k = 0;
        for (OutageSpec o : sc.outages()) {
            k++;
            int[] nodes;
            String label;
            if (o.nodes() != null && !o.nodes().isEmpty()) {
                nodes = new int[o.nodes().size()];
                for (int i = 0; i < nodes.length; i++) {
                    Integer idx = byName.get(o.nodes().get(i));
                    if (idx == null) {
                        throw new IllegalArgumentException("scenario " + sc.name() + ", outage " + k + ": node '" + o.nodes().get(i)
                                + "' is not in the fleet (fleet nodes are named like '" + fleet.nodes().get(0).name() + "')");
                    }
                    nodes[i] = idx;
                }
                label = "#" + k + " (" + nodes.length + " named nodes)";
            } else if (o.site() != null) {
                int site = fleet.siteNames().indexOf(o.site());
                if (site < 0) {
                    throw new IllegalArgumentException("scenario " + sc.name() + ", outage " + k + ": site '" + o.site()
                            + "' is not in the fleet; sites: " + String.join(", ", fleet.siteNames()));
                }
                List<Integer> l = new ArrayList<>();
                for (int i = 0; i < fleet.size(); i++) {
                    if (fleet.site()[i] == site) {
                        l.add(i);
                    }
                }
                nodes = l.stream().mapToInt(Integer::intValue).toArray();
                label = "#" + k + " (site " + o.site() + ")";
            } else {
                int count = o.count() > 0 ? o.count() : (int) Math.round(o.fraction() * fleet.size());
                if (count > fleet.size()) {
                    throw new IllegalArgumentException("scenario " + sc.name() + ", outage " + k + ": count " + count
                            + " is larger than the fleet (" + fleet.size() + " nodes)");
                }
                int[] all = new int[fleet.size()];
                for (int i = 0; i < all.length; i++) {
                    all[i] = i;
                }
                for (int i = 0; i < count; i++) { // partial Fisher–Yates
                    int r = i + rng.nextInt(all.length - i);
                    int tmp = all[i];
                    all[i] = all[r];
                    all[r] = tmp;
                }
                nodes = Arrays.copyOf(all, count);
                Arrays.sort(nodes);
                label = "#" + k + " (" + count + " random nodes)";
            }
            out.add(new Simulation.Outage(label, o.atMs(), o.durationMs(), nodes));
        }
        if (fleet.geo() != null) {
            // sites that open after the start date are down until they open
            java.time.LocalDate start = sc.startDate();
            for (int s = 0; s < fleet.geo().sites().size(); s++) {
                io.archipelago.core.geo.Site site = fleet.geo().sites().get(s);
                if (site.opens().isAfter(start)) {
                    long until = java.time.temporal.ChronoUnit.DAYS.between(start, site.opens()) * 86_400_000L;
                    List<Integer> l = new ArrayList<>();
                    for (int i = 0; i < fleet.size(); i++) {
                        if (fleet.site()[i] == s) {
                            l.add(i);
                        }
                    }
                    out.add(new Simulation.Outage("site " + site.name() + " not yet open (opens " + site.opens() + ")", 0, until,
                            l.stream().mapToInt(Integer::intValue).toArray()));
                    notes.add("site " + site.name() + " opens on " + site.opens() + ", " + until / 86_400_000L
                            + " days after the start; its nodes are down until then");
                }
            }
        }
        return out;
    }
}

package io.archipelago.sim.engine;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny simulation written as a specification: nodes (optionally grouped into sites), jobs,
 * tenants, outages and options, then {@link #run()} with the invariant checker on.
 *
 * <pre>{@code
 * SimResult r = SimScenario.fleet(node("n0", 2))
 *         .jobs(job("train").gpus(1).at(0).runs(1_000))
 *         .run();
 * }</pre>
 */
final class SimScenario {
    static final long SECOND = 1_000;
    static final long HOUR = 3_600_000;
    private static final int A100 = GpuModels.idOf("A100");

    private final List<NodeSpec> nodes = new ArrayList<>();
    private final List<Integer> nodeSite = new ArrayList<>();
    private final List<String> sites = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();
    private final List<Simulation.Tenant> tenants = new ArrayList<>();
    private final List<Simulation.Outage> outages = new ArrayList<>();
    private long seed = 1;
    private long horizonMs = -1;
    private long sampleEveryMs = SECOND;
    private boolean backfill;
    private long backfillMaxHeadWaitMs;
    private int backfillWindow = 16;
    private long maxWaitMs = -1;
    private boolean preemption;
    private String policy = "BestFit";

    private SimScenario() {
    }

    // ------------------------------------------------------------ fleet

    /** A 64-core, 256 GiB node with {@code gpus} A100s (a CPU-only node when 0). */
    static NodeSpec node(String name, int gpus) {
        return new NodeSpec(name, 64_000, 256 * 1024, gpus, gpus > 0 ? A100 : -1);
    }

    /** All nodes in one site. */
    static SimScenario fleet(NodeSpec... nodes) {
        return new SimScenario().site("site-1", nodes);
    }

    /** Starts a fleet split into sites; add them with {@link #site}. */
    static SimScenario sites() {
        return new SimScenario();
    }

    SimScenario site(String name, NodeSpec... siteNodes) {
        sites.add(name);
        for (NodeSpec n : siteNodes) {
            nodes.add(n);
            nodeSite.add(sites.size() - 1);
        }
        return this;
    }

    Fleet builtFleet() {
        return new Fleet(nodes, nodeSite.stream().mapToInt(Integer::intValue).toArray(), sites);
    }

    // ------------------------------------------------------------ jobs

    /**
     * A job: {@code workers} identical tasks (a gang when more than one) of {@code gpus} GPUs of
     * {@code milli} each, arriving at {@code at} and running for {@code runs} ms once started.
     */
    record Job(String name, long at, long runs, int gpus, int milli, int cpu, PriorityClass cls, String tenant,
               int workers) {
        Job at(long ms) { return new Job(name, ms, runs, gpus, milli, cpu, cls, tenant, workers); }
        Job runs(long ms) { return new Job(name, at, ms, gpus, milli, cpu, cls, tenant, workers); }
        Job gpus(int n) { return new Job(name, at, runs, n, n == 0 ? 0 : 1000, cpu, cls, tenant, workers); }
        /** One shared GPU slice of {@code m} milli-GPU. */
        Job slice(int m) { return new Job(name, at, runs, 1, m, cpu, cls, tenant, workers); }
        Job cpuOnly() { return gpus(0); }
        Job cpu(int milli) { return new Job(name, at, runs, gpus, this.milli, milli, cls, tenant, workers); }
        Job cls(PriorityClass c) { return new Job(name, at, runs, gpus, milli, cpu, c, tenant, workers); }
        Job tenant(String t) { return new Job(name, at, runs, gpus, milli, cpu, cls, t, workers); }
        Job gang(int n) { return new Job(name, at, runs, gpus, milli, cpu, cls, tenant, n); }
    }

    /** One burstable task of one whole GPU and one core, arriving at 0 and running for 1 s. */
    static Job job(String name) {
        return new Job(name, 0, SECOND, 1, 1000, 1000, PriorityClass.BURSTABLE, null, 1);
    }

    SimScenario jobs(Job... js) {
        jobs.addAll(Arrays.asList(js));
        return this;
    }

    // ------------------------------------------------------------ tenants and outages

    /** A tenant with a guarantee and a maximum in GPUs ({@code maxGpus} -1 = none). */
    SimScenario tenant(String name, double guaranteedGpus, double maxGpus, double weight) {
        tenants.add(new Simulation.Tenant(name, Math.round(guaranteedGpus * 1000), maxGpus < 0 ? -1 : Math.round(maxGpus * 1000),
                weight));
        return this;
    }

    /** The named nodes go down at {@code atMs} for {@code durationMs} (-1 = for good). */
    SimScenario outage(String label, long atMs, long durationMs, String... nodeNames) {
        int[] idx = new int[nodeNames.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = nodeIndex(nodeNames[i]);
        }
        outages.add(new Simulation.Outage(label, atMs, durationMs, idx));
        return this;
    }

    /** Every node of site {@code site} goes down at {@code atMs} for {@code durationMs}. */
    SimScenario siteOutage(String site, long atMs, long durationMs) {
        int s = sites.indexOf(site);
        if (s < 0) {
            throw new IllegalArgumentException("no site " + site + " in " + sites);
        }
        int[] idx = new int[nodes.size()];
        int k = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodeSite.get(i) == s) {
                idx[k++] = i;
            }
        }
        outages.add(new Simulation.Outage(site + " down", atMs, durationMs, Arrays.copyOf(idx, k)));
        return this;
    }

    private int nodeIndex(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + name);
    }

    // ------------------------------------------------------------ options

    SimScenario sampleEvery(long ms) { sampleEveryMs = ms; return this; }
    SimScenario horizon(long ms) { horizonMs = ms; return this; }

    private long measureFromMs = -1;

    /** Measure service from this time on ({@link Simulation#measureFrom(long)}). */
    SimScenario measureFrom(long ms) { measureFromMs = ms; return this; }
    SimScenario seed(long s) { seed = s; return this; }
    SimScenario policy(String p) { policy = p; return this; }
    SimScenario preemption() { preemption = true; return this; }
    SimScenario maxWait(long ms) { maxWaitMs = ms; return this; }

    /** Backfill while the head has been blocked for at most {@code maxHeadWaitMs}. */
    SimScenario backfill(long maxHeadWaitMs) {
        backfill = true;
        backfillMaxHeadWaitMs = maxHeadWaitMs;
        return this;
    }

    Workload workload() {
        Map<String, Integer> tenantIndex = new LinkedHashMap<>();
        for (int i = 0; i < tenants.size(); i++) {
            tenantIndex.put(tenants.get(i).name(), i);
        }
        Workload.Builder b = Workload.builder("spec");
        for (Job j : jobs) {
            int p = b.prototype(TaskSpec.of(j.name(), j.cpu(), 1024, j.gpus(), j.milli()));
            Integer t = j.tenant() == null ? Integer.valueOf(0) : tenantIndex.get(j.tenant());
            if (t == null) {
                throw new IllegalArgumentException("job " + j.name() + ": no tenant " + j.tenant() + " in " + tenantIndex.keySet());
            }
            b.add(j.at(), j.runs(), p, j.cls(), t, j.workers(), j.name());
        }
        return b.build();
    }

    Simulation.Options options() {
        return new Simulation.Options(seed, horizonMs, sampleEveryMs, backfill, backfillMaxHeadWaitMs, backfillWindow, maxWaitMs,
                preemption, true);
    }

    SimResult run() {
        String p = policy;
        Simulation sim = new Simulation("spec", p, builtFleet(), workload(), tenants, outages, options(), ctx -> Policies.profile(p, ctx));
        if (measureFromMs >= 0) {
            sim.measureFrom(measureFromMs);
        }
        return sim
                .run();
    }

    // ------------------------------------------------------------ reading results

    /** The value of {@code column} in the sample taken at {@code ms}. */
    static double at(SimResult r, String column, long ms) {
        double[] t = r.column("time_s");
        for (int i = 0; i < t.length; i++) {
            if (t[i] == ms / 1000.0) {
                return r.column(column)[i];
            }
        }
        throw new AssertionError("no sample at " + ms + " ms; samples at " + Arrays.toString(t) + " s");
    }

    /** The largest value {@code column} ever took in the samples. */
    static double peak(SimResult r, String column) {
        return Arrays.stream(r.column(column)).max().orElse(0);
    }

    /** Waiting times (arrival to first start) of the jobs of class {@code c} that started, sorted, ms. */
    static long[] waits(SimResult r, PriorityClass c) {
        return r.waitsMs()[c.ordinal()];
    }
}

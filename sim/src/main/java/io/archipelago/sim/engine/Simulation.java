package io.archipelago.sim.engine;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.FragmentationTracker;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Filters;
import io.archipelago.core.framework.Profile;
import io.archipelago.core.framework.Reason;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.PolicyContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Drives the placement engine through time: arrivals, completions, a priority queue with backfill,
 * preemption, gangs, tenant quotas and node outages.
 *
 * <h2>Design note</h2>
 * <ul>
 *   <li><b>Time.</b> One {@link EventQueue} with integer milliseconds; every state change happens in
 *   the handler of one {@link SimEvent}, after which a scheduling pass runs if anything was queued
 *   or capacity was released. Arrivals are chained (each arrival schedules the next), so the queue
 *   holds only running jobs' completions, outages and the next sample, never the whole trace.</li>
 *   <li><b>Queue.</b> Waiting jobs are kept per (priority class, tenant) in arrival order. The head
 *   is the earliest job of the highest class, taken from the tenant with the lowest weighted
 *   dominant share (the largest of its GPU, CPU and memory shares, divided by its weight). If the
 *   head cannot be placed, preemption is tried; then smaller jobs behind it may be backfilled, but
 *   only while the head has been blocked for no longer than the configured bound. After that the
 *   head holds the queue until it fits.</li>
 *   <li><b>Cheap retries.</b> Capacity only grows when something is released, so a capacity
 *   "epoch" counts releases, and a task shape that failed in the current epoch is not tried again
 *   until the next release. A queue of a million jobs therefore costs O(1) per event while
 *   nothing frees up.</li>
 *   <li><b>Preemption.</b> A latency-sensitive job may evict burstable and best-effort jobs, and a
 *   burstable job best-effort ones; a tenant within its guarantee may reclaim capacity from tenants
 *   running above theirs. For every node the cheapest set of victims that makes room is found
 *   (cheapest first by lost work = run time so far × GPUs, then the victims that turn out not to be
 *   needed are given back), and the node whose victims lose the least work wins. Evicted jobs
 *   requeue and restart from the beginning; their run time is counted as lost GPU-hours.</li>
 *   <li><b>Gangs.</b> All workers start together or none does: the fewest nodes that can hold the
 *   gang (largest capacity first), preferring a set inside one site when one site needs no more
 *   nodes; any failure rolls back every worker bound so far. A gang is evicted as a whole.</li>
 *   <li><b>Outages.</b> Nodes go down after their jobs are evicted (a gang with one worker there
 *   loses all workers) and come back when the outage ends.</li>
 * </ul>
 * With {@link Options#check()} every invariant is verified after every event.
 */
public final class Simulation {
    /** A tenant with its quota in milli-GPU; {@code maxMilli} -1 = no maximum. */
    public record Tenant(String name, long guaranteedMilli, long maxMilli, double weight) {
        public Tenant {
            if (guaranteedMilli < 0 || (maxMilli >= 0 && maxMilli < guaranteedMilli) || !(weight > 0)) {
                throw new IllegalArgumentException("tenant " + name + ": guaranteed " + guaranteedMilli + ", max " + maxMilli
                        + ", weight " + weight + "; expected 0 <= guaranteed <= max (or max -1) and weight > 0");
            }
        }

        /** The single tenant of a workload without quotas. */
        public static Tenant unlimited(String name) {
            return new Tenant(name, 0, -1, 1);
        }
    }

    /** Nodes (by index) down from {@code atMs} for {@code durationMs} (-1 = for good). */
    public record Outage(String label, long atMs, long durationMs, int[] nodes) {
        public Outage {
            nodes = nodes.clone();
        }
    }

    /**
     * Run options.
     *
     * @param seed                  seed of the policy's random stream
     * @param horizonMs             stop at this time; -1 = when no event is left
     * @param sampleEveryMs         time-series interval, > 0
     * @param backfill              start smaller jobs behind a blocked head
     * @param backfillMaxHeadWaitMs backfill only while the head has been blocked at most this long
     * @param backfillWindow        how many queued jobs behind the head one pass may look at
     * @param maxWaitMs             reject a job queued longer than this; -1 = never
     * @param preemption            allow evictions by priority and quota reclaim
     * @param check                 verify every invariant after every event (slow; for tests)
     */
    public record Options(long seed, long horizonMs, long sampleEveryMs, boolean backfill, long backfillMaxHeadWaitMs,
                          int backfillWindow, long maxWaitMs, boolean preemption, boolean check) {
        public Options {
            if (sampleEveryMs <= 0) {
                throw new IllegalArgumentException("sample interval " + sampleEveryMs + " ms; expected > 0");
            }
            if (backfillWindow < 0 || backfillMaxHeadWaitMs < 0) {
                throw new IllegalArgumentException("backfill window " + backfillWindow + " and head wait " + backfillMaxHeadWaitMs
                        + " must be >= 0");
            }
        }
    }

    /** Creates the policy profile once the cluster state exists. */
    @FunctionalInterface
    public interface ProfileFactory {
        Profile create(PolicyContext ctx);
    }

    /** Told about simulated time now and then (every 65,536 events and at the end). */
    @FunctionalInterface
    public interface Progress {
        void update(long nowMs, long endMs, long events, long wallNanos);
    }

    private static final byte NOT_ARRIVED = 0;
    private static final byte QUEUED = 1;
    private static final byte RUNNING = 2;
    private static final byte DONE = 3;
    private static final byte REJECTED = 4;
    private static final int CLASSES = PriorityClass.values().length;

    private final String scenario;
    private final String policyLabel;
    private final Fleet fleet;
    private final Workload w;
    private final List<Tenant> tenants;
    private final List<Outage> outages;
    private final Options opt;
    private final ProfileFactory profileFactory;

    // cluster
    private ClusterState state;
    private ClusterState empty;
    private Scheduler scheduler;
    private FragmentationTracker tracker;
    private int[] shapeOfProto;
    private byte[] everFits;
    private final Map<Long, Boolean> gangEverFits = new HashMap<>();
    private long totalCpu;
    private long totalMem;

    // jobs and tasks
    private byte[] jobState;
    private int[] run;
    private long[] start;
    private long[] firstStart;
    private long[] headSince;
    private long[] gangFailEpoch;
    private long[] preemptMemoEpoch;
    private long[] preemptMemoStarts;
    private long[] preemptMemoAt;
    private long[] classCpu;
    private long[] classMem;
    private long[] classGpu;
    private SplittableRandom preemptRng;
    /** After a preemption attempt found no victims, the job does not try again before this time. */
    private long[] preemptRetryAt;
    private int[] preemptBackoff;
    /** First and largest back-off between failed preemption attempts of one job (as kube-scheduler's pod back-off). */
    static final int PREEMPT_BACKOFF_MIN_MS = 1_000;
    static final int PREEMPT_BACKOFF_MAX_MS = 10_000;
    /** Nodes that can make room a preemption looks at, at least (kube-scheduler: 100, or 10 % of the nodes). */
    static final int MIN_PREEMPT_CANDIDATES = 100;
    private long lastStartAt = -1;
    private long[] reclaimedScratch;
    private final long[] startsBelow = new long[CLASSES + 1];
    private int[] taskJob;
    private int[] taskNode;
    private int[] taskMask;
    private int[] nextOnNode;
    private int[] prevOnNode;
    private int[] nodeHead;
    private int[] downCount;

    // queue: per class, per tenant, job ids in arrival order
    private TreeSet<Integer>[][] queue;
    private int queuedJobs;
    private final long[] queuedTasksByClass = new long[CLASSES];

    // tenants
    private long[] usedGpu;
    private long[] usedCpu;
    private long[] usedMem;

    // epochs
    private long capEpoch;
    private long[] shapeFailEpoch;

    // counters
    private long arrivedTasks;
    private long runningTasks;
    private long queuedTasks;
    private long completedTasks;
    private long rejectedTasks;
    private long timedOutTasks;
    private long preemptedTasks;
    private long outageEvictedTasks;
    private long lostPreemptMilliMs;
    private long lostOutageMilliMs;
    private final LongList[] waits = new LongList[CLASSES];
    /** Jobs arriving before this do not count in waits and SLOs; -1 = all count, and unstarted jobs have no wait. */
    private long measureFromMs = -1;

    // integrals
    private long lastT;
    private double allocArea;
    private double fragArea;

    // time series
    private final List<String> columns = new ArrayList<>();
    private final List<DoubleList> series = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    // scratch
    private int[] scratchGpu;
    private int[] candJobs;
    private long[] candCost;
    private long[] candKey = new long[64];
    private boolean[] candChosen = new boolean[64];
    private long[] roomCpu = new long[64];
    private long[] roomMem = new long[64];
    private long[] roomRdma = new long[64];
    private int[] roomGroup = new int[64];
    private int[] roomGpu = new int[64 * NodeSpec.MAX_GPUS];
    private int[] jobCand;
    private long curCpu;
    private long curMem;
    private long curRdma;
    private int curGroup;
    private int curGpus;
    private int[] jobSel;
    private int selStamp;
    private final EventQueue<SimEvent> q = new EventQueue<>();
    private Progress progress = (a, b, c, d) -> { };
    private boolean ran;
    private RegionalRun.Settings regionalSettings = RegionalRun.Settings.DEFAULT;
    /** The multi-region part (two-level placement, ledger, regional books); null on a fleet without regions. */
    private RegionalRun regional;
    /** Workload rule sets (1 without regions): per-shape caches are keyed by proto × rules. */
    private int ruleCount = 1;

    public Simulation(String scenario, String policyLabel, Fleet fleet, Workload workload, List<Tenant> tenants,
                      List<Outage> outages, Options options, ProfileFactory profileFactory) {
        this.scenario = scenario;
        this.policyLabel = policyLabel;
        this.fleet = fleet;
        this.w = workload;
        this.tenants = tenants.isEmpty() ? List.of(Tenant.unlimited("default")) : List.copyOf(tenants);
        this.outages = List.copyOf(outages);
        this.opt = options;
        this.profileFactory = profileFactory;
        if (w.jobs() == 0) {
            throw new IllegalArgumentException("workload " + w.name() + " has no jobs; give it at least one task");
        }
        for (int j = 0; j < w.jobs(); j++) {
            if (w.tenant(j) >= this.tenants.size()) {
                throw new IllegalArgumentException("job " + w.jobName(j) + " names tenant index " + w.tenant(j) + " but there are "
                        + this.tenants.size() + " tenants");
            }
        }
        if (w.hasRules() && fleet.geo() == null) {
            throw new IllegalArgumentException("workload " + w.name() + " has placement rules (origin, residency, latency SLO)"
                    + " but the fleet has no regions; use a regional fleet (fleet kind regional, or no fleet: for the demo fleet)");
        }
        for (Outage o : this.outages) {
            for (int n : o.nodes()) {
                if (n < 0 || n >= fleet.size()) {
                    throw new IllegalArgumentException("outage " + o.label() + ": node index " + n + " outside the fleet of "
                            + fleet.size() + " nodes");
                }
            }
        }
    }

    /**
     * Settings for a multi-region fleet (ignored otherwise): site-level weights, the calendar day of
     * time 0 (months of the economics ledger), and the wait within which a job with a latency SLO
     * must start to count as meeting it.
     */
    public Simulation regional(io.archipelago.core.geo.SiteWeights weights, java.time.LocalDate startDate, long sloWaitMs) {
        this.regionalSettings = new RegionalRun.Settings(weights, startDate, sloWaitMs);
        return this;
    }

    /**
     * Measures service from {@code fromMs} on (for a run with a warm-up): waiting times and SLO attainment
     * count only jobs arriving at or after it, and a job of that window still waiting at the end counts with
     * the wait it has had so far (censored), so a percentile is never flattered by jobs that never started.
     * Without this call every job counts from time 0 and a job that never started has no wait.
     *
     * @throws IllegalArgumentException when {@code fromMs} is negative
     */
    public Simulation measureFrom(long fromMs) {
        if (fromMs < 0) {
            throw new IllegalArgumentException("measureFrom " + fromMs + " ms; expected >= 0");
        }
        this.measureFromMs = fromMs;
        return this;
    }

    /** Where progress reports go (a progress bar in the CLI). */
    public Simulation onProgress(Progress p) {
        this.progress = p;
        return this;
    }

    /** Runs the simulation once and returns its results. */
    public SimResult run() {
        if (ran) {
            throw new IllegalStateException("a Simulation runs once; create a new one to run again");
        }
        ran = true;
        setUp();
        long wallStart = System.nanoTime();
        long endLimit = opt.horizonMs() >= 0 ? opt.horizonMs() : Long.MAX_VALUE;
        long progressEnd = opt.horizonMs() >= 0 ? opt.horizonMs() : Math.max(1, w.lastArrival());
        while (!q.isEmpty() && q.peekTime() <= endLimit) {
            SimEvent e = q.step();
            long now = q.now();
            integrate(now);
            boolean pass = handle(e, now);
            if (pass && queuedJobs > 0) {
                schedulePass(now);
            }
            if (opt.check()) {
                checkInvariants();
            }
            if ((q.steps() & 0xFFFF) == 0) {
                progress.update(now, progressEnd, q.steps(), System.nanoTime() - wallStart);
            }
        }
        long end = opt.horizonMs() >= 0 ? opt.horizonMs() : q.now();
        integrate(end);
        if (series.get(0).size() == 0 || series.get(0).get(series.get(0).size() - 1) < end / 1000.0) {
            sample(end);
        }
        long wall = System.nanoTime() - wallStart;
        progress.update(end, Math.max(end, 1), q.steps(), wall);
        return result(end, wall);
    }

    // ---------------------------------------------------------------- set-up

    @SuppressWarnings("unchecked")
    private void setUp() {
        state = new ClusterState(fleet.nodes());
        empty = new ClusterState(fleet.nodes());
        TargetWorkload target = TargetWorkload.of(w.tasks() == 0 ? w.prototypes() : w.taskView());
        tracker = new FragmentationTracker(state, new Fragmentation(target, fleet.geo() != null));
        SplittableRandom rng = new SplittableRandom(opt.seed());
        scheduler = new Scheduler(state, profileFactory.create(new PolicyContext(state, rng, new Fragmentation(target, fleet.geo() != null))));
        List<TaskSpec> protos = w.prototypes();
        shapeOfProto = new int[protos.size()];
        for (int p = 0; p < protos.size(); p++) {
            shapeOfProto[p] = scheduler.shapeOf(protos.get(p));
        }
        if (fleet.geo() != null) {
            regional = new RegionalRun(fleet.geo(), w, scheduler, regionalSettings);
            ruleCount = regional.ruleCount();
        }
        shapeFailEpoch = new long[protos.size() * ruleCount + 1];
        Arrays.fill(shapeFailEpoch, -1);
        everFits = new byte[protos.size() * ruleCount];
        for (NodeSpec n : fleet.nodes()) {
            totalCpu += n.cpuMilli();
            totalMem += n.memoryMib();
        }
        int jobs = w.jobs();
        int tasks = w.tasks();
        jobState = new byte[jobs];
        run = new int[jobs];
        start = new long[jobs];
        firstStart = new long[jobs];
        Arrays.fill(firstStart, -1);
        headSince = new long[jobs];
        Arrays.fill(headSince, -1);
        gangFailEpoch = new long[jobs];
        Arrays.fill(gangFailEpoch, -1);
        preemptMemoEpoch = new long[jobs];
        Arrays.fill(preemptMemoEpoch, -1);
        preemptMemoStarts = new long[jobs];
        preemptMemoAt = new long[jobs];
        preemptRetryAt = new long[jobs];
        preemptBackoff = new int[jobs];
        taskJob = new int[tasks];
        for (int j = 0; j < jobs; j++) {
            for (int k = 0; k < w.size(j); k++) {
                taskJob[w.firstTask(j) + k] = j;
            }
        }
        jobSel = new int[jobs];
        jobCand = new int[jobs];
        taskNode = new int[tasks];
        Arrays.fill(taskNode, -1);
        taskMask = new int[tasks];
        nextOnNode = new int[tasks];
        prevOnNode = new int[tasks];
        nodeHead = new int[fleet.size()];
        classCpu = new long[fleet.size() * CLASSES];
        classMem = new long[fleet.size() * CLASSES];
        classGpu = new long[fleet.size() * CLASSES];
        preemptRng = new SplittableRandom(opt.seed() ^ 0x9EE3L);
        Arrays.fill(nodeHead, -1);
        downCount = new int[fleet.size()];
        scratchGpu = new int[NodeSpec.MAX_GPUS];
        candJobs = new int[64];
        candCost = new long[64];
        int t = tenants.size();
        queue = new TreeSet[CLASSES][t];
        for (int c = 0; c < CLASSES; c++) {
            for (int k = 0; k < t; k++) {
                queue[c][k] = new TreeSet<>();
            }
        }
        usedGpu = new long[t];
        usedCpu = new long[t];
        usedMem = new long[t];
        reclaimedScratch = new long[t];
        for (int c = 0; c < CLASSES; c++) {
            waits[c] = new LongList();
        }
        for (String col : List.of("time_s", "gpus_available", "gpus_used", "gpu_alloc_pct", "frag_gpus", "frag_pct",
                "tasks_running", "tasks_queued", "queued_latency_sensitive", "queued_burstable", "queued_best_effort")) {
            columns.add(col);
        }
        for (Tenant tn : tenants) {
            columns.add("gpus_" + tn.name());
        }
        if (regional != null) {
            for (io.archipelago.core.geo.Region r : fleet.geo().regions()) {
                columns.add("gpus_used_" + r.id());
            }
        }
        for (int i = 0; i < columns.size(); i++) {
            series.add(new DoubleList());
        }
        // initial events, in a fixed order: first sample, outages, first arrival
        q.schedule(0, SimEvent.Sample.INSTANCE);
        for (int i = 0; i < outages.size(); i++) {
            q.schedule(outages.get(i).atMs(), new SimEvent.OutageStart(i));
        }
        if (w.jobs() > 0) {
            q.schedule(w.arrival(0), new SimEvent.Arrival(0));
        }
    }

    // ---------------------------------------------------------------- events

    /** Handles one event; returns true when a scheduling pass may place something. */
    private boolean handle(SimEvent e, long now) {
        if (e instanceof SimEvent.Arrival a) {
            return arrive(a.job(), now);
        } else if (e instanceof SimEvent.Finish f) {
            int j = f.job();
            if (jobState[j] == RUNNING && run[j] == f.run()) {
                release(j);
                jobState[j] = DONE;
                completedTasks += w.size(j);
                return true;
            }
            return false;
        } else if (e instanceof SimEvent.OutageStart o) {
            outageStart(o.outage(), now);
            return true;
        } else if (e instanceof SimEvent.OutageEnd o) {
            Outage out = outages.get(o.outage());
            for (int n : out.nodes()) {
                if (--downCount[n] == 0) {
                    state.setUp(n, true);
                    if (regional != null) {
                        regional.nodeUp(n, true, now);
                    }
                }
            }
            capEpoch++;
            notes.add(String.format(java.util.Locale.ROOT, "%s: outage %s ends, %d nodes back", hours(now), out.label(),
                    out.nodes().length));
            return true;
        } else if (e instanceof SimEvent.WaitTimeout t) {
            int j = t.job();
            if (jobState[j] == QUEUED && run[j] == t.run()) {
                dequeue(j);
                jobState[j] = REJECTED;
                rejectedTasks += w.size(j);
                timedOutTasks += w.size(j);
                if (regional != null) {
                    regional.rejected(j, false);
                }
                return true; // it may have been the head holding the queue
            }
            return false;
        } else if (e instanceof SimEvent.Sample) {
            sample(now);
            long next = now + opt.sampleEveryMs();
            boolean more = opt.horizonMs() >= 0 ? next <= opt.horizonMs() : !q.isEmpty();
            if (more) {
                q.schedule(next, SimEvent.Sample.INSTANCE);
            }
            return false;
        }
        throw new AssertionError(e);
    }

    private boolean arrive(int j, long now) {
        if (j + 1 < w.jobs()) {
            q.schedule(w.arrival(j + 1), new SimEvent.Arrival(j + 1));
        }
        int size = w.size(j);
        arrivedTasks += size;
        Tenant tn = tenants.get(w.tenant(j));
        long demand = size * w.spec(j).gpuDemandMilli();
        if (regional != null) {
            regional.arrived(j, now, now >= measureFromMs);
        }
        boolean fits = canEverFit(j);
        if (!fits || (tn.maxMilli() >= 0 && demand > tn.maxMilli())) {
            jobState[j] = REJECTED;
            rejectedTasks += size;
            if (regional != null) {
                regional.rejected(j, !fits);
            }
            return false;
        }
        if (queuedJobs == 0 && tryStart(j, now) == Start.STARTED) {
            return false;
        }
        enqueue(j, now);
        return true;
    }

    private void outageStart(int idx, long now) {
        Outage out = outages.get(idx);
        long evictedBefore = outageEvictedTasks;
        for (int n : out.nodes()) {
            if (downCount[n]++ == 0) {
                while (nodeHead[n] >= 0) {
                    int task = nodeHead[n];
                    int j = jobOfTask(task);
                    outageEvictedTasks += w.size(j);
                    lostOutageMilliMs += evict(j, now, true, n);
                }
                state.setUp(n, false);
                if (regional != null) {
                    regional.nodeUp(n, false, now);
                }
            }
        }
        if (out.durationMs() >= 0) {
            q.schedule(now + out.durationMs(), new SimEvent.OutageEnd(idx));
        }
        notes.add(String.format(java.util.Locale.ROOT, "%s: outage %s, %d nodes down%s, %d tasks evicted", hours(now), out.label(),
                out.nodes().length, out.durationMs() >= 0 ? " for " + hours(out.durationMs()) : " for good",
                outageEvictedTasks - evictedBefore));
    }

    private static String hours(long ms) {
        return String.format(java.util.Locale.ROOT, "%.2f h", ms / 3_600_000.0);
    }

    // ---------------------------------------------------------------- queue

    private void enqueue(int j, long now) {
        jobState[j] = QUEUED;
        queue[w.priorityOrdinal(j)][w.tenant(j)].add(j);
        queuedJobs++;
        queuedTasks += w.size(j);
        queuedTasksByClass[w.priorityOrdinal(j)] += w.size(j);
        if (opt.maxWaitMs() >= 0) {
            q.schedule(now + opt.maxWaitMs(), new SimEvent.WaitTimeout(j, run[j]));
        }
    }

    private void dequeue(int j) {
        if (!queue[w.priorityOrdinal(j)][w.tenant(j)].remove(j)) {
            throw new IllegalStateException("job " + w.jobName(j) + " is not in the queue");
        }
        queuedJobs--;
        queuedTasks -= w.size(j);
        queuedTasksByClass[w.priorityOrdinal(j)] -= w.size(j);
    }

    /** Weighted dominant share of tenant {@code t}. */
    private double share(int t) {
        double avail = state.availableGpuMilli();
        double s = 0;
        if (avail > 0) {
            s = usedGpu[t] / avail;
        }
        if (totalCpu > 0) {
            s = Math.max(s, (double) usedCpu[t] / totalCpu);
        }
        if (totalMem > 0) {
            s = Math.max(s, (double) usedMem[t] / totalMem);
        }
        return s / tenants.get(t).weight();
    }

    /** Tenant order for class {@code c}: lowest weighted dominant share first, then index; skips empty and blocked. */
    private int[] tenantOrder(int c, boolean[] blocked) {
        int n = 0;
        int[] order = new int[tenants.size()];
        for (int t = 0; t < tenants.size(); t++) {
            if (!blocked[t] && !queue[c][t].isEmpty()) {
                order[n++] = t;
            }
        }
        if (n > 1) {
            double[] s = new double[tenants.size()];
            for (int i = 0; i < n; i++) {
                s[order[i]] = share(order[i]);
            }
            // insertion sort: few tenants
            for (int i = 1; i < n; i++) {
                int x = order[i];
                int k = i - 1;
                while (k >= 0 && (s[order[k]] > s[x] || (s[order[k]] == s[x] && order[k] > x))) {
                    order[k + 1] = order[k];
                    k--;
                }
                order[k + 1] = x;
            }
        }
        return Arrays.copyOf(order, n);
    }

    private enum Start { STARTED, CAPACITY, QUOTA }

    private void schedulePass(long now) {
        boolean[] blocked = new boolean[tenants.size()];
        while (queuedJobs > 0) {
            int head = -1;
            for (int c = CLASSES - 1; c >= 0 && head < 0; c--) {
                int[] order = tenantOrder(c, blocked);
                if (order.length > 0) {
                    head = queue[c][order[0]].first();
                }
            }
            if (head < 0) {
                return; // every waiting tenant is at its maximum
            }
            dequeue(head);
            Start s = tryStart(head, now);
            if (s == Start.STARTED) {
                continue;
            }
            requeueSilently(head);
            if (s == Start.QUOTA) {
                blocked[w.tenant(head)] = true;
                continue;
            }
            if (headSince[head] < 0) {
                headSince[head] = now;
            }
            if (opt.preemption() && tryPreempt(head, now)) {
                continue;
            }
            if (opt.backfill() && now - headSince[head] <= opt.backfillMaxHeadWaitMs()) {
                backfill(head, now, blocked);
            }
            if (regional != null && regional.geo.sites().size() > 1) {
                spillOver(head, now, blocked);
            }
            return;
        }
    }

    /**
     * On a multi-region fleet a blocked head holds only the sites its rules allow: jobs further back
     * may start on the other sites. Walks the queue in order from the head (at most
     * {@code 8 × backfillWindow} jobs), skipping jobs whose allowed sites are all held; a job that
     * cannot start and has been blocked longer than the backfill bound holds its sites too. Stops when
     * every site is held. On one site this is exactly "the head holds the queue".
     */
    private void spillOver(int head, long now, boolean[] blocked) {
        regional.held = regional.holdScratch;
        Arrays.fill(regional.holdScratch, false);
        try {
            if (regional.hold(head) == 0) {
                return;
            }
            List<Integer> cands = new ArrayList<>();
            int limit = Math.max(1, opt.backfillWindow()) * 8;
            outer:
            for (int c = CLASSES - 1; c >= 0; c--) {
                for (int t : tenantOrder(c, blocked)) {
                    for (int j : queue[c][t]) {
                        if (j != head && regional.hasFreeSite(j)) {
                            cands.add(j);
                            if (cands.size() >= limit) {
                                break outer;
                            }
                        }
                    }
                }
            }
            int tried = 0;
            for (int j : cands) {
                if (!regional.hasFreeSite(j)) {
                    continue;
                }
                if (tried++ >= Math.max(1, opt.backfillWindow())) {
                    break;
                }
                dequeue(j);
                Start st = tryStart(j, now);
                if (st == Start.STARTED) {
                    continue;
                }
                requeueSilently(j);
                if (st == Start.CAPACITY && opt.preemption() && tryPreempt(j, now)) {
                    continue;
                }
                if (st == Start.CAPACITY) {
                    if (headSince[j] < 0) {
                        headSince[j] = now;
                    }
                    if (now - headSince[j] > opt.backfillMaxHeadWaitMs() && regional.hold(j) == 0) {
                        return;
                    }
                }
            }
        } finally {
            regional.held = null;
        }
    }

    /** Puts a job taken out by the pass back without a new timeout (it never left the queue logically). */
    private void requeueSilently(int j) {
        jobState[j] = QUEUED;
        queue[w.priorityOrdinal(j)][w.tenant(j)].add(j);
        queuedJobs++;
        queuedTasks += w.size(j);
        queuedTasksByClass[w.priorityOrdinal(j)] += w.size(j);
    }

    private void backfill(int head, long now, boolean[] blocked) {
        long headGpu = w.size(head) * w.spec(head).gpuDemandMilli();
        long headCpu = (long) w.size(head) * w.spec(head).cpuMilli();
        int looked = 0;
        List<Integer> toTry = new ArrayList<>();
        outer:
        for (int c = CLASSES - 1; c >= 0; c--) {
            for (int t : tenantOrder(c, blocked)) {
                for (Iterator<Integer> it = queue[c][t].iterator(); it.hasNext(); ) {
                    int j = it.next();
                    if (j == head) {
                        continue;
                    }
                    if (looked++ >= opt.backfillWindow()) {
                        break outer;
                    }
                    long g = w.size(j) * w.spec(j).gpuDemandMilli();
                    long cpu = (long) w.size(j) * w.spec(j).cpuMilli();
                    if (g < headGpu || (g == headGpu && cpu < headCpu)) {
                        toTry.add(j);
                    }
                }
            }
        }
        for (int j : toTry) {
            dequeue(j);
            if (tryStart(j, now) != Start.STARTED) {
                requeueSilently(j);
            }
        }
    }

    // ---------------------------------------------------------------- start, release, evict

    private Start tryStart(int j, long now) {
        TaskSpec spec = w.spec(j);
        int size = w.size(j);
        int t = w.tenant(j);
        Tenant tn = tenants.get(t);
        long demand = size * spec.gpuDemandMilli();
        if (tn.maxMilli() >= 0 && usedGpu[t] + demand > tn.maxMilli()) {
            return Start.QUOTA;
        }
        int p = w.proto(j);
        int base = w.firstTask(j);
        if (size == 1) {
            int key = p * ruleCount + (regional != null ? w.rulesIndex(j) : 0);
            if (shapeFailEpoch[key] == capEpoch) {
                return Start.CAPACITY;
            }
            int node = regional != null ? regional.place(j, spec, shapeOfProto[p]) : scheduler.place(spec, shapeOfProto[p]);
            if (node < 0) {
                if (regional == null || regional.held == null) {
                    shapeFailEpoch[key] = capEpoch;
                }
                return Start.CAPACITY;
            }
            bound(base, node, scheduler.lastGpuMask());
        } else {
            if (gangFailEpoch[j] == capEpoch) {
                return Start.CAPACITY;
            }
            if (!placeGang(j)) {
                if (regional == null || regional.held == null) {
                    gangFailEpoch[j] = capEpoch;
                }
                return Start.CAPACITY;
            }
        }
        started(j, now);
        return Start.STARTED;
    }

    /** Books the start of job {@code j}, whose workers are bound: state, wait, tenant usage, its finish. */
    private void started(int j, long now) {
        TaskSpec spec = w.spec(j);
        int size = w.size(j);
        int t = w.tenant(j);
        jobState[j] = RUNNING;
        start[j] = now;
        lastStartAt = now;
        headSince[j] = -1;
        if (firstStart[j] < 0) {
            firstStart[j] = now;
            if (w.arrival(j) >= measureFromMs) {
                waits[w.priorityOrdinal(j)].add(now - w.arrival(j));
            }
        }
        usedGpu[t] += size * spec.gpuDemandMilli();
        usedCpu[t] += (long) size * spec.cpuMilli();
        usedMem[t] += size * spec.memoryMib();
        runningTasks += size;
        countStart(w.priorityOrdinal(j));
        long d = w.duration(j);
        if (d >= 0) {
            q.schedule(now + d, new SimEvent.Finish(j, run[j]));
        }
        if (regional != null) {
            regional.started(j, taskNode[w.firstTask(j)], now);
        }
    }

    private void bound(int task, int node, int mask) {
        if (regional != null) {
            regional.bound(taskJob[task], node, q.now());
        }
        taskNode[task] = node;
        taskMask[task] = mask;
        classUsage(node, taskJob[task], +1);
        int h = nodeHead[node];
        nextOnNode[task] = h;
        prevOnNode[task] = -1;
        if (h >= 0) {
            prevOnNode[h] = task;
        }
        nodeHead[node] = task;
    }

    /** Keeps, per node and class, the CPU, memory and GPU held (the upper bound of what eviction can free). */
    private void classUsage(int node, int job, int sign) {
        TaskSpec spec = w.spec(job);
        int i = node * CLASSES + w.priorityOrdinal(job);
        classCpu[i] += sign * spec.cpuMilli();
        classMem[i] += sign * spec.memoryMib();
        classGpu[i] += sign * spec.gpuDemandMilli();
    }

    /**
     * Quick test: could {@code t} fit on {@code n} if every job of class {@code <= maxClass} there
     * were evicted, counting GPU capacity in total (not per GPU)? False rules the node out.
     */
    private boolean mightFitAfterEviction(int n, TaskSpec t, int maxClass) {
        long cpu = state.cpuFree(n);
        long mem = state.memFree(n);
        long gpu = state.gpuFreeTotal(n);
        for (int c = 0; c <= maxClass; c++) {
            int i = n * CLASSES + c;
            cpu += classCpu[i];
            mem += classMem[i];
            gpu += classGpu[i];
        }
        return cpu >= t.cpuMilli() && mem >= t.memoryMib() && gpu >= t.gpuDemandMilli() && state.gpuCount(n) >= t.gpuCount();
    }

    private void unbound(int task) {
        int node = taskNode[task];
        if (regional != null) {
            regional.unbound(taskJob[task], node, q.now());
        }
        classUsage(node, taskJob[task], -1);
        int nx = nextOnNode[task];
        int pv = prevOnNode[task];
        if (pv >= 0) {
            nextOnNode[pv] = nx;
        } else {
            nodeHead[node] = nx;
        }
        if (nx >= 0) {
            prevOnNode[nx] = pv;
        }
        taskNode[task] = -1;
    }

    /** Unbinds every worker of running job {@code j} and returns its tenant's usage. */
    private void release(int j) {
        if (regional != null) {
            regional.ran(j, start[j], q.now());
        }
        TaskSpec spec = w.spec(j);
        int base = w.firstTask(j);
        int size = w.size(j);
        for (int k = 0; k < size; k++) {
            int task = base + k;
            state.unbind(taskNode[task], spec, taskMask[task]);
            unbound(task);
        }
        int t = w.tenant(j);
        usedGpu[t] -= size * spec.gpuDemandMilli();
        usedCpu[t] -= (long) size * spec.cpuMilli();
        usedMem[t] -= size * spec.memoryMib();
        runningTasks -= size;
        capEpoch++;
    }

    /** Evicts running job {@code j}, requeues it, and returns the work lost in milli-GPU × ms. */
    private long evict(int j, long now, boolean outage) {
        return evict(j, now, outage, taskNode[w.firstTask(j)]);
    }

    /**
     * Same, booked to {@code node}'s site: for an outage, the node that goes down, which for a gang
     * spanning sites need not be in the site of its first worker.
     */
    private long evict(int j, long now, boolean outage, int node) {
        if (regional != null) {
            regional.evicted(j, regional.siteOf(node), outage, now);
        }
        release(j);
        long lost = (now - start[j]) * w.size(j) * w.spec(j).gpuDemandMilli();
        run[j]++;
        enqueue(j, now);
        return lost;
    }

    private int jobOfTask(int task) {
        return taskJob[task];
    }

    // ---------------------------------------------------------------- feasibility

    private boolean canEverFit(int j) {
        int p = w.proto(j);
        int size = w.size(j);
        TaskSpec spec = w.spec(j);
        int rule = regional != null ? w.rulesIndex(j) : 0;
        if (size == 1) {
            int key = p * ruleCount + rule;
            if (everFits[key] == 0) {
                boolean ok = false;
                for (int n = 0; n < empty.nodeCount() && !ok; n++) {
                    ok = (regional == null || regional.allowsIgnoringHolds(j, n)) && Filters.resourceFit().filter(empty, n, spec) == Reason.FITS;
                }
                everFits[key] = (byte) (ok ? 1 : 2);
            }
            return everFits[key] == 1;
        }
        long key = (((long) p * ruleCount + rule) << 32) | size;
        return gangEverFits.computeIfAbsent(key, k -> {
            long sum = 0;
            for (int n = 0; n < empty.nodeCount() && sum < size; n++) {
                if (regional == null || regional.allowsIgnoringHolds(j, n)) {
                    sum += workersFit(empty, n, spec);
                }
            }
            return sum >= size;
        });
    }

    /** How many workers of shape {@code t} node {@code n} can take now. */
    static int workersFit(ClusterState s, int n, TaskSpec t) {
        if (Filters.checkAvailable(s, n, t) != Reason.FITS || Filters.checkModel(s, n, t) != Reason.FITS) {
            return 0;
        }
        long k = 1 << 20;
        if (t.cpuMilli() > 0) {
            k = Math.min(k, s.cpuFree(n) / t.cpuMilli());
        }
        if (t.memoryMib() > 0) {
            k = Math.min(k, s.memFree(n) / t.memoryMib());
        }
        if (t.rdma() > 0) {
            k = Math.min(k, s.rdmaFree(n) / t.rdma());
        }
        if (t.maxPerNode() > 0) {
            k = Math.min(k, t.maxPerNode() - s.groupCount(n, t.group()));
        }
        if (t.gpuCount() > 0) {
            if (s.gpuCount(n) == 0) {
                return 0;
            }
            long g;
            if (t.isSharing()) {
                g = 0;
                for (int x = 0; x < s.gpuCount(n); x++) {
                    g += s.gpuFree(n, x) / t.gpuMilli();
                }
            } else {
                g = s.fullFreeGpus(n) / t.gpuCount();
            }
            k = Math.min(k, g);
        }
        return (int) Math.max(0, k);
    }

    // ---------------------------------------------------------------- gangs

    private boolean placeGang(int j) {
        TaskSpec spec = w.spec(j);
        int size = w.size(j);
        int n = state.nodeCount();
        int[] cap = new int[n];
        List<Integer> cands = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < n; i++) {
            cap[i] = regional == null || regional.allows(j, i) ? workersFit(state, i, spec) : 0;
            if (cap[i] > 0) {
                cands.add(i);
                total += cap[i];
            }
        }
        if (total < size) {
            return false;
        }
        cands.sort((a, b) -> cap[a] != cap[b] ? Integer.compare(cap[b], cap[a]) : Integer.compare(a, b));
        int globalCount = greedyCount(cands, cap, size, -1);
        List<Integer> chosen = null;
        for (int site = 0; site < fleet.siteNames().size() && chosen == null; site++) {
            if (greedyCount(cands, cap, size, site) == globalCount) {
                chosen = greedyNodes(cands, cap, size, site);
            }
        }
        if (chosen == null) {
            chosen = greedyNodes(cands, cap, size, -1);
        }
        int base = w.firstTask(j);
        int placed = 0;
        for (int node : chosen) {
            int take = Math.min(cap[node], size - placed);
            for (int k = 0; k < take; k++) {
                if (scheduler.placeOn(spec, node) != Reason.FITS) {
                    // capacity arithmetic and the filters disagree: roll back every worker bound so far
                    for (int r = 0; r < placed; r++) {
                        state.unbind(taskNode[base + r], spec, taskMask[base + r]);
                        unbound(base + r);
                    }
                    return false;
                }
                bound(base + placed, node, scheduler.lastGpuMask());
                placed++;
            }
        }
        if (placed != size) {
            throw new IllegalStateException("gang " + w.jobName(j) + ": placed " + placed + " of " + size + " workers");
        }
        return true;
    }

    private int greedyCount(List<Integer> cands, int[] cap, int size, int site) {
        long sum = 0;
        int count = 0;
        for (int i : cands) {
            if (site >= 0 && fleet.site()[i] != site) {
                continue;
            }
            sum += cap[i];
            count++;
            if (sum >= size) {
                return count;
            }
        }
        return Integer.MAX_VALUE;
    }

    private List<Integer> greedyNodes(List<Integer> cands, int[] cap, int size, int site) {
        List<Integer> out = new ArrayList<>();
        long sum = 0;
        for (int i : cands) {
            if (site >= 0 && fleet.site()[i] != site) {
                continue;
            }
            out.add(i);
            sum += cap[i];
            if (sum >= size) {
                break;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- preemption

    /** Starts of jobs below each class: startsBelow[c] counts starts of classes < c; the last entry counts all. */
    private void countStart(int cls) {
        for (int c = cls + 1; c <= CLASSES; c++) {
            startsBelow[c]++;
        }
    }

    /**
     * A job may be evicted for {@code head} if it runs, did not start at this very instant (so that
     * evictions at one instant cannot cycle), and is of a lower class, or, for a head whose tenant is
     * within its guarantee, belongs to another tenant that stays at or above its own guarantee
     * without it and is of the head's class or lower ({@link #tryPreempt} keeps the tenant there
     * when it reclaims several of its jobs at once).
     */
    private boolean eligibleVictim(int v, int head, boolean reclaim, long now) {
        if (jobState[v] != RUNNING || start[v] == now) {
            return false;
        }
        if (w.priorityOrdinal(v) < w.priorityOrdinal(head)) {
            return true;
        }
        if (reclaim && w.priorityOrdinal(v) <= w.priorityOrdinal(head)) {
            int tv = w.tenant(v);
            if (tv != w.tenant(head)) {
                long dv = w.size(v) * w.spec(v).gpuDemandMilli();
                return dv > 0 && usedGpu[tv] - dv >= tenants.get(tv).guaranteedMilli();
            }
        }
        return false;
    }

    private boolean tryPreempt(int head, long now) {
        if (w.size(head) != 1) {
            return false; // gangs wait for capacity; they are never placed by eviction
        }
        TaskSpec t = w.spec(head);
        int th = w.tenant(head);
        long headDemand = t.gpuDemandMilli();
        boolean reclaim = usedGpu[th] + headDemand <= tenants.get(th).guaranteedMilli() && headDemand > 0;
        if (w.priorityOrdinal(head) == 0 && !reclaim) {
            return false;
        }
        // an attempt can only turn out differently after a release, after a possible victim started,
        // or, if a job started at the instant of the attempt (no victim then), once time moved on
        long starts = reclaim ? startsBelow[CLASSES] : startsBelow[w.priorityOrdinal(head)];
        if (preemptMemoEpoch[head] == capEpoch && preemptMemoStarts[head] == starts
                && (preemptMemoAt[head] < 0 || preemptMemoAt[head] == now)) {
            return false;
        }
        if (now < preemptRetryAt[head]) {
            return false;
        }
        preemptMemoEpoch[head] = capEpoch;
        preemptMemoStarts[head] = starts;
        preemptMemoAt[head] = lastStartAt == now ? now : -1;
        int bestNode = -1;
        long bestCost = Long.MAX_VALUE;
        int bestCount = Integer.MAX_VALUE;
        int[] bestVictims = new int[0];
        int nodes = state.nodeCount();
        int maxClass = reclaim ? w.priorityOrdinal(head) : w.priorityOrdinal(head) - 1;
        // as kube-scheduler's default preemption: look at nodes from a random offset and stop after
        // max(100, 10 %) nodes that can make room, then take the cheapest of those
        int enough = Math.max(MIN_PREEMPT_CANDIDATES, nodes / 10);
        int found = 0;
        int offset = nodes > enough ? preemptRng.nextInt(nodes) : 0;
        for (int step = 0; step < nodes && found < enough; step++) {
            int n = offset + step < nodes ? offset + step : offset + step - nodes;
            if (!state.isUp(n) || nodeHead[n] < 0 || (regional != null && !regional.allows(head, n))
                    || !mightFitAfterEviction(n, t, maxClass)
                    || Filters.checkModel(state, n, t) != Reason.FITS) {
                continue;
            }
            int m = collectVictims(n, head, reclaim, now, t);
            if (m == 0) {
                continue;
            }
            // with every candidate gone, does the head fit?
            resetRoom(n, t);
            for (int i = 0; i < m; i++) {
                addRoom(i, +1);
            }
            if (!roomFits(t)) {
                continue;
            }
            found++;
            // cheapest first (ties: order on the node's list), as packed keys cost << 20 | index
            for (int i = 0; i < m; i++) {
                candKey[i] = (Math.min(candCost[i], (1L << 43) - 1) << 20) | i;
            }
            Arrays.sort(candKey, 0, m);
            resetRoom(n, t);
            if (reclaim) {
                Arrays.fill(reclaimedScratch, 0);
            }
            boolean fits = false;
            int k = 0;
            while (k < m && !fits) {
                int i = (int) (candKey[k++] & 0xFFFFF);
                int v = candJobs[i];
                candChosen[i] = false;
                if (reclaim && w.priorityOrdinal(v) >= w.priorityOrdinal(head)) {
                    // reclaimed, not outranked: its tenant must stay at or above its guarantee without all of them
                    int tv = w.tenant(v);
                    long dv = w.size(v) * w.spec(v).gpuDemandMilli();
                    if (usedGpu[tv] - reclaimedScratch[tv] - dv < tenants.get(tv).guaranteedMilli()) {
                        continue;
                    }
                    reclaimedScratch[tv] += dv;
                }
                candChosen[i] = true;
                addRoom(i, +1);
                fits = roomFits(t);
            }
            if (!fits) {
                continue;
            }
            // give back victims that are not needed, most expensive first
            for (int r = k - 1; r >= 0; r--) {
                int i = (int) (candKey[r] & 0xFFFFF);
                if (!candChosen[i]) {
                    continue;
                }
                addRoom(i, -1);
                if (roomFits(t)) {
                    candChosen[i] = false;
                } else {
                    addRoom(i, +1);
                }
            }
            long cost = 0;
            int count = 0;
            for (int r = 0; r < k; r++) {
                int i = (int) (candKey[r] & 0xFFFFF);
                if (candChosen[i]) {
                    cost += candCost[i];
                    count++;
                }
            }
            if (cost < bestCost || (cost == bestCost && count < bestCount)) {
                bestCost = cost;
                bestCount = count;
                bestNode = n;
                bestVictims = new int[count];
                int x = 0;
                for (int r = 0; r < k; r++) {
                    int i = (int) (candKey[r] & 0xFFFFF);
                    if (candChosen[i]) {
                        bestVictims[x++] = candJobs[i];
                    }
                }
            }
        }
        if (bestNode < 0) {
            // a sweep costs O(nodes + running tasks): back off before the next one
            int b = preemptBackoff[head] == 0 ? PREEMPT_BACKOFF_MIN_MS : Math.min(PREEMPT_BACKOFF_MAX_MS, preemptBackoff[head] * 2);
            preemptBackoff[head] = b;
            preemptRetryAt[head] = now + b;
            return false;
        }
        preemptBackoff[head] = 0;
        preemptRetryAt[head] = 0;
        Arrays.sort(bestVictims);
        for (int v : bestVictims) {
            preemptedTasks += w.size(v);
            lostPreemptMilliMs += evict(v, now, false);
        }
        dequeue(head);
        Reason r = scheduler.placeOn(t, bestNode);
        if (r != Reason.FITS) {
            throw new IllegalStateException("preemption made room for " + w.jobName(head) + " on " + state.name(bestNode)
                    + " but the filters say: " + r.text());
        }
        int p = w.proto(head);
        bound(w.firstTask(head), bestNode, scheduler.lastGpuMask());
        started(head, now);
        shapeFailEpoch[p * ruleCount + (regional != null ? w.rulesIndex(head) : 0)] = -1;
        return true;
    }

    /**
     * Collects the distinct jobs on node {@code n} that may be evicted for {@code head}, with their
     * lost work and what evicting each would give back on this node; returns how many.
     */
    private int collectVictims(int n, int head, boolean reclaim, long now, TaskSpec t) {
        int m = 0;
        selStamp++;
        for (int task = nodeHead[n]; task >= 0; task = nextOnNode[task]) {
            int v = taskJob[task];
            if (jobSel[v] == selStamp) {
                continue;
            }
            jobSel[v] = selStamp;
            if (!eligibleVictim(v, head, reclaim, now)) {
                jobCand[v] = -1;
                continue;
            }
            if (m == candJobs.length) {
                int cap = m * 2;
                candJobs = Arrays.copyOf(candJobs, cap);
                candCost = Arrays.copyOf(candCost, cap);
                candKey = Arrays.copyOf(candKey, cap);
                candChosen = Arrays.copyOf(candChosen, cap);
                roomCpu = Arrays.copyOf(roomCpu, cap);
                roomMem = Arrays.copyOf(roomMem, cap);
                roomRdma = Arrays.copyOf(roomRdma, cap);
                roomGroup = Arrays.copyOf(roomGroup, cap);
                roomGpu = Arrays.copyOf(roomGpu, cap * NodeSpec.MAX_GPUS);
            }
            jobCand[v] = m;
            candJobs[m] = v;
            candCost[m] = (now - start[v]) * Math.max(1, w.size(v) * w.spec(v).gpuDemandMilli());
            roomCpu[m] = 0;
            roomMem[m] = 0;
            roomRdma[m] = 0;
            roomGroup[m] = 0;
            Arrays.fill(roomGpu, m * NodeSpec.MAX_GPUS, m * NodeSpec.MAX_GPUS + state.gpuCount(n), 0);
            m++;
        }
        int g = state.gpuCount(n);
        for (int task = nodeHead[n]; task >= 0; task = nextOnNode[task]) {
            int v = taskJob[task];
            int i = jobCand[v];
            if (i < 0) {
                continue;
            }
            TaskSpec s = w.spec(v);
            roomCpu[i] += s.cpuMilli();
            roomMem[i] += s.memoryMib();
            roomRdma[i] += s.rdma();
            if (t.maxPerNode() > 0 && s.group() == t.group()) {
                roomGroup[i]++;
            }
            int mask = taskMask[task];
            for (int x = 0; x < g; x++) {
                if ((mask & (1 << x)) != 0) {
                    roomGpu[i * NodeSpec.MAX_GPUS + x] += s.gpuMilli();
                }
            }
        }
        return m;
    }

    private void resetRoom(int n, TaskSpec t) {
        curCpu = state.cpuFree(n);
        curMem = state.memFree(n);
        curRdma = state.rdmaFree(n);
        curGroup = t.maxPerNode() > 0 ? state.groupCount(n, t.group()) : 0;
        curGpus = state.gpuCount(n);
        for (int x = 0; x < curGpus; x++) {
            scratchGpu[x] = state.gpuFree(n, x);
        }
    }

    private void addRoom(int i, int sign) {
        curCpu += sign * roomCpu[i];
        curMem += sign * roomMem[i];
        curRdma += sign * roomRdma[i];
        curGroup -= sign * roomGroup[i];
        int base = i * NodeSpec.MAX_GPUS;
        for (int x = 0; x < curGpus; x++) {
            scratchGpu[x] += sign * roomGpu[base + x];
        }
    }

    private boolean roomFits(TaskSpec t) {
        if (curCpu < t.cpuMilli() || curMem < t.memoryMib() || (t.rdma() > 0 && curRdma < t.rdma())
                || (t.maxPerNode() > 0 && curGroup >= t.maxPerNode())) {
            return false;
        }
        if (t.gpuCount() == 0) {
            return true;
        }
        int ok = 0;
        for (int x = 0; x < curGpus; x++) {
            if (scratchGpu[x] >= t.gpuMilli()) {
                ok++;
            }
        }
        return ok >= t.gpuCount();
    }

    // ---------------------------------------------------------------- metrics

    private void integrate(long now) {
        long dt = now - lastT;
        if (dt > 0) {
            long avail = state.availableGpuMilli();
            if (avail > 0) {
                allocArea += dt * ((double) state.usedGpuMilli() / avail);
            }
            fragArea += dt * tracker.ratio();
            lastT = now;
        }
    }

    private void sample(long now) {
        int i = 0;
        long avail = state.availableGpuMilli();
        series.get(i++).add(now / 1000.0);
        series.get(i++).add(avail / 1000.0);
        series.get(i++).add(state.usedGpuMilli() / 1000.0);
        series.get(i++).add(avail > 0 ? 100.0 * state.usedGpuMilli() / avail : 0);
        series.get(i++).add(tracker.amount() / 1000.0);
        series.get(i++).add(100.0 * tracker.ratio());
        series.get(i++).add(runningTasks);
        series.get(i++).add(queuedTasks);
        series.get(i++).add(queuedTasksByClass[PriorityClass.LATENCY_SENSITIVE.ordinal()]);
        series.get(i++).add(queuedTasksByClass[PriorityClass.BURSTABLE.ordinal()]);
        series.get(i++).add(queuedTasksByClass[PriorityClass.BEST_EFFORT.ordinal()]);
        for (int t = 0; t < tenants.size(); t++) {
            series.get(i++).add(usedGpu[t] / 1000.0);
        }
        if (regional != null) {
            for (long used : regional.regionUsedMilli) {
                series.get(i++).add(used / 1000.0);
            }
        }
    }

    private SimResult result(long end, long wallNanos) {
        double[][] cols = new double[series.size()][];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = series.get(i).toArray();
        }
        if (measureFromMs >= 0) {
            for (int j = 0; j < w.jobs(); j++) {
                if (jobState[j] == QUEUED && firstStart[j] < 0 && w.arrival(j) >= measureFromMs && w.arrival(j) <= end) {
                    waits[w.priorityOrdinal(j)].add(end - w.arrival(j));
                }
            }
        }
        long[][] w8 = new long[CLASSES][];
        for (int c = 0; c < CLASSES; c++) {
            w8[c] = waits[c].toArray();
            Arrays.sort(w8[c]);
        }
        SimResult r = new SimResult(scenario, policyLabel, opt.seed(), fleet.size(), fleet.gpus(), end, arrivedTasks, completedTasks,
                runningTasks, queuedTasks, rejectedTasks, timedOutTasks, q.steps(), wallNanos,
                end > 0 ? 100.0 * allocArea / end : 0, end > 0 ? 100.0 * fragArea / end : 0, w8, preemptedTasks,
                outageEvictedTasks, lostPreemptMilliMs / 1000.0 / 3_600_000.0, lostOutageMilliMs / 1000.0 / 3_600_000.0,
                List.copyOf(columns), cols, tenants, List.copyOf(notes));
        if (regional == null) {
            return r;
        }
        long from = Math.max(0, measureFromMs);
        return r.withRegional(regional.stats(end, j -> jobState[j] == QUEUED, j -> jobState[j] == RUNNING, start, from),
                regional.closeLedger(end));
    }

    // ---------------------------------------------------------------- invariants

    private void checkInvariants() {
        state.checkInvariants();
        long arrived = 0;
        long running = 0;
        long queued = 0;
        long done = 0;
        long rejected = 0;
        long[] gpu = new long[tenants.size()];
        int inQueue = 0;
        for (int c = 0; c < CLASSES; c++) {
            for (int t = 0; t < tenants.size(); t++) {
                inQueue += queue[c][t].size();
                for (int j : queue[c][t]) {
                    if (jobState[j] != QUEUED) {
                        throw new IllegalStateException("job " + w.jobName(j) + " is in the queue but in state " + jobState[j]);
                    }
                }
            }
        }
        for (int j = 0; j < w.jobs(); j++) {
            int size = w.size(j);
            int base = w.firstTask(j);
            int bound = 0;
            for (int k = 0; k < size; k++) {
                if (taskNode[base + k] >= 0) {
                    bound++;
                    if (regional != null) {
                        regional.checkPlacement(j, taskNode[base + k]);
                    }
                    if (!state.isUp(taskNode[base + k])) {
                        throw new IllegalStateException("task " + (base + k) + " runs on node " + state.name(taskNode[base + k])
                                + ", which is down");
                    }
                }
            }
            switch (jobState[j]) {
                case NOT_ARRIVED:
                    break;
                case QUEUED:
                    queued += size;
                    break;
                case RUNNING:
                    running += size;
                    gpu[w.tenant(j)] += size * w.spec(j).gpuDemandMilli();
                    break;
                case DONE:
                    done += size;
                    break;
                case REJECTED:
                    rejected += size;
                    break;
                default:
                    throw new IllegalStateException("job " + w.jobName(j) + " in unknown state " + jobState[j]);
            }
            if (jobState[j] != NOT_ARRIVED) {
                arrived += size;
            }
            int expect = jobState[j] == RUNNING ? size : 0;
            if (bound != expect) {
                throw new IllegalStateException("gang all-or-nothing violated: job " + w.jobName(j) + " in state " + jobState[j]
                        + " has " + bound + " of " + size + " workers bound");
            }
        }
        if (arrived != arrivedTasks || running != runningTasks || queued != queuedTasks || done != completedTasks
                || rejected != rejectedTasks || arrived != running + queued + done + rejected) {
            throw new IllegalStateException("task states do not add up: arrived " + arrived + "/" + arrivedTasks + ", running "
                    + running + "/" + runningTasks + ", queued " + queued + "/" + queuedTasks + ", completed " + done + "/"
                    + completedTasks + ", rejected " + rejected + "/" + rejectedTasks);
        }
        int queuedJobCount = 0;
        for (int j = 0; j < w.jobs(); j++) {
            if (jobState[j] == QUEUED) {
                queuedJobCount++;
            }
        }
        if (queuedJobCount != inQueue || inQueue != queuedJobs) {
            throw new IllegalStateException("queue holds " + inQueue + " jobs, " + queuedJobCount + " are in state queued, counter "
                    + queuedJobs);
        }
        for (int t = 0; t < tenants.size(); t++) {
            if (gpu[t] != usedGpu[t]) {
                throw new IllegalStateException("tenant " + tenants.get(t).name() + ": usage " + usedGpu[t] + " milli but its running"
                        + " jobs hold " + gpu[t]);
            }
            long max = tenants.get(t).maxMilli();
            if (max >= 0 && usedGpu[t] > max) {
                throw new IllegalStateException("tenant " + tenants.get(t).name() + " uses " + usedGpu[t] + " milli-GPU, above its"
                        + " maximum " + max);
            }
        }
        long listed = 0;
        for (int n = 0; n < nodeHead.length; n++) {
            int c = 0;
            for (int task = nodeHead[n]; task >= 0; task = nextOnNode[task]) {
                if (taskNode[task] != n) {
                    throw new IllegalStateException("task " + task + " is listed on node " + n + " but bound to " + taskNode[task]);
                }
                c++;
            }
            if (c != state.taskCount(n)) {
                throw new IllegalStateException("node " + state.name(n) + " lists " + c + " tasks, the cluster state counts "
                        + state.taskCount(n));
            }
            listed += c;
        }
        if (listed != runningTasks) {
            throw new IllegalStateException(listed + " tasks listed on nodes but " + runningTasks + " running");
        }
    }
}

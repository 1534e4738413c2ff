package io.archipelago.server.live;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.geo.Region;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.Site;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.geo.TwoLevelPlacer;
import io.archipelago.core.policy.PolicyContext;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.server.api.ApiException;
import io.archipelago.server.api.JobRequest;
import io.archipelago.server.api.JobRequestParser;
import io.archipelago.server.auth.Principal;
import io.archipelago.server.store.JobStore;
import io.archipelago.server.store.JobStore.EventRow;
import io.archipelago.server.store.JobStore.JobRow;
import io.archipelago.sim.engine.PriorityClass;
import io.archipelago.sim.econ.Ledger;
import io.archipelago.sim.econ.LedgerResult;
import io.archipelago.sim.engine.Simulation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The live scheduler: one thread owns the cluster state and the same placement engine as the simulator
 * ({@link Scheduler} under a {@link TwoLevelPlacer}), driven by the real clock.
 *
 * <h2>Cycle</h2>
 * API threads hand commands to a bounded inbox and wait on a future. The engine thread takes whatever
 * is waiting (up to {@link Settings#maxBatch()}), fires due timers (virtual nodes finishing their tasks,
 * node agents missing heartbeats), applies the commands in arrival order, runs a scheduling pass, then
 * writes every change of the cycle to the database in <b>one transaction</b> (group commit). Only after
 * that commit returns are the futures completed: a job is acknowledged only once it, and its placement,
 * are durable. If a commit fails, every command of the cycle is answered 503 and the in-memory state is
 * rebuilt from the database, which is the truth.
 *
 * <h2>Recovery</h2>
 * On start, every queued or running job is read back in id order; running jobs are re-bound to exactly
 * the node and GPUs recorded ({@link ClusterState#bind} checks capacity, so a GPU can never be allocated
 * twice: a conflicting job would be requeued and counted in {@link #recoveryConflicts()}).
 *
 * <h2>Queue</h2>
 * Three priority classes, each in submission order. A pass tries each queued job once; after a job fails,
 * others with the same shape, rules, tier and gang size are skipped in that pass (nothing freed in
 * between, so they would fail too). When nothing was freed since the last pass, only new arrivals are
 * tried. Jobs behind a blocked one may start first (backfill); preemption is not done live (yet).
 */
public final class LiveEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param acceleration    virtual time runs this many times faster than the wall clock (durations are divided by it)
     * @param maxBatch        most commands in one cycle (one transaction)
     * @param inboxCapacity   commands waiting beyond this are refused with 503 (back-pressure)
     * @param heartbeatTimeoutMs an agent node silent this long is marked down and its jobs requeued
     * @param idempotencyRetentionMs idempotency keys are remembered this long
     */
    public record Settings(double acceleration, int maxBatch, int inboxCapacity, long heartbeatTimeoutMs, long idempotencyRetentionMs) {
        public Settings {
            if (!(acceleration >= 1 && acceleration <= 1_000_000)) {
                throw new IllegalArgumentException("acceleration " + acceleration + ": expected 1..1000000 (1 = real time)");
            }
            if (maxBatch < 1 || inboxCapacity < maxBatch) {
                throw new IllegalArgumentException("maxBatch " + maxBatch + ", inbox " + inboxCapacity + ": expected 1 <= maxBatch <= inbox");
            }
            if (heartbeatTimeoutMs < 100) {
                throw new IllegalArgumentException("heartbeat timeout " + heartbeatTimeoutMs + " ms: expected >= 100");
            }
        }

        public static Settings defaults() {
            return new Settings(1, 1024, 32_768, 30_000, 24 * 3_600_000L);
        }

        public Settings withAcceleration(double a) {
            return new Settings(a, maxBatch, inboxCapacity, heartbeatTimeoutMs, idempotencyRetentionMs);
        }

        public Settings withHeartbeatTimeout(long ms) {
            return new Settings(acceleration, maxBatch, inboxCapacity, ms, idempotencyRetentionMs);
        }
    }

    /** The answer to a submission: the job as committed, and whether it was a replay of an earlier request. */
    public record Submitted(JobView job, boolean replayed) {
    }

    /** What a node agent is told to run. */
    public record Assignment(long job, int task, List<Integer> gpus, String state) {
    }

    /** Operator actions on one node. */
    public enum NodeAction { CORDON, UNCORDON, DRAIN }

    private final RegionalFleet geo;
    private final RegionalFleet.Layout layout;
    private final SiteWeights weights;
    private final Simulation.ProfileFactory profileFactory;
    private final TargetWorkload target;
    private final JobStore store;
    private final JobRequestParser parser;
    private final LongSupplier clock;
    private final Settings settings;
    private final EngineMetrics metrics;
    private final BlockingQueue<Command> inbox;
    private final Map<String, Integer> nodeIndex = new HashMap<>();
    private final int nodeCount;

    // ---- engine-thread state (rebuilt by recover()) ----
    private ClusterState state;
    private Scheduler scheduler;
    private TwoLevelPlacer placer;
    private Fragmentation fragmentation;
    private final Map<Long, LiveJob> active = new HashMap<>();
    @SuppressWarnings("unchecked")
    private final TreeMap<Long, LiveJob>[] queues = new TreeMap[PriorityClass.values().length];
    private final List<LiveJob> arrivals = new ArrayList<>();
    private final PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    private final Map<String, long[]> idempotency = new HashMap<>();
    private final Map<String, String> idempotencyHash = new HashMap<>();
    private final ArrayDeque<Object[]> idempotencyOrder = new ArrayDeque<>();
    /**
     * Most idempotency keys held in memory (about 300 bytes each). Beyond it the oldest are forgotten here and a
     * key not found in memory is looked up in the database (its unique index), so retries stay exact at any rate.
     */
    static final int MAX_REMEMBERED_KEYS = 1_000_000;
    /** {@link #MAX_REMEMBERED_KEYS}, unless system property {@code archipelago.idempotency.memory} says otherwise (tests). */
    private final int rememberedKeys = Integer.getInteger("archipelago.idempotency.memory", MAX_REMEMBERED_KEYS);
    private boolean idempotencyTruncated;
    private List<List<LiveJob>> onNode;
    private boolean[] siteDown;
    private boolean[] agent;
    private boolean[] agentDown;
    private long[] lastHeartbeat;
    private boolean[] onlySite;
    private long nextId;
    private boolean freed;
    private int recoveryConflicts;
    private final Set<Long> failedKeys = new HashSet<>();

    // ---- the current cycle ----
    private final LinkedHashSet<LiveJob> touched = new LinkedHashSet<>();
    private final List<EventRow> events = new ArrayList<>();
    private final List<JobStore.NodeRow> nodeRows = new ArrayList<>();
    private final List<JobStore.SiteRow> siteRows = new ArrayList<>();
    private final List<Runnable> replies = new ArrayList<>();

    private final Thread thread;
    private volatile boolean running;
    private volatile boolean ready;
    private volatile Snapshot snapshot;
    private long lastSnapshot;
    /** Tenants whose jobs changed in a committed cycle, until {@link #takeChangedTenants} takes them. */
    private final Set<String> changedTenants = ConcurrentHashMap.newKeySet();

    /**
     * @param profileFactory the node-level policy (e.g. FGD) on a fresh cluster state
     * @param target         the target workload FGD measures fragmentation against (also used for the metrics)
     * @param clock          epoch milliseconds (injected for tests)
     */
    public LiveEngine(RegionalFleet geo, SiteWeights weights, Simulation.ProfileFactory profileFactory, TargetWorkload target,
                      JobStore store, JobRequestParser parser, LongSupplier clock, Settings settings, EngineMetrics metrics) {
        this.geo = geo;
        this.layout = geo.layout();
        this.weights = weights;
        this.profileFactory = profileFactory;
        this.target = target;
        this.store = store;
        this.parser = parser;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.inbox = new ArrayBlockingQueue<>(settings.inboxCapacity());
        this.nodeCount = layout.nodes().size();
        for (int i = 0; i < nodeCount; i++) {
            nodeIndex.put(layout.nodes().get(i).name(), i);
        }
        for (int c = 0; c < queues.length; c++) {
            queues[c] = new TreeMap<>();
        }
        this.thread = new Thread(this::loop, "archipelago-engine");
        this.thread.setDaemon(true);
    }

    /** Rebuilds the state from the database and starts the engine thread. */
    public void start() {
        recover();
        running = true;
        ready = true;
        thread.start();
    }

    public boolean ready() {
        return ready && running;
    }

    public RegionalFleet fleet() {
        return geo;
    }

    public Settings settings() {
        return settings;
    }

    /** Jobs whose recorded allocation could not be restored on the last recovery (0 unless state was corrupt). */
    public int recoveryConflicts() {
        return recoveryConflicts;
    }

    /**
     * The tenants some of whose jobs changed (submitted, placed, ended, requeued) in a committed cycle since the last
     * call, sorted; thread-safe. A change committed while this runs is reported by this call or the next, never lost.
     */
    public List<String> takeChangedTenants() {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = changedTenants.iterator(); it.hasNext(); ) {
            out.add(it.next());
            it.remove();
        }
        out.sort(null);
        return out;
    }

    /** The latest fleet snapshot (refreshed about once a second and after operator actions). */
    public Snapshot snapshot() {
        return snapshot;
    }

    // ------------------------------------------------------------------ API (any thread)

    public CompletableFuture<Submitted> submit(Principal p, String tenant, JobRequest r, String idemKey, String idemHash) {
        return send(new Command.Submit(p, tenant, r, idemKey, idemHash, new CompletableFuture<>()));
    }

    public CompletableFuture<JobView> cancel(Principal p, long id) {
        return send(new Command.Cancel(p, id, new CompletableFuture<>()));
    }

    public CompletableFuture<Snapshot.NodeStatus> node(String node, NodeAction a) {
        return send(new Command.Node(node, a, new CompletableFuture<>()));
    }

    public CompletableFuture<Snapshot.SiteStatus> site(String site, boolean down) {
        return send(new Command.SiteDown(site, down, new CompletableFuture<>()));
    }

    /** Where the job would go now, and why, without placing it. */
    public CompletableFuture<TwoLevelPlacer.Explanation> dryRun(JobRequest r) {
        return send(new Command.DryRun(r, new CompletableFuture<>()));
    }

    /** Why a queued job waits (its explanation now), or null if it is not queued. */
    public CompletableFuture<TwoLevelPlacer.Explanation> explainQueued(long id) {
        return send(new Command.ExplainQueued(id, new CompletableFuture<>()));
    }

    /** Registers ({@code register}) or heartbeats a node agent; answers the node's assignments. */
    public CompletableFuture<List<Assignment>> agent(String node, boolean register) {
        return send(new Command.Agent(node, register, new CompletableFuture<>()));
    }

    /** A node agent reports a task started ({@code finished == false}) or finished with {@code ok}. */
    public CompletableFuture<JobView> report(String node, long job, int task, boolean finished, boolean ok) {
        return send(new Command.Report(node, job, task, finished, ok, new CompletableFuture<>()));
    }

    /** Per-node detail of one site (computed on the engine thread). */
    public CompletableFuture<List<Snapshot.NodeStatus>> nodes(String site) {
        return send(new Command.Nodes(site, new CompletableFuture<>()));
    }

    private <T> CompletableFuture<T> send(Command c) {
        @SuppressWarnings("unchecked")
        CompletableFuture<T> f = (CompletableFuture<T>) c.future();
        if (!running) {
            f.completeExceptionally(new ApiException(503, "unavailable", null, "the scheduler is stopped; retry later"));
        } else if (!inbox.offer(c)) {
            metrics.rejectedBusy();
            f.completeExceptionally(new ApiException(503, "overloaded", null, "the scheduler's queue is full ("
                    + settings.inboxCapacity() + " requests waiting); retry with backoff"));
        }
        return f;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Command> left = new ArrayList<>();
        inbox.drainTo(left);
        for (Command c : left) {
            c.future().completeExceptionally(new ApiException(503, "unavailable", null, "the server is shutting down; retry later"));
        }
    }

    // ------------------------------------------------------------------ engine thread

    private void loop() {
        List<Command> cmds = new ArrayList<>(settings.maxBatch());
        while (running) {
            try {
                long wait = Math.max(0, Math.min(250, nextDue() - clock.getAsLong()));
                Command first = inbox.poll(wait, TimeUnit.MILLISECONDS);
                if (first != null) {
                    cmds.add(first);
                    inbox.drainTo(cmds, settings.maxBatch() - 1);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
            cycle(cmds);
            cmds.clear();
        }
    }

    private long nextDue() {
        long[] d = due.peek();
        return d == null ? Long.MAX_VALUE : d[0];
    }

    /** One cycle: timers, commands, a scheduling pass, one commit, then the answers. */
    void cycle(List<Command> cmds) {
        long now = clock.getAsLong();
        long t0 = System.nanoTime();
        try {
            fireTimers(now);
            for (Command c : cmds) {
                apply(c, now);
            }
            schedulePass(now);
            JobStore.Batch batch = batch();
            long c0 = System.nanoTime();
            store.commit(batch);
            if (!batch.isEmpty()) {
                metrics.committed(System.nanoTime() - c0, cmds.size());
            }
            for (LiveJob j : touched) {
                changedTenants.add(j.tenant);
                j.persisted = true;
                if (j.state.terminal()) {
                    active.remove(j.id);
                }
            }
            for (Runnable r : replies) {
                r.run();
            }
        } catch (RuntimeException | Error e) {
            LOG.atError().setCause(e).addKeyValue("commands", cmds.size()).log("engine cycle failed; answering 503 and rebuilding the state from the database");
            for (Command c : cmds) {
                c.future().completeExceptionally(new ApiException(503, "unavailable", null,
                        "the request could not be made durable; nothing was stored, retry (with the same Idempotency-Key)"));
            }
            rebuildAfterFailure();
        } finally {
            touched.clear();
            events.clear();
            nodeRows.clear();
            siteRows.clear();
            replies.clear();
        }
        if (now - lastSnapshot >= 1000) {
            refreshSnapshot(now);
        }
        metrics.cycle(System.nanoTime() - t0);
    }

    private void rebuildAfterFailure() {
        ready = false;
        while (running) {
            try {
                recover();
                ready = true;
                return;
            } catch (RuntimeException e) {
                LOG.atError().setCause(e).log("cannot rebuild the state from the database; retrying in 1 s");
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private JobStore.Batch batch() {
        List<JobRow> ins = new ArrayList<>();
        List<JobRow> upd = new ArrayList<>();
        for (LiveJob j : touched) {
            JobRow r = row(j);
            (j.persisted ? upd : ins).add(r);
        }
        return new JobStore.Batch(ins, upd, new ArrayList<>(events), new ArrayList<>(nodeRows), new ArrayList<>(siteRows));
    }

    private JobRow row(LiveJob j) {
        if (j.nodes == null) {
            return j.row(null, null, null);
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < j.nodes.length; k++) {
            if (k > 0) {
                b.append(',');
            }
            b.append(state.name(j.nodes[k])).append(':').append(j.masks[k]);
        }
        Site s = geo.sites().get(j.site);
        return j.row(s.region(), s.name(), b.toString());
    }

    private JobView view(LiveJob j) {
        return row(j).view();
    }

    private void apply(Command c, long now) {
        try {
            if (c instanceof Command.Submit s) {
                submit(s, now);
            } else if (c instanceof Command.Cancel x) {
                cancel(x, now);
            } else if (c instanceof Command.Node n) {
                nodeAction(n, now);
            } else if (c instanceof Command.SiteDown s) {
                siteAction(s, now);
            } else if (c instanceof Command.DryRun d) {
                TwoLevelPlacer.Explanation x = placer.explain(d.request().task("dry-run"), placer.rules(d.request().rules()), d.request().tier());
                replies.add(() -> d.future().complete(x));
            } else if (c instanceof Command.ExplainQueued e) {
                LiveJob j = active.get(e.id());
                TwoLevelPlacer.Explanation x = j == null || j.state != JobState.QUEUED ? null : placer.explain(j.task, j.rulesId, j.tier);
                replies.add(() -> e.future().complete(x));
            } else if (c instanceof Command.Agent a) {
                agentCommand(a, now);
            } else if (c instanceof Command.Report r) {
                reportCommand(r, now);
            } else if (c instanceof Command.Nodes n) {
                List<Snapshot.NodeStatus> x = nodeStatuses(site(n.site()));
                replies.add(() -> n.future().complete(x));
            } else {
                throw new IllegalStateException("unknown command " + c);
            }
        } catch (ApiException e) {
            c.future().completeExceptionally(e);
        }
    }

    // ---- jobs

    private void submit(Command.Submit s, long now) {
        String idemMapKey = null;
        if (s.idemKey() != null) {
            idemMapKey = s.tenant() + '\n' + s.idemKey();
            long[] prior = idempotency.get(idemMapKey);
            String priorHash = prior == null ? null : idempotencyHash.get(idemMapKey);
            if (prior == null && idempotencyTruncated) {
                // older keys than memory holds may still be within the retention: the database decides
                JobStore.IdemRow row = store.findIdempotency(s.tenant(), s.idemKey()).orElse(null);
                if (row != null && row.submittedAt() >= now - settings.idempotencyRetentionMs()) {
                    prior = new long[] {row.jobId(), row.submittedAt()};
                    priorHash = row.requestHash();
                }
            }
            if (prior != null) {
                if (!priorHash.equals(s.idemHash())) {
                    throw new ApiException(409, "idempotency-key-reused", "Idempotency-Key", "Idempotency-Key '" + s.idemKey()
                            + "' was first used for a different request (job " + prior[0] + "); use a new key for a new job");
                }
                replay(s, prior[0]);
                return;
            }
        }
        JobRequest r = s.request();
        long id = ++nextId;
        TaskSpec task = r.task("j" + id);
        LiveJob j = new LiveJob(id, s.tenant(), r, r.toJson().toString(), s.idemKey(), s.idemHash(), now, task, scheduler.shapeOf(task),
                placer.rules(r.rules()));
        active.put(id, j);
        if (idemMapKey != null) {
            remember(idemMapKey, s.idemHash(), id, now);
        }
        if (!s.principal().name().equals(s.tenant())) {
            // the submission itself is the job row; an event is only written when someone else submitted for the tenant
            event(j, now, "submitted", "by " + s.principal().name());
        } else {
            j.eventSeq = 1; // seq 1 is the submission, shown from the job row (see ApiServer#events)
            touched.add(j);
        }
        enqueue(j);
        arrivals.add(j);
        metrics.submitted();
        LiveJob job = j;
        replyLater(() -> s.future().complete(new Submitted(view(job), false)), job);
    }

    /**
     * Answers after the commit with the job's state as committed. The view is taken now (after the
     * cycle's scheduling pass, see {@link #cycle}), so replies are built in {@link #replyLater}.
     */
    private void replyLater(Runnable r, LiveJob j) {
        replies.add(r);
        touched.add(j);
    }

    private void replay(Command.Submit s, long id) {
        LiveJob j = active.get(id);
        if (j != null) {
            replies.add(() -> s.future().complete(new Submitted(view(j), true)));
            return;
        }
        JobView v = store.find(id).map(JobRow::view).orElse(null);
        if (v == null) {
            throw new ApiException(409, "idempotency-key-reused", "Idempotency-Key", "Idempotency-Key '" + s.idemKey()
                    + "' belongs to job " + id + ", which is no longer stored; use a new key");
        }
        replies.add(() -> s.future().complete(new Submitted(v, true)));
    }

    private void remember(String key, String hash, long id, long now) {
        idempotency.put(key, new long[] {id, now});
        idempotencyHash.put(key, hash);
        idempotencyOrder.addLast(new Object[] {key, now});
        while (idempotencyOrder.size() > rememberedKeys) {
            String k = (String) idempotencyOrder.pollFirst()[0];
            idempotency.remove(k);
            idempotencyHash.remove(k);
            idempotencyTruncated = true;
        }
        long horizon = now - settings.idempotencyRetentionMs();
        while (!idempotencyOrder.isEmpty() && (long) idempotencyOrder.peekFirst()[1] < horizon) {
            String k = (String) idempotencyOrder.pollFirst()[0];
            long[] v = idempotency.get(k);
            if (v != null && v[1] < horizon) {
                idempotency.remove(k);
                idempotencyHash.remove(k);
            }
        }
    }

    private void cancel(Command.Cancel x, long now) {
        LiveJob j = active.get(x.id());
        if (j == null || !(x.principal().isOperator() || j.tenant.equals(x.principal().name()))) {
            JobRow r = j != null ? null : store.find(x.id()).orElse(null);
            if (r != null && (x.principal().isOperator() || r.tenant().equals(x.principal().name()))) {
                throw new ApiException(409, "already-ended", null, "job " + x.id() + " already " + r.state().label() + "; nothing to cancel");
            }
            throw ApiException.notFound("job " + x.id() + " not found (or not yours)");
        }
        if (j.state == JobState.QUEUED) {
            queues[j.priority].remove(j.id);
        } else {
            release(j);
        }
        finish(j, JobState.CANCELLED, now, "cancelled by " + x.principal().name());
        replyLater(() -> x.future().complete(view(j)), j);
    }

    private void enqueue(LiveJob j) {
        j.state = JobState.QUEUED;
        queues[j.priority].put(j.id, j);
    }

    private void finish(LiveJob j, JobState end, long now, String why) {
        j.state = end;
        j.finishedAt = now;
        j.dueAt = null;
        j.reason = why;
        touched.add(j);
        event(j, now, end.label(), why);
        metrics.finished(end);
    }

    private void event(LiveJob j, long now, String kind, String detail) {
        events.add(new EventRow(j.id, ++j.eventSeq, now, kind, detail));
        touched.add(j);
    }

    /** Frees a running job's resources (state unchanged; the caller sets it). */
    private void release(LiveJob j) {
        for (int k = 0; k < j.nodes.length; k++) {
            state.unbind(j.nodes[k], j.task, j.masks[k]);
            onNode.get(j.nodes[k]).remove(j);
        }
        j.nodes = null;
        j.masks = null;
        j.done = null;
        j.site = -1;
        j.startedAt = null;
        freed = true;
    }

    private void requeue(LiveJob j, long now, String why) {
        release(j);
        j.dueAt = null;
        j.reason = why;
        j.decision = null;
        enqueue(j);
        event(j, now, "requeued", why);
        metrics.requeued();
    }

    /** Tries to place every queued job that could have become placeable. */
    private void schedulePass(long now) {
        if (!freed && arrivals.isEmpty()) {
            return;
        }
        failedKeys.clear();
        if (freed) {
            for (int c = queues.length - 1; c >= 0; c--) {
                for (Iterator<LiveJob> it = queues[c].values().iterator(); it.hasNext(); ) {
                    LiveJob j = it.next();
                    if (!failedKeys.contains(j.fitKey) && tryPlace(j, now)) {
                        it.remove();
                    }
                }
            }
        } else {
            arrivals.sort((a, b) -> a.priority != b.priority ? Integer.compare(b.priority, a.priority) : Long.compare(a.id, b.id));
            for (LiveJob j : arrivals) {
                if (j.state == JobState.QUEUED && !failedKeys.contains(j.fitKey) && tryPlace(j, now)) {
                    queues[j.priority].remove(j.id);
                }
            }
        }
        freed = false;
        arrivals.clear();
    }

    /** Places all of a job's tasks (preferring one site) or none; true when placed. */
    private boolean tryPlace(LiveJob j, long now) {
        long t0 = System.nanoTime();
        int g = j.gang();
        int[] nodes = new int[g];
        int[] masks = new int[g];
        int placed = 0;
        String decision = null;
        for (int k = 0; k < g; k++) {
            int node;
            if (k == 0) {
                node = placer.place(j.task, j.shape, j.rulesId, j.tier);
                if (node >= 0) {
                    decision = decision(node);
                }
            } else {
                onlySite[nodes[0] < 0 ? 0 : placer.siteOf(nodes[0])] = false;
                node = placer.place(j.task, j.shape, j.rulesId, j.tier, onlySite);
                onlySite[placer.siteOf(nodes[0])] = true;
                if (node < 0) {
                    node = placer.place(j.task, j.shape, j.rulesId, j.tier);
                }
            }
            if (node < 0) {
                break;
            }
            nodes[k] = node;
            masks[k] = scheduler.lastGpuMask();
            placed++;
        }
        metrics.decision(System.nanoTime() - t0);
        if (placed < g) {
            for (int k = 0; k < placed; k++) {
                state.unbind(nodes[k], j.task, masks[k]);
            }
            failedKeys.add(j.fitKey);
            if (j.reason == null) {
                j.reason = placed == 0 ? "waiting: no site its rules allow has room now" : "waiting: room for " + placed + " of its "
                        + g + " tasks only";
                touched.add(j);
            }
            return false;
        }
        j.nodes = nodes;
        j.masks = masks;
        j.site = placer.siteOf(nodes[0]);
        j.state = JobState.RUNNING;
        j.attempts++;
        j.epoch++;
        j.startedAt = now;
        j.reason = null;
        j.decision = decision;
        boolean virtual = true;
        for (int k = 0; k < g; k++) {
            onNode.get(nodes[k]).add(j);
            virtual &= !agent[nodes[k]];
        }
        if (!virtual) {
            j.done = new boolean[g];
            j.anyFailed = false;
        }
        long d = j.request.durationS();
        j.dueAt = virtual && d > 0 ? now + Math.max(1, (long) Math.ceil(d * 1000.0 / settings.acceleration())) : null;
        if (j.dueAt != null) {
            due.add(new long[] {j.dueAt, j.id, j.epoch});
        }
        event(j, now, "placed", decision);
        metrics.placed(j.priority);
        return true;
    }

    /** The decision summary of the last placement (cheap: from the placer's last selection). */
    private String decision(int node) {
        int s = placer.lastSite();
        StringBuilder b = new StringBuilder("placed on ").append(state.name(node)).append(" in ").append(geo.sites().get(s).name())
                .append(" (").append(geo.sites().get(s).region()).append("): site score ").append(placer.lastTotal())
                .append(", best of ").append(placer.lastCandidates()).append(" candidate site")
                .append(placer.lastCandidates() == 1 ? "" : "s").append(" its rules allow");
        if (placer.runnerUpSite() >= 0) {
            b.append("; runner-up ").append(geo.sites().get(placer.runnerUpSite()).name()).append(" scored ").append(placer.runnerUpTotal());
        }
        return b.toString();
    }

    private void fireTimers(long now) {
        while (!due.isEmpty() && due.peek()[0] <= now) {
            long[] d = due.poll();
            LiveJob j = active.get(d[1]);
            if (j == null || j.state != JobState.RUNNING || j.epoch != d[2]) {
                continue;
            }
            release(j);
            finish(j, JobState.SUCCEEDED, now, "finished after its declared duration");
        }
        for (int i = 0; i < nodeCount; i++) {
            if (agent[i] && !agentDown[i] && now - lastHeartbeat[i] > settings.heartbeatTimeoutMs()) {
                agentDown[i] = true;
                evictNode(i, now, "node " + state.name(i) + " missed heartbeats for " + settings.heartbeatTimeoutMs() + " ms");
                state.setUp(i, false);
                LOG.atWarn().addKeyValue("node", state.name(i)).log("node agent missed heartbeats; node marked down, its jobs requeued");
            }
        }
    }

    private void evictNode(int node, long now, String why) {
        List<LiveJob> jobs = new ArrayList<>(onNode.get(node));
        for (LiveJob j : jobs) {
            if (j.state == JobState.RUNNING) {
                requeue(j, now, why);
            }
        }
    }

    // ---- operator

    private int node(String name) {
        Integer i = nodeIndex.get(name);
        if (i == null) {
            throw ApiException.notFound("node '" + clip(name) + "' is not in fleet " + geo.name() + "; list a site's nodes with GET /api/v1/sites/{site}/nodes");
        }
        return i;
    }

    private int site(String name) {
        int s = geo.siteIndex(name);
        if (s < 0) {
            throw ApiException.notFound("site '" + clip(name) + "' is not in fleet " + geo.name() + "; sites: "
                    + String.join(", ", geo.sites().stream().map(Site::name).toList()));
        }
        return s;
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private void nodeAction(Command.Node c, long now) {
        int i = node(c.node());
        switch (c.action()) {
            case CORDON -> state.setCordoned(i, true);
            case UNCORDON -> {
                state.setCordoned(i, false);
                freed = true;
            }
            case DRAIN -> {
                state.setCordoned(i, true);
                evictNode(i, now, "node " + c.node() + " drained by an operator");
            }
        }
        nodeRows.add(new JobStore.NodeRow(state.name(i), state.isCordoned(i), agent[i], now));
        LOG.atInfo().addKeyValue("node", c.node()).addKeyValue("action", c.action().name().toLowerCase()).log("operator node action");
        replies.add(() -> c.future().complete(nodeStatus(i)));
        lastSnapshot = 0;
    }

    private void siteAction(Command.SiteDown c, long now) {
        int s = site(c.site());
        if (siteDown[s] != c.down()) {
            siteDown[s] = c.down();
            for (int i = layout.from(s); i < layout.to(s); i++) {
                if (c.down()) {
                    evictNode(i, now, "site " + c.site() + " taken down by an operator");
                    state.setUp(i, false);
                } else if (!agentDown[i]) {
                    state.setUp(i, true);
                    freed = true;
                }
            }
            LOG.atInfo().addKeyValue("site", c.site()).addKeyValue("down", c.down()).log("operator site action");
        }
        siteRows.add(new JobStore.SiteRow(c.site(), c.down(), now));
        replies.add(() -> c.future().complete(siteStatus(s, allocatedByPoolAndTier(), now)));
        lastSnapshot = 0;
    }

    // ---- node agents

    private void agentCommand(Command.Agent a, long now) {
        int i = node(a.node());
        if (!a.register() && !agent[i]) {
            throw new ApiException(409, "not-registered", null, "node " + a.node() + " has no registered agent; POST .../register first");
        }
        if (a.register() && !agent[i]) {
            agent[i] = true;
            nodeRows.add(new JobStore.NodeRow(a.node(), state.isCordoned(i), true, now));
            LOG.atInfo().addKeyValue("node", a.node()).log("node agent registered");
        }
        lastHeartbeat[i] = now;
        if (agentDown[i]) {
            agentDown[i] = false;
            if (!siteDown[layout.siteOfNode()[i]]) {
                state.setUp(i, true);
                freed = true;
            }
            LOG.atInfo().addKeyValue("node", a.node()).log("node agent back; node up");
        }
        List<Assignment> out = new ArrayList<>();
        for (LiveJob j : onNode.get(i)) {
            for (int k = 0; k < j.nodes.length; k++) {
                if (j.nodes[k] == i) {
                    out.add(new Assignment(j.id, k, JobView.gpus(j.masks[k]), j.done != null && j.done[k] ? "finished" : "run"));
                }
            }
        }
        replies.add(() -> a.future().complete(out));
    }

    private void reportCommand(Command.Report r, long now) {
        int i = node(r.node());
        LiveJob j = active.get(r.job());
        if (!agent[i]) {
            throw new ApiException(409, "not-registered", null, "node " + r.node() + " has no registered agent; POST .../register first");
        }
        if (j == null || j.state != JobState.RUNNING || r.task() < 0 || r.task() >= j.nodes.length || j.nodes[r.task()] != i) {
            throw new ApiException(409, "not-assigned", "task", "task " + r.task() + " of job " + r.job() + " is not running on node "
                    + r.node() + "; ask the heartbeat for this node's assignments");
        }
        if (!r.finished()) {
            event(j, now, "started", "task " + r.task() + " started on " + r.node());
        } else if (j.done != null && !j.done[r.task()]) {
            j.done[r.task()] = true;
            j.anyFailed |= !r.ok();
            event(j, now, "task-ended", "task " + r.task() + (r.ok() ? " succeeded" : " failed") + " on " + r.node());
            boolean all = true;
            for (boolean b : j.done) {
                all &= b;
            }
            if (all) {
                boolean failed = j.anyFailed;
                release(j);
                finish(j, failed ? JobState.FAILED : JobState.SUCCEEDED, now, failed ? "a task failed" : "every task succeeded");
            }
        }
        replyLater(() -> r.future().complete(view(j)), j);
    }

    // ---- status

    private Snapshot.NodeStatus nodeStatus(int i) {
        int[] gpus = new int[state.gpuCount(i)];
        for (int g = 0; g < gpus.length; g++) {
            gpus[g] = ClusterState.GPU_MILLI - state.gpuFree(i, g);
        }
        NodeSpec spec = state.spec(i);
        String st = !state.isUp(i) ? "down" : state.isCordoned(i) ? "cordoned" : "ready";
        return new Snapshot.NodeStatus(spec.name(), geo.sites().get(layout.siteOfNode()[i]).name(), st, agent[i],
                spec.gpuModel() < 0 || spec.gpuCount() == 0 ? "" : io.archipelago.core.model.GpuModels.nameOf(spec.gpuModel()),
                spec.cpuMilli() - state.cpuFree(i), spec.cpuMilli(), spec.memoryMib() - state.memFree(i), spec.memoryMib(),
                List.of(Arrays.stream(gpus).boxed().toArray(Integer[]::new)), state.taskCount(i),
                state.isUp(i) ? fragmentation.nodeFrag(state, i) / ClusterState.GPU_MILLI : 0);
    }

    private List<Snapshot.NodeStatus> nodeStatuses(int s) {
        List<Snapshot.NodeStatus> out = new ArrayList<>();
        for (int i = layout.from(s); i < layout.to(s); i++) {
            out.add(nodeStatus(i));
        }
        return out;
    }

    /** Allocated milli-GPU of running jobs, per pool and tier: [pool × tiers + tier]. O(running tasks). */
    private long[] allocatedByPoolAndTier() {
        int tiers = Tier.values().length;
        long[] alloc = new long[geo.pools().size() * tiers];
        for (LiveJob j : active.values()) {
            if (j.state != JobState.RUNNING || j.nodes == null) {
                continue;
            }
            long milli = (long) j.task.gpuCount() * j.task.gpuMilli();
            for (int node : j.nodes) {
                alloc[layout.poolOfNode()[node] * tiers + j.tier.ordinal()] += milli;
            }
        }
        return alloc;
    }

    private Snapshot.SiteStatus siteStatus(int s, long[] allocByPoolTier, long now) {
        long cap = 0;
        long used = 0;
        long up = 0;
        double frag = 0;
        int nodesUp = 0;
        int cordoned = 0;
        int[] poolUp = new int[geo.pools().size()];
        Set<LiveJob> jobs = new HashSet<>();
        for (int i = layout.from(s); i < layout.to(s); i++) {
            long g = (long) state.gpuCount(i) * ClusterState.GPU_MILLI;
            cap += g;
            used += g - state.gpuFreeTotal(i);
            if (state.isUp(i)) {
                up += g;
                nodesUp++;
                poolUp[layout.poolOfNode()[i]]++;
                frag += fragmentation.nodeFrag(state, i);
            }
            if (state.isCordoned(i)) {
                cordoned++;
            }
            jobs.addAll(onNode.get(i));
        }
        Site site = geo.sites().get(s);
        boolean open = !Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalDate().isBefore(site.opens());
        int tiers = Tier.values().length;
        double revenue = 0;
        double cost = 0;
        for (int p = 0; p < geo.pools().size(); p++) {
            if (!geo.pools().get(p).site().equals(site.name())) {
                continue;
            }
            long[] byTier = Arrays.copyOfRange(allocByPoolTier, p * tiers, (p + 1) * tiers);
            LedgerResult.Figures f = Ledger.hourly(geo, p, byTier, poolUp[p], open);
            revenue += f.revenueUsd();
            cost += f.costUsd();
        }
        return new Snapshot.SiteStatus(site.name(), site.region(), siteDown[s], layout.to(s) - layout.from(s), nodesUp, cordoned,
                cap / 1000.0, used / 1000.0, up == 0 ? 0 : used / (double) up, frag / 1000.0, jobs.size(), revenue, cost);
    }

    private void refreshSnapshot(long now) {
        lastSnapshot = now;
        long[] alloc = allocatedByPoolAndTier();
        List<Snapshot.SiteStatus> sites = new ArrayList<>();
        for (int s = 0; s < geo.sites().size(); s++) {
            sites.add(siteStatus(s, alloc, now));
        }
        Map<String, Integer> queued = new LinkedHashMap<>();
        Map<String, Integer> byOrigin = new LinkedHashMap<>();
        for (Region r : geo.regions()) {
            byOrigin.put(r.id(), 0);
        }
        byOrigin.put("any", 0);
        for (PriorityClass c : PriorityClass.values()) {
            queued.put(c.label(), queues[c.ordinal()].size());
            for (LiveJob j : queues[c.ordinal()].values()) {
                String o = j.request.origin();
                byOrigin.merge(o == null || !byOrigin.containsKey(o) ? "any" : o, 1, Integer::sum);
            }
        }
        int running = 0;
        for (LiveJob j : active.values()) {
            if (j.state == JobState.RUNNING) {
                running++;
            }
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (Region r : geo.regions()) {
            names.put(r.id(), r.name());
        }
        snapshot = new Snapshot(now, geo.name(), names, sites, queued, byOrigin, running, state.usedGpuMilli() / 1000.0, state.totalGpuMilli() / 1000.0,
                inbox.size());
    }

    // ---- recovery

    /** Rebuilds every in-memory structure from the database. */
    private void recover() {
        long t0 = System.nanoTime();
        long now = clock.getAsLong();
        // After a failed commit the cycle's pending writes and answers are still buffered here: they describe the
        // state being discarded (its clients were answered 503, "nothing was stored"), so they must never be written.
        touched.clear();
        events.clear();
        nodeRows.clear();
        siteRows.clear();
        replies.clear();
        state = new ClusterState(layout.nodes());
        fragmentation = new Fragmentation(target, true);
        scheduler = new Scheduler(state, profileFactory.create(new PolicyContext(state, new SplittableRandom(42), fragmentation)));
        placer = new TwoLevelPlacer(scheduler, geo, layout, weights);
        active.clear();
        for (TreeMap<Long, LiveJob> q : queues) {
            q.clear();
        }
        arrivals.clear();
        due.clear();
        idempotency.clear();
        idempotencyHash.clear();
        idempotencyOrder.clear();
        idempotencyTruncated = false;
        onNode = new ArrayList<>(nodeCount);
        for (int i = 0; i < nodeCount; i++) {
            onNode.add(new ArrayList<>(4));
        }
        int sites = geo.sites().size();
        siteDown = new boolean[sites];
        onlySite = new boolean[sites];
        Arrays.fill(onlySite, true);
        agent = new boolean[nodeCount];
        agentDown = new boolean[nodeCount];
        lastHeartbeat = new long[nodeCount];
        recoveryConflicts = 0;

        for (JobStore.NodeRow n : store.nodeStates()) {
            Integer i = nodeIndex.get(n.node());
            if (i == null) {
                LOG.atWarn().addKeyValue("node", n.node()).log("stored node state names a node not in the fleet; ignored");
                continue;
            }
            state.setCordoned(i, n.cordoned());
            agent[i] = n.agent();
            lastHeartbeat[i] = now;
        }
        for (JobStore.SiteRow r : store.siteStates()) {
            int s = geo.siteIndex(r.site());
            if (s >= 0 && r.down()) {
                siteDown[s] = true;
                for (int i = layout.from(s); i < layout.to(s); i++) {
                    state.setUp(i, false);
                }
            }
        }
        nextId = store.maxJobId();
        Map<Long, Integer> seqs = store.activeEventSeqs();
        List<LiveJob> conflicts = new ArrayList<>();
        List<Object[]> unrunnable = new ArrayList<>();
        for (JobRow r : store.active()) {
            JobRequest req;
            try {
                req = parser.parse(JSON.readTree(r.spec()));
            } catch (ApiException | java.io.IOException e) {
                // the fleet changed under a stored job (a model or region gone): it can never run again
                unrunnable.add(new Object[] {r, e.getMessage()});
                continue;
            }
            TaskSpec task = req.task("j" + r.id());
            LiveJob j = new LiveJob(r.id(), r.tenant(), req, r.spec(), r.idemKey(), r.idemHash(), r.submittedAt(), task, scheduler.shapeOf(task),
                    placer.rules(req.rules()));
            j.persisted = true;
            j.attempts = r.attempts();
            j.eventSeq = seqs.getOrDefault(r.id(), 1);
            j.reason = r.reason();
            j.decision = r.decision();
            active.put(j.id, j);
            if (r.state() == JobState.RUNNING && restore(j, r)) {
                continue;
            }
            if (r.state() == JobState.RUNNING) {
                conflicts.add(j);
            }
            enqueue(j);
            freed = true;
        }
        for (Object[] u : unrunnable) {
            JobRow r = (JobRow) u[0];
            JobRow failed = new JobRow(r.id(), r.tenant(), r.name(), r.idemKey(), r.idemHash(), r.spec(), JobState.FAILED, r.attempts(),
                    r.submittedAt(), r.startedAt(), null, now, r.region(), r.site(), null, r.decision(),
                    "failed on recovery: the fleet can no longer run it (" + u[1] + ")");
            store.commit(new JobStore.Batch(List.of(), List.of(failed), List.of(), List.of(), List.of()));
            LOG.atWarn().addKeyValue("job", r.id()).addKeyValue("problem", u[1]).log("stored job cannot run on this fleet; marked failed");
        }
        for (LiveJob j : conflicts) {
            recoveryConflicts++;
            j.reason = "requeued on recovery: its recorded allocation could not be restored";
            touched.add(j);
            event(j, now, "requeued", j.reason);
        }
        if (!touched.isEmpty()) {
            store.commit(batch());
            touched.clear();
            events.clear();
        }
        List<JobStore.IdemRow> keys = store.idempotencyKeysSince(now - settings.idempotencyRetentionMs(), rememberedKeys);
        idempotencyTruncated = keys.size() >= rememberedKeys;
        for (JobStore.IdemRow k : keys) {
            remember(k.tenant() + '\n' + k.key(), k.requestHash(), k.jobId(), k.submittedAt());
        }
        refreshSnapshot(now);
        LOG.atInfo().addKeyValue("jobs", active.size()).addKeyValue("conflicts", recoveryConflicts)
                .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log("state rebuilt from the database");
    }

    /** Re-binds a running job exactly where the database says it runs; false (nothing bound) if impossible. */
    private boolean restore(LiveJob j, JobRow r) {
        List<JobView.TaskAlloc> tasks = JobView.decode(r.alloc());
        if (tasks.size() != j.gang()) {
            return false;
        }
        int[] nodes = new int[tasks.size()];
        int[] masks = new int[tasks.size()];
        int k = 0;
        try {
            for (; k < tasks.size(); k++) {
                Integer i = nodeIndex.get(tasks.get(k).node());
                if (i == null || !state.isUp(i)) {
                    throw new IllegalStateException("node " + tasks.get(k).node() + " missing or down");
                }
                int mask = 0;
                for (int g : tasks.get(k).gpus()) {
                    mask |= 1 << g;
                }
                state.bind(i, j.task, mask);
                nodes[k] = i;
                masks[k] = mask;
            }
        } catch (RuntimeException e) {
            for (int u = 0; u < k; u++) {
                state.unbind(nodes[u], j.task, masks[u]);
            }
            LOG.atError().addKeyValue("job", j.id).addKeyValue("problem", e.getMessage()).log("cannot restore a running job's allocation");
            return false;
        }
        j.nodes = nodes;
        j.masks = masks;
        j.site = layout.siteOfNode()[nodes[0]];
        j.state = JobState.RUNNING;
        j.startedAt = r.startedAt();
        j.dueAt = r.dueAt();
        j.epoch = 1;
        boolean virtual = true;
        for (int n : nodes) {
            onNode.get(n).add(j);
            virtual &= !agent[n];
        }
        if (!virtual) {
            j.done = new boolean[nodes.length];
        }
        if (j.dueAt != null) {
            due.add(new long[] {j.dueAt, j.id, j.epoch});
        }
        return true;
    }
}

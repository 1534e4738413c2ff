package io.archipelago.bench;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.GpuSelector;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.TaskSpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one FGD scheduling decision on the openb fleet (1,213 GPU nodes) and on a 10x copy of
 * it (12,130 nodes), reported as a distribution (p50, p99, p99.9, mean) by JMH's sample-time mode,
 * for both ways the scheduler can find the best node ({@code mode}).
 *
 * <h2>Modes</h2>
 * {@code indexed}: the scheduler the pre-fill built ({@code new Scheduler}), which for a cacheable
 * policy keeps a per-shape index and replays the nodes changed since the shape's last decision
 * (O(changes · log N) per decision). {@code scan}: {@link Scheduler#linearScan} on the same pre-filled
 * cluster and profile, which filters every node on every decision (O(N)); both make the same
 * decisions. In scan mode the pre-fill's indexed scheduler stays registered as a state listener (the
 * state cannot remove one), which adds one ring-buffer append per bind and unbind.
 *
 * <h2>What one operation is</h2>
 * "decide + bind + unbind": {@link Scheduler#selectNode} (scan: filter every node, score the feasible
 * ones through the scheduler's per-shape score cache, pick the best; indexed: replay the changed
 * nodes into the shape's index and read its root), then the policy's GPU
 * selection ({@code profile.gpuSelector().selectGpus}), {@link ClusterState#bind}, and finally
 * {@link ClusterState#unbind} of the same task so that the cluster stays at the same fill level for
 * the whole run. That is {@link Scheduler#place} plus one unbind. The unbind bumps the node's version
 * exactly like a real departure would, so the node's cached scores are invalid for every shape and
 * the next decision of each shape pays a realistic cache miss on it (a steady-state cluster sees one arrival and
 * about one departure per decision). If no node fits, the operation is just the failed
 * {@code selectNode} and -1 is consumed.
 *
 * <h2>Cluster state</h2>
 * Built by {@link BenchData#prefill} once per trial: the openb fleet ({@code fleetCopies} copies,
 * node names suffixed "-x0".."-x9" for the 10x fleet), the FGD study's arrivals (seed 42, tune 1.3,
 * over the default pod list repeated {@code fleetCopies} times; the same seed shuffles the nodes into
 * the tie-break order), placed in arrival order by the policy under test until the GPU allocation
 * reaches {@code fillPercent}. The default, 80 %, is the busy-but-not-saturated regime: with this
 * seed FGD on openb default drops no task while filling to 94 % and starts failing between 94 and
 * 95 % (at 95 % most decisions fail), so at 80 % the fleet is realistically fragmented while every
 * decision of the cycle still succeeds (checked for both fleet sizes; the tear-down prints the
 * unschedulable share). The arrivals not used by the pre-fill (4,163 tasks for 1x, 41,473 for 10x,
 * about half the fleet's GPU capacity worth, all shapes interned up front) are then
 * replayed cyclically, one per operation. The fill, the decision-cycle size, the success rate and
 * the cache misses per decision are printed at the start and end of each fork.
 *
 * <h2>How to run</h2>
 * From the repository root, after {@code ./mvnw -q -B install -DskipTests}:
 * <pre>
 * java -jar bench/target/benchmarks.jar FgdDecisionBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s -rf json -rff target/jmh.json
 * </pre>
 * One mode only: {@code -p mode=indexed} (or {@code scan}).
 * Other policies: {@code -p policy=BestFit} (any name of {@code Policies.names()}); other fleet sizes
 * or fill levels: {@code -p fleetCopies=1,2,5 -p fillPercent=70,90}. The trace is read from
 * {@code -Darchipelago.traces=DIR} (given before {@code -jar}), else {@code ../shared/traces/openb},
 * else the synthetic stand-in (see {@link BenchData}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 3, timeUnit = TimeUnit.SECONDS)
@Fork(1)
public class FgdDecisionBenchmark {

    /** Number of copies of the openb fleet: 1 = 1,213 nodes, 10 = 12,130 nodes. */
    @Param({"1", "10"})
    public int fleetCopies;

    /** Policy name (case-insensitive), see {@code Policies.names()}. */
    @Param({"FGD"})
    public String policy;

    /** {@code indexed} (per-shape index, the default scheduler) or {@code scan} ({@link Scheduler#linearScan}). */
    @Param({"indexed", "scan"})
    public String mode;

    /** GPU allocation, percent, that the pre-fill brings the cluster to. */
    @Param({"80"})
    public double fillPercent;

    private ClusterState state;
    private Scheduler scheduler;
    private GpuSelector selector;
    private TaskSpec[] tasks;
    private int[] shapes;
    private int cursor;
    private long usedAfterSetup;
    private long decisions;
    private long unschedulable;
    private long missesAtStart;

    @Setup(Level.Trial)
    public void setUp() {
        BenchData.Prefilled p = BenchData.prefill(fleetCopies, policy, fillPercent);
        state = p.state();
        selector = p.profile().gpuSelector();
        tasks = p.tasks();
        switch (mode) {
            case "indexed" -> {
                scheduler = p.scheduler();
                shapes = p.shapes();
            }
            case "scan" -> {
                scheduler = Scheduler.linearScan(state, p.profile());
                shapes = new int[tasks.length];
                for (int k = 0; k < tasks.length; k++) {
                    shapes[k] = scheduler.shapeOf(tasks[k]);
                }
            }
            default -> throw new IllegalArgumentException("mode " + mode + ": expected indexed or scan");
        }
        cursor = 0;
        usedAfterSetup = state.usedGpuMilli();
        decisions = 0;
        unschedulable = 0;
        missesAtStart = scheduler.cacheMisses();
        System.out.println("[FgdDecisionBenchmark] " + p.describe() + "; mode " + mode
                + (scheduler.indexed() ? " (indexed)" : " (scan)"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        state.checkInvariants();
        if (state.usedGpuMilli() != usedAfterSetup) {
            throw new IllegalStateException("the benchmark changed the fill level: used GPU milli " + usedAfterSetup
                    + " after setup, " + state.usedGpuMilli() + " now");
        }
        long misses = scheduler.cacheMisses() - missesAtStart;
        System.out.println(String.format(Locale.ROOT,
                "[FgdDecisionBenchmark] %d decisions, %.2f %% unschedulable, %.1f score-cache misses per decision,"
                        + " allocation still %.2f %%",
                decisions, decisions == 0 ? 0.0 : 100.0 * unschedulable / decisions,
                decisions == 0 ? 0.0 : (double) misses / decisions,
                100.0 * state.usedGpuMilli() / state.totalGpuMilli()));
    }

    /** One scheduling decision: decide + bind + unbind (see the class comment). */
    @Benchmark
    public void decision(Blackhole bh) {
        int i = cursor;
        cursor = i + 1 == tasks.length ? 0 : i + 1;
        TaskSpec task = tasks[i];
        decisions++;
        int node = scheduler.selectNode(task, shapes[i]);
        if (node < 0) {
            unschedulable++;
            bh.consume(-1);
            return;
        }
        int mask = selector.selectGpus(state, node, task);
        state.bind(node, task, mask);
        state.unbind(node, task, mask);
        bh.consume(node);
        bh.consume(mask);
    }
}

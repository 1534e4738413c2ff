package io.archipelago.bench;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Profile;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;
import io.archipelago.sim.study.Arrivals;
import io.archipelago.sim.synth.SyntheticOpenb;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import io.archipelago.sim.trace.TraceLocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Input data for the benchmarks: the openb fleet and its default pod list, optionally replicated,
 * and a scheduler whose cluster has been pre-filled to a given GPU allocation.
 *
 * <h2>Where the trace comes from</h2>
 * In this order: the folder named by the system property {@value #TRACES_PROPERTY} (either the
 * {@code openb} folder itself or a folder holding {@code openb/}; an unusable value is an error, not a
 * silent fallback); then {@link TraceLocator#find} ({@code $ARCHIPELAGO_TRACES},
 * {@code ../shared/traces/openb} relative to the working directory, the download cache); and if none
 * holds {@value TraceLocator#GPU_NODE_FILE}, the built-in {@link SyntheticOpenb} stand-in (same node
 * inventory, 8,152 tasks drawn from the default shape mix with seed {@value #SYNTHETIC_SEED}).
 * JMH forks inherit the launching JVM's {@code -D} options, so
 * {@code java -Darchipelago.traces=/path/to/openb -jar bench/target/benchmarks.jar ...} works.
 *
 * <h2>Replication</h2>
 * A fleet of {@code k > 1} copies renames every node {@code name-x0 .. name-x(k-1)}; the pod list is
 * repeated the same way ({@code pod-x0 ..}), so that the tune factor keeps the same meaning (a
 * multiple of the fleet's GPU capacity) and the arrival mix is the trace's mix, not a resample.
 */
public final class BenchData {
    /** System property naming the openb trace folder. */
    public static final String TRACES_PROPERTY = "archipelago.traces";
    /** Seed of the synthetic pod list used when no trace is found. */
    public static final long SYNTHETIC_SEED = 42L;
    /** Seed of the arrival order, node tie-break order and policy random stream (the study's first seed). */
    public static final long ARRIVAL_SEED = 42L;
    /** Inflation factor of the arrivals, as in the FGD study. */
    public static final double TUNE = 1.3;

    /** The fleet (GPU nodes) and the default pod list, with a note saying where they came from. */
    public record Openb(List<NodeSpec> nodes, List<TaskSpec> pods, String source) {
    }

    private static volatile Openb cached;

    private BenchData() {
    }

    /** The openb GPU fleet and default pod list (read once per JVM). */
    public static Openb openb() {
        Openb o = cached;
        if (o == null) {
            synchronized (BenchData.class) {
                o = cached;
                if (o == null) {
                    o = load();
                    cached = o;
                }
            }
        }
        return o;
    }

    /** The openb trace folder to read, or null when the synthetic stand-in must be used. */
    public static Path traceDir() {
        String prop = System.getProperty(TRACES_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop.trim());
            if (Files.isRegularFile(p.resolve(TraceLocator.GPU_NODE_FILE))) {
                return p;
            }
            if (Files.isRegularFile(p.resolve("openb").resolve(TraceLocator.GPU_NODE_FILE))) {
                return p.resolve("openb");
            }
            throw new IllegalArgumentException("-D" + TRACES_PROPERTY + "=" + prop + " holds neither "
                    + TraceLocator.GPU_NODE_FILE + " nor openb/" + TraceLocator.GPU_NODE_FILE
                    + "; point it at the openb trace folder or drop the property to use ../shared/traces/openb"
                    + " (or the synthetic stand-in)");
        }
        return TraceLocator.find(null, System.getenv());
    }

    private static Openb load() {
        Path dir = traceDir();
        if (dir != null) {
            Path pods = TraceLocator.podFile(dir, "default");
            if (Files.isRegularFile(pods)) {
                List<NodeSpec> nodes = NodeCsvReader.gpuNodes(NodeCsvReader.read(dir.resolve(TraceLocator.GPU_NODE_FILE)));
                return new Openb(nodes, PodCsvReader.read(pods), "openb trace " + dir.toAbsolutePath().normalize());
            }
        }
        return new Openb(SyntheticOpenb.nodes(), SyntheticOpenb.defaultTasks(SYNTHETIC_SEED),
                "SyntheticOpenb (no openb trace found; seed " + SYNTHETIC_SEED + ")");
    }

    /** {@code copies} copies of the fleet; with more than one copy node names get "-x0".."-x(k-1)". */
    public static List<NodeSpec> replicateNodes(List<NodeSpec> nodes, int copies) {
        checkCopies(copies);
        if (copies == 1) {
            return nodes;
        }
        List<NodeSpec> out = new ArrayList<>(nodes.size() * copies);
        for (int c = 0; c < copies; c++) {
            for (NodeSpec n : nodes) {
                out.add(new NodeSpec(n.name() + "-x" + c, n.cpuMilli(), n.memoryMib(), n.gpuCount(), n.gpuModel()));
            }
        }
        return List.copyOf(out);
    }

    /** The pod list repeated {@code copies} times; with more than one copy names get "-x0".."-x(k-1)". */
    public static List<TaskSpec> replicatePods(List<TaskSpec> pods, int copies) {
        checkCopies(copies);
        if (copies == 1) {
            return pods;
        }
        List<TaskSpec> out = new ArrayList<>(pods.size() * copies);
        for (int c = 0; c < copies; c++) {
            for (TaskSpec t : pods) {
                out.add(t.renamed(t.name() + "-x" + c));
            }
        }
        return List.copyOf(out);
    }

    private static void checkCopies(int copies) {
        if (copies < 1) {
            throw new IllegalArgumentException("fleet copies must be >= 1, got " + copies);
        }
    }

    /**
     * A scheduler over a cluster pre-filled to a GPU allocation, and the tasks left over for the
     * measured decisions (in arrival order, with their interned shapes).
     */
    public record Prefilled(ClusterState state, Scheduler scheduler, Profile profile, TaskSpec[] tasks, int[] shapes,
                            int prefillPlaced, int prefillDropped, String source) {
        /** GPU allocation of the cluster, percent. */
        public double allocationPercent() {
            return 100.0 * state.usedGpuMilli() / state.totalGpuMilli();
        }

        public String describe() {
            return String.format(Locale.ROOT,
                    "%s; %d nodes, %d GPUs; policy %s; pre-filled %d tasks (%d dropped) to %.2f %% GPU allocation;"
                            + " %d tasks in the decision cycle",
                    source, state.nodeCount(), state.totalGpus(), profile.name(), prefillPlaced, prefillDropped,
                    allocationPercent(), tasks.length);
        }
    }

    /**
     * Builds the openb fleet times {@code copies}, the study's arrivals for it ({@link Arrivals#build}
     * with seed {@value #ARRIVAL_SEED} and tune {@value #TUNE} over the pod list repeated
     * {@code copies} times; this also shuffles the nodes into the seed's tie-break order), a scheduler
     * running {@code policy}, and places arrivals in order (dropping those that do not fit, as the
     * study does) until the GPU allocation reaches {@code fillPercent}. The remaining arrivals become
     * the decision cycle; all their shapes are interned up front.
     */
    public static Prefilled prefill(int copies, String policy, double fillPercent) {
        if (!(fillPercent > 0 && fillPercent < 100 * TUNE)) {
            throw new IllegalArgumentException("fill target " + fillPercent + " % outside (0, " + 100 * TUNE + ")");
        }
        Openb o = openb();
        List<NodeSpec> fleet = replicateNodes(o.nodes(), copies);
        List<TaskSpec> pods = replicatePods(o.pods(), copies);
        SplittableRandom rng = new SplittableRandom(ARRIVAL_SEED);
        Arrivals arrivals = Arrivals.build(pods, fleet, TUNE, rng);
        ClusterState state = new ClusterState(arrivals.nodes());
        // The target workload of the original trace: repeating the trace leaves its probabilities unchanged.
        Fragmentation frag = new Fragmentation(TargetWorkload.of(o.pods()));
        Profile profile = Policies.profile(policy, new PolicyContext(state, rng, frag));
        Scheduler scheduler = new Scheduler(state, profile);
        List<TaskSpec> all = arrivals.tasks();
        long fillMilli = (long) (fillPercent / 100.0 * state.totalGpuMilli());
        int i = 0;
        int placed = 0;
        int dropped = 0;
        while (i < all.size() && state.usedGpuMilli() < fillMilli) {
            TaskSpec t = all.get(i++);
            if (scheduler.place(t, scheduler.shapeOf(t)) >= 0) {
                placed++;
            } else {
                dropped++;
            }
        }
        if (i >= all.size()) {
            throw new IllegalStateException("the arrivals ran out before the cluster reached " + fillPercent
                    + " % GPU allocation (reached " + 100.0 * state.usedGpuMilli() / state.totalGpuMilli() + " %)");
        }
        int rest = all.size() - i;
        TaskSpec[] tasks = new TaskSpec[rest];
        int[] shapes = new int[rest];
        for (int k = 0; k < rest; k++) {
            tasks[k] = all.get(i + k);
            shapes[k] = scheduler.shapeOf(tasks[k]);
        }
        state.checkInvariants();
        return new Prefilled(state, scheduler, profile, tasks, shapes, placed, dropped, o.source());
    }
}

package io.archipelago.sim.study;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upper bound on the GPU (milli) that any policy <em>playing by the study's rules</em> can
 * allocate for a given arrival sequence: tasks come one at a time in arrival order, a task is placed
 * whenever some node can host it (the scheduler never turns a fitting task away), placed tasks are
 * never moved and never leave. Every policy of the study, ours included, obeys these rules; an
 * offline optimum or a policy with admission control does not, and for those only
 * {@link AllocationBound} holds.
 *
 * <h2>Design note: why large shares strand capacity under these rules</h2>
 * Take a sharing shape s: one GPU of g milli with g &gt; 500, CPU c, memory m, allowed models M
 * (on openb: the 810-milli, 3.152-core shape). Its remainder r = 1000 − g can only ever hold tasks of
 * at most r milli, and two such tasks never share a GPU. Call a task <em>dominated</em> by s if it
 * takes one GPU of exactly g milli, at most c CPU and m memory, and may run on every model in M; it
 * fits wherever s fits. Let G_s be the GPUs of the nodes that could host s when empty.
 *
 * <p>Let j be the first arrival before which s does not fit anywhere (j = N if it always fits).
 * Resources are only ever taken, so s fitted before every earlier arrival, and every dominated task
 * arriving before j was placed: n(j) of them, each leaving r milli on its GPU that only tasks of at
 * most r milli (S_small milli in all) can fill. Before j, whole-GPU tasks touched at most K_whole(j)
 * GPUs (their GPU counts), so at least B(j) = |G_s| − n(j) − K_whole(j) GPUs of G_s were touched by
 * neither; each of them ends with 1000 milli minus what other tasks put there. A GPU of G_s that is
 * still untouched at j is fully free, so its node must be blocked for s (free CPU &lt; c or free
 * memory &lt; m); from then on only tasks with less CPU than c or less memory than m can use it
 * (S_low(j) milli arrive from j on). Every other of the B(j) GPUs was touched before j by sharing
 * tasks, which fill at most the K_share(j) GPUs they touched, with at most S_share(j) milli (the
 * sharing tasks that are neither dominated, nor small, nor low and arriving from j on). Adding up
 * the unallocated milli, with each filling task counted once:
 * <pre>
 *   W(j) = r·n(j) + 1000·B(j) − min(1000·min(K_share(j), B(j)), S_share(j)) − S_small − S_low(j)
 *   W(N) = r·n(N) − S_small
 * </pre>
 * Closing G_s to s early has its own price: from j on no task needing a fully free GPU of G_s can
 * be placed there (every such GPU is touched or blocked), so whole-GPU tasks and dominated tasks that
 * are not low only fit on the GPUs outside G_s (capacity C_out), and the allocation is at most
 * <pre>
 *   F(j) = D(j) + Σ_{t ≥ j, sharing and not dominated, or low} d_t + min(C_out, Σ_{t ≥ j, the others} d_t)
 * </pre>
 * where D(j) is the GPU demand that arrived before j (F(N) = D(N)). The policy chooses j by where it
 * puts tasks, so its allocation is at most max_j min(capacity − max(0, W(j)), F(j)) for every such
 * shape s; the bound is the smallest of these over the shapes, and never above capacity or the
 * arrived demand.
 *
 * <p>Looseness of this first stage (the true limit may be lower): remainders are assumed filled
 * perfectly by any small enough task, and the GPUs touched by sharing tasks alone by any sharing tasks
 * at all; blocked nodes are assumed free to block. It says nothing about shapes of at most 500 milli,
 * and takes one large shape at a time. Tasks with an RDMA share or a per-node limit are never counted as
 * dominated (they need not fit where s fits).
 *
 * <h2>The packing stage ({@link #packed})</h2>
 * The second stage drops the perfect-filling assumptions: it keeps track of what each GPU holds. Take
 * the first stage's strongest shape a and a second sharing shape b (see {@link #secondShape}), with
 * closing points j_a and j_b defined as j above. For the true pair (j_a, j_b) of a run:
 * <ol>
 *   <li>every task arriving before j_a that fits wherever a fits (one GPU of at most a's milli, no more
 *       CPU or memory, every model a may use, no RDMA share and no per-node limit) was placed, and likewise
 *       for b before j_b;</li>
 *   <li>a GPU of G_a whose tasks that arrived before j_a total at most 1000 − g_a milli had room for a at
 *       j_a, so its node was blocked for a: every task placed on it from j_a on has less CPU or less
 *       memory than a;</li>
 *   <li>from j_b on, no task with at least b's CPU and memory and at least g_b milli per GPU is placed:
 *       b may run on any model, so such a task fits only where b would have fitted just before.</li>
 * </ol>
 * Each GPU's final contents are therefore a <em>configuration</em> that obeys rule 2, every task class
 * is placed between its forced count and its arrivals, and the allocation is at most the optimum of
 * the configuration LP over these ({@link ClosingPackingLp}, valid for whatever prices its search
 * ends with). CPU, memory, nodes and models are otherwise ignored, and the LP may choose any
 * arrangement, so this is still a relaxation. The policy chooses (j_a, j_b); the search runs best-first
 * over boxes of closing points, where a box's program relaxes every pair in it: a task is forced only
 * before the box's start, counted as arrived before j_a up to its end (which only raises a GPU's early
 * total and removes tasks from its late ones, so every configuration valid for a pair in the box stays
 * valid), and left out by b only from its end. The search stops when the highest box is a single pair,
 * is within {@link #TOLERANCE} of capacity of the highest pair evaluated, or after {@link #MAX_PROGRAMS}
 * programs. The highest box's value is the bound, so stopping early never makes it invalid.
 */
public final class ForcedPlacementBound {
    private ForcedPlacementBound() {
    }

    /**
     * The bound and the shape that sets it.
     *
     * @param boundMilli  upper bound on allocated milli-GPU (capacity minus {@code wasteMilli})
     * @param wasteMilli  lower bound on unallocated milli-GPU
     * @param shape       the binding shape, e.g. {@code "810 m, 3152 mCPU, 5600 MiB, any model"}; empty if none binds.
     *                    From {@link #packed}, followed by {@code "; with "} and the second shape when there is one
     * @param firstRefusal the arrival index j at which the maximum over j is reached (N = the shape always fits);
     *                    from {@link #packed}, the first closing point of the highest box
     * @param forced      dominated tasks that every such policy places (n(j) at that j); from {@link #packed}, the
     *                    tasks of the shape's milli forced before the start of the highest box, which runs closing
     *                    to the shape at or after that point must place (informational)
     */
    public record Result(long boundMilli, long wasteMilli, String shape, int firstRefusal, int forced) {
    }

    private record Shape(int cpu, long mem, int milli, long models) {
    }

    /** The bound for {@code tasks} arriving in this order on {@code nodes}: the first stage alone (see the class comment). */
    public static Result of(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        return firstStage(nodes, tasks).result();
    }

    private record Staged(Result result, Shape shape) {
    }

    private static Staged firstStage(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        long capacity = 0;
        for (NodeSpec n : nodes) {
            capacity += n.gpuCount() * 1000L;
        }
        Map<Shape, Boolean> shapes = new LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            if (t.gpuCount() == 1 && t.gpuMilli() > 500 && t.gpuMilli() < 1000) {
                shapes.putIfAbsent(new Shape(t.cpuMilli(), t.memoryMib(), t.gpuMilli(), t.allowedModels()), Boolean.TRUE);
            }
        }
        long demand = 0;
        for (TaskSpec t : tasks) {
            demand += t.gpuDemandMilli();
        }
        long start = Math.min(capacity, demand);
        Result best = new Result(start, capacity - start, "", tasks.size(), 0);
        // the packing stage works on the shape with the largest first-stage waste, even where that does not bind
        Shape strongest = null;
        long strongestWaste = -1;
        for (Shape s : shapes.keySet()) {
            Result r = forShape(nodes, tasks, s, capacity);
            if (r.wasteMilli() > best.wasteMilli()) {
                best = r;
            }
            if (r.wasteMilli() > strongestWaste) {
                strongest = s;
                strongestWaste = r.wasteMilli();
            }
        }
        return new Staged(best, strongest);
    }

    /** Intervals of closing points evaluated first by {@link #packed}; the search then splits the highest. */
    private static final int FIRST_INTERVALS = 4;
    /** Packing programs solved per bound at most; if reached, the highest interval's value is returned (still valid). */
    static final int MAX_PROGRAMS = 3000;
    /** Cutting-plane rounds per packing program at most. */
    private static final int MAX_ROUNDS = 400;

    /**
     * The bound with both stages: the first stage ({@link #of}), then the packing stage on the first
     * stage's binding shape and a second, smaller shape (see the class comment), whichever is lower.
     * Milliseconds for the first stage; the packing stage solves tens to hundreds of small LPs, seconds
     * on an openb run of 10,000 arrivals.
     */
    public static Result packed(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        Staged first = firstStage(nodes, tasks);
        if (first.shape() == null) {
            return first.result();
        }
        return packed(nodes, tasks, first, secondShape(tasks, first.shape()));
    }

    /**
     * The second shape of the packing stage: among the arriving sharing shapes other than {@code a} that may
     * run on any GPU model (a model-bound shape closes only its model's GPUs), the one
     * whose dominated arrivals (tasks that fit wherever it fits) that {@code a} does not dominate hold the most
     * GPU milli, since those are the tasks its closing point adds to the forced ones; ties go to the first to
     * arrive. Null if there is none.
     */
    static Shape secondShape(List<TaskSpec> tasks, Shape a) {
        Map<Shape, Boolean> shapes = new LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            if (t.gpuCount() == 1 && t.gpuMilli() > 0 && t.gpuMilli() < 1000 && t.rdma() == 0 && t.maxPerNode() <= 0
                    && t.allowedModels() == 0) {
                shapes.putIfAbsent(new Shape(t.cpuMilli(), t.memoryMib(), t.gpuMilli(), t.allowedModels()), Boolean.TRUE);
            }
        }
        shapes.remove(a);
        // tally the dominated milli of each shape over the distinct task shapes, weighted by their counts
        Map<Shape, Long> taskShapes = new LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            if (t.gpuCount() == 1 && t.gpuMilli() > 0 && t.gpuMilli() < 1000 && t.rdma() == 0 && t.maxPerNode() <= 0) {
                taskShapes.merge(new Shape(t.cpuMilli(), t.memoryMib(), t.gpuMilli(), t.allowedModels()), (long) t.gpuMilli(), Long::sum);
            }
        }
        Shape best = null;
        long bestMilli = 0;
        for (Shape s : shapes.keySet()) {
            long milli = 0;
            for (Map.Entry<Shape, Long> e : taskShapes.entrySet()) {
                Shape t = e.getKey();
                boolean models = t.models() == 0 || (s.models() != 0 && (t.models() & s.models()) == s.models());
                boolean byA = t.milli() <= a.milli() && t.cpu() <= a.cpu() && t.mem() <= a.mem()
                        && (t.models() == 0 || (a.models() != 0 && (t.models() & a.models()) == a.models()));
                if (!byA && t.milli() <= s.milli() && t.cpu() <= s.cpu() && t.mem() <= s.mem() && models) {
                    milli += e.getValue();
                }
            }
            if (milli > bestMilli) {
                best = s;
                bestMilli = milli;
            }
        }
        return best;
    }

    private static Result packed(List<NodeSpec> nodes, List<TaskSpec> tasks, Staged first, Shape b) {
        Shape a = first.shape();
        long capacity = first.result().boundMilli() + first.result().wasteMilli();
        // bin types: 1 = the GPU's node could host shape a (the closing rule applies), 0 = it could not
        long[] bins = new long[2];
        for (NodeSpec n : nodes) {
            bins[hosts(n, a) ? 1 : 0] += n.gpuCount();
        }
        int size = tasks.size();
        Tasks t = new Tasks(size);
        long demand = 0;
        for (int i = 0; i < size; i++) {
            TaskSpec task = tasks.get(i);
            t.part[i] = task.gpuCount() == 0 ? 0 : Math.min(1000, task.gpuMilli());
            t.count[i] = task.gpuCount();
            t.mandA[i] = fitsWhereShapeFits(task, a);
            t.lowA[i] = task.cpuMilli() < a.cpu() || task.memoryMib() < a.mem();
            if (b != null) {
                t.mandB[i] = fitsWhereShapeFits(task, b);
                // b may run on any model, so such a task fits only where b would fit: from j_b on, nowhere
                t.keptOutByB[i] = t.part[i] >= b.milli() && task.cpuMilli() >= b.cpu() && task.memoryMib() >= b.mem();
            }
            demand += task.gpuDemandMilli();
        }
        double trivial = Math.min(capacity, demand);
        // best-first over boxes of closing points [a1, a2] × [b1, b2] (j_a, j_b in 0..N): a box's program is a
        // relaxation of every pair of closing points in it, so the highest box bounds them all. Stop when the
        // highest box is a point, or is within TOLERANCE of the highest point evaluated (a full search could not
        // end lower than that point), or after MAX_PROGRAMS programs; the highest box's value is the bound.
        java.util.PriorityQueue<Box> open = new java.util.PriorityQueue<>();
        int programs = 0;
        int partsA = Math.min(FIRST_INTERVALS, size + 1);
        int partsB = b == null ? 1 : Math.min(Math.max(1, FIRST_INTERVALS / 2), size + 1);
        for (int pa = 0; pa < partsA; pa++) {
            for (int pb = 0; pb < partsB; pb++) {
                Box box = new Box(cut(size, partsA, pa), cut(size, partsA, pa + 1) - 1,
                        b == null ? size : cut(size, partsB, pb), b == null ? size : cut(size, partsB, pb + 1) - 1);
                box.solve(t, bins, a.milli(), trivial, null);
                open.add(box);
                programs++;
            }
        }
        long bestPoint = Long.MIN_VALUE;
        long tolerance = (long) (TOLERANCE * capacity);
        while (programs + 3 <= MAX_PROGRAMS) {
            Box top = open.peek();
            if (top.isPoint()) {
                break;
            }
            if (bestPoint != Long.MIN_VALUE && top.value - bestPoint <= tolerance) {
                break;
            }
            open.poll();
            Box centre = new Box((top.a1 + top.a2) >>> 1, (top.a1 + top.a2) >>> 1, (top.b1 + top.b2) >>> 1, (top.b1 + top.b2) >>> 1);
            centre.solve(t, bins, a.milli(), top.value, top.program);
            bestPoint = Math.max(bestPoint, centre.value);
            boolean splitA = top.a2 - top.a1 >= top.b2 - top.b1;
            int lo = splitA ? top.a1 : top.b1;
            int hi = splitA ? top.a2 : top.b2;
            int mid = (lo + hi) >>> 1;
            Box left = splitA ? new Box(top.a1, mid, top.b1, top.b2) : new Box(top.a1, top.a2, top.b1, mid);
            Box right = splitA ? new Box(mid + 1, top.a2, top.b1, top.b2) : new Box(top.a1, top.a2, mid + 1, top.b2);
            left.solve(t, bins, a.milli(), top.value, top.program);
            right.solve(t, bins, a.milli(), top.value, top.program);
            open.add(left);
            open.add(right);
            programs += 3;
        }
        Box top = open.peek();
        if (top.value >= first.result().boundMilli()) {
            return first.result();
        }
        int forced = 0;
        for (int i = 0; i < top.a1; i++) {
            forced += t.mandA[i] && t.part[i] == a.milli() ? 1 : 0;
        }
        String shape = describe(a) + (b == null ? "" : "; with " + describe(b));
        return new Result(top.value, capacity - top.value, shape, top.a1, forced);
    }

    /** Stop the packing search when the highest box is within this share of capacity of the highest pair evaluated. */
    static final double TOLERANCE = 1e-4;

    /** A box of closing points [a1, a2] × [b1, b2] and its program's bound (whole milli). Highest first, then by position. */
    private static final class Box implements Comparable<Box> {
        final int a1;
        final int a2;
        final int b1;
        final int b2;
        long value;
        Program program;

        Box(int a1, int a2, int b1, int b2) {
            this.a1 = a1;
            this.a2 = a2;
            this.b1 = b1;
            this.b2 = b2;
        }

        boolean isPoint() {
            return a1 == a2 && b1 == b2;
        }

        void solve(Tasks t, long[] bins, int milli, double cap, Program parent) {
            program = program(t, this, bins, milli, cap, parent);
            // floor to whole milli after allowing for rounding in the last bits: still a bound on the integer allocation
            double v = Math.min(cap, program.boundMilli());
            value = (long) Math.floor(v + 1e-6 * Math.max(1, Math.abs(v)));
        }

        @Override
        public int compareTo(Box o) {
            if (value != o.value) {
                return Long.compare(o.value, value);
            }
            if (a1 != o.a1) {
                return Integer.compare(a1, o.a1);
            }
            return b1 != o.b1 ? Integer.compare(b1, o.b1) : Integer.compare(a2 + b2, o.a2 + o.b2);
        }
    }

    /** Start of the p-th of {@code parts} near-equal intervals of 0..size. */
    private static int cut(int size, int parts, int p) {
        return (int) ((long) (size + 1) * p / parts);
    }

    /** Per-task facts for the packing stage (index = arrival). */
    private static final class Tasks {
        final int[] part;
        final int[] count;
        final boolean[] mandA;
        final boolean[] lowA;
        final boolean[] mandB;
        final boolean[] keptOutByB;

        Tasks(int n) {
            part = new int[n];
            count = new int[n];
            mandA = new boolean[n];
            lowA = new boolean[n];
            mandB = new boolean[n];
            keptOutByB = new boolean[n];
        }
    }

    /** A solved packing program: its bound, its class keys and the configurations it used (to warm-start its children). */
    private record Program(double boundMilli, int[] keys, List<int[]> configs) {
    }

    /**
     * The packing program for a box of closing points (see {@link ClosingPackingLp}), at most {@code cap}: tasks
     * before a1 that fit wherever shape a fits, or before b1 wherever shape b fits, must be placed; tasks before
     * a2 count as arrived before a's closing point; tasks from b2 on that could only go where b would fit are
     * left out. Each choice relaxes the rules for every pair in the box: a task is forced for no pair before the
     * box's start, counting it as early only raises its GPU's early total and removes it from the late tasks,
     * and a task is kept out for every pair only from the box's end.
     */
    private static Program program(Tasks t, Box box, long[] bins, int milli, double cap, Program parent) {
        java.util.TreeMap<Integer, long[]> classes = new java.util.TreeMap<>(); // key -> {lo, hi}
        for (int i = 0; i < t.part.length; i++) {
            if (t.part[i] == 0 || (i >= box.b2 && t.keptOutByB[i])) {
                continue;
            }
            int kind = i < box.a2 ? ClosingPackingLp.BEFORE : t.lowA[i] ? ClosingPackingLp.AFTER_LOW : ClosingPackingLp.AFTER;
            boolean mand = (i < box.a1 && t.mandA[i]) || (i < box.b1 && t.mandB[i]);
            int key = (t.part[i] * 4 + kind) * 2 + (mand ? 1 : 0);
            long[] e = classes.computeIfAbsent(key, k -> new long[2]);
            e[1] += t.count[i];
            if (mand) {
                e[0] += t.count[i];
            }
        }
        int n = classes.size();
        int[] size = new int[n];
        int[] kind = new int[n];
        long[] lo = new long[n];
        long[] hi = new long[n];
        int[] keys = new int[n];
        int k = 0;
        for (var e : classes.entrySet()) {
            keys[k] = e.getKey();
            size[k] = e.getKey() / 8;
            kind[k] = (e.getKey() / 2) % 4;
            lo[k] = e.getValue()[0];
            hi[k] = e.getValue()[1];
            k++;
        }
        ClosingPackingLp lp = new ClosingPackingLp(size, kind, lo, hi, bins, new boolean[] {false, true}, milli);
        if (parent != null) {
            lp.seed(translate(parent, keys));
        }
        double bound = lp.solve(MAX_ROUNDS, cap).boundMilli();
        return new Program(bound, keys, lp.configs());
    }

    /** The parent's configurations over the child's classes (by class key); those using a class the child lacks are dropped. */
    private static List<int[]> translate(Program parent, int[] keys) {
        int[] index = new int[parent.keys().length];
        for (int i = 0; i < index.length; i++) {
            index[i] = java.util.Arrays.binarySearch(keys, parent.keys()[i]);
        }
        List<int[]> out = new java.util.ArrayList<>();
        for (int[] c : parent.configs()) {
            int[] d = new int[keys.length + 1];
            d[0] = c[0];
            boolean ok = true;
            for (int i = 0; i < index.length && ok; i++) {
                if (c[1 + i] != 0) {
                    ok = index[i] >= 0;
                    if (ok) {
                        d[1 + index[i]] = c[1 + i];
                    }
                }
            }
            if (ok) {
                out.add(d);
            }
        }
        return out;
    }

    private static boolean hosts(NodeSpec n, Shape s) {
        boolean model = s.models() == 0 || (n.gpuModel() >= 0 && (s.models() & (1L << n.gpuModel())) != 0);
        return model && n.cpuMilli() >= s.cpu() && n.memoryMib() >= s.mem();
    }

    /**
     * One GPU of at most s's milli, no more CPU or memory, every model s may use, and no RDMA or per-node
     * limit: such a task fits wherever s fits, so it is placed whenever s would fit.
     */
    private static boolean fitsWhereShapeFits(TaskSpec t, Shape s) {
        if (t.gpuCount() != 1 || t.gpuMilli() > s.milli() || t.gpuMilli() <= 0 || t.cpuMilli() > s.cpu()
                || t.memoryMib() > s.mem() || t.rdma() > 0 || t.maxPerNode() > 0) {
            return false;
        }
        long tm = t.allowedModels();
        return tm == 0 || (s.models() != 0 && (tm & s.models()) == s.models());
    }

    private static Result forShape(List<NodeSpec> nodes, List<TaskSpec> tasks, Shape s, long capacity) {
        int g = s.milli();
        int r = 1000 - g;
        long gs = 0;
        for (NodeSpec n : nodes) {
            if (hosts(n, s)) {
                gs += n.gpuCount();
            }
        }
        long capOut = capacity - 1000 * gs; // GPUs on which s can never run
        int size = tasks.size();
        long small = 0;
        long shareTotal = 0;     // sharing, not dominated, not small: may fill GPUs touched by sharing tasks alone
        long[] lowFrom = new long[size + 1];      // S_low(j): low tasks arriving from j on
        long[] lowShareFrom = new long[size + 1]; // the part of it also counted in shareTotal
        long[] fitsFrom = new long[size + 1];     // arriving from j on, may still use a GPU of G_s: sharing and not dominated, or low
        long[] outFrom = new long[size + 1];      // arriving from j on, only GPUs outside G_s: whole-GPU or dominated, not low
        for (int i = size - 1; i >= 0; i--) {
            TaskSpec t = tasks.get(i);
            long d = t.gpuDemandMilli();
            boolean low = t.gpuCount() > 0 && (t.cpuMilli() < s.cpu() || t.memoryMib() < s.mem());
            boolean isSmall = t.gpuCount() == 1 && t.gpuMilli() <= r;
            boolean dom = dominated(t, s);
            boolean share = t.isSharing() && !dom && !isSmall;
            lowFrom[i] = lowFrom[i + 1] + (low && !isSmall ? d : 0);
            lowShareFrom[i] = lowShareFrom[i + 1] + (low && share ? d : 0);
            boolean fits = low || (t.isSharing() && !dom);
            fitsFrom[i] = fitsFrom[i + 1] + (fits ? d : 0);
            outFrom[i] = outFrom[i + 1] + (!fits ? d : 0);
            if (isSmall) {
                small += d;
            }
            if (share) {
                shareTotal += d;
            }
        }
        long n = 0;
        long kWhole = 0;
        long kShare = 0;
        long arrived = 0;
        long best = -1;
        int bestJ = size;
        long bestN = 0;
        for (int j = 0; j <= size; j++) {
            long w;
            long after; // most the cluster can hold if s fits nowhere from j on
            if (j == size) {
                w = r * n - small;
                after = arrived;
            } else {
                // GPUs of G_s that no dominated or whole-GPU task touched before j: 1000 milli each, of which
                // shares can fill only the ones they touched (at most K_share), up to S_share milli in all
                long untouched = Math.max(0, gs - n - kWhole);
                long shareFill = Math.min(1000 * Math.min(kShare, untouched), shareTotal - lowShareFrom[j]);
                w = r * n + (1000 * untouched - shareFill) - small - lowFrom[j];
                after = arrived + fitsFrom[j] + Math.min(capOut, outFrom[j]);
            }
            long bound = Math.min(capacity - Math.max(0, w), after);
            if (bound > best) {
                best = bound;
                bestJ = j;
                bestN = n;
            }
            if (j < size) {
                TaskSpec t = tasks.get(j);
                arrived += t.gpuDemandMilli();
                if (dominated(t, s)) {
                    n++;
                } else if (t.isSharing()) {
                    kShare++;
                } else if (t.gpuCount() > 0) {
                    kWhole += t.gpuCount();
                }
            }
        }
        best = Math.min(best, capacity);
        return new Result(best, capacity - best, describe(s), bestJ, (int) bestN);
    }

    private static String describe(Shape s) {
        String models = s.models() == 0 ? "any model" : "models " + io.archipelago.core.model.GpuModels.describeMask(s.models());
        return s.milli() + " m, " + s.cpu() + " mCPU, " + s.mem() + " MiB, " + models;
    }

    /**
     * One GPU of exactly s's milli, no more CPU or memory, every model s may use, and no RDMA or
     * per-node limit (s has neither): such a task fits wherever s fits.
     */
    private static boolean dominated(TaskSpec t, Shape s) {
        return t.gpuMilli() == s.milli() && fitsWhereShapeFits(t, s);
    }

    /**
     * The bound as % of GPU capacity after the arrivals of one study run up to the last task whose
     * arrived bin is at most {@code bin} (see {@link AllocationBound#percentAt}: allocation never
     * falls, so the bound at the bin's last task bounds every point of the bin).
     */
    public static double percentAt(List<NodeSpec> nodes, List<TaskSpec> trace, double tune, long seed, int bin) {
        Arrivals a = Arrivals.build(trace, nodes, tune, new java.util.SplittableRandom(seed));
        return percent(nodes, AllocationBound.prefixUpToBin(nodes, a.tasks(), bin));
    }

    /** {@link #percentAt} with both stages ({@link #packed}). */
    public static double packedPercentAt(List<NodeSpec> nodes, List<TaskSpec> trace, double tune, long seed, int bin) {
        Arrivals a = Arrivals.build(trace, nodes, tune, new java.util.SplittableRandom(seed));
        return packedPercent(nodes, AllocationBound.prefixUpToBin(nodes, a.tasks(), bin));
    }

    /** The first-stage bound for {@code arrived} as % of the GPU capacity of {@code nodes} (0 without GPUs). */
    static double percent(List<NodeSpec> nodes, List<TaskSpec> arrived) {
        return percentOf(of(nodes, arrived));
    }

    /** {@link #packed} for {@code arrived} as % of the GPU capacity of {@code nodes} (0 without GPUs). */
    static double packedPercent(List<NodeSpec> nodes, List<TaskSpec> arrived) {
        return percentOf(packed(nodes, arrived));
    }

    private static double percentOf(Result r) {
        long capacity = r.boundMilli() + r.wasteMilli();
        return capacity == 0 ? 0 : 100.0 * r.boundMilli() / capacity;
    }
}

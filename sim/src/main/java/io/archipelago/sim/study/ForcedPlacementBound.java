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
 * <p>Looseness (the true limit may be lower): remainders are assumed filled perfectly by any small
 * enough task, and the GPUs touched by sharing tasks alone by any sharing tasks at all; blocked nodes
 * are assumed free to block. The bound says nothing about shapes of at most 500 milli, and takes one
 * large shape at a time. Tasks with an RDMA share or a per-node limit are never counted as dominated
 * (they need not fit where s fits).
 */
public final class ForcedPlacementBound {
    private ForcedPlacementBound() {
    }

    /**
     * The bound and the shape that sets it.
     *
     * @param boundMilli  upper bound on allocated milli-GPU (capacity minus {@code wasteMilli})
     * @param wasteMilli  lower bound on unallocated milli-GPU
     * @param shape       the binding shape, e.g. {@code "810 m, 3152 mCPU, 5600 MiB, any model"}; empty if none binds
     * @param firstRefusal the arrival index j at which the maximum over j is reached (N = the shape always fits)
     * @param forced      dominated tasks that every such policy places (n(j) at that j)
     */
    public record Result(long boundMilli, long wasteMilli, String shape, int firstRefusal, int forced) {
    }

    private record Shape(int cpu, long mem, int milli, long models) {
    }

    /** The bound for {@code tasks} arriving in this order on {@code nodes} (see the class comment). */
    public static Result of(List<NodeSpec> nodes, List<TaskSpec> tasks) {
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
        for (Shape s : shapes.keySet()) {
            Result r = forShape(nodes, tasks, s, capacity);
            if (r.wasteMilli() > best.wasteMilli()) {
                best = r;
            }
        }
        return best;
    }

    private static Result forShape(List<NodeSpec> nodes, List<TaskSpec> tasks, Shape s, long capacity) {
        int g = s.milli();
        int r = 1000 - g;
        long gs = 0;
        for (NodeSpec n : nodes) {
            boolean model = s.models() == 0 || (n.gpuModel() >= 0 && (s.models() & (1L << n.gpuModel())) != 0);
            if (model && n.cpuMilli() >= s.cpu() && n.memoryMib() >= s.mem()) {
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
        String models = s.models() == 0 ? "any model" : "models " + io.archipelago.core.model.GpuModels.describeMask(s.models());
        return new Result(best, capacity - best, g + " m, " + s.cpu() + " mCPU, " + s.mem() + " MiB, " + models, bestJ, (int) bestN);
    }

    /**
     * One GPU of exactly s's milli, no more CPU or memory, every model s may use, and no RDMA or
     * per-node limit (s has neither): such a task fits wherever s fits.
     */
    private static boolean dominated(TaskSpec t, Shape s) {
        if (t.gpuCount() != 1 || t.gpuMilli() != s.milli() || t.cpuMilli() > s.cpu() || t.memoryMib() > s.mem()
                || t.rdma() > 0 || t.maxPerNode() > 0) {
            return false;
        }
        long tm = t.allowedModels();
        return tm == 0 || (s.models() != 0 && (tm & s.models()) == s.models());
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

    /** The bound for {@code arrived} as % of the GPU capacity of {@code nodes} (0 without GPUs). */
    static double percent(List<NodeSpec> nodes, List<TaskSpec> arrived) {
        Result r = of(nodes, arrived);
        long capacity = r.boundMilli() + r.wasteMilli();
        return capacity == 0 ? 0 : 100.0 * r.boundMilli() / capacity;
    }
}

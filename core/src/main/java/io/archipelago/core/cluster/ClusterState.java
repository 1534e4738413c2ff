package io.archipelago.core.cluster;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Free resources of every node, held in primitive arrays for the scheduling hot path.
 *
 * <h2>Design note</h2>
 * Node {@code i} is the i-th node of the list given to the constructor; callers that want a
 * tie-break order (the FGD study's per-seed random rank) pass the nodes in that order, and the
 * framework then breaks score ties towards the lowest index. GPU {@code j} of node {@code i} lives at
 * {@code gpuFree[i * gpuStride + j]}. Alongside the raw free amounts the state keeps, incrementally,
 * the per-node aggregates that filters and scorers read on every decision (total free milli-GPU,
 * the largest free GPU, the number of fully free GPUs) and a version number that changes whenever
 * the node changes, so that score caches can be invalidated for that node only.
 *
 * <p>Every mutation goes through {@link #bind} or {@link #unbind}; both validate their arguments
 * and change nothing when they throw. Listeners are told after each change, in registration order.
 * Not thread-safe: one state per simulation thread.
 */
public final class ClusterState {
    /** Capacity of one GPU in milli-GPU. */
    public static final int GPU_MILLI = 1000;

    private final NodeSpec[] nodes;
    private final int n;
    private final int gpuStride;
    private final int[] gpuCount;
    private final int[] model;
    private final int[] cpuFree;
    private final long[] memFree;
    private final int[] gpuFree;
    private final int[] gpuFreeTotal;
    private final int[] maxGpuFree;
    private final int[] fullFreeGpus;
    private final int[] version;
    /** GPU tasks hosted per node by GPU shape: index 0 = sharing tasks, k = tasks of k whole GPUs. */
    private final int[] gpuShapeCount;
    private final int[] gpuShapeKinds;
    private final int[] taskCount;
    private final int[] rdmaFree;
    private final boolean[] up;
    private final boolean[] cordoned;
    /** Tasks per node of each anti-affinity group, allocated on first use of the group. */
    private final java.util.HashMap<Integer, int[]> groupCounts = new java.util.HashMap<>();
    private final long totalGpuMilli;
    private long usedGpuMilli;
    private long availableGpuMilli;
    private int nodesUp;
    private final List<NodeChangeListener> listeners = new ArrayList<>();

    /** Listener told after a node's free resources changed. */
    @FunctionalInterface
    public interface NodeChangeListener {
        /** Called after {@code node} changed; the state already shows the new values. */
        void nodeChanged(int node);
    }

    public ClusterState(List<NodeSpec> nodeList) {
        if (nodeList.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one node; the node list is empty");
        }
        this.n = nodeList.size();
        this.nodes = nodeList.toArray(new NodeSpec[0]);
        int stride = 1;
        for (NodeSpec s : nodes) {
            stride = Math.max(stride, s.gpuCount());
        }
        this.gpuStride = stride;
        gpuCount = new int[n];
        model = new int[n];
        cpuFree = new int[n];
        memFree = new long[n];
        gpuFree = new int[n * stride];
        gpuFreeTotal = new int[n];
        maxGpuFree = new int[n];
        fullFreeGpus = new int[n];
        version = new int[n];
        gpuShapeCount = new int[n * (NodeSpec.MAX_GPUS + 1)];
        gpuShapeKinds = new int[n];
        taskCount = new int[n];
        rdmaFree = new int[n];
        up = new boolean[n];
        cordoned = new boolean[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            NodeSpec s = nodes[i];
            gpuCount[i] = s.gpuCount();
            model[i] = s.gpuModel();
            cpuFree[i] = s.cpuMilli();
            memFree[i] = s.memoryMib();
            rdmaFree[i] = s.rdma();
            up[i] = true;
            for (int j = 0; j < s.gpuCount(); j++) {
                gpuFree[i * stride + j] = GPU_MILLI;
            }
            recomputeAggregates(i);
            total += (long) s.gpuCount() * GPU_MILLI;
        }
        totalGpuMilli = total;
        availableGpuMilli = total;
        nodesUp = n;
    }

    public void addListener(NodeChangeListener l) {
        listeners.add(l);
    }

    // ---- read access (hot path) ----

    public int nodeCount() { return n; }
    public NodeSpec spec(int node) { return nodes[node]; }
    public String name(int node) { return nodes[node].name(); }
    public int gpuStride() { return gpuStride; }
    public int gpuCount(int node) { return gpuCount[node]; }
    public int model(int node) { return model[node]; }
    public int cpuFree(int node) { return cpuFree[node]; }
    public long memFree(int node) { return memFree[node]; }
    public int gpuFree(int node, int gpu) { return gpuFree[node * gpuStride + gpu]; }
    public int gpuFreeTotal(int node) { return gpuFreeTotal[node]; }
    public int maxGpuFree(int node) { return maxGpuFree[node]; }
    public int fullFreeGpus(int node) { return fullFreeGpus[node]; }
    public int version(int node) { return version[node]; }
    public int taskCount(int node) { return taskCount[node]; }
    public int rdmaFree(int node) { return rdmaFree[node]; }
    /** False while the node is out of service (an outage); a down node hosts nothing and fits nothing. */
    public boolean isUp(int node) { return up[node]; }
    /** True while the node takes no new task (an operator's cordon or drain); its running tasks stay. */
    public boolean isCordoned(int node) { return cordoned[node]; }
    public int nodesUp() { return nodesUp; }
    /** GPU capacity of the nodes that are up, milli-GPU. */
    public long availableGpuMilli() { return availableGpuMilli; }
    /** Tasks of anti-affinity group {@code group} on the node (0 for a group never bound). */
    public int groupCount(int node, int group) {
        int[] c = groupCounts.get(group);
        return c == null ? 0 : c[node];
    }
    /** Number of GPU tasks on the node with GPU shape {@code tag} (0 = sharing, k = k whole GPUs). */
    public int gpuShapeCount(int node, int tag) { return gpuShapeCount[node * (NodeSpec.MAX_GPUS + 1) + tag]; }
    /** Number of distinct GPU shapes (tags) among the GPU tasks on the node. */
    public int gpuShapeKinds(int node) { return gpuShapeKinds[node]; }
    public long totalGpuMilli() { return totalGpuMilli; }
    public long usedGpuMilli() { return usedGpuMilli; }
    public int totalGpus() { return (int) (totalGpuMilli / GPU_MILLI); }

    /** Raw array access for tight loops that must not pay a call per GPU; do not modify. */
    public int[] gpuFreeArray() { return gpuFree; }

    /** GPU-shape tag of a task: -1 CPU-only, 0 sharing, k for k whole GPUs. */
    public static int gpuShapeTag(TaskSpec t) {
        if (t.gpuCount() == 0) {
            return -1;
        }
        return t.isSharing() ? 0 : t.gpuCount();
    }

    /** Number of GPUs of the node with at least {@code milli} free. */
    public int gpusWithAtLeast(int node, int milli) {
        if (milli >= GPU_MILLI) {
            return fullFreeGpus[node];
        }
        int base = node * gpuStride;
        int c = 0;
        for (int j = 0; j < gpuCount[node]; j++) {
            if (gpuFree[base + j] >= milli) {
                c++;
            }
        }
        return c;
    }

    // ---- mutation ----

    /**
     * Allocates {@code task} on {@code node}, taking {@code task.gpuMilli()} from every GPU in
     * {@code gpuMask}. Throws, changing nothing, if the resources are not there or the mask does not
     * hold exactly {@code task.gpuCount()} GPUs of the node.
     */
    public void bind(int node, TaskSpec task, int gpuMask) {
        checkMask(node, task, gpuMask);
        if (!up[node]) {
            throw new IllegalStateException("bind " + task.name() + " on " + name(node) + ": the node is down");
        }
        if (rdmaFree[node] < task.rdma()) {
            throw new IllegalStateException("bind " + task.name() + " on " + name(node) + ": RDMA over-committed (free "
                    + rdmaFree[node] + "%, task needs " + task.rdma() + "%)");
        }
        if (cpuFree[node] < task.cpuMilli() || memFree[node] < task.memoryMib()) {
            throw new IllegalStateException("bind " + task.name() + " on " + name(node) + ": CPU or memory over-committed (free cpu "
                    + cpuFree[node] + ", mem " + memFree[node] + ")");
        }
        int base = node * gpuStride;
        for (int j = 0; j < gpuCount[node]; j++) {
            if ((gpuMask & (1 << j)) != 0 && gpuFree[base + j] < task.gpuMilli()) {
                throw new IllegalStateException("bind " + task.name() + " on " + name(node) + ": GPU " + j + " has "
                        + gpuFree[base + j] + " milli free, task needs " + task.gpuMilli());
            }
        }
        apply(node, task, gpuMask, -1);
    }

    /** Releases what {@link #bind} took. Throws, changing nothing, if it would exceed capacity. */
    public void unbind(int node, TaskSpec task, int gpuMask) {
        checkMask(node, task, gpuMask);
        NodeSpec s = nodes[node];
        if (cpuFree[node] + task.cpuMilli() > s.cpuMilli() || memFree[node] + task.memoryMib() > s.memoryMib()
                || rdmaFree[node] + task.rdma() > s.rdma()) {
            throw new IllegalStateException("unbind " + task.name() + " from " + name(node) + ": would exceed CPU or memory capacity");
        }
        int base = node * gpuStride;
        for (int j = 0; j < gpuCount[node]; j++) {
            if ((gpuMask & (1 << j)) != 0 && gpuFree[base + j] + task.gpuMilli() > GPU_MILLI) {
                throw new IllegalStateException("unbind " + task.name() + " from " + name(node) + ": GPU " + j + " would exceed capacity");
            }
        }
        int tag = gpuShapeTag(task);
        if (tag >= 0 && gpuShapeCount[node * (NodeSpec.MAX_GPUS + 1) + tag] == 0) {
            throw new IllegalStateException("unbind " + task.name() + " from " + name(node) + ": no task of that GPU shape is bound there");
        }
        if (task.group() >= 0 && groupCount(node, task.group()) == 0) {
            throw new IllegalStateException("unbind " + task.name() + " from " + name(node) + ": no task of group " + task.group()
                    + " is bound there");
        }
        apply(node, task, gpuMask, +1);
    }

    private void checkMask(int node, TaskSpec task, int gpuMask) {
        if (node < 0 || node >= n) {
            throw new IndexOutOfBoundsException("node index " + node + " outside 0.." + (n - 1));
        }
        if (Integer.bitCount(gpuMask) != task.gpuCount() || (gpuMask >>> gpuCount[node]) != 0) {
            throw new IllegalArgumentException("task " + task.name() + " needs " + task.gpuCount() + " GPUs but mask "
                    + Integer.toBinaryString(gpuMask) + " names " + Integer.bitCount(gpuMask) + " on node " + name(node)
                    + " with " + gpuCount[node] + " GPUs");
        }
    }

    private void apply(int node, TaskSpec task, int gpuMask, int sign) {
        cpuFree[node] += sign * task.cpuMilli();
        memFree[node] += sign * task.memoryMib();
        rdmaFree[node] += sign * task.rdma();
        if (task.group() >= 0) {
            groupCounts.computeIfAbsent(task.group(), g -> new int[n])[node] -= sign;
        }
        int base = node * gpuStride;
        for (int j = 0; j < gpuCount[node]; j++) {
            if ((gpuMask & (1 << j)) != 0) {
                gpuFree[base + j] += sign * task.gpuMilli();
            }
        }
        usedGpuMilli -= sign * task.gpuDemandMilli();
        int tag = gpuShapeTag(task);
        if (tag >= 0) {
            int idx = node * (NodeSpec.MAX_GPUS + 1) + tag;
            int before = gpuShapeCount[idx];
            gpuShapeCount[idx] = before - sign;
            if (before == 0) {
                gpuShapeKinds[node]++;
            } else if (before - sign == 0) {
                gpuShapeKinds[node]--;
            }
        }
        taskCount[node] -= sign;
        recomputeAggregates(node);
        changed(node);
    }

    private void changed(int node) {
        version[node]++;
        for (int i = 0, m = listeners.size(); i < m; i++) {
            listeners.get(i).nodeChanged(node);
        }
    }

    /**
     * Cordons a node ({@code true}: the availability filter rejects it for new tasks, while the tasks it
     * hosts keep running and can still be released) or lifts the cordon. Binding on a cordoned node
     * stays possible for callers that restore known placements (a control plane's recovery).
     * Setting the current value again is a no-op.
     */
    public void setCordoned(int node, boolean isCordoned) {
        if (node < 0 || node >= n) {
            throw new IndexOutOfBoundsException("node index " + node + " outside 0.." + (n - 1));
        }
        if (cordoned[node] != isCordoned) {
            cordoned[node] = isCordoned;
            changed(node);
        }
    }

    /**
     * Takes a node out of service ({@code false}) or returns it ({@code true}). A node must be empty
     * before it goes down: the caller evicts its tasks first (so every eviction is accounted for).
     * Setting the current value again is a no-op.
     */
    public void setUp(int node, boolean isUp) {
        if (node < 0 || node >= n) {
            throw new IndexOutOfBoundsException("node index " + node + " outside 0.." + (n - 1));
        }
        if (up[node] == isUp) {
            return;
        }
        if (!isUp && taskCount[node] > 0) {
            throw new IllegalStateException("node " + name(node) + " still hosts " + taskCount[node]
                    + " tasks; evict them before taking the node down");
        }
        up[node] = isUp;
        long g = (long) gpuCount[node] * GPU_MILLI;
        availableGpuMilli += isUp ? g : -g;
        nodesUp += isUp ? 1 : -1;
        changed(node);
    }

    private void recomputeAggregates(int node) {
        int base = node * gpuStride;
        int total = 0;
        int max = 0;
        int full = 0;
        for (int j = 0; j < gpuCount[node]; j++) {
            int f = gpuFree[base + j];
            total += f;
            max = Math.max(max, f);
            if (f == GPU_MILLI) {
                full++;
            }
        }
        gpuFreeTotal[node] = total;
        maxGpuFree[node] = max;
        fullFreeGpus[node] = full;
    }

    /**
     * Checks every invariant (no resource over-committed or negative, aggregates consistent with the
     * raw arrays); throws {@link IllegalStateException} naming the first violation.
     */
    public void checkInvariants() {
        long used = 0;
        for (int i = 0; i < n; i++) {
            NodeSpec s = nodes[i];
            if (cpuFree[i] < 0 || cpuFree[i] > s.cpuMilli()) {
                throw new IllegalStateException("node " + s.name() + ": free CPU " + cpuFree[i] + " outside 0.." + s.cpuMilli());
            }
            if (memFree[i] < 0 || memFree[i] > s.memoryMib()) {
                throw new IllegalStateException("node " + s.name() + ": free memory " + memFree[i] + " outside 0.." + s.memoryMib());
            }
            if (rdmaFree[i] < 0 || rdmaFree[i] > s.rdma()) {
                throw new IllegalStateException("node " + s.name() + ": free RDMA " + rdmaFree[i] + " outside 0.." + s.rdma());
            }
            if (!up[i] && taskCount[i] != 0) {
                throw new IllegalStateException("node " + s.name() + " is down but hosts " + taskCount[i] + " tasks");
            }
            int total = 0;
            for (int j = 0; j < gpuCount[i]; j++) {
                int f = gpuFree[i * gpuStride + j];
                if (f < 0 || f > GPU_MILLI) {
                    throw new IllegalStateException("node " + s.name() + " GPU " + j + ": free " + f + " outside 0..1000");
                }
                total += f;
                used += GPU_MILLI - f;
            }
            if (total != gpuFreeTotal[i]) {
                throw new IllegalStateException("node " + s.name() + ": free GPU total " + gpuFreeTotal[i] + " but GPUs sum to " + total);
            }
        }
        if (used != usedGpuMilli) {
            throw new IllegalStateException("used GPU milli " + usedGpuMilli + " but GPUs sum to " + used);
        }
        for (Map.Entry<Integer, int[]> e : new TreeMap<>(groupCounts).entrySet()) {
            for (int i = 0; i < n; i++) {
                if (e.getValue()[i] < 0) {
                    throw new IllegalStateException("node " + nodes[i].name() + ": group " + e.getKey() + " count " + e.getValue()[i]);
                }
            }
        }
    }
}

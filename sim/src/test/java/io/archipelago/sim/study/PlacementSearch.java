package io.archipelago.sim.study;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Exhaustive search for the most GPU milli a placement of tiny task lists can allocate (CPU, memory,
 * RDMA, GPU model and GPUs per node as the scheduler's filters; no anti-affinity groups): every
 * distinct choice of node and GPU is tried for each task in order (GPUs of one node with the same
 * free milli are interchangeable, as are its fully free GPUs for a whole-GPU task).
 */
final class PlacementSearch {
    private static final int STRIDE = 4;

    private PlacementSearch() {
    }

    /** Any placement at all: a task may also be left out, even when it fits (an offline optimum). */
    static long bestOffline(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        return new PlacementSearch.State(nodes, tasks, false).search(0);
    }

    /** The study's rules: in arrival order, a task that fits somewhere must be placed; one that fits nowhere is refused. */
    static long bestUnderStudyRules(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        return new PlacementSearch.State(nodes, tasks, true).search(0);
    }

    /** GPU milli that registered {@code policy} allocates placing {@code tasks} in order (target workload: {@code target}). */
    static long allocatedBy(String policy, List<NodeSpec> nodes, List<TaskSpec> tasks, List<TaskSpec> target, long seed) {
        ClusterState s = new ClusterState(nodes);
        Scheduler sch = new Scheduler(s, Policies.profile(policy,
                new PolicyContext(s, new SplittableRandom(seed), new Fragmentation(TargetWorkload.of(target)))));
        for (TaskSpec t : tasks) {
            sch.place(t, sch.shapeOf(t));
        }
        return s.usedGpuMilli();
    }

    private static final class State {
        final List<NodeSpec> nodes;
        final List<TaskSpec> tasks;
        final boolean forced;
        final int[] gpuFree;
        final long[] cpu;
        final long[] mem;
        final int[] rdma;

        State(List<NodeSpec> nodes, List<TaskSpec> tasks, boolean forced) {
            this.nodes = nodes;
            this.tasks = tasks;
            this.forced = forced;
            gpuFree = new int[nodes.size() * STRIDE];
            cpu = new long[nodes.size()];
            mem = new long[nodes.size()];
            rdma = new int[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                for (int j = 0; j < nodes.get(i).gpuCount(); j++) {
                    gpuFree[i * STRIDE + j] = 1000;
                }
                cpu[i] = nodes.get(i).cpuMilli();
                mem[i] = nodes.get(i).memoryMib();
                rdma[i] = nodes.get(i).rdma();
            }
        }

        long search(int i) {
            if (i == tasks.size()) {
                return 0;
            }
            TaskSpec t = tasks.get(i);
            long best = -1;
            for (int n = 0; n < nodes.size(); n++) {
                NodeSpec ns = nodes.get(n);
                boolean model = t.allowedModels() == 0 || t.gpuCount() == 0 || (t.allowedModels() & (1L << ns.gpuModel())) != 0;
                if (!model || cpu[n] < t.cpuMilli() || mem[n] < t.memoryMib() || ns.gpuCount() < t.gpuCount() || rdma[n] < t.rdma()) {
                    continue;
                }
                cpu[n] -= t.cpuMilli();
                mem[n] -= t.memoryMib();
                rdma[n] -= t.rdma();
                if (t.gpuCount() == 0) {
                    best = Math.max(best, search(i + 1));
                } else if (t.isSharing()) {
                    Set<Integer> tried = new HashSet<>();
                    for (int j = 0; j < ns.gpuCount(); j++) {
                        int free = gpuFree[n * STRIDE + j];
                        if (free >= t.gpuMilli() && tried.add(free)) {
                            gpuFree[n * STRIDE + j] -= t.gpuMilli();
                            best = Math.max(best, t.gpuMilli() + search(i + 1));
                            gpuFree[n * STRIDE + j] += t.gpuMilli();
                        }
                    }
                } else {
                    List<Integer> taken = new ArrayList<>();
                    for (int j = 0; j < ns.gpuCount() && taken.size() < t.gpuCount(); j++) {
                        if (gpuFree[n * STRIDE + j] == 1000) {
                            taken.add(j);
                        }
                    }
                    if (taken.size() == t.gpuCount()) {
                        for (int j : taken) {
                            gpuFree[n * STRIDE + j] = 0;
                        }
                        best = Math.max(best, t.gpuDemandMilli() + search(i + 1));
                        for (int j : taken) {
                            gpuFree[n * STRIDE + j] = 1000;
                        }
                    }
                }
                cpu[n] += t.cpuMilli();
                mem[n] += t.memoryMib();
                rdma[n] += t.rdma();
            }
            if (best < 0 || !forced) {
                best = Math.max(best, search(i + 1)); // refused (fits nowhere), or left out offline
            }
            return best;
        }
    }
}

package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * BestFit: trunc(100 · (1 − [0.5 · (free CPU − CPU) / MaxCPU + 0.5 · (free GPU − g·k) / MaxGPU]))
 * with the node's total free GPU; prefers the node left with the least free CPU and GPU. The
 * artifact then min-max normalises across feasible nodes; that map is strictly increasing whenever
 * the scores differ, so the winner and the ties are the same and it is omitted here.
 */
final class BestFitScore implements ScorePlugin {
    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        double left = 0.5 * (s.cpuFree(node) - t.cpuMilli()) / Normalisers.MAX_CPU
                + 0.5 * (double) (s.gpuFreeTotal(node) - t.gpuDemandMilli()) / Normalisers.MAX_GPU;
        return Normalisers.clamp((int) (100 * (1 - left)));
    }

    @Override
    public String name() {
        return "BestFit";
    }
}

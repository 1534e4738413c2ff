package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * DotProd as the FGD artifact implements it: node vector (free CPU / MaxCPU, node's total free GPU
 * / MaxGPU), task vector (CPU / MaxCPU, g·k / MaxGPU); score = trunc(100 · (1 − dot / 2)). A
 * smaller dot product scores higher (the opposite sign of Tetris' alignment rule). Clamped to
 * [0, 100] for nodes larger than the normalisers.
 */
final class DotProdScore implements ScorePlugin {
    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        double dot = (s.cpuFree(node) / Normalisers.MAX_CPU) * (t.cpuMilli() / Normalisers.MAX_CPU)
                + ((double) s.gpuFreeTotal(node) / Normalisers.MAX_GPU) * ((double) t.gpuDemandMilli() / Normalisers.MAX_GPU);
        return Normalisers.clamp((int) (100 * (1 - dot / 2)));
    }

    @Override
    public String name() {
        return "DotProd";
    }
}

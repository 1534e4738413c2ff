package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * GpuClustering: keeps GPU tasks of one GPU shape (sharing, or k whole GPUs) together. With
 * u = trunc(25 · (MaxGPU − node free GPU) / MaxGPU): a node hosting only this shape scores 75 + u,
 * this shape among others 50 + u, no GPU task 25 + u, only other shapes u. CPU-only tasks score 0
 * everywhere.
 */
final class GpuClusteringScore implements ScorePlugin {
    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        int tag = ClusterState.gpuShapeTag(t);
        if (tag < 0) {
            return 0;
        }
        int u = Math.max(0, 25 * (Normalisers.MAX_GPU - s.gpuFreeTotal(node)) / Normalisers.MAX_GPU);
        int kinds = s.gpuShapeKinds(node);
        int base;
        if (s.gpuShapeCount(node, tag) > 0) {
            base = kinds == 1 ? 75 : 50;
        } else {
            base = kinds == 0 ? 25 : 0;
        }
        return Normalisers.clamp(base + u);
    }

    @Override
    public String name() {
        return "GpuClustering";
    }
}

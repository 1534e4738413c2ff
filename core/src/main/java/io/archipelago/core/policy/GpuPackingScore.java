package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.GpuSelectors;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

/**
 * GpuPacking: share a used GPU &gt; use free GPUs of a used node &gt; open an idle node. For the
 * GPUs the task would take (tightest first): (A) all partly used: 100 − Σ(free% of each)/10, at
 * least 50, with free% = trunc(100 · free / 1000); (B) some fully free GPU needed on a node with
 * load: 50 − (fully free GPUs used), at least 33; (C) the node is completely idle:
 * max(33 − free GPUs, free GPUs). CPU-only tasks score 0 everywhere.
 */
final class GpuPackingScore implements ScorePlugin {
    @Override
    public int score(ClusterState s, int node, TaskSpec t) {
        if (t.gpuCount() == 0) {
            return 0;
        }
        int gpus = s.gpuCount(node);
        int fully = s.fullFreeGpus(node);
        if (fully == gpus) {
            return Normalisers.clamp(Math.max(33 - fully, fully));
        }
        int mask = GpuSelectors.tightestFirst(s, node, t);
        int fullyUsed = 0;
        int freePct = 0;
        for (int j = 0; j < gpus; j++) {
            if ((mask & (1 << j)) != 0) {
                int f = s.gpuFree(node, j);
                if (f == ClusterState.GPU_MILLI) {
                    fullyUsed++;
                }
                freePct += f * 100 / ClusterState.GPU_MILLI;
            }
        }
        if (fullyUsed > 0) {
            return Math.max(50 - fullyUsed, 33);
        }
        return Math.max(100 - freePct / 10, 50);
    }

    @Override
    public String name() {
        return "GpuPacking";
    }
}

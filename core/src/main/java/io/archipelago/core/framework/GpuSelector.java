package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

/**
 * Extension point (reserve step): chooses which GPUs of the chosen node a task takes.
 *
 * <p>Contract: called once per successful decision, for a node that passed every filter. Returns a
 * bit mask over the node's GPU indices with exactly {@code task.gpuCount()} bits set, each GPU
 * having at least {@code task.gpuMilli()} free (0 for a CPU-only task). Must not change state.
 */
public interface GpuSelector extends Plugin {
    int selectGpus(ClusterState state, int node, TaskSpec task);
}

package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

/**
 * Extension point: commits a placement. The default binder allocates the resources in the
 * {@link ClusterState}; a control plane may persist first. Called once per successful decision,
 * after GPU selection; if it throws, the decision fails and the state is unchanged.
 */
public interface BindPlugin extends Plugin {
    void bind(ClusterState state, int node, TaskSpec task, int gpuMask);

    /** The binder that allocates in the in-memory state. */
    BindPlugin IN_MEMORY = new BindPlugin() {
        @Override
        public void bind(ClusterState state, int node, TaskSpec task, int gpuMask) {
            state.bind(node, task, gpuMask);
        }

        @Override
        public String name() {
            return "InMemoryBinder";
        }
    };
}

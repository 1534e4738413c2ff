package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

/**
 * Extension point: decides whether a node can host a task at all (hard constraints).
 *
 * <p>Contract: {@link #filter} is called for every node on every decision, in the profile's filter
 * order; the first filter that does not answer {@link Reason#FITS} rejects the node and its reason
 * is the one counted in the explanation. It must not change any state, must not allocate, and must
 * be deterministic.
 */
public interface FilterPlugin extends Plugin {
    /** {@link Reason#FITS} if {@code node} can host {@code task}, else why not. */
    Reason filter(ClusterState state, int node, TaskSpec task);
}

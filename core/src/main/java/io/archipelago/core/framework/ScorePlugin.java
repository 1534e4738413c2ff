package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

/**
 * Extension point: ranks the nodes that passed every filter.
 *
 * <p>Contract: {@link #score} returns an integer in {@code [0, 100]} (the framework rejects anything
 * else with an error naming the plugin); higher is better. The framework multiplies it by the
 * plugin's weight from the profile and sums over plugins; the node with the highest total wins and
 * ties go to the lowest node index (callers order nodes to define the tie-break).
 *
 * <p>If {@link #cacheable()} is true the score may depend only on the node's current state and on
 * the task's CPU, GPU count, per-GPU milli and allowed models; the framework then caches it per
 * (node, task shape) and recomputes it only after that node changed.
 */
public interface ScorePlugin extends Plugin {
    /** Highest score a plugin may return. */
    int MAX_SCORE = 100;

    /**
     * Called once per decision, before any {@link #score} call of that decision, with the number
     * of nodes that passed the filters. Default: nothing.
     */
    default void preScore(ClusterState state, TaskSpec task, int feasibleNodes) {
    }

    /** Score of a node that passed every filter, in [0, 100]. */
    int score(ClusterState state, int node, TaskSpec task);

    /** Whether scores may be cached per (node state, task shape); see the class contract. */
    default boolean cacheable() {
        return true;
    }
}

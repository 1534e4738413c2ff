package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a policy factory may use: the cluster, a seeded random generator (the only source of
 * randomness a policy may touch) and, for fragmentation-aware policies, the fragmentation measure
 * built from the target workload.
 */
public record PolicyContext(ClusterState state, RandomGenerator random, Fragmentation fragmentation) {
    public PolicyContext {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(random, "random");
    }

    /** The fragmentation measure, or a clear error if the caller did not supply one. */
    public Fragmentation requireFragmentation(String policy) {
        if (fragmentation == null) {
            throw new IllegalArgumentException("policy " + policy + " needs a target workload (fragmentation measure); "
                    + "build the PolicyContext with new Fragmentation(TargetWorkload.of(trace))");
        }
        return fragmentation;
    }
}

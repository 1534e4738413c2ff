package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.framework.ScorePlugin;
import io.archipelago.core.model.TaskSpec;

import java.util.random.RandomGenerator;

/**
 * Random: before scoring, draws one of the feasible nodes uniformly; that node scores 100 and all
 * others 0. Relies on the framework's contract that {@link #score} is called once per feasible
 * node, in node order, after {@link #preScore}. Not cacheable.
 */
final class RandomScore implements ScorePlugin {
    private final RandomGenerator rng;
    private int chosen;
    private int seen;

    RandomScore(RandomGenerator rng) {
        this.rng = rng;
    }

    @Override
    public void preScore(ClusterState state, TaskSpec task, int feasibleNodes) {
        chosen = rng.nextInt(feasibleNodes);
        seen = 0;
    }

    @Override
    public int score(ClusterState state, int node, TaskSpec task) {
        return seen++ == chosen ? MAX_SCORE : 0;
    }

    @Override
    public boolean cacheable() {
        return false;
    }

    @Override
    public String name() {
        return "Random";
    }
}

package io.archipelago.sim.scenario;

/**
 * A score plugin and its weight in a {@link PolicySpec}.
 *
 * @param plugin canonical policy name from {@link io.archipelago.core.policy.Policies#names()}
 * @param weight 1..1000
 */
public record WeightedPlugin(String plugin, int weight) {
}

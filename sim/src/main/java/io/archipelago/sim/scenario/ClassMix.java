package io.archipelago.sim.scenario;

/**
 * The share of tasks in each QoS class; the three shares sum to 1 (the parser normalises them).
 * YAML: {@code classes: {latency_sensitive: 0.57, burstable: 0.01, best_effort: 0.42}}.
 */
public record ClassMix(double latencySensitive, double burstable, double bestEffort) {
    /** The openb default trace's mix. */
    public static final ClassMix DEFAULT = new ClassMix(0.57, 0.01, 0.42);
}

package io.archipelago.sim.engine;

import io.archipelago.core.model.Qos;

/**
 * Priority classes, lowest first. A job of a higher class is scheduled first and may evict jobs of
 * lower classes.
 */
public enum PriorityClass {
    /** Spot work: runs on idle capacity, evicted first, requeued when evicted. */
    BEST_EFFORT("best-effort"),
    /** Ordinary batch and training work. */
    BURSTABLE("burstable"),
    /** Online services: placed first, may evict the two classes below. */
    LATENCY_SENSITIVE("latency-sensitive");

    private static final PriorityClass[] VALUES = values();
    private final String label;

    PriorityClass(String label) {
        this.label = label;
    }

    /** The name used in reports and files. */
    public String label() {
        return label;
    }

    public static PriorityClass of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The class of an openb QoS: LS and Guaranteed are latency-sensitive, BE is best-effort, the rest burstable. */
    public static PriorityClass ofQos(Qos q) {
        switch (q) {
            case LS:
            case GUARANTEED:
                return LATENCY_SENSITIVE;
            case BE:
                return BEST_EFFORT;
            default:
                return BURSTABLE;
        }
    }
}

package io.archipelago.sim.scenario;

import java.util.List;

/**
 * Nodes that fail at {@code atMs} and come back {@code durationMs} later. Exactly one target is
 * set: {@code nodes} (non-empty), {@code count} (≥ 1 nodes drawn at random), {@code site}
 * (every node of a site) or {@code fraction} (that share of all nodes, 0 &lt; f ≤ 1). Unset
 * targets are the empty list, 0, null and 0.0.
 *
 * @param atMs       simulated time of the failure, ms
 * @param durationMs how long the nodes stay down, ms, or {@link #FOREVER} (-1, YAML {@code for: forever})
 */
public record OutageSpec(long atMs, long durationMs, List<String> nodes, int count, String site, double fraction) {
    /** {@link #durationMs()} value meaning "the nodes never come back". */
    public static final long FOREVER = -1;

    /** Which of the four targets an outage uses. */
    public enum Target { NODES, COUNT, SITE, FRACTION }

    public OutageSpec {
        nodes = List.copyOf(nodes);
    }

    /** The target that is set. */
    public Target target() {
        if (!nodes.isEmpty()) {
            return Target.NODES;
        }
        if (count > 0) {
            return Target.COUNT;
        }
        if (site != null) {
            return Target.SITE;
        }
        return Target.FRACTION;
    }

    /** True when the nodes never come back. */
    public boolean forever() {
        return durationMs == FOREVER;
    }
}

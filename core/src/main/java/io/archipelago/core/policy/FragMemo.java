package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;

/**
 * F(n) of each node's current state (the FGD measure), memoised by the node's version: a node's value is computed
 * again only after a bind or unbind changed it. One entry per node, sized on first use; not thread-safe (one per
 * scorer, as the scheduler's cycle is single-threaded).
 */
final class FragMemo {
    private final Fragmentation frag;
    private double[] value = new double[0];
    /** The node's version + 1 at which {@link #value} was computed; 0 = never. */
    private int[] version = new int[0];

    FragMemo(Fragmentation frag) {
        this.frag = frag;
    }

    /** F(node) now. */
    double of(ClusterState s, int node) {
        if (value.length != s.nodeCount()) {
            value = new double[s.nodeCount()];
            version = new int[s.nodeCount()];
        }
        int v = s.version(node) + 1;
        if (version[node] != v) {
            value[node] = frag.nodeFrag(s, node);
            version[node] = v;
        }
        return value[node];
    }
}

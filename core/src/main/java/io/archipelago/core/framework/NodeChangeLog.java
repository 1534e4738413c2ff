package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;

/**
 * The nodes that changed, in order: a ring buffer of node indices appended to by the
 * {@link ClusterState} listener and replayed by each {@link ShapeIndex} from the position it last
 * consumed. Positions are absolute (a {@code long} that never wraps); entry {@code p} lives at
 * {@code ring[p & mask]} and is still there while {@code head - p <= capacity}.
 *
 * <p>The listener only records the node: the scheduler recomputes nothing until a task of that shape
 * asks, which is after every listener of the change has run (the FGD score's version memo, the
 * fragmentation tracker), so listener registration order does not matter.
 */
final class NodeChangeLog implements ClusterState.NodeChangeListener {
    private final int[] ring;
    private final int mask;
    private long head;

    /** A log holding at least the last {@code minCapacity} changes. */
    NodeChangeLog(int minCapacity) {
        int cap = Integer.highestOneBit(Math.max(2, minCapacity) - 1) << 1;
        this.ring = new int[cap];
        this.mask = cap - 1;
    }

    @Override
    public void nodeChanged(int node) {
        ring[(int) head & mask] = node;
        head++;
    }

    /** Position after the newest entry (the number of changes recorded so far). */
    long head() {
        return head;
    }

    int capacity() {
        return ring.length;
    }

    /** The node of entry {@code position}; valid while {@code head() - position <= capacity()}. */
    int at(long position) {
        return ring[(int) position & mask];
    }
}

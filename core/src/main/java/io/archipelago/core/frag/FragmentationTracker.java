package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;

/**
 * Keeps F(n) of every node current as the cluster changes, and the cluster's fragmentation amount
 * (Σ F(n)) and ratio (amount / idle GPU). Registers itself as a listener of the state; each change
 * costs one node evaluation and O(1) for the sum.
 *
 * <p>The sum is kept in fixed point (units of 2<sup>-20</sup> milli-GPU) so that adding and
 * removing a node's share is exact: the amount does not drift over millions of changes and does not
 * depend on the order of the changes. A node that is down holds no capacity and counts 0.
 */
public final class FragmentationTracker implements ClusterState.NodeChangeListener {
    private final ClusterState state;
    private final Fragmentation frag;
    private static final double SCALE = 1 << 20;
    private final double[] nodeFrag;
    private final long[] nodeFixed;
    private long fixedSum;

    public FragmentationTracker(ClusterState state, Fragmentation frag) {
        this.state = state;
        this.frag = frag;
        this.nodeFrag = new double[state.nodeCount()];
        this.nodeFixed = new long[state.nodeCount()];
        for (int i = 0; i < nodeFrag.length; i++) {
            nodeChanged(i);
        }
        state.addListener(this);
    }

    @Override
    public void nodeChanged(int node) {
        double f = state.isUp(node) ? frag.nodeFrag(state, node) : 0;
        long fixed = Math.round(f * SCALE);
        nodeFrag[node] = f;
        fixedSum += fixed - nodeFixed[node];
        nodeFixed[node] = fixed;
    }

    /** F(n) of one node, milli-GPU. */
    public double nodeFrag(int node) {
        return nodeFrag[node];
    }

    /** Cluster fragmentation amount, milli-GPU. */
    public double amount() {
        return fixedSum / SCALE;
    }

    /** Unallocated GPU on the nodes that are up, milli-GPU. */
    public long idleMilli() {
        return state.availableGpuMilli() - state.usedGpuMilli();
    }

    /** Fragmentation amount as a share of idle GPU, 0..1 (0 when nothing is idle). */
    public double ratio() {
        long idle = idleMilli();
        return idle == 0 ? 0 : amount() / idle;
    }

    public Fragmentation fragmentation() {
        return frag;
    }
}

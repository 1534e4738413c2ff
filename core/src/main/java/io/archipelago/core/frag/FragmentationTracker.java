package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;

/**
 * Keeps F(n) of every node current as the cluster changes, and the cluster's fragmentation amount
 * (Σ F(n)) and ratio (amount / idle GPU). Registers itself as a listener of the state; each change
 * costs one node evaluation.
 */
public final class FragmentationTracker implements ClusterState.NodeChangeListener {
    private final ClusterState state;
    private final Fragmentation frag;
    private final double[] nodeFrag;
    private double amount;

    public FragmentationTracker(ClusterState state, Fragmentation frag) {
        this.state = state;
        this.frag = frag;
        this.nodeFrag = new double[state.nodeCount()];
        for (int i = 0; i < nodeFrag.length; i++) {
            nodeFrag[i] = frag.nodeFrag(state, i);
        }
        recomputeSum();
        state.addListener(this);
    }

    @Override
    public void nodeChanged(int node) {
        nodeFrag[node] = frag.nodeFrag(state, node);
        recomputeSum();
    }

    private void recomputeSum() {
        // a fresh sum in index order: deterministic, and free of drift from incremental updates
        double s = 0;
        for (double f : nodeFrag) {
            s += f;
        }
        amount = s;
    }

    /** F(n) of one node, milli-GPU. */
    public double nodeFrag(int node) {
        return nodeFrag[node];
    }

    /** Cluster fragmentation amount, milli-GPU. */
    public double amount() {
        return amount;
    }

    /** Unallocated GPU, milli-GPU. */
    public long idleMilli() {
        return state.totalGpuMilli() - state.usedGpuMilli();
    }

    /** Fragmentation amount as a share of idle GPU, 0..1 (0 when nothing is idle). */
    public double ratio() {
        long idle = idleMilli();
        return idle == 0 ? 0 : amount / idle;
    }

    public Fragmentation fragmentation() {
        return frag;
    }
}

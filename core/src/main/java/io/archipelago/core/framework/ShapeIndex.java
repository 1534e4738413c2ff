package io.archipelago.core.framework;

import java.util.Arrays;

/**
 * The best node for one task shape, kept current incrementally: a key per node (the node's
 * weighted total score if every filter passes, else {@link #INFEASIBLE}), the node version each key
 * was computed at, the number of feasible nodes, and a tournament tree whose root is the node with
 * the highest key, ties to the lowest index.
 *
 * <h2>Design note</h2>
 * The tree is built over blocks of {@value #BLOCK} consecutive nodes: a leaf holds the winner of its
 * block (found by a linear scan of {@value #BLOCK} keys), an inner node the winner of its two
 * children, where the left child wins ties (its nodes have lower indices). Blocks keep the tree at
 * 1/8 to 1/4 of the node count in ints (a node-level tree would be 2-4x the key array) while an
 * update stays O(BLOCK + log(N / BLOCK)). Padding leaves hold -1. Only {@link Scheduler} fills the keys;
 * this class knows nothing of filters or scores.
 *
 * <p>Memory per shape: two {@code int[N]} (key, version) plus at most {@code N/4} ints of tree
 * (2,048 at 12,130 nodes).
 */
final class ShapeIndex {
    /** Key of a node that fails a filter; below every real total (totals are non-negative). */
    static final int INFEASIBLE = Integer.MIN_VALUE;
    static final int BLOCK_SHIFT = 4;
    static final int BLOCK = 1 << BLOCK_SHIFT;

    /** Weighted total score per node, or {@link #INFEASIBLE}. */
    final int[] key;
    /** {@code ClusterState.version(node) + 1} when {@link #key} was computed; 0 = never (or invalidated). */
    final int[] ver;
    private final int n;
    private final int blocks;
    /** First leaf; leaves are {@code tree[leaves .. leaves + blocks)}, the root is {@code tree[1]}. */
    private final int leaves;
    private final int[] tree;
    /** Position in the scheduler's change log up to which this index is current; -1 = never built. */
    long consumed = -1;
    /** Number of nodes whose key is not {@link #INFEASIBLE}. */
    int feasible;

    /** The shape's id in its scheduler. */
    final int id;

    ShapeIndex(int n, int id) {
        this.id = id;
        this.n = n;
        this.key = new int[n];
        this.ver = new int[n];
        this.blocks = (n + BLOCK - 1) >>> BLOCK_SHIFT;
        this.leaves = blocks <= 1 ? 1 : Integer.highestOneBit(blocks - 1) << 1;
        this.tree = new int[2 * leaves];
        Arrays.fill(tree, -1);
    }

    /** The node with the highest key, lowest index on ties; its key is {@link #INFEASIBLE} if none is feasible. */
    int best() {
        return tree[1];
    }

    /**
     * The node with the highest key in {@code [from, to)}, lowest index on ties, or -1 when none there
     * is feasible. O(BLOCK + log(N / BLOCK)): the partial blocks at the ends are scanned, the whole
     * blocks between them are read from the tree.
     */
    int bestIn(int from, int to) {
        if (from >= to) {
            return -1;
        }
        int firstBlock = from >>> BLOCK_SHIFT;
        int lastBlock = (to - 1) >>> BLOCK_SHIFT;
        int best = -1;
        if (firstBlock == lastBlock) {
            best = scan(from, to, best);
        } else {
            int fullFrom = firstBlock;
            int fullTo = lastBlock + 1;
            if ((from & (BLOCK - 1)) != 0) {
                best = scan(from, (firstBlock + 1) << BLOCK_SHIFT, best);
                fullFrom++;
            }
            if ((to & (BLOCK - 1)) != 0) {
                best = scan(lastBlock << BLOCK_SHIFT, to, best);
                fullTo--;
            }
            int lo = leaves + fullFrom;
            int hi = leaves + fullTo;
            while (lo < hi) {
                if ((lo & 1) != 0) {
                    best = pick(best, tree[lo++]);
                }
                if ((hi & 1) != 0) {
                    best = pick(best, tree[--hi]);
                }
                lo >>>= 1;
                hi >>>= 1;
            }
        }
        return best < 0 || key[best] == INFEASIBLE ? -1 : best;
    }

    private int scan(int from, int to, int best) {
        for (int i = from; i < to; i++) {
            best = pick(best, i);
        }
        return best;
    }

    /** The better of two nodes in any order: higher key, then lower index; -1 stands for none. */
    private int pick(int a, int b) {
        if (a < 0) {
            return b;
        }
        if (b < 0) {
            return a;
        }
        if (key[a] != key[b]) {
            return key[a] > key[b] ? a : b;
        }
        return Math.min(a, b);
    }

    /** Forgets everything, so the next query rebuilds from scratch (used after a plugin threw mid-update). */
    void invalidate() {
        Arrays.fill(ver, 0);
        consumed = -1;
    }

    /** Re-derives the path from {@code node}'s leaf to the root after its key changed. O(BLOCK + log blocks). */
    void update(int node) {
        int b = node >>> BLOCK_SHIFT;
        int t = leaves + b;
        tree[t] = blockWinner(b);
        for (t >>>= 1; t >= 1; t >>>= 1) {
            tree[t] = better(tree[2 * t], tree[2 * t + 1]);
        }
    }

    /** Rebuilds the whole tree from the keys. O(N). */
    void rebuildTree() {
        for (int b = 0; b < blocks; b++) {
            tree[leaves + b] = blockWinner(b);
        }
        for (int t = leaves - 1; t >= 1; t--) {
            tree[t] = better(tree[2 * t], tree[2 * t + 1]);
        }
    }

    /** Cost, in key reads, above which {@link #rebuildTree()} beats {@code updates} calls of {@link #update}. */
    boolean cheaperToRebuild(int updates) {
        return (long) updates * (BLOCK + 2 * Integer.numberOfTrailingZeros(leaves) + 2) > n + leaves;
    }

    private int blockWinner(int b) {
        int from = b << BLOCK_SHIFT;
        int to = Math.min(n, from + BLOCK);
        int best = from;
        int bestKey = key[from];
        for (int i = from + 1; i < to; i++) {
            if (key[i] > bestKey) {
                bestKey = key[i];
                best = i;
            }
        }
        return best;
    }

    private int better(int a, int b) {
        if (b < 0) {
            return a;
        }
        if (a < 0) {
            return b;
        }
        return key[b] > key[a] ? b : a;
    }
}

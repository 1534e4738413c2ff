package io.archipelago.core.framework;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;

import java.util.random.RandomGenerator;

/** The GPU-selection rules of the FGD study's baselines. */
public final class GpuSelectors {
    private GpuSelectors() {
    }

    /**
     * Best fit: a sharing task takes the GPU with the least free milli that still fits (lowest index
     * on ties); a whole-GPU task takes the lowest-indexed GPUs with enough free.
     */
    public static GpuSelector bestFit() {
        return new GpuSelector() {
            @Override
            public int selectGpus(ClusterState s, int node, TaskSpec t) {
                if (t.gpuCount() == 0) {
                    return 0;
                }
                if (t.isSharing()) {
                    int best = -1;
                    int bestFree = Integer.MAX_VALUE;
                    for (int j = 0; j < s.gpuCount(node); j++) {
                        int f = s.gpuFree(node, j);
                        if (f >= t.gpuMilli() && f < bestFree) {
                            best = j;
                            bestFree = f;
                        }
                    }
                    return requireFound(best < 0 ? 0 : 1 << best, s, node, t);
                }
                return lowestIndexed(s, node, t);
            }

            @Override
            public String name() {
                return "BestFitGpu";
            }
        };
    }

    /** A sharing task takes a uniformly random GPU among those that fit; whole GPUs lowest-indexed. */
    public static GpuSelector random(RandomGenerator rng) {
        return new GpuSelector() {
            @Override
            public int selectGpus(ClusterState s, int node, TaskSpec t) {
                if (t.gpuCount() == 0) {
                    return 0;
                }
                if (t.isSharing()) {
                    int fits = 0;
                    for (int j = 0; j < s.gpuCount(node); j++) {
                        if (s.gpuFree(node, j) >= t.gpuMilli()) {
                            fits++;
                        }
                    }
                    if (fits == 0) {
                        return requireFound(0, s, node, t);
                    }
                    int pick = rng.nextInt(fits);
                    for (int j = 0; j < s.gpuCount(node); j++) {
                        if (s.gpuFree(node, j) >= t.gpuMilli() && pick-- == 0) {
                            return 1 << j;
                        }
                    }
                }
                return lowestIndexed(s, node, t);
            }

            @Override
            public String name() {
                return "RandomGpu";
            }
        };
    }

    /** The {@code gpuCount} lowest-indexed GPUs with at least {@code gpuMilli} free. */
    public static int lowestIndexed(ClusterState s, int node, TaskSpec t) {
        int need = t.gpuCount();
        int mask = 0;
        for (int j = 0; j < s.gpuCount(node) && need > 0; j++) {
            if (s.gpuFree(node, j) >= t.gpuMilli()) {
                mask |= 1 << j;
                need--;
            }
        }
        return requireFound(need == 0 ? mask : 0, s, node, t);
    }

    /**
     * Tightest first: GPUs sorted by increasing free milli (stable by index), the first
     * {@code gpuCount} with at least {@code gpuMilli} free.
     */
    public static int tightestFirst(ClusterState s, int node, TaskSpec t) {
        int need = t.gpuCount();
        if (need == 0) {
            return 0;
        }
        int mask = 0;
        int count = s.gpuCount(node);
        // repeated selection of the smallest eligible free value; count <= 16
        for (int taken = 0; taken < need; taken++) {
            int best = -1;
            int bestFree = Integer.MAX_VALUE;
            for (int j = 0; j < count; j++) {
                int f = s.gpuFree(node, j);
                if ((mask & (1 << j)) == 0 && f >= t.gpuMilli() && f < bestFree) {
                    best = j;
                    bestFree = f;
                }
            }
            if (best < 0) {
                return requireFound(0, s, node, t);
            }
            mask |= 1 << best;
        }
        return mask;
    }

    private static int requireFound(int mask, ClusterState s, int node, TaskSpec t) {
        if (mask == 0 && t.gpuCount() > 0) {
            throw new IllegalStateException("no GPU of node " + s.name(node) + " fits task " + t.name()
                    + " (" + t.gpuCount() + " x " + t.gpuMilli() + " milli); the GPU filter should have rejected it");
        }
        return mask;
    }
}

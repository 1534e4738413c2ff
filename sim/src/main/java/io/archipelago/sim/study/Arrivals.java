package io.archipelago.sim.study;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The FGD study's arrival construction (fgd-method.md 1.3-1.4), driven by one seeded random stream
 * in this order: (1) shuffle the name-sorted trace, (2) inflate or deflate it to {@code tune} times
 * the cluster's GPU capacity, (3) draw the per-seed node order used for tie-breaking. The same
 * stream is then handed to the policy (Random draws from it at run time).
 *
 * @param tasks          the arrival order
 * @param originalCount  how many of {@code tasks} come from the trace itself (the rest are clones)
 * @param nodes          the nodes in tie-break order (index 0 wins ties)
 */
public record Arrivals(List<TaskSpec> tasks, int originalCount, List<NodeSpec> nodes) {

    /**
     * Builds the arrivals for one seed.
     *
     * @param trace the pods of the original trace file, any order
     * @param nodes the cluster's nodes
     * @param tune  target total GPU request as a multiple of GPU capacity (the study uses 1.3); 0 or
     *              less keeps the trace as it is
     * @param rng   the run's random stream, positioned at its start
     */
    public static Arrivals build(List<TaskSpec> trace, List<NodeSpec> nodes, double tune, RandomGenerator rng) {
        if (trace.isEmpty()) {
            throw new IllegalArgumentException("the pod list is empty; the study needs at least one pod");
        }
        if (Double.isNaN(tune) || Double.isInfinite(tune) || tune > 100) {
            throw new IllegalArgumentException("tune " + tune + " is not a sensible multiple of GPU capacity; the study uses 1.3");
        }
        List<TaskSpec> sorted = new ArrayList<>(trace);
        sorted.sort(Comparator.comparing(TaskSpec::name));
        List<TaskSpec> order = new ArrayList<>(sorted);
        shuffle(order, rng);
        int originalCount = order.size();
        if (tune > 0) {
            long capacity = 0;
            for (NodeSpec n : nodes) {
                capacity += n.gpuCount() * 1000L;
            }
            long target = (long) (tune * capacity);
            long total = 0;
            for (TaskSpec t : order) {
                total += t.gpuDemandMilli();
            }
            if (total < target) {
                // Inflate: clones drawn with replacement from the name-sorted trace, appended, until the
                // next draw would overshoot. The test adds the per-GPU milli only (the artifact's quirk).
                int i = 0;
                while (true) {
                    TaskSpec p = sorted.get(rng.nextInt(sorted.size()));
                    if (total + p.gpuMilli() > target) {
                        break;
                    }
                    order.add(p.renamed(p.name() + "-tuned-" + i++));
                    total += p.gpuDemandMilli();
                }
            } else {
                // Deflate: delete uniformly random pods until the total fits.
                while (total > target && !order.isEmpty()) {
                    TaskSpec removed = order.remove(rng.nextInt(order.size()));
                    total -= removed.gpuDemandMilli();
                }
                originalCount = order.size();
            }
        }
        List<NodeSpec> nodeOrder = new ArrayList<>(nodes);
        shuffle(nodeOrder, rng);
        return new Arrivals(List.copyOf(order), originalCount, List.copyOf(nodeOrder));
    }

    /** Fisher-Yates shuffle driven by {@code rng}. */
    static <T> void shuffle(List<T> list, RandomGenerator rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}

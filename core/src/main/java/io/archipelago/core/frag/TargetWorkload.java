package io.archipelago.core.frag;

import io.archipelago.core.model.TaskSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FGD target workload: the most popular task shapes of a trace with their probabilities.
 *
 * <p>Built once from every task of the original trace (CPU-only tasks included), each counted once.
 * Tasks are grouped by exact shape (CPU milli, per-GPU milli, GPU count, allowed-model string as
 * written); shapes are sorted by decreasing count, ties by first appearance in the input, and taken
 * one at a time until they cover at least {@code coverage} of all tasks; their counts are then
 * renormalised to probabilities summing to 1. Memory is not part of the shape.
 */
public final class TargetWorkload {
    /** One task class of the target workload. */
    public record TaskClass(int cpuMilli, int gpuMilli, int gpuCount, String gpuSpec, long allowedModels,
                            int count, double probability) {
    }

    /** The coverage the FGD artifact uses. */
    public static final double DEFAULT_COVERAGE = 0.95;

    private final List<TaskClass> classes;
    private final int distinctShapes;
    private final int tasks;

    private TargetWorkload(List<TaskClass> classes, int distinctShapes, int tasks) {
        this.classes = List.copyOf(classes);
        this.distinctShapes = distinctShapes;
        this.tasks = tasks;
    }

    /** Builds the target workload of {@code trace} with the FGD coverage of 95 %. */
    public static TargetWorkload of(List<TaskSpec> trace) {
        return of(trace, DEFAULT_COVERAGE);
    }

    public static TargetWorkload of(List<TaskSpec> trace, double coverage) {
        if (trace.isEmpty()) {
            throw new IllegalArgumentException("the target workload needs at least one task; the trace is empty");
        }
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage " + coverage + " outside (0, 1]; FGD uses 0.95");
        }
        record Key(int cpu, int g, int k, String spec) {
        }
        Map<Key, int[]> counts = new LinkedHashMap<>();
        Map<Key, Long> masks = new LinkedHashMap<>();
        for (TaskSpec t : trace) {
            Key key = new Key(t.cpuMilli(), t.gpuMilli(), t.gpuCount(), t.gpuSpec());
            counts.computeIfAbsent(key, x -> new int[1])[0]++;
            masks.putIfAbsent(key, t.allowedModels());
        }
        List<Key> order = new ArrayList<>(counts.keySet());
        // stable sort: equal counts keep first-appearance order
        order.sort((a, b) -> Integer.compare(counts.get(b)[0], counts.get(a)[0]));
        int covered = 0;
        List<Key> taken = new ArrayList<>();
        for (Key k : order) {
            if (covered >= coverage * trace.size()) {
                break;
            }
            taken.add(k);
            covered += counts.get(k)[0];
        }
        List<TaskClass> out = new ArrayList<>();
        for (Key k : taken) {
            int c = counts.get(k)[0];
            out.add(new TaskClass(k.cpu(), k.g(), k.k(), k.spec(), masks.get(k), c, (double) c / covered));
        }
        return new TargetWorkload(out, counts.size(), trace.size());
    }

    /** Classes in decreasing popularity. */
    public List<TaskClass> classes() {
        return Collections.unmodifiableList(classes);
    }

    /** Number of distinct shapes in the trace (before the coverage cut). */
    public int distinctShapes() {
        return distinctShapes;
    }

    /** Share of the trace's tasks that the kept classes cover. */
    public double coverage() {
        int c = 0;
        for (TaskClass t : classes) {
            c += t.count();
        }
        return (double) c / tasks;
    }
}

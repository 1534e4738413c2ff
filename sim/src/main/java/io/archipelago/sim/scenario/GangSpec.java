package io.archipelago.sim.scenario;

import java.util.List;

/**
 * Gang (all-or-nothing) jobs of a generated workload.
 * YAML: {@code gangs: {fraction: 0.1, sizes: [2, 4, 8], worker: {cpu: 16, memory_gib: 64, gpus: 1}}}.
 *
 * @param fraction share of jobs that are gangs, 0..1
 * @param sizes    gang sizes drawn uniformly, each 2..256
 * @param worker   the shape of every worker, or null to use the shape drawn for the job
 */
public record GangSpec(double fraction, List<Integer> sizes, ShapeSpec worker) {
    public GangSpec {
        sizes = List.copyOf(sizes);
    }
}

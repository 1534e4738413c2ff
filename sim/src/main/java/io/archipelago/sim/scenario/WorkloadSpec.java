package io.archipelago.sim.scenario;

import java.util.List;
import java.util.Objects;

/** The tasks of a scenario ({@code workload:} in YAML, chosen by {@code kind}). */
public sealed interface WorkloadSpec permits WorkloadSpec.Openb, WorkloadSpec.Dlrm, WorkloadSpec.Generated,
        WorkloadSpec.MultiRegion {

    /** The openb trace names accepted by {@code trace:}. */
    List<String> OPENB_TRACES = List.of("default", "cpu050", "gpushare40", "gpuspec10", "multigpu20");

    /**
     * An openb pod list replayed ({@code kind: openb}).
     *
     * @param trace     one of {@link #OPENB_TRACES} (default {@code default})
     * @param traceDir  folder holding the openb CSVs, or null for the usual search path
     * @param timeScale multiplies every trace time (&gt; 0; default 1.0; 0.5 replays twice as fast)
     */
    record Openb(String trace, String traceDir, double timeScale) implements WorkloadSpec {
    }

    /**
     * The DLRM trace replayed ({@code kind: dlrm}).
     *
     * @param file      the trace file, or null for the shared default
     * @param timeScale multiplies every trace time (&gt; 0; default 1.0)
     */
    record Dlrm(String file, double timeScale) implements WorkloadSpec {
    }

    /**
     * A synthetic workload ({@code kind: generated}).
     *
     * @param tasks     number of tasks (≥ 1)
     * @param arrivals  the arrival process
     * @param durations the run-time distribution
     * @param shapes    the task shapes to draw from by weight; empty means "the openb task-shape mix"
     * @param classes   the QoS class mix (sums to 1)
     * @param gangs     gang jobs, or null for none
     */
    record Generated(long tasks, ArrivalSpec arrivals, DurationSpec durations, List<ShapeSpec> shapes, ClassMix classes,
                     GangSpec gangs) implements WorkloadSpec {
        public Generated {
            Objects.requireNonNull(arrivals, "arrivals");
            Objects.requireNonNull(durations, "durations");
            Objects.requireNonNull(classes, "classes");
            shapes = List.copyOf(shapes);
        }

        /** True when the shapes are the openb task-shape mix ({@code shapes: openb}). */
        public boolean openbShapes() {
            return shapes.isEmpty();
        }
    }

    /**
     * A multi-region workload generated from documented defaults ({@code kind: multi-region}): jobs
     * with an origin region, residency, latency SLO, price tier and gang size over a regional fleet.
     * Needs a {@link FleetSpec.Regional} fleet.
     */
    record MultiRegion(MultiRegionSpec spec) implements WorkloadSpec {
        public MultiRegion {
            Objects.requireNonNull(spec, "spec");
        }
    }
}

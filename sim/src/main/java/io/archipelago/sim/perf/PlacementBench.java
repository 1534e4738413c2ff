package io.archipelago.sim.perf;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteReason;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.core.geo.TwoLevelPlacer;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.scenario.FleetSpec;
import io.archipelago.sim.scenario.MultiRegionSpec;
import io.archipelago.sim.scenario.PolicySpec;
import io.archipelago.sim.scenario.QueueSpec;
import io.archipelago.sim.scenario.Scenario;
import io.archipelago.sim.scenario.ScenarioLoader;
import io.archipelago.sim.scenario.TenantSpec;
import io.archipelago.sim.scenario.WorkloadSpec;

import java.nio.file.Path;
import java.util.List;

import java.util.SplittableRandom;

/**
 * The two-level placement benchmark: every task of a multi-region workload, in arrival order, is
 * placed on a regional fleet by {@link TwoLevelPlacer} with a node policy (FGD by default); whenever
 * allocation exceeds a target share of the GPUs, the oldest placed tasks are released first-in
 * first-out, so the fleet stays in a busy steady state. Counts decisions (placed or not) per second
 * of wall time. No event queue, no simulation: this is the placement engine alone, in-process.
 *
 * <p>Run with {@code ./archipelago bench placement}; figures in docs/benchmarks.md.
 */
public final class PlacementBench {
    /**
     * @param decisions  placement decisions taken (placed or not)
     * @param placed     of those, tasks placed
     * @param released   tasks released to hold the target allocation
     * @param nanos      wall time of the decision loop, ns
     * @param breaches   placements on a site the task's rules do not allow (must be 0)
     * @param meanAllocPct mean GPU allocation over the decisions, % of GPUs
     */
    public record Result(long decisions, long placed, long released, long nanos, long breaches, double meanAllocPct) {
        public double decisionsPerSecond() {
            return nanos == 0 ? 0 : decisions * 1e9 / nanos;
        }
    }

    private PlacementBench() {
    }

    /**
     * The default multi-region workload ({@code kind: multi-region} with every default) over {@code days}
     * days of arrivals on {@code fleet}, as a scenario would load it.
     */
    public static Workload workload(RegionalFleet fleet, int days, long seed) {
        MultiRegionSpec d = MultiRegionSpec.defaults();
        MultiRegionSpec spec = new MultiRegionSpec(days * MultiRegionSpec.DAY_MS, d.load(), d.ratePerSecond(), d.diurnal(), d.origins(),
                d.classes(), d.residency());
        Scenario sc = new Scenario("bench-placement", "", seed, Scenario.UNTIL_DRAINED, new FleetSpec.Regional(null, 1.0, fleet),
                new WorkloadSpec.MultiRegion(spec), PolicySpec.DEFAULT, QueueSpec.DEFAULT, true, List.of(TenantSpec.DEFAULT), List.of(),
                Scenario.AUTO_SAMPLE, false, Scenario.DEFAULT_START);
        return ScenarioLoader.load(sc, Path.of(""), System.getenv()).workload();
    }

    /**
     * One timed pass over {@code w} on a fresh cluster of {@code fleet}.
     *
     * @param policy      node-level policy name (e.g. FGD)
     * @param targetAlloc release oldest tasks while allocated GPU exceeds this share (0 &lt; x ≤ 1)
     */
    public static Result run(RegionalFleet fleet, Workload w, String policy, SiteWeights weights, double targetAlloc, long seed) {
        if (!(targetAlloc > 0 && targetAlloc <= 1)) {
            throw new IllegalArgumentException("target allocation " + targetAlloc + "; expected a share in (0, 1]");
        }
        RegionalFleet.Layout layout = fleet.layout();
        ClusterState state = new ClusterState(layout.nodes());
        TargetWorkload target = TargetWorkload.of(w.taskView());
        Scheduler scheduler = new Scheduler(state, Policies.profile(Policies.canonical(policy),
                new PolicyContext(state, new SplittableRandom(seed), new Fragmentation(target, true))));
        TwoLevelPlacer placer = new TwoLevelPlacer(scheduler, fleet, layout, weights);
        int[] shape = new int[w.prototypes().size()];
        for (int p = 0; p < shape.length; p++) {
            shape[p] = scheduler.shapeOf(w.prototypes().get(p));
        }
        int[] rule = new int[w.rulesList().size()];
        for (int k = 0; k < rule.length; k++) {
            rule[k] = placer.rules(w.rulesList().get(k));
        }
        int tasks = w.tasks();
        int[] fifoNode = new int[tasks];
        int[] fifoMask = new int[tasks];
        int[] fifoProto = new int[tasks];
        int[] fifoJob = new int[tasks];
        int head = 0;
        int tail = 0;
        long limit = (long) (targetAlloc * state.totalGpuMilli());
        long decisions = 0;
        long placed = 0;
        long released = 0;
        long breaches = 0;
        double allocSum = 0;
        long t0 = System.nanoTime();
        for (int j = 0; j < w.jobs(); j++) {
            TaskSpec spec = w.spec(j);
            int p = w.proto(j);
            int r = rule[w.rulesIndex(j)];
            for (int k = 0; k < w.size(j); k++) {
                while (state.usedGpuMilli() + spec.gpuDemandMilli() > limit && head < tail) {
                    state.unbind(fifoNode[head], w.prototypes().get(fifoProto[head]), fifoMask[head]);
                    head++;
                    released++;
                }
                int node = placer.place(spec, shape[p], r, w.tier(j));
                decisions++;
                allocSum += state.usedGpuMilli();
                if (node >= 0) {
                    placed++;
                    fifoJob[tail] = j;
                    fifoNode[tail] = node;
                    fifoMask[tail] = scheduler.lastGpuMask();
                    fifoProto[tail] = p;
                    tail++;
                }
            }
        }
        long nanos = System.nanoTime() - t0;
        // every placement, checked after the clock stopped against the raw rules (not the placer's site lists)
        for (int i = 0; i < tail; i++) {
            if (fleet.check(w.rules(fifoJob[i]), layout.siteOfNode()[fifoNode[i]]) != SiteReason.ELIGIBLE) {
                breaches++;
            }
        }
        return new Result(decisions, placed, released, nanos, breaches,
                decisions == 0 ? 0 : 100.0 * allocSum / decisions / state.totalGpuMilli());
    }
}

package io.archipelago.sim.study;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.FragmentationTracker;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.core.policy.PolicyContext;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One run of the FGD study: a workload, a policy and a seed. Tasks arrive one at a time in the
 * order of {@link Arrivals}; each is placed by the policy or dropped (counted as arrived); nothing
 * departs. After every task the allocation and fragmentation are recorded into the artifact's bins.
 */
public final class StudyRun {
    /** Last bin of the x-axis (130 % arrived). */
    public static final int MAX_BIN = 130;

    private StudyRun() {
    }

    /**
     * Runs the study for one seed.
     *
     * @param workload name written into the results
     * @param nodes    the cluster (GPU nodes)
     * @param trace    the original pod list
     * @param target   the FGD target workload of {@code trace}
     * @param policy   policy name
     * @param seed     seed of the run's random stream
     * @param tune     inflation factor (1.3 in the study)
     * @param check    verify the cluster invariants after every event (slow)
     */
    public static RunResult run(String workload, List<NodeSpec> nodes, List<TaskSpec> trace, TargetWorkload target,
                                String policy, long seed, double tune, boolean check) {
        SplittableRandom rng = new SplittableRandom(seed);
        Arrivals arrivals = Arrivals.build(trace, nodes, tune, rng);
        ClusterState state = new ClusterState(arrivals.nodes());
        Fragmentation frag = new Fragmentation(target);
        FragmentationTracker tracker = new FragmentationTracker(state, frag);
        Scheduler scheduler = new Scheduler(state, Policies.profile(policy, new PolicyContext(state, rng, new Fragmentation(target))));
        List<TaskSpec> tasks = arrivals.tasks();
        int[] shapes = new int[tasks.size()];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = scheduler.shapeOf(tasks.get(i));
        }
        Binning alloc = new Binning(MAX_BIN);
        Binning fragPct = new Binning(MAX_BIN);
        Binning ratio = new Binning(MAX_BIN);
        double pctDiv = 10.0 * state.totalGpus();
        long arrived = 0;
        int placed = 0;
        int failedGpu = 0;
        int failedCpu = 0;
        int[] sharePlaced = new int[1000];
        int[] shareRefused = new int[1000];
        RunResult.ShareTally shares100 = null;
        long start = System.nanoTime();
        for (int i = 0; i < shapes.length; i++) {
            TaskSpec t = tasks.get(i);
            if (shares100 == null && Binning.roundHalfEven((arrived + t.gpuDemandMilli()) / pctDiv) > 100) {
                shares100 = new RunResult.ShareTally(sharePlaced.clone(), shareRefused.clone());
            }
            arrived += t.gpuDemandMilli();
            boolean share = t.gpuCount() > 0 && t.gpuMilli() < 1000;
            if (scheduler.place(t, shapes[i]) >= 0) {
                placed++;
                if (share) {
                    sharePlaced[t.gpuMilli()] += t.gpuCount();
                }
            } else if (t.gpuCount() > 0) {
                if (share) {
                    shareRefused[t.gpuMilli()] += t.gpuCount();
                }
                failedGpu++;
            } else {
                failedCpu++;
            }
            if (check) {
                state.checkInvariants();
            }
            int bin = Binning.roundHalfEven(arrived / pctDiv);
            alloc.add(bin, Binning.round2(state.usedGpuMilli() / pctDiv));
            double amount = tracker.amount();
            fragPct.add(bin, Binning.round2(amount / pctDiv));
            long idle = tracker.idleMilli();
            if (idle > 0) {
                ratio.add(bin, 100.0 * amount / idle);
            }
        }
        long nanos = System.nanoTime() - start;
        RunResult.ShareTally shares130 = new RunResult.ShareTally(sharePlaced, shareRefused);
        if (shares100 == null) {
            shares100 = shares130;
        }
        double[] a = alloc.means();
        double[] f = fragPct.means();
        for (int x = 0; x <= MAX_BIN; x++) {
            a[x] = Binning.round2(a[x]);
            f[x] = Binning.round2(f[x]);
        }
        return new RunResult(workload, Policies.canonical(policy), seed, state.totalGpus(), a, f, ratio.means(),
                tasks.size(), placed, failedGpu, failedCpu, 100.0 * state.usedGpuMilli() / state.totalGpuMilli(),
                arrived / pctDiv, nanos, shares100, shares130);
    }
}

package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.EventualWaste;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Profile;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The WasteAware score and GPU choice on small hand-built nodes, and its registration. */
class WasteAwareScoreTest {
    /** Trace: 1-GPU tasks at 12 cores, 810- and 160-milli shares at 6 cores, CPU-only tasks. */
    private static List<TaskSpec> trace() {
        List<TaskSpec> t = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            t.add(task(12000, 1, 1000));
        }
        t.add(task(6000, 1, 810));
        t.add(task(6000, 1, 810));
        t.add(task(6000, 1, 160));
        t.add(task(8000, 0, 0));
        return t;
    }

    /** WasteAware as registered: nodes by FGD's F plus S (plus the change of V for shares), GPUs by V. */
    private static WasteAwareScore score() {
        TargetWorkload t = TargetWorkload.of(trace(), 1.0);
        return new WasteAwareScore("WasteAware", new EventualWaste(t, Double.NaN, EventualWaste.DEFAULT_END_WEIGHT), new Fragmentation(t),
                WasteAwareScore.Params.DEFAULT);
    }

    /** The ablation: nodes by Σ V plus S. */
    private static WasteAwareScore eventual() {
        TargetWorkload t = TargetWorkload.of(trace(), 1.0);
        return new WasteAwareScore("EventualWaste", new EventualWaste(t, Double.NaN, EventualWaste.DEFAULT_END_WEIGHT), null,
                WasteAwareScore.Params.EVENTUAL);
    }

    @Test
    void aSmallShareFillsTheRemainderNextToALargeShareRatherThanOpeningAGpu() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 2, 96), node("b", "G2", 2, 96)));
        s.bind(0, task(0, 1, 810), 0b10);              // a: GPU1 has 190 free, GPU0 free
        TaskSpec small = task(1000, 1, 160);
        WasteAwareScore w = score();
        assertThat(w.selectGpus(s, 0, small)).isEqualTo(0b10);
        assertThat(w.score(s, 0, small)).isGreaterThan(50).isGreaterThan(w.score(s, 1, small));
        WasteAwareScore e = eventual();
        assertThat(e.selectGpus(s, 0, small)).isEqualTo(0b10);
        assertThat(e.score(s, 0, small)).isGreaterThan(e.score(s, 1, small));
        // no change on a for V: the look-ahead already expected a small share to fill the 190 left by the
        // 810 (the 160 is an eighth of the tasks, far above the end weight), and opening a GPU costs
        assertThat(e.score(s, 0, small)).isEqualTo(50);
        assertThat(e.score(s, 1, small)).isLessThan(50);
    }

    @Test
    void aShareIsNotPutWhereItLeavesARemainderThatNothingFits() {
        // 470 + 320 leaves 210, which no class fits; 320 + 320 leaves 360, which a 320 or a 230 still
        // fits. FGD's one-step measure prefers filling the 530-milli hole (810s and whole GPUs could not
        // use it); the change of V that WasteAware adds for sharing tasks turns the choice around
        List<TaskSpec> trace = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trace.add(task(4000, 1, 1000));
            trace.add(task(4000, 1, 810));
            trace.add(task(4000, 1, 470));
        }
        trace.add(task(4000, 1, 650));
        trace.add(task(4000, 1, 320));
        trace.add(task(4000, 1, 320));
        trace.add(task(4000, 1, 230));
        TargetWorkload t = TargetWorkload.of(trace, 1.0);
        ClusterState s = new ClusterState(List.of(node("pair", "G2", 2, 96), node("holed", "G2", 1, 96)));
        s.bind(0, task(0, 1, 320), 0b1);               // pair: GPU0 has 680 free, GPU1 is free
        s.bind(1, task(0, 1, 470), 0b1);               // holed: 530 free
        TaskSpec share = task(4000, 1, 320);
        EventualWaste v = new EventualWaste(t, Double.NaN, EventualWaste.DEFAULT_END_WEIGHT);
        WasteAwareScore byWaste = new WasteAwareScore("WasteAware", v, new Fragmentation(t), WasteAwareScore.Params.DEFAULT);
        WasteAwareScore fOnly = new WasteAwareScore("F", v, new Fragmentation(t), new WasteAwareScore.Params(1000, 1, true, false));
        assertThat(fOnly.score(s, 1, share)).isGreaterThan(fOnly.score(s, 0, share));
        assertThat(byWaste.score(s, 0, share)).isGreaterThan(byWaste.score(s, 1, share));
        assertThat(byWaste.selectGpus(s, 0, share)).isEqualTo(0b1);  // next to the other 320
        // the added term is exactly the change of V of the chosen GPU: 680 -> 360 free
        assertThat(byWaste.delta(s, 0, share) - fOnly.delta(s, 0, share))
                .isEqualTo(v.gpuWaste(s.model(0), 360) - v.gpuWaste(s.model(0), 680), org.assertj.core.api.Assertions.within(1e-9));
        // a whole-GPU task is scored by F alone in both
        TaskSpec whole = task(4000, 1, 1000);
        assertThat(byWaste.delta(s, 0, whole)).isEqualTo(fOnly.delta(s, 0, whole));
    }

    @Test
    void aCpuOnlyTaskGoesWhereItStrandsNoGpu() {
        // 'tight' has exactly the CPU its GPUs need at the workload's ratio; 'rich' has plenty
        ClusterState s = new ClusterState(List.of(node("tight", "G2", 8, 80), node("rich", "G2", 8, 200)));
        WasteAwareScore w = score();
        TaskSpec cpuOnly = task(8000, 0, 0);
        assertThat(w.score(s, 1, cpuOnly)).isEqualTo(50);  // no change
        assertThat(w.score(s, 0, cpuOnly)).isLessThan(50);
        assertThat(w.selectGpus(s, 0, cpuOnly)).isZero();
    }

    @Test
    void aGpuTaskLightOnCpuIsWelcomeOnANodeShortOfCpu() {
        ClusterState s = new ClusterState(List.of(node("short", "G2", 8, 48), node("rich", "G2", 8, 200)));
        WasteAwareScore w = score();
        TaskSpec light = task(2000, 1, 1000);          // 2 cores per GPU, below the workload's ratio
        assertThat(w.score(s, 0, light)).isGreaterThan(w.score(s, 1, light));
        assertThat(eventual().score(s, 0, light)).isGreaterThan(eventual().score(s, 1, light));
    }

    @Test
    void anUnconstrainedTaskLeavesTheModelThatConstrainedTasksNeed() {
        // a third of the GPU tasks may only use T4; the fleet has as many T4 as G2 GPUs
        List<TaskSpec> trace = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            trace.add(task(4000, 1, 1000));
        }
        trace.add(task(4000, 1, 1000, "T4"));
        trace.add(task(4000, 1, 1000, "T4"));
        trace.add(task(4000, 1, 1000, "T4"));
        ClusterState s = new ClusterState(List.of(node("t4", "T4", 2, 104), node("g2", "G2", 2, 104)));
        Profile p = Policies.profile("WasteAware", new PolicyContext(s, new SplittableRandom(1), new Fragmentation(TargetWorkload.of(trace))));
        Scheduler sch = new Scheduler(s, p);
        assertThat(sch.place(task(4000, 1, 1000), sch.shapeOf(task(4000, 1, 1000)))).isEqualTo(1);   // to G2, though T4 is first
        TaskSpec t4Only = task(4000, 1, 1000, "T4");
        assertThat(sch.place(t4Only, sch.shapeOf(t4Only))).isZero();

        // the need term alone: it lowers the score on the needed model only, by need × the task's GPU milli
        ClusterState fresh = new ClusterState(List.of(node("t4", "T4", 2, 104), node("g2", "G2", 2, 104)));
        double[] need = new double[io.archipelago.core.model.GpuModels.names().size()];
        need[io.archipelago.core.model.GpuModels.idOf("T4")] = 1.0;
        WasteAwareScore plain = score();
        WasteAwareScore withNeed = score().withConstrainedNeed(need);
        TaskSpec any = task(4000, 1, 1000);
        assertThat(withNeed.delta(fresh, 0, any)).isEqualTo(plain.delta(fresh, 0, any) + 1000, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(withNeed.delta(fresh, 1, any)).isEqualTo(plain.delta(fresh, 1, any));
        assertThat(withNeed.delta(fresh, 0, task(4000, 0, 0))).isEqualTo(plain.delta(fresh, 0, task(4000, 0, 0)));
    }

    @Test
    void wholeGpusAreTheLowestIndexedFreeOnes() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 4, 96)));
        s.bind(0, task(0, 1, 500), 0b1);
        assertThat(score().selectGpus(s, 0, task(1000, 2, 1000))).isEqualTo(0b110);
    }

    @Test
    void paramsRejectNonsense() {
        assertThatThrownBy(() -> new WasteAwareScore.Params(0, 1, true, true)).hasMessageContaining("scaleMilli");
        assertThatThrownBy(() -> new WasteAwareScore.Params(1000, -1, true, true)).hasMessageContaining("strandWeight");
        TargetWorkload t = TargetWorkload.of(trace());
        assertThatThrownBy(() -> new WasteAwareScore("x", new EventualWaste(t), null, WasteAwareScore.Params.DEFAULT))
                .hasMessageContaining("fragmentation measure");
    }

    @Test
    void isARegisteredPolicyUsableByName() {
        assertThat(Policies.names()).containsSubsequence(Policies.STUDY).contains("WasteAware", "EventualWaste");
        assertThat(Policies.canonical("wasteaware")).isEqualTo("WasteAware");
        assertThat(Policies.studyLabel("WasteAware")).isEqualTo("07-WasteAware");
        assertThat(Policies.studyLabel("FGD")).isEqualTo("06-FGD");
        ClusterState s = new ClusterState(List.of(node("a", "G2", 2, 96)));
        Profile p = Policies.profile("WasteAware", new PolicyContext(s, new SplittableRandom(1), new Fragmentation(TargetWorkload.of(trace()))));
        assertThat(p.scores()).hasSize(1);
        assertThat(p.scores().get(0).plugin().cacheable()).isTrue();
        assertThat(p.gpuSelector().name()).isEqualTo("WasteAware");
        assertThatThrownBy(() -> Policies.profile("WasteAware", new PolicyContext(s, new SplittableRandom(1), null)))
                .hasMessageContaining("target workload");
    }

    @Test
    void theAblationIsRegisteredToo() {
        assertThat(Policies.studyLabel("EventualWaste")).isEqualTo("08-EventualWaste");
        ClusterState s = new ClusterState(List.of(node("a", "G2", 2, 96)));
        Profile p = Policies.profile("eventualwaste", new PolicyContext(s, new SplittableRandom(1), new Fragmentation(TargetWorkload.of(trace()))));
        assertThat(p.gpuSelector().name()).isEqualTo("EventualWaste");
    }

    @Test
    void sameInputsGiveTheSamePlacementsAndTheIndexMatchesTheScan() {
        List<TaskSpec> tasks = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(7);
        int[] shares = {160, 320, 470, 650, 810, 1000};
        for (int i = 0; i < 300; i++) {
            int kind = r.nextInt(8);
            tasks.add(kind == 7 ? task(4000 + 1000 * r.nextInt(8), 0, 0)
                    : kind == 6 ? task(16000, 2 + 2 * r.nextInt(2), 1000)
                    : task(1000 * (2 + r.nextInt(12)), 1, shares[r.nextInt(shares.length)]));
        }
        for (String policy : Policies.OURS) {
            assertThat(run(policy, tasks, false)).as(policy).isEqualTo(run(policy, tasks, false)).isEqualTo(run(policy, tasks, true));
        }
    }

    private static List<String> run(String policy, List<TaskSpec> tasks, boolean scan) {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "T4", 2, 104), node("c", "G2", 8, 96),
                node("d", "P100", 2, 16), node("e", "V100M32", 4, 48)));
        Profile p = Policies.profile(policy, new PolicyContext(s, new SplittableRandom(3), new Fragmentation(TargetWorkload.of(tasks))));
        Scheduler sch = scan ? Scheduler.linearScan(s, p) : new Scheduler(s, p);
        List<String> out = new ArrayList<>();
        for (TaskSpec t : tasks) {
            int n = sch.place(t, sch.shapeOf(t));
            out.add(n < 0 ? "-" : n + ":" + sch.lastGpuMask());
        }
        s.checkInvariants();
        return out;
    }
}

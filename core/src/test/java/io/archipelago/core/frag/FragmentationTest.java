package io.archipelago.core.frag;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Worked examples of the FGD measure. Target workload: 2 CPU-only tasks, 1 sharing task
 * (1 × 500 milli, 1 core), 1 whole-GPU task (2 × 1000, 4 cores) → p = 0.5, 0.25, 0.25.
 */
class FragmentationTest {
    private final List<TaskSpec> trace = List.of(task(2000, 0, 0), task(2000, 0, 0), task(1000, 1, 500), task(4000, 2, 1000));
    private final Fragmentation frag = new Fragmentation(TargetWorkload.of(trace));

    /** A 4-GPU node with GPUs free [1000, 300, 600, 1000] and {@code cores} free cores. */
    private ClusterState nodeWithFree(int cores) {
        ClusterState s = new ClusterState(List.of(node("n", "G2", 4, 64)));
        s.bind(0, task(64_000 - cores * 1000, 1, 700), 0b0010);
        s.bind(0, task(0, 1, 400), 0b0100);
        return s;
    }

    @Test
    void targetWorkloadKeepsShapesByPopularityUntil95PercentAreCovered() {
        TargetWorkload tw = TargetWorkload.of(trace);
        assertThat(tw.classes()).extracting(TargetWorkload.TaskClass::probability).containsExactly(0.5, 0.25, 0.25);
        assertThat(tw.classes().get(0).gpuCount()).isZero();
        assertThat(tw.distinctShapes()).isEqualTo(3);
    }

    @Test
    void coverageStopsOnceReached() {
        // 19 of one shape and 1 of another: the first covers exactly 95 %, so only it is kept
        List<TaskSpec> t = new java.util.ArrayList<>();
        for (int i = 0; i < 19; i++) {
            t.add(task(1000, 1, 1000));
        }
        t.add(task(1000, 1, 250));
        TargetWorkload tw = TargetWorkload.of(t);
        assertThat(tw.classes()).hasSize(1);
        assertThat(tw.classes().get(0).probability()).isEqualTo(1.0);
    }

    @Test
    void satisfiedClassesCountOnlyTheGpusTooSmallForThem() {
        ClusterState s = nodeWithFree(8);
        // CPU-only: all 2900 idle; sharing 500: the 300 GPU; whole 2x1000: 300 + 600
        double expected = 0.5 * 2900 + 0.25 * 300 + 0.25 * 900;
        assertThat(frag.nodeFrag(s, 0)).isCloseTo(expected, within(1e-9));
    }

    @Test
    void aClassThatLacksCpuCountsAllIdleGpu() {
        ClusterState s = nodeWithFree(3); // 3 cores < 4 needed by the whole-GPU class (Q4)
        double expected = 0.5 * 2900 + 0.25 * 300 + 0.25 * 2900;
        assertThat(frag.nodeFrag(s, 0)).isCloseTo(expected, within(1e-9));
    }

    @Test
    void aClassThatCannotGetEnoughGpusCountsAllIdleGpu() {
        ClusterState s = nodeWithFree(8);
        s.bind(0, task(0, 1, 1000), 0b0001); // one fully free GPU left: the 2-GPU class no longer fits (Q2)
        double expected = 0.5 * 1900 + 0.25 * 300 + 0.25 * 1900;
        assertThat(frag.nodeFrag(s, 0)).isCloseTo(expected, within(1e-9));
    }

    @Test
    void aClassRestrictedToAnotherModelCountsAllIdleGpu() {
        List<TaskSpec> t = List.of(task(1000, 1, 1000, "T4"), task(1000, 1, 1000, "G2"));
        Fragmentation f = new Fragmentation(TargetWorkload.of(t));
        ClusterState s = new ClusterState(List.of(node("g2", "G2", 2, 16)));
        assertThat(f.nodeFrag(s, 0)).isCloseTo(0.5 * 2000, within(1e-9));
    }

    @Test
    void fragAfterEvaluatesAHypotheticalStateWithoutChangingIt() {
        ClusterState s = nodeWithFree(8);
        // put a 500 task on the 600 GPU: GPUs [1000, 300, 100, 1000], cpu 7 cores
        double after = frag.fragAfter(s, 0, 1000, 500, 0b0100);
        double expected = 0.5 * 2400 + 0.25 * 400 + 0.25 * 400;
        assertThat(after).isCloseTo(expected, within(1e-9));
        assertThat(s.gpuFree(0, 2)).isEqualTo(600);
    }

    @Test
    void breakdownSplitsTheSameAmountByCategory() {
        ClusterState s = nodeWithFree(3);
        double[] out = new double[Fragmentation.Category.values().length];
        frag.breakdown(s, 0, out);
        assertThat(out[Fragmentation.Category.XL_SATISFIED.ordinal()]).isCloseTo(0.5 * 2900, within(1e-9));
        assertThat(out[Fragmentation.Category.Q3_SATISFIED.ordinal()]).isCloseTo(0.25 * 300, within(1e-9));
        assertThat(out[Fragmentation.Category.Q4_LACK_CPU.ordinal()]).isCloseTo(0.25 * 2900, within(1e-9));
        double sum = java.util.Arrays.stream(out).sum();
        assertThat(sum).isCloseTo(frag.nodeFrag(s, 0), within(1e-9));
    }

    @Test
    void trackerKeepsClusterAmountAndRatioCurrent() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 4, 64), node("b", "G2", 4, 64)));
        FragmentationTracker tr = new FragmentationTracker(s, frag);
        double before = tr.amount();
        s.bind(0, task(0, 1, 700), 0b1);
        assertThat(tr.amount()).isNotEqualTo(before);
        assertThat(tr.amount()).isCloseTo(frag.nodeFrag(s, 0) + frag.nodeFrag(s, 1), within(1e-9));
        assertThat(tr.idleMilli()).isEqualTo(7300);
        assertThat(tr.ratio()).isCloseTo(tr.amount() / 7300, within(1e-12));
    }

    @Test
    void anEmptyTraceIsRejected() {
        assertThatThrownBy(() -> TargetWorkload.of(List.of())).hasMessageContaining("empty");
    }

    @Test
    void mergingClassesThatDifferOnlyInTheirModelListsGivesTheSameMeasure() {
        // one shape listed under three model lists, as the multi-region workload does, plus others
        List<TaskSpec> t = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            t.add(task(4000, 1, 500, "G2|T4"));
            t.add(task(4000, 1, 500, "G2"));
            t.add(task(4000, 1, 500, ""));
            t.add(task(8000, 2, 1000, "G2"));
            t.add(task(2000, 0, 0));
        }
        TargetWorkload tw = TargetWorkload.of(t, 1.0);
        Fragmentation plain = new Fragmentation(tw);
        Fragmentation merged = new Fragmentation(tw, true);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            ClusterState s = new ClusterState(List.of(node("g", "G2", 4, 64), node("t", "T4", 4, 64)));
            for (int k = 0; k < 6; k++) {
                int n = rng.nextInt(2);
                int gpu = rng.nextInt(4);
                int milli = 100 * (1 + rng.nextInt(4));
                if (s.gpuFree(n, gpu) >= milli && s.cpuFree(n) >= 4000) {
                    s.bind(n, task(4000, 1, milli), 1 << gpu);
                }
            }
            for (int n = 0; n < 2; n++) {
                assertThat(merged.nodeFrag(s, n)).isCloseTo(plain.nodeFrag(s, n), within(1e-9));
            }
        }
        ClusterState idle = new ClusterState(List.of(node("g", "G2", 4, 64)));
        assertThat(merged.nodeFrag(idle, 0)).isPositive().isCloseTo(plain.nodeFrag(idle, 0), within(1e-9));
    }
}

package io.archipelago.core.policy;

import io.archipelago.core.cluster.ClusterState;
import io.archipelago.core.frag.Fragmentation;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Decision;
import io.archipelago.core.framework.Scheduler;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per scoring rule of the study's policies (fgd-method.md section 3 and 2.5). */
class PoliciesTest {
    private static ClusterState cluster() {
        return new ClusterState(List.of(node("g2", "G2", 8, 96), node("t4", "T4", 2, 104)));
    }

    @Test
    void theClusterCpuPerGpuCountsOnlyNodesWithGpus() {
        // 96 + 104 cores over 10 GPUs; the CPU-only node does not count
        ClusterState s = new ClusterState(List.of(node("g2", "G2", 8, 96), node("t4", "T4", 2, 104), node("cpu", "G2", 0, 64)));
        assertThat(Policies.clusterCpuPerGpuMilli(s)).isEqualTo(200_000.0 / 10_000);
        assertThat(Policies.clusterCpuPerGpuMilli(new ClusterState(List.of(node("cpu", "G2", 0, 64))))).isNaN();
    }

    @Test
    void gpuPackingScoresAnIdleNodeBySizeSmallerFirst() {
        ClusterState s = cluster();
        GpuPackingScore p = new GpuPackingScore();
        assertThat(p.score(s, 0, task(1000, 1, 500))).isEqualTo(25);  // 33 - 8
        assertThat(p.score(s, 1, task(1000, 1, 500))).isEqualTo(31);  // 33 - 2
    }

    @Test
    void gpuPackingPrefersSharingAUsedGpuThenFreeGpusOfAUsedNode() {
        ClusterState s = cluster();
        s.bind(0, task(0, 1, 400), 0b1); // GPU0: 600 free
        GpuPackingScore p = new GpuPackingScore();
        assertThat(p.score(s, 0, task(1000, 1, 500))).isEqualTo(100 - 60 / 10);   // case A: 94
        assertThat(p.score(s, 0, task(1000, 1, 700))).isEqualTo(49);            // case B: one fully free GPU
        assertThat(p.score(s, 0, task(1000, 4, 1000))).isEqualTo(46);           // case B: four
        assertThat(p.score(s, 0, task(1000, 0, 0))).isZero();                   // CPU-only
    }

    @Test
    void gpuClusteringGroupsTasksOfTheSameGpuShape() {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "G2", 8, 96), node("c", "G2", 8, 96)));
        s.bind(0, task(0, 1, 500), 0b1);       // a: sharing only
        s.bind(1, task(0, 1, 500), 0b1);       // b: sharing and 1-GPU
        s.bind(1, task(0, 1, 1000), 0b10);
        GpuClusteringScore g = new GpuClusteringScore();
        TaskSpec share = task(1000, 1, 300);
        assertThat(g.score(s, 0, share)).isEqualTo(75 + 25 * 500 / 8000);
        assertThat(g.score(s, 1, share)).isEqualTo(50 + 25 * 1500 / 8000);
        assertThat(g.score(s, 2, share)).isEqualTo(25);
        assertThat(g.score(s, 0, task(1000, 2, 1000))).isEqualTo(25 * 500 / 8000);
        assertThat(g.score(s, 0, task(1000, 0, 0))).isZero();
    }

    @Test
    void bestFitPrefersTheNodeLeftWithLeastFreeCpuAndGpu() {
        ClusterState s = cluster();
        BestFitScore b = new BestFitScore();
        TaskSpec t = task(4000, 1, 1000);
        int g2 = b.score(s, 0, t);
        int t4 = b.score(s, 1, t);
        assertThat(g2).isEqualTo((int) (100 * (1 - (0.5 * 92_000 / 128_000 + 0.5 * 7000 / 8000.0))));
        assertThat(t4).isGreaterThan(g2);
    }

    @Test
    void dotProdPrefersTheSmallestDotProductOfFreeResourcesAndDemand() {
        ClusterState s = cluster();
        DotProdScore d = new DotProdScore();
        TaskSpec t = task(8000, 1, 1000);
        double dotG2 = (96_000 / 128_000.0) * (8000 / 128_000.0) + (8000 / 8000.0) * (1000 / 8000.0);
        assertThat(d.score(s, 0, t)).isEqualTo((int) (100 * (1 - dotG2 / 2)));
        assertThat(d.score(s, 1, t)).isGreaterThan(d.score(s, 0, t)); // the T4 node has less free GPU
    }

    @Test
    void fgdQuantisesTheSigmoidOfTheFragmentationChange() {
        assertThat(FgdScore.quantise(0)).isEqualTo(50);
        assertThat(FgdScore.quantise(-1000)).isEqualTo(73);
        assertThat(FgdScore.quantise(1000)).isEqualTo(26);
        assertThat(FgdScore.quantise(-40)).isEqualTo(50);
        assertThat(FgdScore.quantise(-41)).isEqualTo(51);
        assertThat(FgdScore.quantise(5000)).isZero();
    }

    @Test
    void fgdPutsASharingTaskWhereItFillsAGpuExactlyRatherThanSplittingAFreshOne() {
        // Target workload: whole GPUs and 500-milli shares. A 500 task on the half-used GPU completes it.
        List<TaskSpec> trace = List.of(task(1000, 1, 1000), task(1000, 1, 500));
        PolicyContext ctx = new PolicyContext(cluster(), new SplittableRandom(1), new Fragmentation(TargetWorkload.of(trace)));
        ClusterState s = ctx.state();
        s.bind(0, task(0, 1, 500), 0b0100); // G2 GPU2: 500 free
        Scheduler sch = new Scheduler(s, Policies.profile("FGD", ctx));
        Decision d = sch.schedule(task(1000, 1, 500));
        assertThat(d).isInstanceOfSatisfying(Decision.Placed.class, p -> {
            assertThat(p.nodeName()).isEqualTo("g2");
            assertThat(p.gpuMask()).isEqualTo(0b0100);
        });
    }

    @Test
    void randomPicksOnlyFeasibleNodesAndIsReproducibleForASeed() {
        int[] first = placements(7);
        assertThat(placements(7)).isEqualTo(first);
        assertThat(first).doesNotContain(-1);
    }

    private static int[] placements(long seed) {
        ClusterState s = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "T4", 2, 104), node("c", "G2", 8, 96)));
        Scheduler sch = new Scheduler(s, Policies.profile("Random", new PolicyContext(s, new SplittableRandom(seed), null)));
        int[] out = new int[12];
        for (int i = 0; i < out.length; i++) {
            TaskSpec t = task(1000, 1, 300, "G2");
            out[i] = sch.place(t, sch.shapeOf(t));
            assertThat(out[i]).isNotEqualTo(1);
        }
        return out;
    }

    @Test
    void policyNamesAreCaseInsensitiveAndUnknownNamesListTheKnownOnes() {
        assertThat(Policies.canonical("fgd")).isEqualTo("FGD");
        assertThat(Policies.studyLabel("bestfit")).isEqualTo("05-BestFit");
        assertThatThrownBy(() -> Policies.canonical("Tetris")).hasMessageContaining("unknown policy 'Tetris'").hasMessageContaining("GpuPacking");
    }

    @Test
    void fgdWithoutATargetWorkloadFailsClearly() {
        ClusterState s = cluster();
        assertThatThrownBy(() -> Policies.profile("FGD", new PolicyContext(s, new SplittableRandom(1), null)))
                .hasMessageContaining("target workload");
    }
}

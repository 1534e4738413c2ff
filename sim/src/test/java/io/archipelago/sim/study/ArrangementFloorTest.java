package io.archipelago.sim.study;

import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The arrangement floor: the least unallocated GPU that any arrangement of a run's placed shares (plus
 * any it turned away) can leave. Exact on cases solved by hand, never above the best arrangement found
 * by exhaustive search, and on openb never above what a policy really left.
 */
class ArrangementFloorTest {
    private static long floor(int[][] placed, int[][] refused) {
        int[] p = new int[1000];
        int[] r = new int[1000];
        for (int[] e : placed) {
            p[e[0]] += e[1];
        }
        for (int[] e : refused) {
            r[e[0]] += e[1];
        }
        return ArrangementFloor.wasteMilli(p, r, 1_000);
    }

    @Test
    void aLone810LeavesItsRemainder() {
        assertThat(floor(new int[][] {{810, 1}}, new int[][] {})).isEqualTo(190);
        assertThat(floor(new int[][] {{810, 3}}, new int[][] {})).isEqualTo(570);
    }

    @Test
    void aTurnedAwaySmallShareMayFillTheRemainder() {
        assertThat(floor(new int[][] {{810, 1}}, new int[][] {{160, 1}})).isEqualTo(30);
        // but a turned-away share that only adds waste is left out
        assertThat(floor(new int[][] {{810, 1}}, new int[][] {{650, 4}})).isEqualTo(190);
    }

    @Test
    void complementsPairAndTwinsDoNot() {
        assertThat(floor(new int[][] {{600, 1}, {400, 1}}, new int[][] {})).isZero();
        assertThat(floor(new int[][] {{600, 2}}, new int[][] {})).isEqualTo(800);
        assertThat(floor(new int[][] {{600, 2}}, new int[][] {{400, 1}})).isEqualTo(400);
        assertThat(floor(new int[][] {{300, 3}}, new int[][] {})).isEqualTo(100);
        assertThat(floor(new int[][] {{470, 2}}, new int[][] {})).isEqualTo(60);
    }

    @Test
    void aSearchStoppedEarlySaysSoAndStaysBelowTheConvergedFloor() {
        int[] placed = new int[1000];
        placed[470] = 40;
        placed[320] = 25;
        placed[650] = 20;
        placed[230] = 15;
        int[] refused = new int[1000];
        refused[160] = 5;
        ArrangementFloor.Result full = ArrangementFloor.of(placed, refused, 10_000);
        ArrangementFloor.Result early = ArrangementFloor.of(placed, refused, 10_000, 1);
        assertThat(full.converged()).isTrue();
        assertThat(early.converged()).isFalse();
        assertThat(early.wasteMilli()).isBetween(0L, full.wasteMilli() - 1);
    }

    @Test
    void noSharesNoFloor() {
        assertThat(floor(new int[][] {}, new int[][] {})).isZero();
        assertThat(floor(new int[][] {}, new int[][] {{500, 2}})).isZero();
        assertThat(ArrangementFloor.wasteMilli(new int[1000], new int[1000], 0)).isZero();
    }

    @Test
    void malformedTalliesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> ArrangementFloor.wasteMilli(new int[999], new int[1000], 10))
                .hasMessageContaining("1000 entries").hasMessageContaining("999");
        int[] bad = new int[1000];
        bad[470] = -1;
        assertThatThrownBy(() -> ArrangementFloor.wasteMilli(bad, new int[1000], 10))
                .hasMessageContaining("470 milli").hasMessageContaining("-1");
    }

    /** Least waste over every packing of all mandatory parts and any subset of the optional ones. */
    private static long exhaustive(List<Integer> mandatory, List<Integer> optional) {
        List<Integer> all = new ArrayList<>(mandatory);
        all.addAll(optional);
        return search(all, mandatory.size(), 0, new ArrayList<>());
    }

    private static long search(List<Integer> items, int mandatory, int i, List<Integer> loads) {
        if (i == items.size()) {
            long w = 0;
            for (int l : loads) {
                w += 1000 - l;
            }
            return w;
        }
        int s = items.get(i);
        long best = Long.MAX_VALUE;
        if (i >= mandatory) {
            best = search(items, mandatory, i + 1, loads);
        }
        for (int b = 0; b < loads.size(); b++) {
            if (loads.get(b) + s <= 1000) {
                loads.set(b, loads.get(b) + s);
                best = Math.min(best, search(items, mandatory, i + 1, loads));
                loads.set(b, loads.get(b) - s);
            }
        }
        loads.add(s);
        best = Math.min(best, search(items, mandatory, i + 1, loads));
        loads.remove(loads.size() - 1);
        return best;
    }

    @Provide
    Arbitrary<List<Integer>> parts() {
        return Arbitraries.of(50, 160, 190, 230, 320, 470, 500, 530, 650, 810).list().ofMinSize(0).ofMaxSize(7);
    }

    @Property(tries = 400)
    void neverAboveTheBestArrangementAndMostlyEqualToIt(@ForAll("parts") List<Integer> placed, @ForAll("parts") List<Integer> refusedAll) {
        List<Integer> refused = refusedAll.subList(0, Math.min(refusedAll.size(), 3));
        int[] p = new int[1000];
        int[] r = new int[1000];
        placed.forEach(s -> p[s]++);
        refused.forEach(s -> r[s]++);
        ArrangementFloor.Result result = ArrangementFloor.of(p, r, 1_000);
        long floor = result.wasteMilli();
        long best = exhaustive(placed, refused);
        assertThat(result.converged()).isTrue();
        assertThat(floor).isBetween(0L, best);
        Statistics.label("exact").collect(floor == best);
        Statistics.label("exact").coverage(c -> c.check(true).percentage(pct -> pct >= 60.0));
        Statistics.label("gap").collect(best - floor >= 1000 ? ">= 1 GPU" : best - floor > 0 ? "< 1 GPU" : "0");
    }

    @Test
    void onOpenbDefaultItStaysUnderWhatEachPolicyLeftAndFgdLosesMoreToArrangement() throws Exception {
        assumeThat(SharedData.present()).as("../shared traces present").isTrue();
        var nodes = NodeCsvReader.gpuNodes(NodeCsvReader.read(SharedData.openb().resolve("openb_node_list_gpu_node.csv")));
        var pods = PodCsvReader.read(SharedData.openb().resolve("openb_pod_list_default.csv"));
        TargetWorkload target = TargetWorkload.of(pods);
        double[] lost = new double[2];
        int i = 0;
        for (String policy : List.of("FGD", "WasteAware")) {
            RunResult run = StudyRun.run("default", nodes, pods, target, policy, 42, 1.3, false);
            ArrangementFloor.Result end = run.shares130().floor(run.totalGpus());
            assertThat(end.converged()).as(policy).isTrue();
            double floor = 100.0 * end.wasteMilli() / (1000.0 * run.totalGpus());
            double unallocated = 100.0 - run.finalAllocPct();
            // about 1,050 placed 810s alone leave about 3 % of the cluster
            assertThat(floor).as(policy).isBetween(3.0, unallocated);
            double floor100 = 100.0 * run.shares100().floor(run.totalGpus()).wasteMilli() / (1000.0 * run.totalGpus());
            assertThat(floor100).as(policy).isBetween(3.0, 100.0 - run.alloc()[100] + 0.05);
            lost[i++] = unallocated - floor;
        }
        assertThat(lost[0]).as("FGD loses more than WasteAware to the arrangement").isGreaterThan(lost[1] + 0.3);
    }
}

package io.archipelago.sim.study;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The bound for policies that play by the study's rules (arrival order, every fitting task placed,
 * nothing moved): exact on small cases solved by hand, tighter than the any-policy bound where a
 * large share must be placed, never below the best allocation such a policy can reach (searched
 * exhaustively) nor below what any registered policy allocates.
 */
class ForcedPlacementBoundTest {
    private static final String[] MODELS = {"G2", "T4"};
    private static int seq;

    private static NodeSpec node(String model, int gpus, int cores, int memGiB) {
        return new NodeSpec("n" + (seq++), cores * 1000, memGiB * 1024L, gpus, GpuModels.idOf(model));
    }

    private static TaskSpec task(int cores, int memGiB, int gpus, int milli, String model) {
        long mask = model.isEmpty() ? 0 : 1L << GpuModels.idOf(model);
        return TaskSpec.openb("t" + (seq++), cores * 1000, memGiB * 1024L, gpus, milli, model, mask, Qos.UNSPECIFIED, -1, -1, -1);
    }

    private static long bound(List<NodeSpec> nodes, TaskSpec... tasks) {
        return ForcedPlacementBound.of(nodes, List.of(tasks)).boundMilli();
    }

    @Test
    void anEarly810HoldsItsGpuAndTheWholeGpuTaskBehindItFails() {
        assertThat(bound(List.of(node("G2", 1, 96, 64)), task(3, 4, 1, 810, ""), task(4, 4, 1, 1000, ""))).isEqualTo(810);
    }

    @Test
    void twoForced810sLeave380MilliThatAnyPolicyCouldOtherwiseHaveFilled() {
        List<NodeSpec> nodes = List.of(node("G2", 2, 96, 64));
        TaskSpec[] tasks = {task(3, 4, 1, 810, ""), task(3, 4, 1, 810, ""), task(4, 4, 1, 1000, ""), task(4, 4, 1, 1000, "")};
        assertThat(bound(nodes, tasks)).isEqualTo(1620);
        // an offline optimum drops the 810s and places both whole GPUs
        assertThat(AllocationBound.upperBoundMilli(nodes, List.of(tasks))).isGreaterThanOrEqualTo(2000 - 1e-6);
    }

    @Test
    void smallTasksThatFitTheRemainderAreCredited() {
        // 810 + 160 on one GPU: only 30 milli can stay free (the whole-GPU task behind them fails)
        ForcedPlacementBound.Result r = ForcedPlacementBound.of(List.of(node("G2", 1, 96, 64)),
                List.of(task(3, 4, 1, 810, ""), task(2, 2, 1, 160, ""), task(4, 4, 1, 1000, "")));
        assertThat(r.boundMilli()).isEqualTo(970);
        assertThat(r.wasteMilli()).isEqualTo(30);
        assertThat(r.shape()).startsWith("810 m, 3000 mCPU");
    }

    @Test
    void aNodeBlockedByCpuCanTurnThe810AwayAndLetALeanWholeGpuTaskIn() {
        // the CPU-only task leaves 2 cores, the 810 needs 3, the 1-core whole-GPU task fits: 1000 is reachable
        assertThat(bound(List.of(node("G2", 1, 4, 64)), task(2, 1, 0, 0, ""), task(3, 4, 1, 810, ""), task(1, 1, 1, 1000, "")))
                .isEqualTo(1000);
    }

    @Test
    void aLargerShareThatClosesTheGpuFirstKeepsTheWholeAllocation() {
        // the 900 takes the only GPU, the 810 behind it is refused: 900 is reachable and must not be cut
        assertThat(bound(List.of(node("G2", 1, 96, 64)), task(1, 4, 1, 900, ""), task(1, 3, 1, 810, ""))).isEqualTo(900);
    }

    @Test
    void thePackingStageSeesThatTheSecondSmallShareFindsNoRoomBesideThe810() {
        // the first stage assumes the two 150s fill the 810's remainder perfectly; only one fits
        List<NodeSpec> nodes = List.of(node("G2", 1, 96, 64));
        List<TaskSpec> tasks = List.of(task(3, 4, 1, 810, ""), task(2, 2, 1, 150, ""), task(2, 2, 1, 150, ""));
        assertThat(ForcedPlacementBound.of(nodes, tasks).boundMilli()).isEqualTo(1000);
        ForcedPlacementBound.Result r = ForcedPlacementBound.packed(nodes, tasks);
        assertThat(r.boundMilli()).isEqualTo(960).isEqualTo(bestForced(nodes, tasks));
        assertThat(r.wasteMilli()).isEqualTo(40);
        assertThat(r.shape()).startsWith("810 m, 3000 mCPU");
    }

    @Test
    void thePackingStageKnowsThatAGpuWithRoomForThe810WhenItClosesTakesOnlyLeanTasks() {
        // to keep the 810 out, the policy must block the node before it arrives; a CPU-only task can do that,
        // but then the 1-GPU task that needs 8 cores cannot use the free GPU either: at most 810 + 100
        List<NodeSpec> nodes = List.of(node("G2", 1, 12, 64));
        List<TaskSpec> tasks = List.of(task(1, 1, 1, 100, ""), task(3, 4, 1, 810, ""), task(8, 4, 1, 890, ""));
        long best = bestForced(nodes, tasks);
        ForcedPlacementBound.Result r = ForcedPlacementBound.packed(nodes, tasks);
        assertThat(r.boundMilli()).isGreaterThanOrEqualTo(best).isLessThanOrEqualTo(ForcedPlacementBound.of(nodes, tasks).boundMilli());
        assertThat(best).isEqualTo(910);
        assertThat(r.boundMilli()).isEqualTo(910);
    }

    @Test
    void aShareThatNeedsRdmaIsNotForcedWhereTheFleetHasNone() {
        // the 810 asks for RDMA the node lacks, so it is refused and the whole-GPU task gets the GPU
        TaskSpec rdma810 = new TaskSpec("rdma810", 3000, 4096, 1, 810, "", 0L, Qos.UNSPECIFIED, -1, -1, -1, 50, -1, 0);
        List<NodeSpec> nodes = List.of(node("G2", 1, 96, 64));
        List<TaskSpec> tasks = List.of(rdma810, task(4, 4, 1, 1000, ""));
        assertThat(ForcedPlacementBound.of(nodes, tasks).boundMilli()).isEqualTo(1000);
        assertThat(bestForced(nodes, tasks)).isEqualTo(1000);
    }

    @Test
    void withoutLargeSharesThereIsNothingToForce() {
        ForcedPlacementBound.Result r = ForcedPlacementBound.of(List.of(node("G2", 2, 96, 64)),
                List.of(task(3, 4, 1, 500, ""), task(3, 4, 1, 300, ""), task(4, 4, 1, 1000, ""), task(4, 4, 1, 1000, "")));
        assertThat(r.boundMilli()).isEqualTo(2000);
        assertThat(r.wasteMilli()).isZero();
        assertThat(r.shape()).isEmpty();
    }

    @Test
    void onOpenbDefaultBothStagesAreTighterThanTheAnyPolicyBoundAndAboveEveryPolicy() throws Exception {
        assumeThat(SharedData.present()).as("../shared traces present").isTrue();
        var nodes = NodeCsvReader.gpuNodes(NodeCsvReader.read(SharedData.openb().resolve("openb_node_list_gpu_node.csv")));
        var pods = PodCsvReader.read(SharedData.openb().resolve("openb_pod_list_default.csv"));
        double forced = ForcedPlacementBound.percentAt(nodes, pods, 1.3, 42, StudyRun.MAX_BIN);
        double packed = ForcedPlacementBound.packedPercentAt(nodes, pods, 1.3, 42, StudyRun.MAX_BIN);
        double any = AllocationBound.percentAt(nodes, pods, 1.3, 42, StudyRun.MAX_BIN);
        assertThat(any).isGreaterThan(99.9);
        // the 810-milli shares arriving before the cluster can close to them strand at least 2 % of it
        assertThat(forced).isLessThan(98.0).isGreaterThan(90.0);
        // the 810s and the 470-to-650 shares forced in before the cluster can close strand more than the first stage sees
        assertThat(packed).isLessThan(forced - 0.5).isGreaterThan(94.0);
        Arrivals a = Arrivals.build(pods, nodes, 1.3, new SplittableRandom(42));
        long capacity = nodes.stream().mapToLong(n -> n.gpuCount() * 1000L).sum();
        for (String policy : List.of("BestFit", "FGD", "WasteAware", "EventualWaste")) {
            long used = PlacementSearch.allocatedBy(policy, a.nodes(), a.tasks(), pods, 42);
            assertThat(100.0 * used / capacity).as(policy).isLessThanOrEqualTo(packed);
        }
    }

    @Provide
    Arbitrary<List<NodeSpec>> fleets() {
        Arbitrary<NodeSpec> n = Combinators.combine(Arbitraries.of(MODELS), Arbitraries.of(1, 2, 4), Arbitraries.integers().between(4, 24),
                Arbitraries.of(8, 16)).as(ForcedPlacementBoundTest::node);
        return n.list().ofMinSize(1).ofMaxSize(2);
    }

    @Provide
    Arbitrary<List<TaskSpec>> tasks() {
        Arbitrary<Integer> cores = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> mem = Arbitraries.of(0, 1, 2, 4);
        Arbitrary<TaskSpec> large = Combinators.combine(cores, mem, Arbitraries.of(600, 810, 810, 900), Arbitraries.of("", "", "", "T4"))
                .as((c, m, g, model) -> task(c, m, 1, g, model));
        Arbitrary<TaskSpec> small = Combinators.combine(cores, mem, Arbitraries.of(100, 190, 250, 400, 500), Arbitraries.of("", "", "G2"))
                .as((c, m, g, model) -> task(c, m, 1, g, model));
        Arbitrary<TaskSpec> whole = Combinators.combine(cores, mem, Arbitraries.of(1, 1, 2, 4), Arbitraries.of("", "", "G2"))
                .as((c, m, k, model) -> task(c, m, k, 1000, model));
        Arbitrary<TaskSpec> cpu = Combinators.combine(Arbitraries.integers().between(1, 10), mem).as((c, m) -> task(c, m, 0, 0, ""));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, large), net.jqwik.api.Tuple.of(2, small), net.jqwik.api.Tuple.of(3, whole), net.jqwik.api.Tuple.of(1, cpu))
                .list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 1000)
    void neverBelowTheBestPlacementThatPlacesEveryFittingTask(@ForAll("fleets") List<NodeSpec> nodes, @ForAll("tasks") List<TaskSpec> tasks) {
        ForcedPlacementBound.Result r = ForcedPlacementBound.of(nodes, tasks);
        long capacity = nodes.stream().mapToLong(n -> n.gpuCount() * 1000L).sum();
        long best = bestForced(nodes, tasks);
        assertThat(r.boundMilli()).isGreaterThanOrEqualTo(best).isLessThanOrEqualTo(capacity);
        assertThat(r.boundMilli() + r.wasteMilli()).isEqualTo(capacity);
        // not vacuous: in a good share of the cases it is below the any-policy bound, and often exact
        boolean binds = r.boundMilli() < AllocationBound.upperBoundMilli(nodes, tasks) - 1e-6;
        Statistics.label("binds").collect(binds);
        Statistics.label("exact where it binds").collect(binds && r.boundMilli() == best);
        Statistics.label("binds").coverage(c -> c.check(true).percentage(p -> p >= 0.5));
    }

    @Property(tries = 300)
    void thePackingStageIsNeverBelowTheBestPlacementNorAboveTheFirstStage(@ForAll("fleets") List<NodeSpec> nodes,
                                                                         @ForAll("tasks") List<TaskSpec> tasks) {
        long first = ForcedPlacementBound.of(nodes, tasks).boundMilli();
        ForcedPlacementBound.Result r = ForcedPlacementBound.packed(nodes, tasks);
        long capacity = nodes.stream().mapToLong(n -> n.gpuCount() * 1000L).sum();
        long best = bestForced(nodes, tasks);
        assertThat(r.boundMilli()).isGreaterThanOrEqualTo(best).isLessThanOrEqualTo(first);
        assertThat(r.boundMilli() + r.wasteMilli()).isEqualTo(capacity);
        // not vacuous: it often tightens the first stage
        Statistics.label("tightens").collect(r.boundMilli() < first);
        Statistics.label("exact").collect(r.boundMilli() == best);
        Statistics.label("tightens").coverage(c -> c.check(true).percentage(p -> p >= 3));
    }

    @Property(tries = 200)
    void onShareHeavyArrivalsThePackingStageIsStillValid(@ForAll("smallFleets") List<NodeSpec> nodes,
                                                         @ForAll("shareHeavy") List<TaskSpec> tasks) {
        long first = ForcedPlacementBound.of(nodes, tasks).boundMilli();
        long b = ForcedPlacementBound.packed(nodes, tasks).boundMilli();
        long best = bestForced(nodes, tasks);
        assertThat(b).isGreaterThanOrEqualTo(best).isLessThanOrEqualTo(first);
        Statistics.label("tightens").collect(b < first);
        Statistics.label("exact").collect(b == best);
        Statistics.label("tightens").coverage(c -> c.check(true).percentage(p -> p >= 3));
    }

    @Provide
    Arbitrary<List<NodeSpec>> smallFleets() {
        return Combinators.combine(Arbitraries.of(MODELS), Arbitraries.of(1, 2, 4)).as((m, k) -> node(m, k, 64, 64)).list().ofMinSize(1).ofMaxSize(2);
    }

    @Provide
    Arbitrary<List<TaskSpec>> shareHeavy() {
        return Combinators.combine(Arbitraries.of(810, 810, 650, 470, 160, 1000, 1000), Arbitraries.of(1, 2, 4))
                .as((g, c) -> task(c, 1, 1, g, "")).list().ofMinSize(3).ofMaxSize(8);
    }

    @Property(tries = 300)
    void onShareHeavyArrivalsItIsOftenBelowTheAnyPolicyBoundAndStillValid(@ForAll("smallFleets") List<NodeSpec> nodes,
                                                                          @ForAll("shareHeavy") List<TaskSpec> tasks) {
        long b = ForcedPlacementBound.of(nodes, tasks).boundMilli();
        long best = bestForced(nodes, tasks);
        assertThat(b).isGreaterThanOrEqualTo(best);
        boolean binds = b < AllocationBound.upperBoundMilli(nodes, tasks) - 1e-6;
        Statistics.label("binds").collect(binds);
        Statistics.label("exact where it binds").collect(binds && b == best);
        Statistics.label("binds").coverage(c -> c.check(true).percentage(p -> p >= 15));
    }

    @Property(tries = 150)
    void neverBelowWhatAPolicyAllocates(@ForAll("fleets") List<NodeSpec> nodes, @ForAll("tasks") List<TaskSpec> tasks) {
        long b = ForcedPlacementBound.packed(nodes, tasks).boundMilli();
        for (String policy : Policies.names()) {
            assertThat(PlacementSearch.allocatedBy(policy, nodes, tasks, tasks, 1)).as(policy).isLessThanOrEqualTo(b);
        }
    }

    static long bestForced(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        return PlacementSearch.bestUnderStudyRules(nodes, tasks);
    }
}

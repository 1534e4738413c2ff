package io.archipelago.sim.study;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The allocation upper bound: exact on tiny instances whose optimum is known by hand, never below
 * the true (exhaustively searched) optimum, never below what any policy allocates, never above
 * min(capacity, arrived demand).
 */
class AllocationBoundTest {
    private static final String[] MODELS = {"G2", "T4"};
    private static int seq;

    private static NodeSpec node(String model, int gpus, int cores) {
        return new NodeSpec("n" + (seq++), cores * 1000, 1 << 20, gpus, GpuModels.idOf(model));
    }

    private static TaskSpec task(int cores, int gpus, int milli, String model) {
        long mask = model.isEmpty() ? 0 : 1L << GpuModels.idOf(model);
        return TaskSpec.openb("t" + (seq++), cores * 1000, 1024, gpus, milli, model, mask, Qos.UNSPECIFIED, -1, -1, -1);
    }

    private static double bound(List<NodeSpec> nodes, TaskSpec... tasks) {
        return AllocationBound.upperBoundMilli(nodes, List.of(tasks));
    }

    @Test
    void gpuCapacityCapsTheBound() {
        assertThat(bound(List.of(node("G2", 2, 96)), task(4, 1, 1000, ""), task(4, 1, 1000, ""), task(4, 1, 1000, "")))
                .isEqualTo(2000, within(1e-6));
    }

    @Test
    void arrivedDemandCapsTheBound() {
        assertThat(bound(List.of(node("G2", 8, 96)), task(4, 1, 300, ""), task(4, 2, 1000, ""))).isEqualTo(2300, within(1e-6));
    }

    @Test
    void cpuOfTheNodesTightensIt() {
        // 4 GPUs but 8 cores: only two 4-core GPU tasks fit, optimum 2000
        double b = bound(List.of(node("G2", 4, 8)), task(4, 1, 1000, ""), task(4, 1, 1000, ""), task(4, 1, 1000, ""), task(4, 1, 1000, ""));
        assertThat(b).isGreaterThanOrEqualTo(2000 - 1e-6).isLessThan(2000 * 1.02);
    }

    @Test
    void tasksThatFitNowhereCountNothing() {
        List<NodeSpec> g2 = List.of(node("G2", 2, 96));
        assertThat(bound(g2, task(4, 1, 1000, "T4"))).isZero();       // model not in the fleet
        assertThat(bound(g2, task(4, 4, 1000, ""))).isZero();         // more GPUs than any node has
        assertThat(bound(g2, task(200, 1, 1000, ""))).isZero();       // more CPU than any node has
    }

    @Test
    void eachModelHoldsOnlyWhatMayRunOnIt() {
        // T4 tasks ask for 3 GPUs of T4 capacity 2; the G2 node takes the unconstrained task
        double b = bound(List.of(node("G2", 2, 96), node("T4", 2, 96)),
                task(4, 1, 1000, "T4"), task(4, 1, 1000, "T4"), task(4, 1, 1000, "T4"), task(4, 1, 1000, ""));
        assertThat(b).isGreaterThanOrEqualTo(3000 - 1e-6).isLessThan(3000 * 1.02);
    }

    @Test
    void demandThatOnlyOneModelMayServeIsCappedByThatModelAtScale() {
        // 100 T4 nodes (200 GPUs) and 300 G2 nodes (2,400 GPUs); 500 T4-only GPUs and 2,000 free GPUs arrive:
        // at most 200 + 2,000 = 2,200 GPUs can be allocated, though capacity (2,600) and demand (2,500) are higher
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            nodes.add(node("T4", 2, 104));
        }
        for (int i = 0; i < 300; i++) {
            nodes.add(node("G2", 8, 96));
        }
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            tasks.add(task(4, 1, 1000, "T4"));
        }
        for (int i = 0; i < 2000; i++) {
            tasks.add(task(4, 1, 1000, ""));
        }
        assertThat(AllocationBound.upperBoundMilli(nodes, tasks)).isEqualTo(2_200_000, within(1e-6));
    }

    @Provide
    Arbitrary<List<NodeSpec>> fleets() {
        Arbitrary<NodeSpec> n = Combinators.combine(Arbitraries.of(MODELS), Arbitraries.of(1, 2, 4), Arbitraries.integers().between(2, 16))
                .as(AllocationBoundTest::node);
        return n.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<TaskSpec>> tasks() {
        Arbitrary<TaskSpec> sharing = Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.of(100, 250, 400, 500, 700, 900),
                Arbitraries.of("", "", "T4")).as((c, g, m) -> task(c, 1, g, m));
        Arbitrary<TaskSpec> whole = Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.of(1, 2, 4),
                Arbitraries.of("", "", "G2")).as((c, k, m) -> task(c, k, 1000, m));
        Arbitrary<TaskSpec> cpu = Arbitraries.integers().between(1, 8).map(c -> task(c, 0, 0, ""));
        return Arbitraries.oneOf(sharing, whole, cpu).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300)
    void neverBelowTheOptimumNorAboveCapacityOrDemand(@ForAll("fleets") List<NodeSpec> nodes, @ForAll("tasks") List<TaskSpec> tasks) {
        double b = AllocationBound.upperBoundMilli(nodes, tasks);
        long capacity = nodes.stream().mapToLong(n -> n.gpuCount() * 1000L).sum();
        long demand = tasks.stream().mapToLong(TaskSpec::gpuDemandMilli).sum();
        assertThat(b).isGreaterThanOrEqualTo(optimum(nodes, tasks) - 1e-6);
        assertThat(b).isLessThanOrEqualTo(Math.min(capacity, demand) + 1e-6);
    }

    @Property(tries = 100)
    void neverBelowWhatAPolicyAllocates(@ForAll("fleets") List<NodeSpec> nodes, @ForAll("tasks") List<TaskSpec> tasks) {
        double b = AllocationBound.upperBoundMilli(nodes, tasks);
        for (String policy : Policies.names()) {
            assertThat((double) PlacementSearch.allocatedBy(policy, nodes, tasks, tasks, 1)).as(policy).isLessThanOrEqualTo(b + 1e-6);
        }
    }

    static long optimum(List<NodeSpec> nodes, List<TaskSpec> tasks) {
        return PlacementSearch.bestOffline(nodes, tasks);
    }
}

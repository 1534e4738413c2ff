package io.archipelago.sim.study;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArrivalsTest {
    /** 10 nodes x 8 GPUs = 80,000 milli. */
    private final List<NodeSpec> nodes = nodes(10);
    /** 40 tasks: 20 sharing of 500, 10 whole GPUs, 10 CPU-only = 20,000 milli (25 % of capacity). */
    private final List<TaskSpec> trace = trace();

    static List<NodeSpec> nodes(int n) {
        List<NodeSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new NodeSpec(String.format("node-%03d", i), 96_000, 1 << 20, 8, GpuModels.idOf("G2")));
        }
        return out;
    }

    static List<TaskSpec> trace() {
        List<TaskSpec> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int kind = i % 4;
            out.add(TaskSpec.of(String.format("pod-%03d", 39 - i), 1000, 1024, kind == 3 ? 0 : 1, kind == 3 ? 0 : kind == 2 ? 1000 : 500));
        }
        return out;
    }

    private static long demand(List<TaskSpec> ts) {
        return ts.stream().mapToLong(TaskSpec::gpuDemandMilli).sum();
    }

    @Test
    void theWholeTraceComesFirstShuffledThenClonesUpToTheTarget() {
        Arrivals a = Arrivals.build(trace, nodes, 1.3, new SplittableRandom(42));
        assertThat(a.originalCount()).isEqualTo(40);
        List<TaskSpec> originals = a.tasks().subList(0, 40);
        assertThat(originals).containsExactlyInAnyOrderElementsOf(trace);
        assertThat(originals).isNotEqualTo(trace.stream().sorted((x, y) -> x.name().compareTo(y.name())).toList());
        assertThat(a.tasks().subList(40, a.tasks().size())).allSatisfy(t -> assertThat(t.name()).contains("-tuned-"));
        long total = demand(a.tasks());
        assertThat(total).isLessThanOrEqualTo(104_000).isGreaterThan(104_000 - 1000);
    }

    @Test
    void theNodeOrderIsAPerSeedPermutation() {
        Arrivals a = Arrivals.build(trace, nodes, 1.3, new SplittableRandom(42));
        Arrivals b = Arrivals.build(trace, nodes, 1.3, new SplittableRandom(43));
        assertThat(a.nodes()).containsExactlyInAnyOrderElementsOf(nodes);
        assertThat(a.nodes()).isNotEqualTo(b.nodes());
    }

    @Test
    void theSameSeedGivesTheSameArrivals() {
        Arrivals a = Arrivals.build(trace, nodes, 1.3, new SplittableRandom(7));
        Arrivals b = Arrivals.build(new ArrayList<>(trace), nodes, 1.3, new SplittableRandom(7));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void aTraceAboveTheTargetIsDeflatedByRandomDeletion() {
        Arrivals a = Arrivals.build(trace, nodes, 0.2, new SplittableRandom(1)); // target 16,000 < 20,000
        assertThat(demand(a.tasks())).isLessThanOrEqualTo(16_000);
        assertThat(a.originalCount()).isEqualTo(a.tasks().size());
        Set<String> names = new HashSet<>();
        a.tasks().forEach(t -> names.add(t.name()));
        assertThat(names).hasSize(a.tasks().size()).noneMatch(n -> n.contains("-tuned-"));
    }

    @Test
    void tuneZeroKeepsTheTraceAsItIs() {
        Arrivals a = Arrivals.build(trace, nodes, 0, new SplittableRandom(1));
        assertThat(a.tasks()).hasSize(40);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> Arrivals.build(List.of(), nodes, 1.3, new SplittableRandom(1))).hasMessageContaining("empty");
        assertThatThrownBy(() -> Arrivals.build(trace, nodes, Double.NaN, new SplittableRandom(1))).hasMessageContaining("tune");
    }
}

package io.archipelago.sim.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.Qos;
import io.archipelago.core.model.TaskSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class SyntheticOpenbTest {

    @Test
    void nodesReproduceTheOpenbInventory() {
        List<NodeSpec> nodes = SyntheticOpenb.nodes();
        assertThat(nodes).hasSize(1213);
        assertThat(nodes.stream().mapToInt(NodeSpec::gpuCount).sum()).isEqualTo(6212);

        Map<String, Integer> gpusByModel = new TreeMap<>();
        for (NodeSpec n : nodes) {
            gpusByModel.merge(n.gpuModelName(), n.gpuCount(), Integer::sum);
        }
        assertThat(gpusByModel).containsExactlyInAnyOrderEntriesOf(Map.of(
                "G2", 4392, "T4", 842, "G3", 312, "P100", 265, "V100M32", 204, "V100M16", 195, "A10", 2));

        // Total vCPU as documented in fgd-method.md 1.1.
        assertThat(nodes.stream().mapToLong(NodeSpec::cpuMilli).sum()).isEqualTo(107_018_000L);
    }

    @Test
    void nodeGroupsMatchTheDocumentedInventory() {
        Map<String, Long> groups = SyntheticOpenb.nodes().stream().collect(Collectors.groupingBy(
                n -> n.gpuModelName() + "/" + n.gpuCount() + "/" + n.cpuMilli() / 1000, TreeMap::new,
                Collectors.counting()));
        assertThat(groups).containsEntry("G2/8/96", 549L)
                .containsEntry("T4/2/104", 387L)
                .containsEntry("G3/8/128", 39L)
                .containsEntry("V100M16/1/8", 19L)
                .containsEntry("V100M16/4/32", 28L)
                .containsEntry("V100M32/4/48", 9L)
                .containsEntry("V100M32/8/96", 21L)
                .containsEntry("T4/4/96", 17L)
                .containsEntry("P100/1/8", 3L)
                .containsEntry("A10/1/128", 2L);
        long p100x2 = groups.entrySet().stream().filter(e -> e.getKey().startsWith("P100/2/"))
                .mapToLong(Map.Entry::getValue).sum();
        long v100m16x8 = groups.entrySet().stream().filter(e -> e.getKey().startsWith("V100M16/8/"))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(p100x2).isEqualTo(131);
        assertThat(v100m16x8).isEqualTo(8);
    }

    @Test
    void nodeNamesAreUniqueSortedAndStable() {
        List<NodeSpec> nodes = SyntheticOpenb.nodes();
        assertThat(nodes.get(0).name()).isEqualTo("synth-node-0000");
        assertThat(nodes.get(1212).name()).isEqualTo("synth-node-1212");
        assertThat(nodes).extracting(NodeSpec::name).doesNotHaveDuplicates().isSorted();
        assertThat(SyntheticOpenb.nodes()).isEqualTo(nodes);
    }

    @Test
    void embeddedTableMatchesTheDocumentedTraceCounts() {
        assertThat(SyntheticOpenb.traceCount(0, true)).isEqualTo(1088);
        assertThat(SyntheticOpenb.traceCount(1, true)).isEqualTo(3078);
        assertThat(SyntheticOpenb.traceCount(1, false)).isEqualTo(3911);
        assertThat(SyntheticOpenb.traceCount(2, false)).isEqualTo(16);
        assertThat(SyntheticOpenb.traceCount(4, false)).isEqualTo(15);
        assertThat(SyntheticOpenb.traceCount(8, false)).isEqualTo(44);
        assertThat(SyntheticOpenb.shapeCount()).isBetween(91, 200);
    }

    @Test
    void tasksReproduceTheClassSharesAndGpuLoad() {
        List<TaskSpec> tasks = SyntheticOpenb.tasks(8152, 42);
        assertThat(tasks).hasSize(8152);
        double n = tasks.size();
        double cpuOnly = tasks.stream().filter(t -> t.gpuCount() == 0).count() / n;
        double sharing = tasks.stream().filter(TaskSpec::isSharing).count() / n;
        double oneGpu = tasks.stream().filter(t -> t.gpuCount() == 1 && t.gpuMilli() == 1000).count() / n;
        double multi = tasks.stream().filter(t -> t.gpuCount() > 1).count() / n;
        assertThat(cpuOnly).isCloseTo(0.133, within(0.02));
        assertThat(sharing).isCloseTo(0.378, within(0.02));
        assertThat(oneGpu).isCloseTo(0.480, within(0.02));
        assertThat(multi).isCloseTo(75 / 8152.0, within(0.005));

        long capacityMilli = SyntheticOpenb.nodes().stream().mapToLong(NodeSpec::gpuCount).sum() * 1000L;
        double load = tasks.stream().mapToLong(TaskSpec::gpuDemandMilli).sum() / (double) capacityMilli;
        assertThat(load).isCloseTo(0.9798, within(0.9798 * 0.03));
    }

    @Test
    void tasksRespectTaskSpecInvariantsAndCarryNoConstraint() {
        for (TaskSpec t : SyntheticOpenb.defaultTasks(7)) {
            assertThat(t.gpuSpec()).isEmpty();
            assertThat(t.allowedModels()).isZero();
            assertThat(t.creationTime()).isEqualTo(-1);
            assertThat(t.deletionTime()).isEqualTo(-1);
            assertThat(t.scheduledTime()).isEqualTo(-1);
            assertThat(t.gpuCount()).isIn(0, 1, 2, 4, 8);
            if (t.gpuCount() > 1) {
                assertThat(t.gpuMilli()).isEqualTo(1000);
            }
            if (t.gpuCount() == 0) {
                assertThat(t.gpuMilli()).isZero();
            }
            assertThat(t.cpuMilli()).isPositive();
        }
    }

    @Test
    void qosFollowsTheTraceShares() {
        List<TaskSpec> tasks = SyntheticOpenb.defaultTasks(42);
        double n = tasks.size();
        double ls = tasks.stream().filter(t -> t.qos() == Qos.LS).count() / n;
        double be = tasks.stream().filter(t -> t.qos() == Qos.BE).count() / n;
        // Trace: LS 4647, BE 3398, Burstable 100, Guaranteed 7 of 8152.
        assertThat(ls).isCloseTo(4647 / 8152.0, within(0.03));
        assertThat(be).isCloseTo(3398 / 8152.0, within(0.03));
        assertThat(tasks).extracting(TaskSpec::qos).doesNotContain(Qos.UNSPECIFIED);
    }

    @Test
    void sameSeedGivesSameListDifferentSeedDiffers() {
        List<TaskSpec> a = SyntheticOpenb.tasks(8152, 42);
        List<TaskSpec> b = SyntheticOpenb.tasks(8152, 42);
        List<TaskSpec> c = SyntheticOpenb.tasks(8152, 43);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(SyntheticOpenb.defaultTasks(42)).isEqualTo(a);
    }

    @Test
    void taskNamesAreUniqueAndSorted() {
        List<TaskSpec> tasks = SyntheticOpenb.defaultTasks(42);
        assertThat(tasks.get(0).name()).isEqualTo("synth-pod-00000");
        assertThat(tasks.get(8151).name()).isEqualTo("synth-pod-08151");
        assertThat(tasks).extracting(TaskSpec::name).doesNotHaveDuplicates().isSorted();

        List<TaskSpec> big = SyntheticOpenb.tasks(100_001, 1);
        Set<String> names = new HashSet<>();
        big.forEach(t -> names.add(t.name()));
        assertThat(names).hasSize(100_001);
        assertThat(big).extracting(TaskSpec::name).isSorted();
        assertThat(big.get(0).name()).isEqualTo("synth-pod-000000");

        assertThat(SyntheticOpenb.tasks(0, 1)).isEmpty();
    }
}

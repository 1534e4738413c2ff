package io.archipelago.core.cluster;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.archipelago.core.Fixtures.node;
import static io.archipelago.core.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterStateTest {
    private final ClusterState state = new ClusterState(List.of(node("a", "G2", 8, 96), node("b", "T4", 2, 104)));

    @Test
    void aFreshClusterHasEverythingFree() {
        assertThat(state.totalGpus()).isEqualTo(10);
        assertThat(state.usedGpuMilli()).isZero();
        assertThat(state.fullFreeGpus(0)).isEqualTo(8);
        assertThat(state.maxGpuFree(1)).isEqualTo(1000);
        assertThat(state.gpuFreeTotal(0)).isEqualTo(8000);
        state.checkInvariants();
    }

    @Test
    void bindTakesCpuMemoryAndMilliFromTheChosenGpusAndUpdatesAggregates() {
        TaskSpec share = task(4000, 1, 300);
        int v = state.version(0);
        state.bind(0, share, 0b100);
        assertThat(state.cpuFree(0)).isEqualTo(92_000);
        assertThat(state.gpuFree(0, 2)).isEqualTo(700);
        assertThat(state.fullFreeGpus(0)).isEqualTo(7);
        assertThat(state.gpuFreeTotal(0)).isEqualTo(7700);
        assertThat(state.usedGpuMilli()).isEqualTo(300);
        assertThat(state.version(0)).isNotEqualTo(v);
        assertThat(state.gpuShapeCount(0, 0)).isEqualTo(1);
        assertThat(state.gpuShapeKinds(0)).isEqualTo(1);
        state.checkInvariants();
    }

    @Test
    void unbindRestoresTheNodeExactly() {
        TaskSpec whole = task(8000, 4, 1000);
        state.bind(0, whole, 0b1111);
        state.unbind(0, whole, 0b1111);
        assertThat(state.cpuFree(0)).isEqualTo(96_000);
        assertThat(state.fullFreeGpus(0)).isEqualTo(8);
        assertThat(state.usedGpuMilli()).isZero();
        assertThat(state.gpuShapeKinds(0)).isZero();
        state.checkInvariants();
    }

    @Test
    void overCommittingAGpuIsRefusedAndChangesNothing() {
        state.bind(1, task(1000, 1, 800), 0b01);
        int cpu = state.cpuFree(1);
        assertThatThrownBy(() -> state.bind(1, task(1000, 1, 300), 0b01))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GPU 0 has 200 milli free");
        assertThat(state.cpuFree(1)).isEqualTo(cpu);
        assertThat(state.gpuFree(1, 0)).isEqualTo(200);
        state.checkInvariants();
    }

    @Test
    void aMaskWithTheWrongNumberOfGpusIsRejected() {
        assertThatThrownBy(() -> state.bind(0, task(1000, 2, 1000), 0b1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 2 GPUs");
        assertThatThrownBy(() -> state.bind(1, task(1000, 1, 1000), 0b100))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overCommittingCpuIsRefused() {
        assertThatThrownBy(() -> state.bind(1, task(105_000, 0, 0), 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CPU or memory");
        assertThat(state.cpuFree(1)).isEqualTo(104_000);
    }

    @Test
    void listenersHearEveryChangeInOrder() {
        List<Integer> heard = new ArrayList<>();
        state.addListener(heard::add);
        TaskSpec t = task(1000, 0, 0);
        state.bind(1, t, 0);
        state.unbind(1, t, 0);
        assertThat(heard).containsExactly(1, 1);
    }

    @Test
    void anEmptyClusterIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> new ClusterState(List.<NodeSpec>of()))
                .hasMessageContaining("at least one node");
    }

    @Test
    void aCordonedNodeKeepsItsTasksButTheAvailabilityFilterRejectsIt() {
        TaskSpec share = task(4000, 1, 300);
        state.bind(0, share, 0b1);
        int v = state.version(0);

        state.setCordoned(0, true);

        assertThat(state.isCordoned(0)).isTrue();
        assertThat(state.isUp(0)).as("cordoned is not down").isTrue();
        assertThat(state.version(0)).as("schedulers see the change").isNotEqualTo(v);
        assertThat(io.archipelago.core.framework.Filters.checkAvailable(state, 0, share))
                .isEqualTo(io.archipelago.core.framework.Reason.NODE_CORDONED);
        assertThat(io.archipelago.core.framework.Filters.checkAvailable(state, 1, share))
                .isEqualTo(io.archipelago.core.framework.Reason.FITS);
        state.unbind(0, share, 0b1);
        assertThat(state.gpuFree(0, 0)).as("its tasks can still be released").isEqualTo(1000);
        state.bind(0, share, 0b1);
        assertThat(state.taskCount(0)).as("known placements can still be restored (recovery)").isEqualTo(1);

        int v2 = state.version(0);
        state.setCordoned(0, true);
        assertThat(state.version(0)).as("setting the same value is a no-op").isEqualTo(v2);
        state.setCordoned(0, false);
        assertThat(io.archipelago.core.framework.Filters.checkAvailable(state, 0, share))
                .isEqualTo(io.archipelago.core.framework.Reason.FITS);
        assertThatThrownBy(() -> state.setCordoned(5, true)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("5");
        state.checkInvariants();
    }
}

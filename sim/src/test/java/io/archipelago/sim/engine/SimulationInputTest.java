package io.archipelago.sim.engine;

import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.policy.Policies;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input to the engine fails before anything runs, with a message that names the value. */
class SimulationInputTest {
    private static final Fleet FLEET = Fleet.of(List.of(new NodeSpec("n0", 8000, 32768, 2, GpuModels.idOf("A100"))), 1);
    private static final Simulation.Options OPTIONS = new Simulation.Options(42, -1, 1000, true, 60_000, 16, -1, true, true);

    @Test
    void anEmptyWorkloadIsRejectedByName() {
        Workload empty = Workload.builder("nothing").build();
        assertThatThrownBy(() -> new Simulation("s", "FGD", FLEET, empty, List.of(), List.of(), OPTIONS,
                ctx -> Policies.profile("FGD", ctx)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workload nothing has no jobs");
    }

    @Test
    void anOutageNamingANodeOutsideTheFleetIsRejected() {
        Workload.Builder b = Workload.builder("one");
        int p = b.prototype(io.archipelago.core.model.TaskSpec.of("t", 1000, 1024, 1, 1000));
        b.add(0, 1000, p, PriorityClass.BURSTABLE, 0, 1, null);
        Workload w = b.build();
        assertThatThrownBy(() -> new Simulation("s", "FGD", FLEET, w, List.of(),
                List.of(new Simulation.Outage("x", 0, 10, new int[] {3})), OPTIONS, ctx -> Policies.profile("FGD", ctx)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node index 3 outside the fleet of 1 nodes");
    }

    @Test
    void optionsRejectANonPositiveSampleInterval() {
        assertThatThrownBy(() -> new Simulation.Options(42, -1, 0, true, 0, 16, -1, true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample interval 0 ms");
    }
}

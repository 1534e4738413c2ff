package io.archipelago.sim.engine;

import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.TaskSpec;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Merging generated workloads: one arrival order, every job kept with its shape, rules, tier, tenant and size. */
class WorkloadMergeTest {
    static TaskSpec shape(int gpus) {
        return TaskSpec.openb("s", 1000, 1024, gpus, gpus == 0 ? 0 : 1000, "", 0L, io.archipelago.core.model.Qos.UNSPECIFIED, -1, -1, -1);
    }

    static Workload part(String name, long[] arrivals, int gpus, PlacementRules rules, Tier tier) {
        Workload.Builder b = Workload.builder(name);
        int p = b.prototype(shape(gpus));
        int r = b.rules(rules);
        for (long a : arrivals) {
            b.add(a, 10, p, PriorityClass.BURSTABLE, 0, gpus, null, r, tier);
        }
        return b.build();
    }

    @Test
    void mergedJobsComeInArrivalOrderWithTiesInPartOrderAndKeepEverything() {
        PlacementRules sg = new PlacementRules("r1", List.of("SG"), List.of(), 20);
        Workload a = part("a", new long[] {0, 50, 100}, 1, PlacementRules.ANYWHERE, Tier.SPOT);
        Workload b = part("b", new long[] {50, 70}, 2, sg, Tier.RESERVED);
        Workload m = Workload.merge("m", List.of(a, b), 1_000);

        assertThat(m.jobs()).isEqualTo(5);
        long[] arrivals = new long[5];
        for (int j = 0; j < 5; j++) {
            arrivals[j] = m.arrival(j);
        }
        assertThat(arrivals).containsExactly(1_000, 1_050, 1_050, 1_070, 1_100);
        assertThat(m.spec(1).gpuCount()).as("the tie at 50 keeps part a first").isEqualTo(1);
        assertThat(m.spec(2).gpuCount()).isEqualTo(2);
        assertThat(m.rules(2)).isEqualTo(sg);
        assertThat(m.tier(2)).isEqualTo(Tier.RESERVED);
        assertThat(m.size(2)).isEqualTo(2);
        assertThat(m.tier(0)).isEqualTo(Tier.SPOT);
        assertThat(m.rules(0)).isEqualTo(PlacementRules.ANYWHERE);
        assertThat(m.tasks()).isEqualTo(3 * 1 + 2 * 2);
        assertThat(m.prototypes()).hasSize(2);
    }

    @Test
    void mergingNothingOrWithANegativeOffsetIsRefused() {
        assertThatThrownBy(() -> Workload.merge("m", List.of())).hasMessageContaining("at least one");
        Workload a = part("a", new long[] {0}, 1, PlacementRules.ANYWHERE, Tier.SPOT);
        assertThatThrownBy(() -> Workload.merge("m", List.of(a), -1)).hasMessageContaining("offset -1");
    }
}

package io.archipelago.sim.perf;

import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.fleet.FleetFileParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the placement benchmark measures is a real steady state: every task decided, the target held, no rule broken. */
class PlacementBenchTest {
    @Test
    void everyTaskGetsOneDecisionTheTargetAllocationHoldsAndNoRuleIsBroken() {
        RegionalFleet fleet = FleetFileParser.demo().scaled(0.125);
        Workload w = PlacementBench.workload(fleet, 2, 7);

        PlacementBench.Result r = PlacementBench.run(fleet, w, "FGD", SiteWeights.DEFAULT, 0.6, 7);

        assertThat(r.decisions()).isEqualTo(w.tasks());
        assertThat(r.placed()).isPositive().isLessThanOrEqualTo(r.decisions());
        assertThat(r.released()).as("the target forces releases").isPositive().isLessThanOrEqualTo(r.placed());
        assertThat(r.breaches()).isZero();
        assertThat(r.meanAllocPct()).isBetween(30.0, 60.0);
        assertThat(PlacementBench.run(fleet, w, "FGD", SiteWeights.DEFAULT, 0.6, 7).placed()).as("deterministic").isEqualTo(r.placed());
    }
}

package io.archipelago.sim.scenario;

import io.archipelago.sim.engine.RegionalStats;
import io.archipelago.sim.engine.SimResult;
import io.archipelago.sim.fleet.FleetFileParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped scenario {@code sea-90d-singapore-outage}: the demo fleet over 90 days with one
 * Singapore site down on day 30 for 48 hours. Once whole (the acceptance run), once shrunk to an
 * eighth of the fleet and three days with the invariant checker after every event.
 */
class SeaScenarioTest {
    private static final Path SCENARIOS = Path.of(System.getProperty("user.dir")).getParent().resolve("scenarios");
    private static final Scenario SEA = ScenarioParser.parse(SCENARIOS.resolve("sea-90d-singapore-outage.yaml"));

    private static SimResult run(Scenario s) {
        return ScenarioLoader.load(s, SCENARIOS, Map.of()).simulation().run();
    }

    @Test
    void theScenarioRunsTheDemoFleetWithTheMultiRegionWorkloadAndASingaporeOutage() {
        assertThat(SEA.fleet()).isInstanceOf(FleetSpec.Regional.class);
        assertThat(((FleetSpec.Regional) SEA.fleet()).fleet().gpuCount()).isEqualTo(6144);
        assertThat(SEA.workload()).isInstanceOf(WorkloadSpec.MultiRegion.class);
        assertThat(SEA.horizonMs()).isEqualTo(90 * MultiRegionSpec.DAY_MS);
        assertThat(SEA.outages()).singleElement().satisfies(o -> {
            assertThat(o.site()).isEqualTo("SIN-A");
            assertThat(o.atMs()).isEqualTo(30 * MultiRegionSpec.DAY_MS);
            assertThat(o.durationMs()).isEqualTo(48 * 3_600_000L);
        });
    }

    @Test
    void shrunkAndCheckedAfterEveryEventNoRuleIsBrokenAndSinAWorkFailsOverOnlyWhereAllowed() {
        MultiRegionSpec m = ((WorkloadSpec.MultiRegion) SEA.workload()).spec();
        long day = MultiRegionSpec.DAY_MS;
        MultiRegionSpec shortSpan = new MultiRegionSpec(3 * day, m.load(), m.ratePerSecond(), m.diurnal(), m.origins(), m.classes(),
                m.residency());
        Scenario s = new Scenario(SEA.name(), SEA.description(), SEA.seed(), 3 * day,
                new FleetSpec.Regional(null, 0.125, FleetFileParser.demo().scaled(0.125)), new WorkloadSpec.MultiRegion(shortSpan),
                SEA.policy(), SEA.queue(), SEA.preemption(), SEA.tenants(),
                List.of(new OutageSpec(day, 12 * 3_600_000L, List.of(), 0, "SIN-A", 0)), SEA.sampleEveryMs(), true, SEA.startDate());

        SimResult r = run(s);
        RegionalStats st = r.regional().stats();

        assertThat(r.tasksArrived()).isGreaterThan(1_000);
        assertThat(st.residencyViolations()).isZero();
        assertThat(st.latencyViolations()).isZero();
        assertThat(r.outageEvictions()).as("SIN-A held work when it went down").isPositive();
        int sinA = st.sites().indexOf("SIN-A");
        for (int from = 0; from < st.sites().size(); from++) {
            for (int to = 0; to < st.sites().size(); to++) {
                if (st.failoverJobs()[from][to] > 0) {
                    assertThat(from).as("only SIN-A failed").isEqualTo(sinA);
                    assertThat(to).as("nothing restarts on the site that is down").isNotEqualTo(sinA);
                }
            }
        }
    }

    @Test
    void overNinetyDaysTheFleetServesItsRegionsWithinTheRulesAndReportsMoneyAndFailover() {
        SimResult r = run(SEA);
        RegionalStats st = r.regional().stats();

        assertThat(st.residencyViolations()).isZero();
        assertThat(st.latencyViolations()).isZero();
        assertThat(r.tasksArrived()).isGreaterThan(1_000_000);
        assertThat(r.tasksQueued()).as("the fleet keeps up with 70 % offered load").isLessThan(r.tasksArrived() / 100);
        assertThat(r.gpuAllocMean()).isBetween(60.0, 80.0);
        int sinA = st.sites().indexOf("SIN-A");
        long movedOut = 0;
        for (long n : st.failoverJobs()[sinA]) {
            movedOut += n;
        }
        assertThat(movedOut).as("jobs evicted at SIN-A restarted elsewhere").isPositive();
        assertThat(st.failoverJobs()[sinA][sinA]).isZero();
        assertThat(st.sloAttainment()).isGreaterThan(0.9);
        assertThat(r.regional().ledger().total().revenueUsd()).isGreaterThan(r.regional().ledger().total().costUsd());
        for (String region : st.regions()) {
            assertThat(r.regional().ledger().region(region).utilisation()).as(region).isBetween(0.3, 1.0);
        }
    }
}

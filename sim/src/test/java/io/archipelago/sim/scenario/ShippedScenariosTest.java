package io.archipelago.sim.scenario;

import io.archipelago.sim.engine.SimOutput;
import io.archipelago.sim.engine.SimResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenarios shipped under {@code scenarios/} parse, load, and run with the invariant checker on
 * after every event. Generated workloads are cut to a few thousand tasks (the checker is O(jobs) per
 * event); the trace scenarios run whole.
 */
class ShippedScenariosTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path SCENARIOS = ROOT.resolve("scenarios");

    private static Map<String, String> env() {
        String shared = System.getProperty("archipelago.shared");
        Path traces = shared == null ? null : Path.of(shared, "traces");
        Assumptions.assumeTrue(traces != null && Files.isDirectory(traces.resolve("openb")), "shared traces not present");
        return Map.of("ARCHIPELAGO_TRACES", traces.toString());
    }

    /** The scenario with checking on and a generated workload cut to {@code maxTasks}. */
    private static Scenario checked(String name, long maxTasks) {
        Scenario s = ScenarioParser.parse(SCENARIOS.resolve(name + ".yaml"));
        WorkloadSpec wl = s.workload();
        if (wl instanceof WorkloadSpec.Generated g && g.tasks() > maxTasks) {
            wl = new WorkloadSpec.Generated(maxTasks, g.arrivals(), g.durations(), g.shapes(), g.classes(), g.gangs());
        }
        return new Scenario(s.name(), s.description(), s.seed(), s.horizonMs(), s.fleet(), wl, s.policy(), s.queue(), s.preemption(),
                s.tenants(), s.outages(), s.sampleEveryMs(), true, s.startDate());
    }

    private static SimResult run(Scenario s) {
        return ScenarioLoader.load(s, SCENARIOS, env()).simulation().run();
    }

    @Test
    void everyShippedScenarioParsesAndNamesItsFile() throws IOException {
        List<Path> files;
        try (Stream<Path> st = Files.list(SCENARIOS)) {
            files = st.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("openb-default-fgd.yaml", "openb-default-bestfit.yaml",
                "dlrm-sized.yaml", "two-tenant-quota.yaml", "gang-training-mix.yaml", "node-outage.yaml", "scale-5m.yaml");
        for (Path f : files) {
            if (Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("candidates:"))) {
                continue; // a capacity plan (./archipelago plan), checked by the plan module's ShippedPlansTest
            }
            Scenario s = ScenarioParser.parse(f);
            assertThat(s.name() + ".yaml").as("scenario name matches its file").isEqualTo(f.getFileName().toString());
        }
    }

    @Test
    void openbOverItsRealTimelineCompletesEveryPodUnderFgdAndBestFit() {
        for (String name : List.of("openb-default-fgd", "openb-default-bestfit")) {
            SimResult r = run(checked(name, Long.MAX_VALUE));
            assertThat(r.tasksArrived()).isEqualTo(8152);
            assertThat(r.tasksCompleted()).as(name).isEqualTo(8152);
            assertThat(r.tasksRejected()).isZero();
            assertThat(r.gpuAllocMean()).isBetween(0.01, 5.0); // the trace's own timeline is light: at most 56 pods at once
        }
    }

    @Test
    void dlrmRunsOnAFleetSizedFromItsInstances() {
        Scenario s = checked("dlrm-sized", Long.MAX_VALUE);
        ScenarioLoader.Loaded l = ScenarioLoader.load(s, SCENARIOS, env());
        assertThat(l.notes()).anyMatch(n -> n.startsWith("fleet sized to " + l.fleet().size() + " nodes"));
        SimResult r = l.simulation().run();
        assertThat(r.tasksArrived()).isEqualTo(23_871);
        assertThat(r.tasksRejected()).isZero();
        assertThat(r.tasksQueued()).as("a fleet with headroom holds the peak").isZero();
        assertThat(r.tasksRunning()).as("instances without a deletion time run to the horizon").isEqualTo(8_878);
    }

    @Test
    void twoTenantsBorrowAndReclaim() {
        SimResult r = run(checked("two-tenant-quota", 6_000));
        assertThat(r.preemptions()).as("production reclaims its guarantee from research").isPositive();
        double[] research = r.column("gpus_research");
        double[] production = r.column("gpus_production");
        double peakResearch = 0;
        double peakProduction = 0;
        for (int i = 0; i < research.length; i++) {
            peakResearch = Math.max(peakResearch, research[i]);
            peakProduction = Math.max(peakProduction, production[i]);
        }
        assertThat(peakResearch).as("research borrows beyond its 192 guaranteed GPUs").isGreaterThan(192).isLessThanOrEqualTo(448);
        assertThat(peakProduction).isLessThanOrEqualTo(384);
    }

    @Test
    void gangMixStartsGangsWholeAndFinishes() {
        SimResult r = run(checked("gang-training-mix", 6_000));
        assertThat(r.tasksArrived()).isEqualTo(6_000);
        assertThat(r.tasksCompleted() + r.tasksRunning() + r.tasksQueued()).isEqualTo(6_000);
        assertThat(r.tasksCompleted()).isGreaterThan(4_000);
    }

    @Test
    void nodeAndSiteOutagesEvictAndCountLostWork() {
        SimResult r = run(checked("node-outage", 6_000));
        assertThat(r.outageEvictions()).isPositive();
        assertThat(r.gpuHoursLostOutage()).isPositive();
        double[] avail = r.column("gpus_available");
        double min = Double.MAX_VALUE;
        for (double a : avail) {
            min = Math.min(min, a);
        }
        assertThat(min).as("site-2 (half the fleet) goes dark").isLessThan(1120 * 0.6);
        assertThat(avail[avail.length - 1]).as("every node is back at the end").isEqualTo(1120);
    }

    @Test
    void theSameScenarioAndSeedWriteByteIdenticalFiles(@TempDir Path tmp) throws IOException {
        Scenario s = checked("node-outage", 1_500);
        SimOutput.write(tmp.resolve("a"), run(s), s.description());
        SimOutput.write(tmp.resolve("b"), run(s), s.description());
        for (String f : List.of("timeseries.csv", "report.html")) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
        assertThat(withoutWallClock(tmp.resolve("a/summary.json"))).isEqualTo(withoutWallClock(tmp.resolve("b/summary.json")));
    }

    private static List<String> withoutWallClock(Path p) throws IOException {
        return Files.readAllLines(p).stream().filter(l -> !l.contains("\"wall_seconds\"") && !l.contains("\"events_per_second\"")).toList();
    }
}

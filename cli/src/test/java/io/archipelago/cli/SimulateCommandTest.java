package io.archipelago.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code archipelago simulate} through the real command line: a small generated scenario, and bad input. */
class SimulateCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static final String SCENARIO = String.join("\n",
            "name: tiny",
            "horizon: 6h",
            "fleet:",
            "  kind: generated",
            "  sites: 2",
            "  node_types:",
            "    - {count: 8, gpus: 4, gpu_model: A100, cpu: 64, memory_gib: 256}",
            "workload:",
            "  kind: generated",
            "  tasks: 400",
            "  arrivals: {process: poisson, rate_per_s: 0.05}",
            "  durations: {distribution: exponential, mean: 20m}",
            "  shapes:",
            "    - {cpu: 8, memory_gib: 32, gpus: 1}",
            "    - {cpu: 2, memory_gib: 8, gpus: 1, gpu_milli: 500}",
            "outages:",
            "  - {at: 1h, for: 1h, site: site-2}",
            "report: {sample_every: 10m}",
            "");

    @Test
    void aScenarioRunsWithChecksAndWritesItsThreeFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, SCENARIO);
        Path out = dir.resolve("out");
        CliRun o = run("simulate", file.toString(), "--out", out.toString(), "--check", "--export-workload", dir.resolve("wl").toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("tiny: 8 nodes (32 GPUs)").contains("events/s").contains("arrived 400");
        String summary = Files.readString(out.resolve("summary.json"));
        assertThat(summary).contains("\"tasks_arrived\": 400").contains("\"tasks_evicted_by_outage\"").contains("\"wait_p99_s\"");
        List<String> series = Files.readAllLines(out.resolve("timeseries.csv"));
        assertThat(series.get(0)).startsWith("time_s,gpus_available,gpus_used,gpu_alloc_pct");
        assertThat(series).hasSize(1 + 37); // 0, 10 min, ..., 6 h
        assertThat(series.get(7)).as("at 1 h site-2 (half the GPUs) is down").startsWith("3600,16,");
        assertThat(Files.readString(out.resolve("report.html"))).contains("<svg").contains("site-2");
        assertThat(Files.readAllLines(dir.resolve("wl/tasks.csv"))).hasSize(401);
        assertThat(Files.readAllLines(dir.resolve("wl/nodes.csv"))).hasSize(9);
    }

    @Test
    void aBadScenarioFailsWithTheFileLineKeyAndValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, SCENARIO.replace("kind: generated\n  sites", "kind: generatd\n  sites"));
        CliRun o = run("simulate", file.toString(), "--out", dir.resolve("out").toString());
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("bad.yaml").contains("line 4").contains("fleet.kind").contains("generatd");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void anUnknownPolicyOverrideIsRejectedWithTheKnownNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, SCENARIO);
        CliRun o = run("simulate", file.toString(), "--policy", "Tetris", "--out", dir.resolve("out").toString());
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("Tetris").contains("FGD");
    }
}

package io.archipelago.cli;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.sim.engine.SimOutput;
import io.archipelago.sim.engine.SimResult;
import io.archipelago.sim.engine.Simulation;
import io.archipelago.sim.engine.Workload;
import io.archipelago.sim.scenario.PolicySpec;
import io.archipelago.sim.scenario.Scenario;
import io.archipelago.sim.scenario.ScenarioLoader;
import io.archipelago.sim.scenario.ScenarioParser;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code archipelago simulate SCENARIO.yaml}: runs a scenario through time and writes its results. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs a scenario (fleet, workload, policy, queue, tenants, outages; see docs/scenario-format.md)",
                "through time and writes summary.json, timeseries.csv and report.html."})
public final class SimulateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO.yaml", description = "The scenario file, e.g. scenarios/openb-default-fgd.yaml.")
    Path scenarioFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: results/<scenario name>).")
    Path out;

    @Option(names = "--check", description = "Verify every invariant after every event (slow; for testing).")
    boolean check;

    @Option(names = "--seed", description = "Override the scenario's seed.")
    Long seed;

    @Option(names = "--policy", description = "Override the scenario's policy (Random, DotProd, GpuClustering, GpuPacking, BestFit, FGD).")
    String policy;

    @Option(names = "--export-workload", paramLabel = "DIR",
            description = "Also write the fleet and the generated workload as nodes.csv and tasks.csv (for other simulators).")
    Path export;

    @Option(names = "--quiet", description = "No progress bar and no summary on the terminal.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Scenario sc = ScenarioParser.parse(scenarioFile);
        if (seed != null || policy != null || check) {
            sc = new Scenario(sc.name(), sc.description(), seed != null ? seed : sc.seed(), sc.horizonMs(), sc.fleet(), sc.workload(),
                    policy != null ? new PolicySpec(policy, List.of(), null) : sc.policy(), sc.queue(), sc.preemption(),
                    sc.tenants(), sc.outages(), sc.sampleEveryMs(), sc.check() || check, sc.startDate());
        }
        long t0 = System.nanoTime();
        ScenarioLoader.Loaded loaded = ScenarioLoader.load(sc, scenarioFile.toAbsolutePath().getParent(), System.getenv());
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        if (!quiet) {
            System.out.printf(Locale.ROOT, "%s: %d nodes (%d GPUs), %d jobs / %d tasks, policy %s (loaded in %.1f s)%n", sc.name(),
                    loaded.fleet().size(), loaded.fleet().gpus(), loaded.workload().jobs(), loaded.workload().tasks(),
                    loaded.policyLabel(), loadSeconds);
            for (String n : loaded.notes()) {
                System.out.println("  note: " + n);
            }
        }
        if (export != null) {
            exportWorkload(export, loaded);
        }
        Simulation sim = loaded.simulation();
        SimResult r;
        if (!quiet && Main.interactive()) {
            try (ProgressBar pb = new ProgressBarBuilder().setTaskName("simulated h").setInitialMax(1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build()) {
                sim.onProgress((now, end, events, wall) -> {
                    pb.maxHint(Math.max(1, end / 3_600_000));
                    pb.stepTo(now / 3_600_000);
                    double eps = wall > 0 ? events * 1e9 / wall : 0;
                    pb.setExtraMessage(String.format(Locale.ROOT, " %,d events, %,.0f events/s", events, eps));
                });
                r = sim.run();
            }
        } else {
            r = sim.run();
        }
        Path dir = out != null ? out : Path.of("results", sc.name());
        List<String> notes = loaded.notes();
        String description = sc.description() + (notes.isEmpty() ? "" : (sc.description().isEmpty() ? "" : " ") + String.join(" ", notes));
        SimOutput.write(dir, r, description);
        if (!quiet) {
            Map<String, Object> s = r.summary();
            System.out.printf(Locale.ROOT, "arrived %s, completed %s, running %s, queued %s, rejected %s%n", s.get("tasks_arrived"),
                    s.get("tasks_completed"), s.get("tasks_running"), s.get("tasks_queued"), s.get("tasks_rejected"));
            System.out.printf(Locale.ROOT, "GPU allocation %.2f %% (time mean), fragmentation %.2f %%, wait p50/p95/p99 %s/%s/%s s,"
                            + " preemptions %s, GPU-hours lost %s%n", r.gpuAllocMean(), r.fragMean(), s.get("wait_p50_s"),
                    s.get("wait_p95_s"), s.get("wait_p99_s"), s.get("preemptions"), s.get("gpu_hours_lost"));
            System.out.printf(Locale.ROOT, "%,d events in %.2f s: %,.0f events/s%n", r.events(), r.wallNanos() / 1e9, r.eventsPerSecond());
            System.out.println("wrote " + dir.resolve("summary.json") + ", timeseries.csv, report.html");
        }
        return 0;
    }

    private static void exportWorkload(Path dir, ScenarioLoader.Loaded loaded) throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter o = Files.newBufferedWriter(dir.resolve("nodes.csv"), StandardCharsets.UTF_8)) {
            o.write("name,cpu_milli,memory_mib,gpu_count\n");
            for (NodeSpec n : loaded.fleet().nodes()) {
                o.write(n.name() + "," + n.cpuMilli() + "," + n.memoryMib() + "," + n.gpuCount() + "\n");
            }
        }
        Workload w = loaded.workload();
        try (BufferedWriter o = Files.newBufferedWriter(dir.resolve("tasks.csv"), StandardCharsets.UTF_8)) {
            o.write("arrival_ms,duration_ms,cpu_milli,memory_mib,gpu_count,gpu_milli\n");
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < w.jobs(); j++) {
                TaskSpec t = w.spec(j);
                for (int k = 0; k < w.size(j); k++) {
                    sb.setLength(0);
                    sb.append(w.arrival(j)).append(',').append(w.duration(j)).append(',').append(t.cpuMilli()).append(',')
                            .append(t.memoryMib()).append(',').append(t.gpuCount()).append(',').append(t.gpuMilli()).append('\n');
                    o.write(sb.toString());
                }
            }
        }
    }
}

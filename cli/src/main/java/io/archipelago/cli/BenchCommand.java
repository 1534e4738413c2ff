package io.archipelago.cli;

import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.sim.study.RunResult;
import io.archipelago.sim.study.StudyRun;
import io.archipelago.sim.synth.SyntheticOpenb;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import io.archipelago.sim.trace.TraceLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code archipelago bench run}: times single study runs in one JVM (first run and warm runs). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Built-in benchmarks.",
        subcommands = {BenchCommand.Run.class, BenchCommand.Placement.class, ServeBench.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Time one study run (one workload, policy, seed) repeatedly: the first run includes JIT warm-up.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--policy", defaultValue = "FGD", description = "Policy (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--workload", defaultValue = "default", description = "openb workload name (default ${DEFAULT-VALUE}).")
        String workload;

        @Option(names = "--trace-dir", paramLabel = "DIR", description = "Folder with the openb CSVs (default: searched).")
        Path traceDir;

        @Option(names = "--seed", defaultValue = "42")
        long seed;

        @Option(names = "--tune", defaultValue = "1.3")
        double tune;

        @Option(names = "--repeat", defaultValue = "10", description = "Runs (default ${DEFAULT-VALUE}).")
        int repeat;

        @Override
        public Integer call() {
            if (repeat < 1) {
                throw new IllegalArgumentException("--repeat " + repeat + " must be at least 1");
            }
            Path dir = TraceLocator.find(traceDir, System.getenv());
            List<NodeSpec> nodes;
            List<TaskSpec> pods;
            String name;
            if (dir == null) {
                System.out.println("No openb trace found; benchmarking on built-in synthetic data.");
                nodes = SyntheticOpenb.nodes();
                pods = SyntheticOpenb.defaultTasks(2023);
                name = "synthetic_openb_default";
            } else {
                nodes = NodeCsvReader.gpuNodes(NodeCsvReader.read(dir.resolve(TraceLocator.GPU_NODE_FILE)));
                Path podFile = TraceLocator.podFile(dir, workload);
                pods = PodCsvReader.read(podFile);
                name = podFile.getFileName().toString().replace(".csv", "");
            }
            String p = Policies.canonical(policy);
            TargetWorkload target = TargetWorkload.of(pods);
            double[] ms = new double[repeat];
            RunResult last = null;
            for (int i = 0; i < repeat; i++) {
                last = StudyRun.run(name, nodes, pods, target, p, seed, tune, false);
                ms[i] = last.computeNanos() / 1e6;
                System.out.printf(Locale.ROOT, "run %2d: %8.1f ms compute (%d tasks, %d placed, alloc %.2f %%)%n", i + 1, ms[i],
                        last.tasks(), last.placed(), last.finalAllocPct());
            }
            double first = ms[0];
            double[] warm = Arrays.copyOfRange(ms, repeat > 1 ? 1 : 0, repeat);
            Arrays.sort(warm);
            System.out.printf(Locale.ROOT, "%s on %s (%d nodes, %d tasks): first run %.1f ms, warm median %.1f ms, warm min %.1f ms"
                            + " (%.0f decisions/s warm median)%n", p, name, nodes.size(), last.tasks(), first, warm[warm.length / 2], warm[0],
                    last.tasks() / (warm[warm.length / 2] / 1000));
            return 0;
        }
    }

    @Command(name = "placement", mixinStandardHelpOptions = true,
            description = "Two-level placement decisions per second on a regional fleet (the demo fleet by default) with the"
                    + " multi-region workload generator, in-process: every task placed in arrival order, oldest tasks released"
                    + " to hold a target allocation.")
    static final class Placement implements Callable<Integer> {
        @Option(names = "--fleet", paramLabel = "FILE", description = "Fleet file (default: the built-in SEA AI cloud demo fleet).")
        Path fleet;

        @Option(names = "--days", defaultValue = "30", description = "Days of multi-region arrivals to place (default ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--policy", defaultValue = "FGD", description = "Node-level policy (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--target", defaultValue = "0.85", description = "Allocation held by releasing the oldest tasks (default ${DEFAULT-VALUE}).")
        double target;

        @Option(names = "--seed", defaultValue = "42")
        long seed;

        @Option(names = "--repeat", defaultValue = "5", description = "Timed passes after one warm-up pass (default ${DEFAULT-VALUE}).")
        int repeat;

        @Override
        public Integer call() {
            if (repeat < 1 || days < 1) {
                throw new IllegalArgumentException("--repeat " + repeat + " and --days " + days + " must be at least 1");
            }
            io.archipelago.core.geo.RegionalFleet rf = fleet == null ? io.archipelago.sim.fleet.FleetFileParser.demo()
                    : io.archipelago.sim.fleet.FleetFileParser.parse(fleet);
            io.archipelago.sim.engine.Workload w = io.archipelago.sim.perf.PlacementBench.workload(rf, days, seed);
            System.out.printf(Locale.ROOT, "fleet %s: %d nodes, %d GPUs, %d sites; workload: %d jobs, %d tasks, %d rule sets%n",
                    rf.name(), rf.nodeCount(), rf.gpuCount(), rf.sites().size(), w.jobs(), w.tasks(), w.rulesList().size());
            double[] rates = new double[repeat];
            io.archipelago.sim.perf.PlacementBench.Result last = null;
            for (int i = -1; i < repeat; i++) {
                last = io.archipelago.sim.perf.PlacementBench.run(rf, w, policy, io.archipelago.core.geo.SiteWeights.DEFAULT, target,
                        seed);
                if (last.breaches() != 0) {
                    throw new IllegalStateException(last.breaches() + " placements broke their residency or latency rules");
                }
                System.out.printf(Locale.ROOT, "%s: %,d decisions (%,d placed, %,d released) in %.0f ms: %,.0f decisions/s, mean"
                                + " allocation %.1f %%%n", i < 0 ? "warm-up" : "pass " + (i + 1), last.decisions(), last.placed(),
                        last.released(), last.nanos() / 1e6, last.decisionsPerSecond(), last.meanAllocPct());
                if (i >= 0) {
                    rates[i] = last.decisionsPerSecond();
                }
            }
            Arrays.sort(rates);
            System.out.printf(Locale.ROOT, "%s two-level placement on %s: median %,.0f decisions/s (min %,.0f, max %,.0f) over %d"
                            + " passes; 0 rule breaches%n", Policies.canonical(policy), rf.name(), rates[repeat / 2], rates[0],
                    rates[repeat - 1], repeat);
            return 0;
        }
    }
}

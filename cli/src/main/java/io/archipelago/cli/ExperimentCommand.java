package io.archipelago.cli;

import io.archipelago.core.model.NodeSpec;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.core.policy.Policies;
import io.archipelago.sim.study.FgdStudy;
import io.archipelago.sim.study.ReferenceCurves;
import io.archipelago.sim.study.StudyWriter;
import io.archipelago.sim.study.Summary;
import io.archipelago.sim.synth.SyntheticOpenb;
import io.archipelago.sim.trace.NodeCsvReader;
import io.archipelago.sim.trace.PodCsvReader;
import io.archipelago.sim.trace.TraceLocator;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code archipelago experiment fgd}: the FGD placement study. */
@Command(name = "experiment", description = "Run a placement experiment.", mixinStandardHelpOptions = true,
        subcommands = {ExperimentCommand.Fgd.class})
final class ExperimentCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "fgd", mixinStandardHelpOptions = true,
            description = {"Reproduce the FGD placement study (USENIX ATC'23) on openb-format traces.",
                    "Without --nodes/--pods it uses the openb trace if one is found (../shared/traces/openb, "
                            + "$ARCHIPELAGO_TRACES, or the download cache), else built-in synthetic data."})
    static final class Fgd implements Callable<Integer> {
        @Option(names = "--nodes", paramLabel = "FILE", description = "Node list CSV (sn,cpu_milli,memory_mib,gpu,model); only GPU nodes are used.")
        Path nodes;

        @Option(names = "--pods", paramLabel = "FILE", split = ",", description = "Pod list CSV(s); repeat or comma-separate for several workloads.")
        List<Path> pods;

        @Option(names = "--workloads", paramLabel = "NAMES", split = ",",
                description = "openb workload names to take from the trace folder, e.g. default,cpu050 (instead of --pods).")
        List<String> workloads;

        @Option(names = "--trace-dir", paramLabel = "DIR", description = "Folder with the openb CSVs (default: searched).")
        Path traceDir;

        @Option(names = "--policies", paramLabel = "LIST", split = ",", description = "Policies (default: the study's six and WasteAware: ${DEFAULT-VALUE}).",
                defaultValue = "Random,DotProd,GpuClustering,GpuPacking,BestFit,FGD,WasteAware")
        List<String> policies;

        @Option(names = "--seeds", paramLabel = "RANGE", defaultValue = "42-51", description = "Seeds, e.g. 42-51 or 42,43 (default ${DEFAULT-VALUE}).")
        String seeds;

        @Option(names = "--tune", defaultValue = "1.3", description = "Inflate the workload to this multiple of GPU capacity (default ${DEFAULT-VALUE}).")
        double tune;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/fgd", description = "Output folder (default ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--threads", description = "Worker threads (default: all cores).")
        Integer threads;

        @Option(names = "--reference", paramLabel = "DIR",
                description = "Folder with the published analysis_allo_discrete.csv to compare with (default: ../shared/reference/fgd if present).")
        Path reference;

        @Option(names = "--synthetic", description = "Use the built-in synthetic openb-like data even if a trace is present.")
        boolean synthetic;

        @Option(names = "--check", description = "Verify cluster invariants after every event (slow).")
        boolean check;

        @Option(names = "--bound", description = "Also compute upper bounds on allocation for the same arrivals "
                + "(any policy, and policies under the study's rules; docs/policies.md) and each policy's arrangement floor, "
                + "and write bound.md with each policy's gap.")
        boolean bound;

        @Override
        public Integer call() throws Exception {
            List<Long> seedList = SeedRange.parse(seeds);
            List<String> policyList = policies.stream().map(Policies::canonical).toList();
            List<NodeSpec> nodeList;
            List<FgdStudy.Workload> wl = new ArrayList<>();
            Path dir = TraceLocator.find(traceDir, System.getenv());
            boolean useSynthetic = synthetic || (nodes == null && pods == null && dir == null);
            if (useSynthetic) {
                if (!synthetic) {
                    System.out.println("No openb trace found (looked in " + TraceLocator.candidates(traceDir, System.getenv())
                            + "); running on built-in synthetic openb-like data. Get the real trace with: ./archipelago trace download openb");
                }
                nodeList = SyntheticOpenb.nodes();
                wl.add(new FgdStudy.Workload("synthetic_openb_default", SyntheticOpenb.defaultTasks(2023)));
            } else {
                Path nodeFile = nodes != null ? nodes : requireDir(dir).resolve(TraceLocator.GPU_NODE_FILE);
                List<NodeSpec> all = NodeCsvReader.read(nodeFile);
                nodeList = NodeCsvReader.gpuNodes(all);
                if (nodeList.size() < all.size()) {
                    System.out.printf(Locale.ROOT, "Using the %d GPU nodes of %s (%d CPU-only nodes left out, as in the study).%n",
                            nodeList.size(), nodeFile, all.size() - nodeList.size());
                }
                List<Path> podFiles = new ArrayList<>();
                if (pods != null) {
                    podFiles.addAll(pods);
                }
                if (workloads != null) {
                    for (String w : workloads) {
                        podFiles.add(TraceLocator.podFile(requireDir(dir), w.trim()));
                    }
                }
                if (podFiles.isEmpty()) {
                    podFiles.add(TraceLocator.podFile(requireDir(dir), "default"));
                }
                for (Path p : podFiles) {
                    String name = p.getFileName().toString().replaceFirst("\\.csv$", "");
                    List<TaskSpec> tasks = PodCsvReader.read(p);
                    wl.add(new FgdStudy.Workload(name, tasks));
                }
            }
            ReferenceCurves ref = null;
            Path refDir = reference != null ? reference : Path.of("..", "shared", "reference", "fgd");
            if (Files.isRegularFile(refDir.resolve("analysis_allo_discrete.csv"))) {
                ref = ReferenceCurves.load(refDir);
            } else if (reference != null) {
                throw new IllegalArgumentException("--reference " + reference + " holds no analysis_allo_discrete.csv");
            }
            int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            FgdStudy.Config config = new FgdStudy.Config(nodeList, wl, policyList, seedList, tune, nThreads, check);
            int total = wl.size() * policyList.size() * seedList.size();
            System.out.printf(Locale.ROOT, "FGD study: %d workload(s) x %d policies x %d seeds = %d runs on %d nodes, %d threads%n",
                    wl.size(), policyList.size(), seedList.size(), total, nodeList.size(), nThreads);
            FgdStudy.Results results;
            if (Main.interactive()) {
                try (ProgressBar pb = new ProgressBarBuilder().setTaskName("runs").setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build()) {
                    results = FgdStudy.run(config, (r, d, t) -> pb.stepTo(d));
                }
            } else {
                results = FgdStudy.run(config, FgdStudy.Progress.NONE);
            }
            Summary summary = Summary.of(results, ref);
            List<Path> written = StudyWriter.write(out, results, summary, ref);
            System.out.println();
            System.out.print(summary.table());
            if (ref != null) {
                for (int bin : new int[] {100, 130}) {
                    List<String> mism = summary.rankMismatches(bin, 0.0);
                    if (!mism.isEmpty()) {
                        System.out.println("Ranking differs from the reference at " + bin + " %: " + mism);
                    }
                }
            }
            if (bound) {
                io.archipelago.sim.study.BoundTable bt;
                if (Main.interactive()) {
                    try (ProgressBar pb = new ProgressBarBuilder().setTaskName("bounds").setInitialMax(wl.size() * (long) seedList.size())
                            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build()) {
                        bt = io.archipelago.sim.study.BoundTable.of(results, summary, (d, t) -> pb.stepTo(d));
                    }
                } else {
                    bt = io.archipelago.sim.study.BoundTable.of(results, summary);
                }
                System.out.println();
                System.out.print(bt.markdown());
                written = new ArrayList<>(written);
                written.addAll(bt.write(out));
            }
            double computeSec = results.runs().stream().mapToLong(r -> r.computeNanos()).sum() / 1e9;
            System.out.printf(Locale.ROOT, "%nWall time %.1f s for %d runs (scheduling compute %.1f s summed over runs).%n",
                    results.wallNanos() / 1e9, total, computeSec);
            System.out.println("Wrote:");
            for (Path p : written) {
                System.out.println("  " + p);
            }
            return 0;
        }

        private Path requireDir(Path dir) {
            if (dir == null) {
                throw new IllegalArgumentException("no openb trace folder found (looked in "
                        + TraceLocator.candidates(traceDir, System.getenv())
                        + "); pass --trace-dir, or run ./archipelago trace download openb");
            }
            return dir;
        }
    }
}

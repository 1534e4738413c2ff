package io.archipelago.cli;

import io.archipelago.plan.PlanParser;
import io.archipelago.plan.PlanReport;
import io.archipelago.plan.PlanSpec;
import io.archipelago.plan.Planner;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code archipelago plan PLAN.yaml --out DIR}: where and when to build, verified by simulation. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plans capacity: which candidate data centres or pools to build, where and when, under a capex budget,",
                "site power, lead times, residency and a service level (docs/planning.md). Writes plan.json and plan.html."})
public final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAN.yaml", description = "The plan file, e.g. scenarios/sea-plan-3y.yaml.")
    Path planFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: results/<plan name>).")
    Path out;

    @Option(names = "--no-verify", description = "Skip the quarter-by-quarter simulation of the chosen plans.")
    boolean noVerify;

    @Option(names = "--threads", description = "Threads for the simulations (default: the processors; the result does not depend on it).")
    Integer threads;

    @Option(names = "--quiet", description = "No progress bar and no summary on the terminal.")
    boolean quiet;

    @Override
    public Integer call() {
        PlanSpec spec = PlanParser.parse(planFile);
        if (noVerify) {
            spec = new PlanSpec(spec.name(), spec.description(), spec.seed(), spec.start(), spec.quarters(), spec.fleet(), spec.workload(),
                    spec.demand(), spec.newSites(), spec.candidates(), spec.constraints(), spec.alternatives(), spec.calibration(),
                    new PlanSpec.Verification(false, spec.verification().warmupMs(), spec.verification().windowMs()));
        }
        Planner planner = new Planner(spec);
        if (threads != null) {
            planner.threads(threads);
        }
        Planner.Result r;
        if (!quiet && Main.interactive()) {
            try (ProgressBar pb = new ProgressBarBuilder().setTaskName("plan").setInitialMax(4).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).build()) {
                planner.onProgress((what, done, total) -> {
                    pb.maxHint(total);
                    pb.stepTo(done);
                    pb.setExtraMessage(" " + what);
                });
                r = planner.run();
            }
        } else {
            r = planner.run();
        }
        Path dir = out != null ? out : Path.of("results", spec.name());
        PlanReport.write(r, dir);
        if (!quiet) {
            System.out.printf(Locale.ROOT, "%s: %d quarters from %s, %s, %s (%.1f s)%n", spec.name(), spec.quarters(), spec.start(),
                    count(spec.candidates().size(), "candidate"), count(spec.alternatives().size(), "alternative"), r.wallMillis() / 1000.0);
            System.out.printf(Locale.ROOT, "calibration: service level holds up to offered load %.3f; packing efficiency %.3f at saturation%n",
                    r.calibration().serviceLoad(), r.calibration().efficiency());
            for (Planner.Outcome o : r.plans()) {
                if (!o.feasible()) {
                    System.out.println(o.name() + ": infeasible");
                    o.explanation().forEach(l -> System.out.println("  " + l));
                    continue;
                }
                StringBuilder s = new StringBuilder();
                for (int c = 0; c < spec.candidates().size(); c++) {
                    if (o.openQuarter()[c] >= 0) {
                        s.append(s.length() == 0 ? "" : ", ").append(spec.candidates().get(c).name()).append(' ')
                                .append(spec.quarterLabel(o.openQuarter()[c]));
                    }
                }
                double capex = o.quarters().stream().mapToDouble(Planner.Quarter::capexUsd).sum();
                System.out.printf(Locale.ROOT, "%s: capex %.1f M USD, planned margin %.1f M USD%s%n  builds: %s%n", o.name(), capex / 1e6,
                        o.marginUsd() / 1e6, o.verified().isEmpty() ? "" : String.format(Locale.ROOT, ", simulated margin %.1f M USD,"
                                + " worst simulated p95 wait %.0f s", o.verifiedMarginUsd() / 1e6,
                                o.verified().stream().mapToDouble(Planner.Quarter::waitP95Ms).max().orElse(0) / 1000),
                        s.length() == 0 ? "nothing" : s);
            }
            System.out.println("wrote " + dir.resolve("plan.json") + " and plan.html");
        }
        return 0;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package io.archipelago.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A results folder as {@code experiment fgd --out} and {@code simulate --out} write them, small enough for tests:
 * {@code fgd-mini} (an FGD study: two policies, two seeds, the artifact's CSV layout, bins 0..130) and
 * {@code sim-mini} (a simulation: summary.json and a report.html with a marker heading).
 */
final class TestResults {
    static final String STUDY = "fgd-mini";
    static final String SIMULATION = "sim-mini";
    /** The heading the simulation report shows. */
    static final String REPORT_MARKER = "Mini simulation report";

    private TestResults() {
    }

    /** Writes both folders under {@code dir} and returns {@code dir}. Allocation of policy p, seed s at bin x: min(x, 90 + 5p + s). */
    static Path write(Path dir) {
        try {
            Path study = Files.createDirectories(dir.resolve(STUDY));
            StringBuilder csv = new StringBuilder("workload,sc_policy,tune,seed,total_gpus");
            for (int x = 0; x <= 130; x++) {
                csv.append(',').append(x);
            }
            csv.append('\n');
            String[] policies = {"01-BestFit", "06-FGD"};
            for (int p = 0; p < policies.length; p++) {
                for (int seed = 0; seed < 2; seed++) {
                    csv.append("default,").append(policies[p]).append(",1.3,").append(42 + seed).append(",6212");
                    for (int x = 0; x <= 130; x++) {
                        csv.append(',').append(Math.min(x, 90 + 5 * p + seed));
                    }
                    csv.append('\n');
                }
            }
            Files.writeString(study.resolve("analysis_allo_discrete.csv"), csv);
            Files.writeString(study.resolve("summary.csv"), "workload,policy,mean_100\ndefault,FGD,95\n");
            Path sim = Files.createDirectories(dir.resolve(SIMULATION));
            Files.writeString(sim.resolve("summary.json"), "{\"scenario\":\"mini\"}");
            Files.writeString(sim.resolve("report.html"), "<!doctype html><html><body><h1>" + REPORT_MARKER + "</h1></body></html>");
            Files.writeString(dir.resolve("not-a-folder.txt"), "ignored");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

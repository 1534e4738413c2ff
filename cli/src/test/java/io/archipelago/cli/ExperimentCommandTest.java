package io.archipelago.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The main job through the real command line, on synthetic data and on bad input. */
class ExperimentCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void theStudyRunsOnBuiltInSyntheticDataAndWritesResultsAndCharts(@TempDir Path dir) throws Exception {
        CliRun o = run("experiment", "fgd", "--synthetic", "--seeds", "42-43", "--policies", "BestFit,FGD", "--out", dir.toString(),
                "--reference", dir.resolve("none").toString().replace("none", "") + "missing-ref-dir-that-is-not-there");
        // a --reference folder without the published file is an error that names it
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("missing-ref-dir-that-is-not-there").contains("analysis_allo_discrete.csv");

        CliRun ok = run("experiment", "fgd", "--synthetic", "--seeds", "42-43", "--policies", "BestFit,FGD", "--out", dir.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("synthetic_openb_default").contains("06-FGD").contains("05-BestFit");
        for (String f : List.of("analysis_allo_discrete.csv", "analysis_frag_discrete.csv", "analysis_frag_ratio_discrete.csv",
                "summary.csv", "allocation.png", "allocation-zoom.png", "allocation.html")) {
            assertThat(dir.resolve(f)).isNotEmptyFile();
        }
        List<String> summary = Files.readAllLines(dir.resolve("summary.csv"));
        assertThat(summary).hasSize(3);
        double bestFit130 = Double.parseDouble(summary.get(1).split(",")[6]);
        double fgd130 = Double.parseDouble(summary.get(2).split(",")[6]);
        assertThat(fgd130).isGreaterThan(bestFit130);
    }

    @Test
    void wasteAwareRunsInTheStudyAndTheBoundTableCoversEveryPolicy(@TempDir Path dir) throws Exception {
        CliRun o = run("experiment", "fgd", "--synthetic", "--seeds", "42-43", "--policies", "FGD,WasteAware", "--bound",
                "--out", dir.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("07-WasteAware").contains("| bound @130 % |");
        List<String> bound = Files.readAllLines(dir.resolve("bound.md"));
        assertThat(bound).hasSize(4); // header, rule, FGD, WasteAware
        for (String row : bound.subList(2, 4)) {
            String[] c = row.split("\\|");
            double alloc130 = Double.parseDouble(c[7].trim());
            double bound130 = Double.parseDouble(c[8].trim());
            double rules130 = Double.parseDouble(c[9].trim());
            assertThat(bound130).as(row).isGreaterThanOrEqualTo(rules130).isLessThanOrEqualTo(100.0);
            assertThat(rules130).as(row).isGreaterThanOrEqualTo(alloc130);
            double unallocated130 = Double.parseDouble(c[11].trim());
            double floor130 = Double.parseDouble(c[13].trim());
            // no arrangement of the tasks this policy let in beats its floor; its own arrangement is one of them
            assertThat(floor130).as(row).isGreaterThan(0.0).isLessThanOrEqualTo(unallocated130 + 0.01);
        }
        assertThat(dir.resolve("allocation.html")).content().contains("07-WasteAware");
        assertThat(dir.resolve("bound.png")).isNotEmptyFile(); // the policies under the study-rules bound
        assertThat(dir.resolve("arrangement.png")).isNotEmptyFile(); // each policy's floor and what is above it
    }

    @Test
    void badArgumentsFailWithAMessageThatNamesTheValue(@TempDir Path dir) {
        CliRun policy = run("experiment", "fgd", "--synthetic", "--policies", "Tetris", "--out", dir.toString());
        assertThat(policy.code()).isNotZero();
        assertThat(policy.err()).contains("unknown policy 'Tetris'").contains("FGD");

        CliRun seeds = run("experiment", "fgd", "--synthetic", "--seeds", "51-42", "--out", dir.toString());
        assertThat(seeds.code()).isNotZero();
        assertThat(seeds.err()).contains("51-42");

        CliRun pods = run("experiment", "fgd", "--nodes", dir.resolve("nodes.csv").toString(), "--pods",
                dir.resolve("pods.csv").toString(), "--out", dir.toString());
        assertThat(pods.code()).isNotZero();
        assertThat(pods.err()).contains("nodes.csv").contains("trace download");
        assertThat(dir.resolve("summary.csv")).doesNotExist();
    }

    @Test
    void aMalformedPodFileIsRejectedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path nodes = dir.resolve("nodes.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn1,96000,786432,8,G2\n");
        Path pods = dir.resolve("pods.csv");
        Files.writeString(pods, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np1,1000,1024,1,500\np2,1000,1024,2,500\n");
        Path out = dir.resolve("out");
        CliRun o = run("experiment", "fgd", "--nodes", nodes.toString(), "--pods", pods.toString(), "--out", out.toString());
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("pods.csv, line 3, column gpu_milli: value '500'");
        assertThat(out).doesNotExist();
    }

    @Test
    void benchRunTimesRepeatedRuns() {
        CliRun o = run("bench", "run", "--trace-dir", "/nonexistent-dir", "--repeat", "2", "--policy", "bestfit");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("synthetic").contains("warm median");
    }
}

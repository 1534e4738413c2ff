package io.archipelago.sim.study;

import io.archipelago.core.policy.Policies;
import io.archipelago.sim.synth.SyntheticOpenb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The study's files: the artifact's layout, and byte-identical output whatever the thread count. */
class StudyOutputTest {
    private static FgdStudy.Results run(int threads) {
        FgdStudy.Config c = new FgdStudy.Config(SyntheticOpenb.nodes(),
                List.of(new FgdStudy.Workload("synthetic", SyntheticOpenb.tasks(3000, 5))),
                List.of("Random", "BestFit", "FGD"), List.of(42L, 43L), 1.3, threads, true);
        return FgdStudy.run(c, FgdStudy.Progress.NONE);
    }

    @Test
    void resultsAreIdenticalForOneOrTwoThreadsAndWrittenInTheArtifactLayout(@TempDir Path dir) throws IOException {
        FgdStudy.Results one = run(1);
        FgdStudy.Results two = run(2);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        StudyWriter.write(a, one, Summary.of(one, null), null);
        StudyWriter.write(b, two, Summary.of(two, null), null);
        for (String f : List.of("analysis_allo_discrete.csv", "analysis_frag_discrete.csv", "analysis_frag_ratio_discrete.csv",
                "summary.csv", "summary.md", "allocation.png", "allocation.html")) {
            assertThat(Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f))))
                    .as("%s identical for 1 and 2 threads", f).isTrue();
        }
        List<String> allo = Files.readAllLines(a.resolve("analysis_allo_discrete.csv"));
        assertThat(allo.get(0)).startsWith("workload,sc_policy,tune,seed,total_gpus,0,1,2,").endsWith(",129,130");
        assertThat(allo).hasSize(1 + 3 * 2);
        assertThat(allo.get(1)).startsWith("synthetic,01-Random,1.3,42,6212,");
        assertThat(allo.get(6)).startsWith("synthetic,06-FGD,1.3,43,6212,");
        assertThat(allo.get(1).split(",", -1)).hasSize(5 + 131);
        List<String> frag = Files.readAllLines(a.resolve("analysis_frag_discrete.csv"));
        assertThat(frag.get(0)).startsWith("workload,sc_policy,tune,seed,0,1,");
        assertThat(Files.readString(a.resolve("summary.csv"))).contains("synthetic,06-FGD,2,");
    }

    @Test
    void ourHeaderMatchesThePublishedFilesExactly(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(SharedData.present(), "../shared not present");
        FgdStudy.Results r = run(2);
        StudyWriter.write(dir, r, Summary.of(r, null), null);
        for (String f : List.of("analysis_allo_discrete.csv", "analysis_frag_discrete.csv", "analysis_frag_ratio_discrete.csv")) {
            String ours = Files.readAllLines(dir.resolve(f)).get(0);
            String theirs = Files.readAllLines(SharedData.reference().resolve(f)).get(0);
            assertThat(ours).as(f).isEqualTo(theirs);
        }
    }

    @Test
    void allocationRisesWithArrivalsAndFgdBeatsRandomOnSyntheticData() {
        FgdStudy.Results r = run(2);
        RunResult random = r.runs().get(0);
        RunResult fgd = r.runs().get(4);
        assertThat(fgd.policy()).isEqualTo("FGD");
        assertThat(fgd.alloc()[50]).isBetween(45.0, 55.0);
        assertThat(fgd.alloc()[130]).isGreaterThan(random.alloc()[130]);
        assertThat(fgd.placed() + fgd.failedGpuTasks() + fgd.failedCpuTasks()).isEqualTo(fgd.tasks());
        assertThat(Policies.studyLabel(fgd.policy())).isEqualTo("06-FGD");
    }
}

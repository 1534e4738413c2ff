package io.archipelago.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan files shipped in scenarios/ (those with a top-level candidates: key) parse and are named after their file. */
class ShippedPlansTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");

    @Test
    void everyShippedPlanParsesAndNamesItsFile() throws IOException {
        List<Path> plans;
        try (Stream<Path> st = Files.list(SCENARIOS)) {
            plans = st.filter(p -> p.toString().endsWith(".yaml")).sorted().filter(ShippedPlansTest::isPlan).toList();
        }
        assertThat(plans).extracting(p -> p.getFileName().toString()).contains("sea-plan-3y.yaml");
        for (Path f : plans) {
            PlanSpec s = PlanParser.parse(f);
            assertThat(s.name() + ".yaml").as("plan name matches its file").isEqualTo(f.getFileName().toString());
        }
    }

    @Test
    void theSeaPlanHasNineSitesTwentyCandidatesThreeYearsAndTwoAlternatives() {
        PlanSpec s = PlanParser.parse(SCENARIOS.resolve("sea-plan-3y.yaml"));
        assertThat(s.fleet().sites()).hasSize(9);
        assertThat(s.candidates()).hasSize(20);
        assertThat(s.quarters()).isEqualTo(12);
        assertThat(s.alternatives()).extracting(PlanSpec.Alternative::name)
                .containsExactly("second Manila site in October", "third Malaysian site first");
        assertThat(s.constraints().budget(0)).isEqualTo(60e6);
        assertThat(s.constraints().budget(2)).as("the last budget repeats").isEqualTo(90e6);
    }

    private static boolean isPlan(Path f) {
        try {
            return Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("candidates:"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.archipelago.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code archipelago plan} through the real command line: a small plan on an eighth of the demo fleet, and bad input. */
class PlanCommandTest {
    private static final String PLAN = String.join("\n",
            "name: tiny-plan",
            "start: 2027-01-01",
            "quarters: 2",
            "fleet: {scale: 0.125}",
            "demand:",
            "  - {region: ap-southeast-6, class: inference, gpus: 6, growth: 1.0}",
            "  - {region: ap-southeast-8, class: training, gpus: 100, growth: 0.5}",
            "  - {region: ap-southeast-1, class: batch, gpus: 150, growth: 0.5}",
            "  - {region: ap-southeast-3, class: inference, gpus: 100, growth: 0.5}",
            "candidates:",
            "  - {name: MNL-A-x, site: MNL-A, pool: h20-x, gpu_model: H20, nodes: 4, lead_time_months: 3}",
            "calibration: {loads: [0.6, 0.9], warmup: 6h, window: 2h}",
            "verification: {warmup: 1h, window: 2h}",
            "");

    @Test
    void aPlanRunsAndWritesItsJsonAndHtml(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, PLAN);
        Path out = dir.resolve("out");
        CliRun o = CliRun.of("plan", file.toString(), "--out", out.toString(), "--threads", "2");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("tiny-plan: 2 quarters from 2027-01-01, 1 candidate, 0 alternatives").contains("optimal plan: capex")
                .contains("wrote " + out.resolve("plan.json"));
        String json = Files.readString(out.resolve("plan.json"));
        assertThat(json).contains("\"plan\": \"tiny-plan\"").contains("\"simulated\"").contains("\"rho_by_model\"");
        assertThat(Files.readString(out.resolve("plan.html"))).contains("<svg").contains("tiny-plan");
    }

    @Test
    void aBadPlanFailsWithTheFileLineKeyAndValue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, PLAN.replace("site: MNL-A,", "site: MNL-Q,"));
        CliRun o = CliRun.of("plan", file.toString(), "--out", dir.resolve("out").toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("bad.yaml, line 11").contains("candidates[0].site").contains("MNL-Q").contains("did you mean 'MNL-A'");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}

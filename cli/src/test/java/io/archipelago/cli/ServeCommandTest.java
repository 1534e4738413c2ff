package io.archipelago.cli;

import io.archipelago.server.store.Database;
import io.archipelago.server.store.JobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeCommandTest {
    @Test
    void demoRunsForTheGivenTimeWritesTokensAndSubmitsThroughTheApi(@TempDir Path dir) throws Exception {
        int code = Main.run("serve", "--demo", "--data-dir", dir.toString(), "--port", "0", "--for", "4s");

        assertThat(code).isZero();
        assertThat(dir.resolve("demo-tokens.json")).exists();
        assertThat(Files.readString(dir.resolve("tokens").resolve("acme-ai")).trim()).startsWith("ap_");
        assertThat(Files.readString(dir.resolve("operator-token")).trim()).startsWith("ap_");
        try (Database db = Database.open(Database.h2Url(dir), null, null)) {
            long jobs = new JobStore(db).countByState().values().stream().mapToLong(Long::longValue).sum();
            assertThat(jobs).as("demo jobs submitted through the API and stored").isPositive();
        }
    }

    @Test
    void durationsUseTheScenarioFilesSyntax() {
        assertThat(ServeCommand.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ServeCommand.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ServeCommand.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ServeCommand.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(ServeCommand.duration("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> ServeCommand.duration("soon")).hasMessageContaining("'soon'").hasMessageContaining("250ms");
    }
}

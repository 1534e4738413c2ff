package io.archipelago.sim.trace;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared assertion of the readers' diagnostic contract. */
final class TraceAssertions {
    private TraceAssertions() {
    }

    /**
     * Asserts the full diagnostic contract: accessors and a message naming file, line, column, value
     * and the expectation.
     */
    static void assertDiagnostic(TraceFormatException e, Path p, int line, String column, String value,
                                 String... expectedFragments) {
        assertThat(e.file()).isEqualTo(p.toString());
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.column()).isEqualTo(column);
        assertThat(e.value()).isEqualTo(value);
        String msg = e.getMessage();
        assertThat(msg).contains(p.getFileName().toString());
        if (line > 0) {
            assertThat(msg).contains("line " + line);
        }
        if (column != null) {
            assertThat(msg).contains("column " + column);
        }
        if (value != null) {
            assertThat(msg).contains("'" + value + "'");
        }
        assertThat(msg).contains("expected");
        for (String f : expectedFragments) {
            assertThat(msg).contains(f);
        }
    }
}

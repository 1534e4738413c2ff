package io.archipelago.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine holds only the newest idempotency keys in memory (a million by default; three here); an older
 * key is looked up in the database, so a late retry still returns its job, across a restart too.
 */
class IdempotencyMemoryTest {
    private static final String BODY = "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024,\"gpu\":{\"count\":1,\"milli\":250}}}";

    @BeforeEach
    void smallMemory() {
        System.setProperty("archipelago.idempotency.memory", "3");
    }

    @AfterEach
    void defaultMemory() {
        System.clearProperty("archipelago.idempotency.memory");
    }

    @ParameterizedTest
    @ValueSource(strings = {TestDatabases.H2, TestDatabases.POSTGRESQL})
    void aKeyOlderThanMemoryHoldsIsStillAnsweredFromTheDatabase(String kind, @TempDir Path dir) {
        ServerConfig c = TestDatabases.config(kind, dir).withDemo(true);
        long first;
        try (ArchipelagoServer s = ArchipelagoServer.start(c)) {
            Http h = new Http(s.baseUrl());
            String t = s.demoTokens().get("acme-ai");
            Http.Res r = h.post("/api/v1/jobs", t, BODY, "Idempotency-Key", "k-0");
            assertThat(r.status()).isEqualTo(201);
            first = r.json().get("id").asLong();
            for (int i = 1; i <= 5; i++) {
                assertThat(h.post("/api/v1/jobs", t, BODY, "Idempotency-Key", "k-" + i).status()).isEqualTo(201);
            }
            Http.Res again = h.post("/api/v1/jobs", t, BODY, "Idempotency-Key", "k-0");
            assertThat(again.status()).as("k-0 left memory after 3 newer keys; the database still knows it").isEqualTo(200);
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(again.json().get("id").asLong()).isEqualTo(first);
            Http.Res other = h.post("/api/v1/jobs", t, BODY.replace("250", "500"), "Idempotency-Key", "k-1");
            assertThat(other.status()).as("same old key, another body").isEqualTo(409);
        }
        try (ArchipelagoServer s = ArchipelagoServer.start(c)) {
            Http h = new Http(s.baseUrl());
            String t = s.demoTokens().get("acme-ai");
            Http.Res again = h.post("/api/v1/jobs", t, BODY, "Idempotency-Key", "k-0");
            assertThat(again.status()).as("after a restart that reloaded only the 3 newest keys").isEqualTo(200);
            assertThat(again.json().get("id").asLong()).isEqualTo(first);
        }
    }
}

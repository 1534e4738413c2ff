package io.archipelago.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void submitsAndReadsAJob(@TempDir Path dir) throws Exception {
        try (ArchipelagoServer s = ArchipelagoServer.start(ServerConfig.defaults(dir).withDemo(true))) {
            Http h = new Http(s.baseUrl());
            String op = Files.readString(dir.resolve("operator-token")).trim();
            String t = s.demoTokens().get("acme-ai");
            Http.Res r = h.post("/api/v1/jobs", t, "{\"name\":\"a\",\"resources\":{\"cpu_milli\":4000,\"memory_mib\":8192,\"gpu\":{\"count\":1,\"milli\":500}},\"duration_s\":60}");
            System.out.println(r.status() + " " + r.text());
            assertThat(r.status()).isEqualTo(201);
            long id = r.json().get("id").asLong();
            Http.Res g = h.get("/api/v1/jobs/" + id, t);
            System.out.println(g.text());
            System.out.println(h.get("/api/v1/fleet", op).text());
            System.out.println(h.get("/api/v1/policy", op).text());
            System.out.println(h.post("/api/v1/dry-run", op, "{\"resources\":{\"cpu_milli\":4000,\"memory_mib\":8192,\"gpu\":{\"count\":8}},\"placement\":{\"origin\":\"ap-southeast-7\",\"latency_slo_ms\":20}}").text());
            System.out.println(h.get("/metrics", null).text().lines().filter(l -> l.startsWith("archipelago")).limit(30).toList());
            System.out.println(h.get("/nope", null).text());
            System.out.println(h.post("/api/v1/jobs", t, "{\"resources\":{\"cpu_milli\":\"x\"}}").text());
        }
    }
}

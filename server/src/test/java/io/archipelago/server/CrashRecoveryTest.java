package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The crash test: under steady submission load the server process is killed with SIGKILL, restarted on the same
 * data directory and database, and the restarted state is checked against what clients were told. Twice in a row.
 *
 * <p>Invariants checked after every restart:
 * <ol>
 *   <li>every acknowledged job exists, exactly once (job ids unique; no more jobs than acknowledged plus unanswered);</li>
 *   <li>every acknowledged Idempotency-Key, re-sent with the same body, replays the same job (200, not a new one);</li>
 *   <li>an unanswered key re-sent either replays or creates a job, and a second re-send replays that one;</li>
 *   <li>no GPU is allocated twice: per (node, GPU) the running jobs' milli sum to at most 1000 and to exactly what
 *       the engine reports (so the rebuilt memory equals the database), and likewise CPU, memory and task counts;</li>
 *   <li>a job acknowledged as running is still running on the same nodes and GPUs, unless it has succeeded since;</li>
 *   <li>the restarted server restored every allocation (no "cannot restore" line; {@code conflicts="0"}).</li>
 * </ol>
 *
 * <p>Load: {@value #CLIENTS} clients submit back to back, each job with its own Idempotency-Key, for at least
 * {@value #LOAD_MS} ms and until {@value #MIN_ACKED} jobs are acknowledged (at most {@value #MAX_LOAD_MS} ms: a cold
 * server on two cores acknowledges about 300 jobs a second); the kill comes while they are still sending. The mix:
 * shared (250/500 milli), 1, 2 and 8 whole GPUs, CPU-only jobs, gangs of 2 to 4, and residency or latency rules. Most
 * durations are 5..60 s (0.25..3 s at acceleration 20, so many jobs end before the kill and some during recovery); a
 * quarter of the non-8-GPU jobs run an hour, so there is always a running population to restore.
 *
 * <p>{@link #aFailedCommitIsNeitherStoredNorReplayedByTheRebuild} covers the in-process variant: a failed commit
 * followed by the engine's rebuild from the database.
 *
 * <p>Run: {@code ARCHIPELAGO_TEST_PG_URL=... ./mvnw -q -B -o -pl server test -Dtest=CrashRecoveryTest
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
class CrashRecoveryTest {
    private static final int CLIENTS = 8;
    /** Load runs at least this long, then until {@link #MIN_ACKED} jobs were acknowledged or {@link #MAX_LOAD_MS} passed. */
    private static final long LOAD_MS = 3_000;
    private static final int MIN_ACKED = 1_500;
    private static final long MAX_LOAD_MS = 6_000;
    /** Keys of earlier crashes re-sent again after a later one (a sample: each was re-sent in full after its own). */
    private static final int EARLIER_KEYS = 500;
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long SETTLE_TIMEOUT_MS = 15_000;
    private static final String[] TENANTS = ArchipelagoServer.DEMO_TENANTS.toArray(String[]::new);

    /** One request as sent: who, which key, the exact body (re-sent byte for byte). */
    record Submission(String tenant, String key, String body) {
    }

    /** What the server acknowledged for a submission. */
    record Ack(Submission sub, long id, String state, List<String> placement) {
    }

    /** Everything the clients saw, across both crashes. */
    static final class Ledger {
        final Map<String, Ack> acked = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Submission> unknown = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    }

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {TestDatabases.H2, TestDatabases.POSTGRESQL})
    void acknowledgedJobsSurviveKill9(String kind, @TempDir Path dir) throws Exception {
        String db = kind.equals(TestDatabases.POSTGRESQL) ? TestDatabases.freshPostgres() : null;
        Ledger ledger = new Ledger();
        Server s = Server.start(dir, db, 1, started);
        for (int crash = 1; crash <= 2; crash++) {
            int ackedBefore = ledger.acked.size();
            int unknownBefore = ledger.unknown.size();
            runLoadAndKill(s, ledger, crash);
            List<Submission> unknown = new ArrayList<>(ledger.unknown).subList(unknownBefore, ledger.unknown.size());
            int acked = ledger.acked.size() - ackedBefore;
            assertThat(ledger.errors).as("answers other than 201/503 during load").isEmpty();
            assertThat(acked).as("jobs acknowledged before crash " + crash + " (a sanity floor)").isGreaterThan(200);

            s = Server.start(dir, db, crash + 1, started);
            Http h = new Http(s.base());
            Map<Long, JsonNode> jobs = settledAndConsistent(h, s);

            // (1) every acknowledged job present exactly once; nothing beyond acknowledged + unanswered
            List<String> missing = ledger.acked.values().stream().filter(a -> !jobs.containsKey(a.id()))
                    .map(a -> a.id() + " (key " + a.sub().key() + ")").sorted().toList();
            if (!missing.isEmpty()) {
                fail(missing.size() + " of " + ledger.acked.size() + " acknowledged jobs are gone after crash " + crash + ", e.g. "
                        + missing.subList(0, Math.min(10, missing.size())));
            }
            assertThat(jobs.size()).as("jobs stored after crash %d", crash)
                    .isBetween(ledger.acked.size(), ledger.acked.size() + unknown.size());
            // (5) acknowledged placements kept (or ended normally); nothing failed or was cancelled
            for (Ack a : ledger.acked.values()) {
                JsonNode j = jobs.get(a.id());
                String st = j.get("state").asText();
                assertThat(st).as("job %d", a.id()).isIn("queued", "running", "succeeded");
                if (a.state().equals("running")) {
                    assertThat(st).as("job %d acknowledged running", a.id()).isIn("running", "succeeded");
                    if (st.equals("running")) {
                        assertThat(placement(j)).as("job %d placement after restart", a.id()).isEqualTo(a.placement());
                    }
                }
            }
            // (6) every running job's allocation was restored
            String log = Files.readString(s.stderr);
            assertThat(log).as("restarted server's log").doesNotContain("cannot restore");
            List<String> rebuilt = log.lines().filter(l -> l.contains("msg=\"state rebuilt from the database\"")).toList();
            assertThat(rebuilt).as("restarted server's recovery log lines").isNotEmpty().allMatch(l -> l.contains("conflicts=\"0\""));
            // (2) acknowledged keys replay; (3) unanswered keys resolve to exactly one job
            long r0 = System.nanoTime();
            int resent = resendAcknowledged(h, s, ledger, ackedBefore);
            int replayedUnknown = resolveUnknown(h, s, ledger, unknown);
            long resendMs = (System.nanoTime() - r0) / 1_000_000;

            long running = jobs.values().stream().filter(j -> j.get("state").asText().equals("running")).count();
            System.out.printf("crash %d [%s]: acked %d, unknown %d (%d had been stored), jobs after restart %d, running %d, refused %d,"
                            + " recovery %d ms, %d keys re-sent in %d ms%n", crash, kind, acked, unknown.size(), replayedUnknown, jobs.size(),
                    running, ledger.refused.size(), s.recoveryMs, resent + 2 * unknown.size(), resendMs);
        }
        s.process.destroy();
        assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).as("server stops on SIGTERM").isTrue();
    }

    /**
     * The other way a cycle's writes can be lost: the commit fails (here a table is briefly missing). The cycle's
     * clients are told 503 "nothing was stored" and the engine rebuilds itself from the database; that rebuild must
     * not write the failed cycle's changes after all, or the database would hold a job the engine never placed.
     */
    @Test
    void aFailedCommitIsNeitherStoredNorReplayedByTheRebuild(@TempDir Path dir) throws IOException {
        try (ArchipelagoServer s = ArchipelagoServer.start(ServerConfig.defaults(dir).withDemo(true).withAcceleration(20))) {
            Http h = new Http(s.baseUrl());
            String t = s.demoTokens().get("acme-ai");
            String op = Files.readString(dir.resolve("operator-token")).trim();
            String body = "{\"name\":\"f\",\"resources\":{\"cpu_milli\":2000,\"memory_mib\":4096,\"gpu\":{\"count\":1,\"milli\":500}}}";
            assertThat(h.post("/api/v1/jobs", t, body, "Idempotency-Key", "f-1").status()).isEqualTo(201);
            s.database().jdbi().useHandle(x -> x.execute("ALTER TABLE job_events RENAME TO job_events_gone"));
            Http.Res failed = h.post("/api/v1/jobs", t, body, "Idempotency-Key", "f-2");
            assertThat(failed.status()).as("answer while the commit cannot succeed: %s", failed.text()).isEqualTo(503);
            s.database().jdbi().useHandle(x -> x.execute("ALTER TABLE job_events_gone RENAME TO job_events"));

            Http.Res next = h.post("/api/v1/jobs", t, body, "Idempotency-Key", "f-3"); // answered once the rebuild is done
            assertThat(next.status()).as("first submission after the rebuild: %s", next.text()).isEqualTo(201);
            Http.Res retry = h.post("/api/v1/jobs", t, body, "Idempotency-Key", "f-2");
            assertThat(retry.status()).as("the refused request, retried: %s", retry.text()).isEqualTo(201);
            Map<Long, JsonNode> jobs = allJobs(h, op);
            assertThat(jobs.keySet()).as("stored jobs").containsExactly(1L, 2L, 3L);
            assertThat(compare(jobs, nodes(h, op))).as("stored allocations against the engine's").isNull();
        }
    }

    // ------------------------------------------------------------------ load and kill

    private static void runLoadAndKill(Server s, Ledger ledger, int phase) throws Exception {
        Http h = new Http(s.base());
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int thread = t;
                fs.add(pool.submit(() -> load(h, s.tokens, ledger, killed, phase, thread)));
            }
            long t0 = System.currentTimeMillis();
            int target = ledger.acked.size() + MIN_ACKED;
            for (long ms = 0; ms < LOAD_MS || ledger.acked.size() < target && ms < MAX_LOAD_MS; ms = System.currentTimeMillis() - t0) {
                Thread.sleep(50);
            }
            for (Future<?> f : fs) {
                if (f.isDone()) {
                    f.get(); // a client that stopped before the kill: throws its failure
                    fail("a client stopped submitting before the kill");
                }
            }
            killed.set(true);
            s.process.toHandle().destroyForcibly();
            assertThat(s.process.waitFor(10, TimeUnit.SECONDS)).as("server dies on SIGKILL").isTrue();
            assertThat(s.process.exitValue()).as("exit status of a SIGKILLed process").isEqualTo(128 + 9);
            for (Future<?> f : fs) {
                f.get(40, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Submits until a request fails after the kill; records every answer. */
    private static void load(Http h, JsonNode tokens, Ledger ledger, AtomicBoolean killed, int phase, int thread) {
        SplittableRandom rnd = new SplittableRandom(1000L * phase + thread);
        for (int n = 0; ; n++) {
            String tenant = TENANTS[rnd.nextInt(TENANTS.length)];
            String key = "c" + phase + "-t" + thread + "-" + n;
            Submission sub = new Submission(tenant, key, body(rnd, key));
            Http.Res r;
            try {
                r = h.post("/api/v1/jobs", tokens.get("tenants").get(tenant).asText(), sub.body(), "Idempotency-Key", key);
            } catch (UncheckedIOException e) {
                ledger.unknown.add(sub);
                if (killed.get()) {
                    return;
                }
                continue;
            }
            if (r.status() == 201) {
                ledger.acked.put(key, new Ack(sub, r.json().get("id").asLong(), r.json().get("state").asText(), placement(r.json())));
            } else if (r.status() == 503) {
                ledger.refused.add(key);
            } else {
                ledger.errors.add(key + ": " + r.status() + " " + r.text());
            }
        }
    }

    /** A random job of the mix described on the class. */
    private static String body(SplittableRandom r, String name) {
        ObjectNode o = Http.JSON.createObjectNode();
        o.put("name", name);
        ObjectNode res = o.putObject("resources");
        int roll = r.nextInt(100);
        boolean big = false;
        if (roll < 18) {
            gpu(res, 1000, 2048, 1, 250);
        } else if (roll < 36) {
            gpu(res, 2000, 4096, 1, 500);
        } else if (roll < 54) {
            gpu(res, 8000, 32768, 1, 1000);
        } else if (roll < 66) {
            gpu(res, 16000, 65536, 2, 1000);
        } else if (roll < 72) {
            gpu(res, 64000, 262144, 8, 1000);
            big = true;
        } else if (roll < 84) {
            res.put("cpu_milli", 4000).put("memory_mib", 8192);
        } else {
            boolean shared = r.nextBoolean();
            gpu(res, 4000, 16384, 1, shared ? 500 : 1000);
            o.put("gang", 2 + r.nextInt(3));
        }
        int rules = r.nextInt(100);
        if (rules < 8) {
            ObjectNode p = o.putObject("placement");
            p.put("origin", "ap-southeast-1");
            p.putObject("residency").putArray("jurisdictions").add("SG");
            p.put("latency_slo_ms", 20);
        } else if (rules < 14) {
            o.putObject("placement").putObject("residency").putArray("regions").add("ap-southeast-8");
        } else if (rules < 18) {
            ObjectNode p = o.putObject("placement");
            p.put("origin", "ap-southeast-3");
            p.putObject("residency").putArray("jurisdictions").add("MY");
        }
        o.put("duration_s", !big && r.nextInt(4) == 0 ? 3600 : 5 + r.nextInt(56));
        return o.toString();
    }

    private static void gpu(ObjectNode res, int cpu, int mem, int count, int milli) {
        res.put("cpu_milli", cpu).put("memory_mib", mem);
        res.putObject("gpu").put("count", count).put("milli", milli);
    }

    /** A job's placement as "node:[gpus]" per task, in task order; empty when not placed. */
    private static List<String> placement(JsonNode job) {
        List<String> out = new ArrayList<>();
        JsonNode p = job.get("placement");
        if (p != null && !p.isNull()) {
            for (JsonNode t : p.get("tasks")) {
                out.add(t.get("node").asText() + ":" + t.get("gpus"));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ checks

    /**
     * Lists every job and checks (4): the running jobs' allocations, summed per node and GPU, fit and equal what the
     * engine reports. Jobs finishing (or queued ones starting) between the reads make a snapshot inconsistent, so it
     * is retried until the engine's nodes read the same before and after the job list; a real mismatch persists.
     */
    private static Map<Long, JsonNode> settledAndConsistent(Http h, Server s) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SETTLE_TIMEOUT_MS;
        String problem = null;
        while (System.currentTimeMillis() < deadline) {
            Map<String, JsonNode> before = nodes(h, s.operator());
            Map<Long, JsonNode> jobs = allJobs(h, s.operator());
            Map<String, JsonNode> after = nodes(h, s.operator());
            if (!before.equals(after)) {
                problem = "the engine's nodes changed while the jobs were listed";
                Thread.sleep(200);
                continue;
            }
            problem = compare(jobs, after);
            if (problem == null) {
                return jobs;
            }
            Thread.sleep(200);
        }
        fail("no consistent view of the allocations within " + SETTLE_TIMEOUT_MS + " ms; last problem: " + problem);
        return null;
    }

    /** Null when the running jobs' resources add up to what every node reports; else the first difference. */
    private static String compare(Map<Long, JsonNode> jobs, Map<String, JsonNode> nodes) {
        Map<String, int[]> gpu = new TreeMap<>();
        Map<String, long[]> other = new TreeMap<>();
        for (JsonNode j : jobs.values()) {
            if (!j.get("state").asText().equals("running")) {
                continue;
            }
            JsonNode res = j.get("spec").get("resources");
            int milli = res.has("gpu") ? res.get("gpu").get("milli").asInt() : 0;
            for (JsonNode t : j.get("placement").get("tasks")) {
                String node = t.get("node").asText();
                JsonNode n = nodes.get(node);
                if (n == null) {
                    return "job " + j.get("id") + " runs on " + node + ", which no site lists";
                }
                int[] used = gpu.computeIfAbsent(node, k -> new int[n.get("gpuUsed").size()]);
                for (JsonNode g : t.get("gpus")) {
                    used[g.asInt()] += milli;
                    if (used[g.asInt()] > 1000) {
                        return "GPU " + g.asInt() + " of " + node + " allocated " + used[g.asInt()] + " milli (> 1000) by the running jobs";
                    }
                }
                long[] o = other.computeIfAbsent(node, k -> new long[3]);
                o[0] += res.get("cpu_milli").asLong();
                o[1] += res.get("memory_mib").asLong();
                o[2]++;
            }
        }
        for (Map.Entry<String, JsonNode> e : nodes.entrySet()) {
            JsonNode n = e.getValue();
            int[] used = gpu.getOrDefault(e.getKey(), new int[n.get("gpuUsed").size()]);
            long[] o = other.getOrDefault(e.getKey(), new long[3]);
            for (int g = 0; g < used.length; g++) {
                if (n.get("gpuUsed").get(g).asInt() != used[g]) {
                    return "node " + e.getKey() + " GPU " + g + ": engine says " + n.get("gpuUsed").get(g) + " milli used, running jobs add up to " + used[g];
                }
            }
            if (n.get("cpuUsedMilli").asLong() != o[0] || n.get("memoryUsedMib").asLong() != o[1] || n.get("tasks").asLong() != o[2]) {
                return "node " + e.getKey() + ": engine says cpu " + n.get("cpuUsedMilli") + " memory " + n.get("memoryUsedMib") + " tasks "
                        + n.get("tasks") + ", running jobs add up to cpu " + o[0] + " memory " + o[1] + " tasks " + o[2];
            }
        }
        return null;
    }

    /** Every node of every site, by name, as the engine reports it. */
    private static Map<String, JsonNode> nodes(Http h, String operator) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Http.Res fleet = h.get("/api/v1/fleet", operator);
        assertThat(fleet.status()).as("fleet: %s", fleet.text()).isEqualTo(200);
        for (JsonNode site : fleet.json().get("sites")) {
            Http.Res r = h.get("/api/v1/sites/" + site.get("name").asText() + "/nodes", operator);
            assertThat(r.status()).as("nodes of %s: %s", site, r.text()).isEqualTo(200);
            for (JsonNode n : r.json().get("nodes")) {
                out.put(n.get("name").asText(), n);
            }
        }
        assertThat(out).as("fleet nodes").hasSizeGreaterThan(500);
        return out;
    }

    /** Every stored job (operator listing, all pages), by id; fails on a repeated id. */
    private static Map<Long, JsonNode> allJobs(Http h, String operator) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        String cursor = null;
        do {
            Http.Res r = h.get("/api/v1/jobs?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), operator);
            assertThat(r.status()).as("job list: %s", r.text()).isEqualTo(200);
            for (JsonNode j : r.json().get("jobs")) {
                JsonNode prior = out.put(j.get("id").asLong(), j);
                assertThat(prior).as("job %s listed twice", j.get("id")).isNull();
            }
            JsonNode c = r.json().get("next_cursor");
            cursor = c == null || c.isNull() ? null : c.asText();
        } while (cursor != null);
        return out;
    }

    /**
     * (2) Every key acknowledged since the last crash, and up to {@value #EARLIER_KEYS} keys acknowledged before it (each
     * was re-sent in full after its own crash), re-sent with its body, answers 200 with the same job; answers how many.
     */
    private static int resendAcknowledged(Http h, Server s, Ledger ledger, int ackedBefore) throws Exception {
        List<Ack> keys = new ArrayList<>(ledger.acked.values());
        keys.sort(Comparator.comparingLong(Ack::id));
        List<Ack> earlier = new ArrayList<>(keys.subList(0, Math.min(ackedBefore, keys.size())));
        List<Ack> recent = new ArrayList<>(keys.subList(earlier.size(), keys.size()));
        Collections.shuffle(earlier, new Random(7));
        recent.addAll(earlier.subList(0, Math.min(EARLIER_KEYS, earlier.size())));
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        parallel(recent, a -> {
            Http.Res r = h.post("/api/v1/jobs", s.token(a.sub().tenant()), a.sub().body(), "Idempotency-Key", a.sub().key());
            if (r.status() != 200 || r.json().get("id").asLong() != a.id() || !"true".equals(r.header("Idempotent-Replayed"))) {
                wrong.add(a.sub().key() + " (job " + a.id() + "): " + r.status() + " replayed=" + r.header("Idempotent-Replayed") + " " + r.text());
            }
        });
        assertThat(wrong).as("acknowledged keys that did not replay their job").isEmpty();
        return recent.size();
    }

    /** (3) Each unanswered key resolves to one job on re-send, replayed on a second re-send; answers how many were stored. */
    private static int resolveUnknown(Http h, Server s, Ledger ledger, List<Submission> unknown) throws Exception {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        Set<String> stored = ConcurrentHashMap.newKeySet();
        parallel(unknown, u -> {
            String token = s.token(u.tenant());
            Http.Res first = h.post("/api/v1/jobs", token, u.body(), "Idempotency-Key", u.key());
            Http.Res second = h.post("/api/v1/jobs", token, u.body(), "Idempotency-Key", u.key());
            if (first.status() != 200 && first.status() != 201) {
                wrong.add(u.key() + " first re-send: " + first.status() + " " + first.text());
                return;
            }
            if (first.status() == 200) {
                stored.add(u.key());
            }
            long id = first.json().get("id").asLong();
            if (second.status() != 200 || second.json().get("id").asLong() != id || !"true".equals(second.header("Idempotent-Replayed"))) {
                wrong.add(u.key() + " second re-send: " + second.status() + " " + second.text() + " (first gave job " + id + ")");
                return;
            }
            ledger.acked.put(u.key(), new Ack(u, id, first.json().get("state").asText(), placement(first.json())));
        });
        assertThat(wrong).as("unanswered keys that did not resolve to exactly one job").isEmpty();
        return stored.size();
    }

    private static <T> void parallel(List<T> items, Consumer<T> f) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (T t : items) {
                fs.add(pool.submit(() -> f.accept(t)));
            }
            for (Future<?> x : fs) {
                x.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ the server process

    /** A {@link ServerMain} child process on a data directory, with its stdout and stderr in files there. */
    static final class Server {
        private static final Pattern LISTENING = Pattern.compile("(?m)^listening (\\d+)$");
        final Process process;
        final int port;
        final JsonNode tokens;
        final Path stderr;
        final long recoveryMs;

        private Server(Process process, int port, JsonNode tokens, Path stderr, long recoveryMs) {
            this.process = process;
            this.port = port;
            this.tokens = tokens;
            this.stderr = stderr;
            this.recoveryMs = recoveryMs;
        }

        /** Starts the {@code n}-th process on {@code dir} and waits (bounded) for {@code listening <port>}. */
        static Server start(Path dir, String db, int n, List<Process> started) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "-Xmx512m", ServerMain.class.getName(), "--data-dir", dir.toString(), "--demo",
                    "--acceleration", "20"));
            if (db != null) {
                cmd.add("--db");
                cmd.add(db);
            }
            Path out = dir.resolve("server-" + n + ".out");
            Path err = dir.resolve("server-" + n + ".err");
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            started.add(p);
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (true) {
                Matcher m = LISTENING.matcher(Files.readString(out));
                if (m.find()) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    JsonNode tokens = Http.JSON.readTree(Files.readString(dir.resolve("demo-tokens.json")));
                    return new Server(p, Integer.parseInt(m.group(1)), tokens, err, ms);
                }
                if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                    p.destroyForcibly();
                    fail("server " + n + (p.isAlive() ? " did not print 'listening <port>' within " + START_TIMEOUT_MS + " ms"
                            : " exited with " + p.waitFor()) + "; stderr tail:\n" + tail(err, 40));
                }
                Thread.sleep(20);
            }
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }

        String operator() {
            return tokens.get("operator").asText();
        }

        String token(String tenant) {
            return tokens.get("tenants").get(tenant).asText();
        }

        private static String tail(Path f, int lines) throws IOException {
            List<String> all = Files.readAllLines(f);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }
}

package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The control plane's REST API, end to end against a real server on 127.0.0.1: once on the embedded H2
 * database and once on PostgreSQL. One server per database kind (demo tenants; acceleration 1000, so a
 * declared duration of 1 s passes in 1 ms) serves every test of the class; tests that count jobs create
 * their own tenant so that they never see each other's jobs. The restart test runs its own server twice
 * on one data directory (H2) or schema (PostgreSQL).
 *
 * <p>Run: {@code ARCHIPELAGO_TEST_PG_URL=... ./mvnw -q -B -o -pl server test -Dtest=ApiIntegrationTest
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIntegrationTest {
    /** Longest wait for an asynchronous outcome (a job finishing); never reached when the server works. */
    static final long WAIT_MS = 15_000;
    /** The nine sites of the built-in fleet. */
    static final List<String> SITES = List.of("SIN-A", "SIN-B", "JHB-A", "JHB-B", "KUL-A", "CGK-A", "MNL-A", "MNL-B", "BKK-A");

    @TempDir
    static Path root;

    private final Map<String, Env> envs = new LinkedHashMap<>();
    private final AtomicInteger tenantSeq = new AtomicInteger();

    /** A running server with its client and tokens. */
    record Env(ArchipelagoServer server, Http http, String operator, String agent, Map<String, String> demo) {
        static Env start(ServerConfig c) {
            ArchipelagoServer s = ArchipelagoServer.start(c);
            return new Env(s, new Http(s.baseUrl()), read(c.dataDir().resolve("operator-token")), read(c.dataDir().resolve("agent-token")),
                    s.demoTokens());
        }

        String tenant(String name) {
            return demo.get(name);
        }

        Http.Res submit(String token, String body, String... headers) {
            return http.post("/api/v1/jobs", token, body, headers);
        }

        /** Submits and returns the job, failing unless the server answered 201. */
        JsonNode created(String token, String body, String... headers) {
            Http.Res r = submit(token, body, headers);
            assertThat(r.status()).as("submit %s: %s", body, r.text()).isEqualTo(201);
            return r.json();
        }

        JsonNode job(String token, long id) {
            Http.Res r = http.get("/api/v1/jobs/" + id, token);
            assertThat(r.status()).as("GET job %d: %s", id, r.text()).isEqualTo(200);
            return r.json();
        }

        JsonNode cancel(String token, long id) {
            Http.Res r = http.delete("/api/v1/jobs/" + id, token);
            assertThat(r.status()).as("DELETE job %d: %s", id, r.text()).isEqualTo(200);
            return r.json();
        }

        List<String> eventKinds(String token, long id) {
            Http.Res r = http.get("/api/v1/jobs/" + id + "/events", token);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            List<String> kinds = new ArrayList<>();
            r.json().get("events").forEach(e -> kinds.add(e.get("kind").asText()));
            return kinds;
        }

        /** Every job the operator sees (one page of up to 1000). */
        List<JsonNode> allJobs() {
            Http.Res r = http.get("/api/v1/jobs?limit=1000", operator);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("next_cursor").isNull()).as("more than 1000 jobs; the test expects one page").isTrue();
            List<JsonNode> out = new ArrayList<>();
            r.json().get("jobs").forEach(out::add);
            return out;
        }

        /** Polls {@code get} until {@code done} holds; fails (with the last value) after {@link #WAIT_MS}. */
        static JsonNode await(Supplier<JsonNode> get, Predicate<JsonNode> done, String what) {
            return await(get, done, what, WAIT_MS);
        }

        /** Polls {@code get} until {@code done} holds; fails (with the last value) after {@code waitMs}. */
        static JsonNode await(Supplier<JsonNode> get, Predicate<JsonNode> done, String what, long waitMs) {
            long deadline = System.nanoTime() + waitMs * 1_000_000;
            JsonNode last;
            do {
                last = get.get();
                if (done.test(last)) {
                    return last;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            } while (System.nanoTime() < deadline);
            return fail("waited " + waitMs + " ms for " + what + "; last: " + last);
        }

        private static String read(Path f) {
            try {
                return Files.readString(f).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A job body, built fluently: {@code JobSpec.cpu(1000, 1024).gpus(1, 500).regions("ap-southeast-6").json()}. */
    static final class JobSpec {
        private final ObjectNode o = Http.JSON.createObjectNode();

        static JobSpec cpu(int milli, long memoryMib) {
            JobSpec j = new JobSpec();
            j.o.putObject("resources").put("cpu_milli", milli).put("memory_mib", memoryMib);
            return j;
        }

        JobSpec gpus(int count, int milli) {
            ((ObjectNode) o.get("resources")).putObject("gpu").put("count", count).put("milli", milli);
            return this;
        }

        JobSpec models(String... models) {
            ArrayNode a = ((ObjectNode) o.get("resources").get("gpu")).putArray("models");
            for (String m : models) {
                a.add(m);
            }
            return this;
        }

        JobSpec regions(String... regions) {
            ArrayNode a = placement().putObject("residency").putArray("regions");
            for (String r : regions) {
                a.add(r);
            }
            return this;
        }

        JobSpec jurisdictions(String... jurisdictions) {
            ArrayNode a = placement().putObject("residency").putArray("jurisdictions");
            for (String j : jurisdictions) {
                a.add(j);
            }
            return this;
        }

        JobSpec gang(int g) {
            o.put("gang", g);
            return this;
        }

        JobSpec duration(long s) {
            o.put("duration_s", s);
            return this;
        }

        JobSpec name(String n) {
            o.put("name", n);
            return this;
        }

        JobSpec tenant(String t) {
            o.put("tenant", t);
            return this;
        }

        private ObjectNode placement() {
            return o.has("placement") ? (ObjectNode) o.get("placement") : o.putObject("placement");
        }

        String json() {
            return o.toString();
        }
    }

    Env env(String kind) {
        return envs.computeIfAbsent(kind, k -> Env.start(TestDatabases.config(k, root.resolve(k)).withDemo(true).withAcceleration(1000)));
    }

    @AfterAll
    void stopServers() {
        envs.values().forEach(e -> e.server().close());
    }

    /** A new tenant (its own jobs only), created by the operator; returns {name, token}. */
    String[] newTenant(Env e) {
        String name = "t" + tenantSeq.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        Http.Res r = e.http().post("/api/v1/tenants", e.operator(), "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return new String[] {name, r.json().get("token").asText()};
    }

    static final String SMALL_GPU_JOB = JobSpec.cpu(4000, 8192).gpus(1, 1000).name("train-1").json();
    static final String CPU_JOB = JobSpec.cpu(500, 512).json();
    /** Eight whole H20s in ap-southeast-6: only MNL-A's 16 nodes can run it; a gang of 16 fills the site. */
    static final String FILL_MNL_A = JobSpec.cpu(8000, 65536).gpus(8, 1000).models("H20").regions("ap-southeast-6").gang(16).json();

    // ------------------------------------------------------------------ jobs

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void submitAnswers201WithLocationAndThePlacementAndGetReturnsTheSameJob(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        Http.Res r = e.submit(t[1], SMALL_GPU_JOB);

        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode job = r.json();
        long id = job.get("id").asLong();
        assertThat(r.header("Location")).isEqualTo("/api/v1/jobs/" + id);
        assertThat(job.get("tenant").asText()).isEqualTo(t[0]);
        assertThat(job.get("name").asText()).isEqualTo("train-1");
        assertThat(job.get("state").asText()).isEqualTo("running");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("started_at").isTextual()).isTrue();
        assertThat(job.get("spec").get("gang").asInt()).isEqualTo(1);
        assertThat(job.get("spec").get("tier").asText()).isEqualTo("on-demand");
        JsonNode placement = job.get("placement");
        String site = placement.get("site").asText();
        assertThat(SITES).contains(site);
        assertThat(placement.get("region").asText()).startsWith("ap-southeast-");
        assertThat(placement.get("tasks")).hasSize(1);
        String node = placement.get("tasks").get(0).get("node").asText();
        assertThat(node).startsWith(site + "-");
        assertThat(placement.get("tasks").get(0).get("gpus")).hasSize(1);
        assertThat(job.get("explanation").get("summary").asText()).contains("placed on " + node).contains(site);

        JsonNode again = e.job(t[1], id);
        assertThat(again.get("state")).isEqualTo(job.get("state"));
        assertThat(again.get("placement")).isEqualTo(placement);
        assertThat(again.get("spec")).isEqualTo(job.get("spec"));
        assertThat(e.http().get(r.header("Location"), t[1]).json().get("id").asLong()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void cancelAnswers200ThenA409AndTheHistoryShowsSubmittedPlacedCancelled(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        long id = e.created(t[1], SMALL_GPU_JOB).get("id").asLong();

        JsonNode cancelled = e.cancel(t[1], id);
        assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("placement").isNull()).isTrue();
        assertThat(cancelled.get("finished_at").isTextual()).isTrue();

        Http.Res second = e.http().delete("/api/v1/jobs/" + id, t[1]);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.contentType()).startsWith("application/problem+json");
        assertThat(second.json().get("detail").asText()).contains("already cancelled");

        Http.Res ev = e.http().get("/api/v1/jobs/" + id + "/events", t[1]);
        assertThat(ev.json().get("job").asLong()).isEqualTo(id);
        assertThat(e.eventKinds(t[1], id)).containsExactly("submitted", "placed", "cancelled");
        JsonNode events = ev.json().get("events");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("seq").asInt()).isEqualTo(i + 1);
        }
        assertThat(events.get(2).get("detail").asText()).isEqualTo("cancelled by " + t[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void listFiltersByStateRegionAndTenantAndPagesWithoutDuplicatesOrGaps(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(e.created(t[1], CPU_JOB).get("id").asLong());
        }
        e.cancel(t[1], ids.get(1));
        e.cancel(t[1], ids.get(4));
        long other = e.created(e.tenant("acme-ai"), CPU_JOB).get("id").asLong();

        List<Long> paged = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            Http.Res r = e.http().get("/api/v1/jobs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), t[1]);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            pages++;
            assertThat(r.json().get("jobs").size()).isBetween(1, 3);
            r.json().get("jobs").forEach(j -> paged.add(j.get("id").asLong()));
            cursor = r.json().get("next_cursor").isNull() ? null : r.json().get("next_cursor").asText();
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).as("pages in order, no duplicate, no gap").isEqualTo(ids);

        assertThat(listIds(e, t[1], "state=cancelled")).containsExactly(ids.get(1), ids.get(4));
        assertThat(listIds(e, t[1], "state=running")).containsExactly(ids.get(0), ids.get(2), ids.get(3), ids.get(5), ids.get(6));

        String region = e.job(t[1], ids.get(0)).get("placement").get("region").asText();
        List<Long> inRegion = new ArrayList<>();
        for (long id : ids) {
            JsonNode p = e.job(t[1], id).get("placement");
            if (!p.isNull() && p.get("region").asText().equals(region)) {
                inRegion.add(id);
            }
        }
        assertThat(listIds(e, t[1], "region=" + region)).contains(ids.get(0)).isEqualTo(inRegion);

        assertThat(listIds(e, e.operator(), "tenant=" + t[0])).isEqualTo(ids);
        assertThat(listIds(e, e.operator(), "tenant=" + t[0] + "&state=cancelled")).containsExactly(ids.get(1), ids.get(4));
        List<Long> everything = listIds(e, e.operator(), "limit=1000");
        assertThat(everything).containsAll(ids).contains(other);
        assertThat(listIds(e, t[1], "limit=1000")).as("a tenant sees only its own jobs").isEqualTo(ids);
    }

    private static List<Long> listIds(Env e, String token, String query) {
        Http.Res r = e.http().get("/api/v1/jobs?" + query, token);
        assertThat(r.status()).as("list ?%s: %s", query, r.text()).isEqualTo(200);
        List<Long> out = new ArrayList<>();
        r.json().get("jobs").forEach(j -> out.add(j.get("id").asLong()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anIdempotencyKeyReplaysTheSameRequestRefusesADifferentOneAndIsPerTenant(String kind) {
        Env e = env(kind);
        String[] a = newTenant(e);
        String[] b = newTenant(e);
        String key = "order-42-" + kind;

        Http.Res first = e.submit(a[1], SMALL_GPU_JOB, "Idempotency-Key", key);
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        long id = first.json().get("id").asLong();

        Http.Res retry = e.submit(a[1], SMALL_GPU_JOB, "Idempotency-Key", key);
        assertThat(retry.status()).as(retry.text()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.header("Location")).isEqualTo("/api/v1/jobs/" + id);
        assertThat(retry.json().get("id").asLong()).isEqualTo(id);
        assertThat(retry.json().get("placement")).isEqualTo(first.json().get("placement"));

        Http.Res different = e.submit(a[1], CPU_JOB, "Idempotency-Key", key);
        assertThat(different.status()).as(different.text()).isEqualTo(409);
        assertThat(different.contentType()).startsWith("application/problem+json");
        assertThat(different.json().get("field").asText()).isEqualTo("Idempotency-Key");
        assertThat(different.json().get("detail").asText()).contains("different request").contains("job " + id);

        Http.Res otherTenant = e.submit(b[1], SMALL_GPU_JOB, "Idempotency-Key", key);
        assertThat(otherTenant.status()).as(otherTenant.text()).isEqualTo(201);
        assertThat(otherTenant.json().get("id").asLong()).isNotEqualTo(id);
        assertThat(otherTenant.json().get("tenant").asText()).isEqualTo(b[0]);

        assertThat(listIds(e, a[1], "limit=1000")).as("one job for tenant a, however often it retried").containsExactly(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aTenantCanNeitherSeeNorCancelNorListAnotherTenantsJob(String kind) {
        Env e = env(kind);
        String[] owner = newTenant(e);
        String[] other = newTenant(e);
        long id = e.created(owner[1], CPU_JOB).get("id").asLong();

        for (Http.Res r : List.of(e.http().get("/api/v1/jobs/" + id, other[1]), e.http().delete("/api/v1/jobs/" + id, other[1]),
                e.http().get("/api/v1/jobs/" + id + "/events", other[1]))) {
            assertThat(r.status()).as("another tenant's job is answered as if it did not exist: %s", r.text()).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).contains("job " + id + " not found");
        }
        Http.Res list = e.http().get("/api/v1/jobs?tenant=" + owner[0], other[1]);
        assertThat(list.status()).isEqualTo(403);
        assertThat(list.json().get("field").asText()).isEqualTo("tenant");
        assertThat(listIds(e, other[1], "limit=1000")).doesNotContain(id);

        Http.Res forOwner = e.submit(other[1], JobSpec.cpu(500, 512).tenant(owner[0]).json());
        assertThat(forOwner.status()).as("a tenant submits only for itself").isEqualTo(403);
        assertThat(forOwner.json().get("field").asText()).isEqualTo("tenant");

        assertThat(e.job(owner[1], id).get("state").asText()).as("the other tenant's DELETE cancelled nothing").isEqualTo("running");
        assertThat(listIds(e, owner[1], "limit=1000")).containsExactly(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aJobTooBigToPlaceNowStaysQueuedAndExplainsEachSitesVerdict(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        long filler = e.created(t[1], FILL_MNL_A).get("id").asLong();
        long waiting = e.created(t[1], FILL_MNL_A).get("id").asLong();
        try {
            JsonNode job = e.job(t[1], waiting);
            assertThat(job.get("state").asText()).as("MNL-A cannot hold two site-sized gangs").isEqualTo("queued");
            assertThat(job.get("placement").isNull()).isTrue();
            JsonNode ex = job.get("explanation");
            assertThat(ex.get("summary").asText()).startsWith("waiting");
            assertThat(ex.get("rules").asText()).contains("ap-southeast-6");
            JsonNode sites = ex.get("sites");
            List<String> names = new ArrayList<>();
            sites.forEach(s -> names.add(s.get("site").asText()));
            assertThat(names).containsExactlyInAnyOrderElementsOf(SITES);
            for (JsonNode s : sites) {
                assertThat(s.get("verdict").asText()).as("site %s", s).isEqualTo("rejected");
                if (!s.get("region").asText().equals("ap-southeast-6")) {
                    assertThat(s.get("reason").asText()).as("site %s is outside the residency", s).isEqualTo("region not allowed");
                }
            }
            JsonNode mnlA = find(sites, "MNL-A");
            assertThat(mnlA.get("reason").asText()).isEqualTo("no node fits");
            assertThat(mnlA.get("detail").asText()).isEqualTo("0/16 nodes fit: 16 insufficient GPU");
            assertThat(mnlA.get("node_reasons").get("insufficient GPU").asInt()).isEqualTo(16);
            JsonNode mnlB = find(sites, "MNL-B");
            assertThat(mnlB.get("reason").asText()).isEqualTo("no allowed GPU model");
            assertThat(mnlB.get("detail").asText()).isEqualTo("needs H20");
            assertThat(e.eventKinds(t[1], waiting)).containsExactly("submitted");
        } finally {
            e.cancel(t[1], waiting);
            e.cancel(t[1], filler);
        }
    }

    static JsonNode find(JsonNode sites, String site) {
        for (JsonNode s : sites) {
            if (s.get("site").asText().equals(site)) {
                return s;
            }
        }
        return fail("no verdict for site " + site + " in " + sites);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aJobWithADurationSucceedsWhenItEnds(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        long id = e.created(t[1], JobSpec.cpu(1000, 1024).gpus(1, 500).duration(1).json()).get("id").asLong();

        JsonNode done = Env.await(() -> e.job(t[1], id), j -> j.get("state").asText().equals("succeeded"), "job " + id + " to succeed");
        assertThat(done.get("finished_at").isTextual()).isTrue();
        assertThat(done.get("placement").isNull()).as("an ended job holds no GPU").isTrue();
        assertThat(done.get("reason").asText()).contains("declared duration");
        assertThat(e.eventKinds(t[1], id)).containsExactly("submitted", "placed", "succeeded");
        assertThat(listIds(e, t[1], "state=succeeded")).containsExactly(id);
    }

    /**
     * The largest gang (256 tasks of 8 GPUs: a third of the fleet) is placed and stored as one allocation
     * record, and the engine stays healthy after the commit; one task more is refused up front.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theLargestGangIsPlacedAndStoredAndOneMoreIsRefused(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        Http.Res tooMany = e.submit(t[1], JobSpec.cpu(1000, 1024).gpus(8, 1000).gang(257).json());
        assertThat(tooMany.status()).as(tooMany.text()).isEqualTo(400);
        assertThat(tooMany.json().get("field").asText()).isEqualTo("gang");
        assertThat(tooMany.json().get("detail").asText()).contains("gang 257 outside 1..256");

        JsonNode job = e.created(t[1], JobSpec.cpu(1000, 1024).gpus(8, 1000).gang(256).json());
        try {
            assertThat(job.get("state").asText()).isEqualTo("running");
            assertThat(job.get("placement").get("tasks")).hasSize(256);
            assertThat(e.job(t[1], job.get("id").asLong()).get("placement")).as("stored as placed").isEqualTo(job.get("placement"));
            assertThat(e.http().get("/ready", null).status()).as("the engine is healthy after the commit").isEqualTo(200);
        } finally {
            e.cancel(t[1], job.get("id").asLong());
        }
    }

    // ------------------------------------------------------------------ operators and tenants

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anOperatorMustNameTheTenantAJobIsFor(String kind) {
        Env e = env(kind);
        String[] t = newTenant(e);
        Http.Res anonymous = e.submit(e.operator(), CPU_JOB);
        assertThat(anonymous.status()).isEqualTo(400);
        assertThat(anonymous.json().get("field").asText()).isEqualTo("tenant");
        assertThat(anonymous.json().get("detail").asText()).contains("must name the tenant");

        Http.Res unknown = e.submit(e.operator(), JobSpec.cpu(500, 512).tenant("nobody-" + kind).json());
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("field").asText()).isEqualTo("tenant");

        JsonNode job = e.created(e.operator(), JobSpec.cpu(500, 512).tenant(t[0]).json());
        assertThat(job.get("tenant").asText()).isEqualTo(t[0]);
        assertThat(listIds(e, t[1], "limit=1000")).as("the job is the tenant's").containsExactly(job.get("id").asLong());
        assertThat(e.eventKinds(t[1], job.get("id").asLong()).get(0)).isEqualTo("submitted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anOperatorCreatesATenantWhoseTokenWorks(String kind) {
        Env e = env(kind);
        String name = "newco-" + kind;
        Http.Res r = e.http().post("/api/v1/tenants", e.operator(), "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().get("name").asText()).isEqualTo(name);
        assertThat(r.json().get("role").asText()).isEqualTo("tenant");
        String token = r.json().get("token").asText();
        assertThat(token).startsWith("ap_").hasSizeGreaterThan(40);

        Http.Res mine = e.http().get("/api/v1/jobs", token);
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.json().get("jobs")).isEmpty();
        assertThat(e.created(token, CPU_JOB).get("tenant").asText()).isEqualTo(name);

        Http.Res again = e.http().post("/api/v1/tenants", e.operator(), "{\"name\":\"" + name + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("field").asText()).isEqualTo("name");

        Http.Res all = e.http().get("/api/v1/tenants", e.operator());
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.text()).as("principals are listed without tokens").doesNotContain(token).doesNotContain("token");
        boolean listed = false;
        for (JsonNode p : all.json().get("principals")) {
            listed |= p.get("name").asText().equals(name) && p.get("role").asText().equals("tenant");
        }
        assertThat(listed).as("%s listed as a tenant in %s", name, all.text()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void healthReadyAndMetricsAnswerWithoutAToken(String kind) {
        Env e = env(kind);
        e.created(e.tenant("initech"), CPU_JOB);

        Http.Res health = e.http().get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("up");
        Http.Res ready = e.http().get("/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");

        Http.Res metrics = e.http().get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.text()).contains("archipelago_placements_total{class=\"burstable\"}")
                .contains("archipelago_site_gpu_allocation{site=\"SIN-A\"}")
                .contains("archipelago_site_gpu_allocation{site=\"BKK-A\"}");
        double placements = metrics.text().lines().filter(l -> l.startsWith("archipelago_placements_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(placements).as("at least the job placed above").isGreaterThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------ restart

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRestartOnTheSameDatabaseKeepsEveryJobOnceAndRunningJobsWhereTheyRan(String kind) {
        ServerConfig config = TestDatabases.config(kind, root.resolve("restart-" + kind)).withDemo(true);
        Map<Long, JsonNode> before = new LinkedHashMap<>();
        String key = "restart-key";
        String keyed = JobSpec.cpu(2000, 4096).gpus(1, 250).name("keyed").json();
        long queued;
        long keyedId;
        Env first = Env.start(config);
        try {
            String acme = first.tenant("acme-ai");
            first.created(acme, SMALL_GPU_JOB);
            first.created(acme, JobSpec.cpu(16000, 131072).gpus(8, 1000).gang(2).name("gang").json());
            first.created(first.tenant("globex-labs"), JobSpec.cpu(1000, 2048).gpus(1, 500).json());
            first.created(first.tenant("initech"), CPU_JOB);
            first.cancel(acme, first.created(acme, CPU_JOB).get("id").asLong());
            first.created(acme, FILL_MNL_A);
            queued = first.created(acme, FILL_MNL_A).get("id").asLong();
            keyedId = first.created(acme, keyed, "Idempotency-Key", key).get("id").asLong();
            for (JsonNode j : first.allJobs()) {
                before.put(j.get("id").asLong(), j);
            }
        } finally {
            first.server().close();
        }
        assertThat(before).hasSize(8);
        assertThat(before.get(queued).get("state").asText()).isEqualTo("queued");

        Env second = Env.start(config);
        try {
            List<JsonNode> after = second.allJobs();
            Set<Long> seen = new HashSet<>();
            for (JsonNode j : after) {
                assertThat(seen.add(j.get("id").asLong())).as("job %s listed once", j.get("id")).isTrue();
            }
            assertThat(seen).isEqualTo(before.keySet());
            for (JsonNode j : after) {
                JsonNode b = before.get(j.get("id").asLong());
                assertThat(j.get("state")).as("state of job %s", j.get("id")).isEqualTo(b.get("state"));
                assertThat(j.get("placement")).as("node and GPUs of job %s", j.get("id")).isEqualTo(b.get("placement"));
                assertThat(j.get("spec")).isEqualTo(b.get("spec"));
                assertThat(j.get("attempts")).isEqualTo(b.get("attempts"));
            }
            assertThat(second.server().engine().recoveryConflicts()).isZero();
            for (JsonNode j : after) {
                if (j.get("state").asText().equals("running")) {
                    String site = j.get("placement").get("site").asText();
                    JsonNode nodes = second.http().get("/api/v1/sites/" + site + "/nodes", second.operator()).json().get("nodes");
                    for (JsonNode task : j.get("placement").get("tasks")) {
                        JsonNode node = null;
                        for (JsonNode n : nodes) {
                            node = n.get("name").asText().equals(task.get("node").asText()) ? n : node;
                        }
                        assertThat(node).as("node %s in site %s", task.get("node"), site).isNotNull();
                        for (JsonNode g : task.get("gpus")) {
                            assertThat(node.get("gpuUsed").get(g.asInt()).asInt()).as("GPU %s of %s is allocated again after the restart",
                                    g, node.get("name")).isPositive();
                        }
                    }
                }
            }
            Http.Res replay = second.submit(second.tenant("acme-ai"), keyed, "Idempotency-Key", key);
            assertThat(replay.status()).as("idempotency keys survive a restart: %s", replay.text()).isEqualTo(200);
            assertThat(replay.json().get("id").asLong()).isEqualTo(keyedId);
            long fresh = second.created(second.tenant("acme-ai"), CPU_JOB).get("id").asLong();
            assertThat(fresh).as("ids are never reused").isGreaterThan(before.keySet().stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(second.job(second.tenant("acme-ai"), queued).get("explanation").get("sites")).hasSize(SITES.size());
        } finally {
            second.server().close();
        }
    }
}

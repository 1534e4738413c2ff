package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capacity plans over the control plane ({@code /api/v1/plans}), against a real server on H2 (plans do not
 * touch the database): an operator submits a small plan and reads its result and report; tenants are refused
 * on every route; bad plans are refused with the parser's message and leave nothing on disk; at most four
 * plans wait, and they run one at a time; a restart keeps finished plans and runs acknowledged ones again.
 *
 * <p>The plan is small (an eighth of the demo fleet, two quarters, two-hour simulations): it runs in about a
 * second, and its optimum builds its one candidate in the second quarter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlanApiTest {
    /** Longest wait for plans to finish; never reached when the server works (a small plan takes about a second). */
    static final long PLAN_WAIT_MS = 120_000;
    /** A small plan on the demo fleet; its optimum opens MNL-A-x in 2027-Q2. */
    static final String SMALL_PLAN = """
            name: api-small
            quarters: 2
            fleet: {scale: 0.125}
            calibration: {loads: [0.6, 0.9], warmup: 2h, window: 2h}
            verification: {warmup: 1h, window: 2h}
            demand:
              - {region: ap-southeast-6, class: inference, gpus: 12, growth: 5.0}
            candidates:
              - {name: MNL-A-x, site: MNL-A, pool: h20-x, gpu_model: H20, nodes: 2, lead_time_months: 3}
            """;
    private static final Pattern ID = Pattern.compile("p-[0-9]{6}");

    @TempDir
    static Path root;

    private ApiIntegrationTest.Env env;

    @BeforeAll
    void start() {
        env = ApiIntegrationTest.Env.start(TestDatabases.config(TestDatabases.H2, root.resolve("a")).withDemo(true));
    }

    @AfterAll
    void stop() {
        env.server().close();
    }

    /** {@link #SMALL_PLAN} named {@code name}. */
    static String small(String name) {
        return SMALL_PLAN.replace("name: api-small", "name: " + name);
    }

    static Http.Res submit(ApiIntegrationTest.Env e, String token, String yaml) {
        return e.http().post("/api/v1/plans", token, yaml, "Content-Type", "application/yaml");
    }

    /** Submits and returns the 202 body, failing otherwise. */
    static JsonNode accepted(ApiIntegrationTest.Env e, String yaml) {
        Http.Res r = submit(e, e.operator(), yaml);
        assertThat(r.status()).as("POST /api/v1/plans: %s", r.text()).isEqualTo(202);
        return r.json();
    }

    static JsonNode plan(ApiIntegrationTest.Env e, String id) {
        Http.Res r = e.http().get("/api/v1/plans/" + id, e.operator());
        assertThat(r.status()).as("GET plan %s: %s", id, r.text()).isEqualTo(200);
        return r.json();
    }

    /** Polls {@code get} until {@code done} holds; fails (with the last value) after {@link #PLAN_WAIT_MS}. */
    static JsonNode await(java.util.function.Supplier<JsonNode> get, Predicate<JsonNode> done, String what) {
        return ApiIntegrationTest.Env.await(get, done, what, PLAN_WAIT_MS);
    }

    /** Polls a plan until it is done or failed. */
    static JsonNode finished(ApiIntegrationTest.Env e, String id) {
        return await(() -> plan(e, id), p -> Set.of("done", "failed").contains(p.get("status").asText()), "plan " + id + " to finish");
    }

    static Set<String> folders(Path dataDir) {
        Path plans = dataDir.resolve("plans");
        if (!Files.isDirectory(plans)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(plans)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path dataDir() {
        return env.server().config().dataDir();
    }

    @Test
    void anOperatorSubmitsAPlanAndReadsItsResultAndReport() throws IOException {
        Http.Res r = submit(env, env.operator(), SMALL_PLAN);
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        String id = r.json().get("id").asText();
        assertThat(id).matches(ID);
        assertThat(r.json().get("name").asText()).isEqualTo("api-small");
        assertThat(r.json().get("status").asText()).isEqualTo("queued");
        assertThat(r.json().get("links").get("self").asText()).isEqualTo("/api/v1/plans/" + id);
        assertThat(r.json().get("links").get("report").asText()).isEqualTo("/api/v1/plans/" + id + "/report");
        assertThat(r.header("Location")).isEqualTo("/api/v1/plans/" + id);
        // stored before the answer: the input is on disk, as sent
        assertThat(Files.readString(dataDir().resolve("plans").resolve(id).resolve("plan.yaml"))).isEqualTo(SMALL_PLAN);

        JsonNode done = finished(env, id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.has("error")).isFalse();
        assertThat(done.get("finished_at").isTextual()).isTrue();
        assertThat(done.get("progress").get("done").asInt()).isEqualTo(done.get("progress").get("total").asInt()).isPositive();
        JsonNode result = done.get("result");
        assertThat(result.get("plan").asText()).isEqualTo("api-small");
        assertThat(result.get("quarters").toString()).isEqualTo("[\"2027-Q1\",\"2027-Q2\"]");
        JsonNode optimum = result.get("plans").get(0);
        assertThat(optimum.get("name").asText()).isEqualTo("optimal plan");
        assertThat(optimum.get("feasible").asBoolean()).as(optimum.toString()).isTrue();
        assertThat(optimum.get("schedule").toString()).isEqualTo("[{\"candidate\":\"MNL-A-x\",\"opens\":\"2027-Q2\"}]");
        // the result is what the plan's folder holds
        Path dir = dataDir().resolve("plans").resolve(id);
        assertThat(Http.JSON.readTree(dir.resolve("plan.json").toFile())).isEqualTo(result);
        assertThat(Http.JSON.readTree(dir.resolve("status.json").toFile()).get("status").asText()).isEqualTo("done");

        Http.Res list = env.http().get("/api/v1/plans", env.operator());
        assertThat(list.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().get("plans").forEach(p -> ids.add(p.get("id").asText()));
        assertThat(ids).contains(id);
        assertThat(ids).as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        JsonNode listed = list.json().get("plans").get(ids.indexOf(id));
        assertThat(listed.get("status").asText()).isEqualTo("done");
        assertThat(listed.get("name").asText()).isEqualTo("api-small");
        assertThat(listed.get("submitted_at").asText()).isEqualTo(done.get("submitted_at").asText());
        assertThat(listed.has("result")).as("the list carries no results").isFalse();

        Http.Res report = env.http().get("/api/v1/plans/" + id + "/report", env.operator());
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.contentType()).startsWith("text/html");
        assertThat(report.header("Content-Security-Policy")).startsWith("sandbox");
        assertThat(report.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(report.text()).contains("Capacity plan: api-small").isEqualTo(Files.readString(dir.resolve("plan.html")));

        Matcher m = Pattern.compile("(?m)^archipelago_plans\\{status=\"done\"[^}]*} ([0-9.]+)$").matcher(
                env.http().get("/metrics", null).text());
        assertThat(m.find()).as("archipelago_plans{status=\"done\"} in /metrics").isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theOpenApiDocumentDescribesThePlanRoutes() {
        JsonNode paths = env.http().get("/openapi.json", null).json().get("paths");
        JsonNode post = paths.get("/api/v1/plans").get("post");
        List<String> media = new ArrayList<>();
        post.get("requestBody").get("content").fieldNames().forEachRemaining(media::add);
        assertThat(media).containsExactly("application/yaml", "text/yaml", "application/x-yaml", "text/plain");
        assertThat(post.get("requestBody").get("content").get("application/yaml").get("schema").get("$ref").asText())
                .isEqualTo("#/components/schemas/PlanFile");
        assertThat(post.get("responses").get("202").get("content").get("application/json").get("schema").get("$ref").asText())
                .isEqualTo("#/components/schemas/PlanAccepted");
        List<String> statuses = new ArrayList<>();
        post.get("responses").fieldNames().forEachRemaining(statuses::add);
        assertThat(statuses).containsExactlyInAnyOrder("202", "400", "401", "403", "413", "415", "503");
        for (String path : List.of("/api/v1/plans", "/api/v1/plans/{id}", "/api/v1/plans/{id}/report")) {
            JsonNode op = paths.get(path).get(path.equals("/api/v1/plans") ? "post" : "get");
            assertThat(op.get("x-roles").toString()).as(path).isEqualTo("[\"operator\"]");
        }
        JsonNode get = paths.get("/api/v1/plans/{id}").get("get");
        assertThat(get.get("parameters").get(0).get("schema").get("type").asText()).as("plan ids are strings").isEqualTo("string");
        assertThat(paths.get("/api/v1/jobs/{id}").get("get").get("parameters").get(0).get("schema").get("type").asText()).isEqualTo("integer");
        assertThat(paths.get("/api/v1/plans/{id}/report").get("get").get("responses").get("200").get("content").has("text/html")).isTrue();
    }

    @Test
    void aTenantIsRefusedOnEveryPlanRoute() {
        String acme = env.tenant("acme-ai");
        Set<String> before = folders(dataDir());
        List<Http.Res> answers = List.of(submit(env, acme, small("tenant-plan")), env.http().get("/api/v1/plans", acme),
                env.http().get("/api/v1/plans/p-000001", acme), env.http().get("/api/v1/plans/p-000001/report", acme));
        for (Http.Res r : answers) {
            assertThat(r.status()).as(r.text()).isEqualTo(403);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).contains("a tenant token may not call", "operator");
        }
        assertThat(folders(dataDir())).isEqualTo(before);
        assertThat(submit(env, null, SMALL_PLAN).status()).isEqualTo(401);
    }

    @Test
    void badPlansAreRefusedWithTheParsersMessageAndStoreNothing() {
        Set<String> before = folders(dataDir());
        int listed = env.http().get("/api/v1/plans", env.operator()).json().get("plans").size();

        Http.Res site = submit(env, env.operator(), SMALL_PLAN.replace("site: MNL-A", "site: MNL-Q"));
        assertThat(site.status()).as(site.text()).isEqualTo(400);
        assertThat(site.contentType()).startsWith("application/problem+json");
        assertThat(site.json().get("detail").asText()).startsWith("request body, line 9, key candidates[0].site: value 'MNL-Q': unknown site")
                .contains("did you mean 'MNL-A'");
        assertThat(site.json().get("field").asText()).isEqualTo("candidates[0].site");

        Http.Res file = submit(env, env.operator(), SMALL_PLAN.replace("fleet: {scale: 0.125}", "fleet: {file: x.yaml}"));
        assertThat(file.status()).as(file.text()).isEqualTo(400);
        assertThat(file.json().get("detail").asText()).contains("line 3", "fleet.file", "'x.yaml'", "cannot be read through the API");

        Http.Res history = env.http().post("/api/v1/plans", env.operator(), SMALL_PLAN.replaceAll("(?s)demand:.*candidates:",
                "demand_history: {file: /etc/passwd}\ncandidates:"), "Content-Type", "text/plain; charset=utf-8");
        assertThat(history.status()).as(history.text()).isEqualTo(400);
        assertThat(history.json().get("detail").asText()).contains("demand_history", "cannot be read through the API");

        Http.Res yaml = submit(env, env.operator(), "name: [");
        assertThat(yaml.status()).isEqualTo(400);
        assertThat(yaml.json().get("detail").asText()).contains("line 1", "invalid YAML");
        Http.Res unknownKey = submit(env, env.operator(), SMALL_PLAN + "budget: 5\n");
        assertThat(unknownKey.status()).isEqualTo(400);
        assertThat(unknownKey.json().get("detail").asText()).contains("budget");
        assertThat(submit(env, env.operator(), "").status()).isEqualTo(400);

        Http.Res json = env.http().post("/api/v1/plans", env.operator(), "{\"name\":\"x\"}");
        assertThat(json.status()).isEqualTo(415);
        assertThat(json.json().get("detail").asText()).contains("'application/json'", "application/yaml");
        Http.Res large = submit(env, env.operator(), SMALL_PLAN + "#".repeat(70_000) + "\n");
        assertThat(large.status()).isEqualTo(413);

        assertThat(folders(dataDir())).as("nothing of a refused plan is stored").isEqualTo(before);
        assertThat(env.http().get("/api/v1/plans", env.operator()).json().get("plans")).hasSize(listed);

        Http.Res unknown = env.http().get("/api/v1/plans/p-999999", env.operator());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asText()).contains("p-999999", "GET /api/v1/plans");
        assertThat(env.http().get("/api/v1/plans/zzz", env.operator()).status()).isEqualTo(404);
        assertThat(env.http().get("/api/v1/plans/p-999999/report", env.operator()).status()).isEqualTo(404);
    }

    @Test
    void atMostFourPlansWaitAndTheyRunOneAtATimeInOrder() {
        Set<String> before = folders(dataDir());
        List<String> ids = new ArrayList<>();
        Http.Res refused = null;
        for (int i = 0; i < 8 && refused == null; i++) {
            Http.Res r = submit(env, env.operator(), small("busy-" + i));
            if (r.status() == 202) {
                ids.add(r.json().get("id").asText());
            } else {
                refused = r;
            }
        }
        assertThat(refused).as("the fifth pending plan is refused").isNotNull();
        assertThat(refused.status()).as(refused.text()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).contains("4 plans are queued or running", "retry later");
        assertThat(ids).hasSizeGreaterThanOrEqualTo(4);
        assertThat(ids).as("ids grow").isSorted();
        assertThat(folders(dataDir())).hasSize(before.size() + ids.size());

        // the last one waits behind the others: no report yet
        String last = ids.get(ids.size() - 1);
        assertThat(plan(env, last).get("status").asText()).isEqualTo("queued");
        Http.Res early = env.http().get("/api/v1/plans/" + last + "/report", env.operator());
        assertThat(early.status()).isEqualTo(404);
        assertThat(early.json().get("detail").asText()).contains(last + " is queued");

        JsonNode all = await(() -> {
            JsonNode list = env.http().get("/api/v1/plans", env.operator()).json();
            long running = 0;
            for (JsonNode p : list.get("plans")) {
                running += p.get("status").asText().equals("running") ? 1 : 0;
            }
            assertThat(running).as("plans run one at a time: %s", list).isLessThanOrEqualTo(1);
            return list;
        }, list -> {
            for (JsonNode p : list.get("plans")) {
                if (ids.contains(p.get("id").asText()) && !p.get("status").asText().equals("done")) {
                    return false;
                }
            }
            return true;
        }, "the busy plans to finish");
        List<JsonNode> busy = new ArrayList<>();
        all.get("plans").forEach(p -> {
            if (ids.contains(p.get("id").asText())) {
                busy.add(p);
            }
        });
        assertThat(busy).hasSize(ids.size());
        // sorted by finish time, the ids are in submission order: first come, first run
        List<String> byFinish = busy.stream().sorted(java.util.Comparator.comparing(p -> java.time.Instant.parse(p.get("finished_at").asText())))
                .map(p -> p.get("id").asText()).toList();
        assertThat(byFinish).isEqualTo(ids);
        JsonNode again = accepted(env, small("after-busy"));
        assertThat(again.get("status").asText()).as("room again").isEqualTo("queued");
        assertThat(finished(env, again.get("id").asText()).get("status").asText()).isEqualTo("done");
    }

    @Test
    void aRestartKeepsFinishedPlansAndRunsAcknowledgedOnesAgain() throws IOException {
        ServerConfig c = TestDatabases.config(TestDatabases.H2, root.resolve("restart")).withDemo(true);
        String before;
        JsonNode first;
        ApiIntegrationTest.Env e1 = ApiIntegrationTest.Env.start(c);
        try {
            before = accepted(e1, small("before-restart")).get("id").asText();
            first = finished(e1, before);
            assertThat(first.get("status").asText()).isEqualTo("done");
        } finally {
            e1.server().close();
        }
        // acknowledged, not yet run when the server stopped: only plan.yaml
        Path plans = c.dataDir().resolve("plans");
        Files.createDirectories(plans.resolve("p-000041"));
        Files.writeString(plans.resolve("p-000041").resolve("plan.yaml"), small("hand-made"));
        // one that no longer parses on this fleet (say the fleet changed): it fails, with the parser's message
        Files.createDirectories(plans.resolve("p-000040"));
        Files.writeString(plans.resolve("p-000040").resolve("plan.yaml"), small("gone-site").replace("site: MNL-A", "site: MNL-Z"));
        // not a plan folder: ignored
        Files.createDirectories(plans.resolve("notes"));

        ApiIntegrationTest.Env e2 = ApiIntegrationTest.Env.start(c);
        try {
            JsonNode kept = plan(e2, before);
            assertThat(kept.get("status").asText()).isEqualTo("done");
            assertThat(kept.get("result")).isEqualTo(first.get("result"));
            assertThat(kept.get("submitted_at")).isEqualTo(first.get("submitted_at"));
            assertThat(kept.get("finished_at")).isEqualTo(first.get("finished_at"));
            assertThat(e2.http().get("/api/v1/plans/" + before + "/report", e2.operator()).status()).isEqualTo(200);

            JsonNode handMade = finished(e2, "p-000041");
            assertThat(handMade.get("status").asText()).as(handMade.toString()).isEqualTo("done");
            assertThat(handMade.get("name").asText()).isEqualTo("hand-made");
            assertThat(handMade.get("result").get("plan").asText()).isEqualTo("hand-made");
            assertThat(plans.resolve("p-000041").resolve("plan.html")).isRegularFile();

            JsonNode gone = plan(e2, "p-000040");
            assertThat(gone.get("status").asText()).isEqualTo("failed");
            assertThat(gone.get("error").asText()).contains("plans/p-000040/plan.yaml", "candidates[0].site", "'MNL-Z'");
            assertThat(e2.http().get("/api/v1/plans/p-000040/report", e2.operator()).status()).isEqualTo(404);

            List<String> ids = new ArrayList<>();
            e2.http().get("/api/v1/plans", e2.operator()).json().get("plans").forEach(p -> ids.add(p.get("id").asText()));
            assertThat(ids).containsExactly("p-000041", "p-000040", before);
            assertThat(accepted(e2, small("after-restart")).get("id").asText()).as("ids continue from the largest on disk")
                    .isEqualTo("p-000042");
            assertThat(finished(e2, "p-000042").get("status").asText()).isEqualTo("done");
        } finally {
            e2.server().close();
        }
        // and the failure is remembered by a third start
        ApiIntegrationTest.Env e3 = ApiIntegrationTest.Env.start(c);
        try {
            JsonNode gone = plan(e3, "p-000040");
            assertThat(gone.get("status").asText()).isEqualTo("failed");
            assertThat(gone.get("error").asText()).contains("candidates[0].site");
            assertThat(plan(e3, "p-000042").get("status").asText()).isEqualTo("done");
        } finally {
            e3.server().close();
        }
    }
}

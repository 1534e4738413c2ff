package io.archipelago.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request is validated, and every refusal is the same shape: the right 4xx status, an
 * {@code application/problem+json} body with {@code type}, {@code title}, {@code status}, {@code detail} and
 * (for input errors) the offending {@code field}, no stack trace, and nothing stored. One table, one
 * parameterised test, run on H2 and on PostgreSQL.
 *
 * <p>Columns: description, method, path ({@code {job}} = a running job of acme-ai), token (acme-ai is
 * "tenant", globex-labs is "other tenant"), extra headers, body, expected status, expected {@code field}
 * (null = none; "" = the body as a whole), a substring of {@code detail}.
 *
 * <p>Also: neither a bad nor a good token ever appears in the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    @TempDir
    static Path root;

    private final Map<String, ApiIntegrationTest.Env> envs = new LinkedHashMap<>();
    private final Map<String, Long> acmeJob = new LinkedHashMap<>();

    /** Whose token a row sends. */
    enum Token { NONE, BAD, TENANT, OTHER_TENANT, OPERATOR, AGENT }

    /** One row of the table. */
    record Row(String description, String method, String path, Token token, List<String> headers, String body, int status, String field,
               String detail) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static final String OK = "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024}}";
    private static final String JOBS = "/api/v1/jobs";

    private static Row post(String description, String body, int status, String field, String detail) {
        return new Row(description, "POST", JOBS, Token.TENANT, List.of(), body, status, field, detail);
    }

    private static Row row(String description, String method, String path, Token token, int status, String field, String detail) {
        return new Row(description, method, path, token, List.of(), method.equals("POST") ? "{}" : null, status, field, detail);
    }

    private static Row withHeader(String description, Token token, String header, String value, String body, int status, String field,
                                  String detail) {
        return new Row(description, "POST", JOBS, token, List.of(header, value), body, status, field, detail);
    }

    private static String res(String resources) {
        return "{\"resources\":" + resources + "}";
    }

    private static String gpu(String gpu) {
        return res("{\"cpu_milli\":1000,\"memory_mib\":1024,\"gpu\":" + gpu + "}");
    }

    private static String placement(String placement) {
        return "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024},\"placement\":" + placement + "}";
    }

    private static String with(String extra) {
        return "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024}," + extra + "}";
    }

    static List<Row> table() {
        return List.of(
                // the body as a whole
                post("body not JSON", "not json", 400, "", "the body is not valid JSON"),
                post("body a JSON array", "[" + OK + "]", 400, "", "must be a JSON object describing the job, got an array"),
                post("empty body", "", 400, "", "the body is empty"),
                post("body the JSON null", "null", 400, "", "got null"),
                withHeader("wrong Content-Type", Token.TENANT, "Content-Type", "text/plain", OK, 415, "Content-Type",
                        "Content-Type 'text/plain': send the body as application/json"),
                post("oversized body (> 64 KiB)", "{\"name\":\"" + "x".repeat(70_000) + "\"}", 413, null, "at most 65536"),
                // resources
                post("missing resources", "{\"name\":\"a\"}", 400, "resources", "missing field resources"),
                post("resources not an object", res("[1000]"), 400, "resources", "resources: expected an object, got an array"),
                post("missing memory_mib", res("{\"cpu_milli\":1000}"), 400, "resources.memory_mib", "missing field resources.memory_mib"),
                post("cpu_milli as a string", res("{\"cpu_milli\":\"1000\",\"memory_mib\":1024}"), 400, "resources.cpu_milli",
                        "expected an integer 0..1000000000, got string \"1000\""),
                post("cpu_milli a fraction", res("{\"cpu_milli\":1.5,\"memory_mib\":1024}"), 400, "resources.cpu_milli", "got number 1.5"),
                post("negative cpu", res("{\"cpu_milli\":-1,\"memory_mib\":1024}"), 400, "resources.cpu_milli", "-1 outside 0..1000000000"),
                post("memory absurd (> 2^40 MiB)", res("{\"cpu_milli\":1000,\"memory_mib\":1099511627777}"), 400, "resources.memory_mib",
                        "1099511627777 outside 0..1099511627776"),
                post("neither CPU nor GPU", res("{\"cpu_milli\":0,\"memory_mib\":1024}"), 400, "resources", "neither CPU nor GPU"),
                post("gpu not an object", gpu("1"), 400, "resources.gpu", "expected an object"),
                post("gpu count 9: no node has 9 GPUs", gpu("{\"count\":9}"), 422, "resources.gpu.count",
                        "no node in the fleet can hold one task"),
                post("gpu count 17: above any node's maximum", gpu("{\"count\":17}"), 400, "resources.gpu.count", "17 outside 0..16"),
                post("gpu milli 0", gpu("{\"count\":1,\"milli\":0}"), 400, "resources.gpu.milli", "0 outside 1..1000"),
                post("gpu milli 500 with count 2", gpu("{\"count\":2,\"milli\":500}"), 400, "resources.gpu.milli",
                        "a multi-GPU task takes whole GPUs"),
                post("unknown GPU model B300", gpu("{\"count\":1,\"models\":[\"B300\"]}"), 422, "resources.gpu.models",
                        "unknown GPU model 'B300'"),
                post("GPU model A100 not in the fleet", gpu("{\"count\":1,\"models\":[\"A100\"]}"), 422, "resources.gpu.models",
                        "A100 is not in this fleet"),
                post("models not an array", gpu("{\"count\":1,\"models\":\"H100\"}"), 400, "resources.gpu.models",
                        "expected an array of strings"),
                post("cpu 10,000,000 milli: larger than any node", res("{\"cpu_milli\":10000000,\"memory_mib\":1024}"), 422,
                        "resources.cpu_milli", "the largest nodes have 224000 milli-CPU"),
                post("memory 4 TiB: larger than any node", res("{\"cpu_milli\":1000,\"memory_mib\":4194304}"), 422, "resources.memory_mib",
                        "no node in the fleet can hold one task"),
                post("unknown resources field", res("{\"cpu_milli\":1000,\"memory_mib\":1024,\"disk_gib\":10}"), 400,
                        "resources.disk_gib", "unknown field resources.disk_gib"),
                // placement
                post("unknown origin region", placement("{\"origin\":\"eu-west-1\"}"), 422, "placement.origin", "unknown region 'eu-west-1'"),
                post("unknown residency region", placement("{\"residency\":{\"regions\":[\"us-east-1\"]}}"), 422,
                        "placement.residency.regions", "unknown region 'us-east-1'"),
                post("unknown jurisdiction", placement("{\"residency\":{\"jurisdictions\":[\"XX\"]}}"), 422,
                        "placement.residency.jurisdictions", "unknown jurisdiction 'XX'"),
                post("residency SG with a 5 ms SLO from ap-southeast-7: no site", placement(
                        "{\"origin\":\"ap-southeast-7\",\"residency\":{\"jurisdictions\":[\"SG\"]},\"latency_slo_ms\":5}"), 422, "placement",
                        "no site satisfies"),
                post("H20 only, residency SG: no SG site has an H20", "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024,\"gpu\":"
                        + "{\"count\":1,\"models\":[\"H20\"]}},\"placement\":{\"residency\":{\"jurisdictions\":[\"SG\"]}}}", 422, "placement",
                        "has a node that can hold one task"),
                post("latency SLO without origin", placement("{\"latency_slo_ms\":20}"), 400, "placement.latency_slo_ms",
                        "needs placement.origin"),
                post("latency SLO 0", placement("{\"origin\":\"ap-southeast-1\",\"latency_slo_ms\":0}"), 400, "placement.latency_slo_ms",
                        "0 outside 1..60000"),
                post("residency not an object", placement("{\"residency\":[\"SG\"]}"), 400, "placement.residency", "expected an object"),
                // the rest of the job
                post("unknown top-level field", with("\"colour\":\"red\""), 400, "colour", "unknown field colour"),
                post("gang 0", with("\"gang\":0"), 400, "gang", "gang 0 outside 1..256"),
                post("gang 100000", with("\"gang\":100000"), 400, "gang", "gang 100000 outside 1..256"),
                post("gang 257", with("\"gang\":257"), 400, "gang", "gang 257 outside 1..256"),
                post("gang 17 of whole H20 nodes in ap-southeast-6 (16 such nodes)", "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024,"
                        + "\"gpu\":{\"count\":8,\"models\":[\"H20\"]}},\"gang\":17,\"placement\":{\"residency\":{\"regions\":[\"ap-southeast-6\"]}}}",
                        422, "gang", "could hold at most 16 such tasks"),
                post("tier gold", with("\"tier\":\"gold\""), 400, "tier", "tier 'gold': expected one of on-demand, spot, reserved"),
                post("priority urgent", with("\"priority\":\"urgent\""), 400, "priority", "priority 'urgent': expected one of"),
                post("name with spaces", with("\"name\":\"my job\""), 400, "name", "name 'my job': expected 1..128 characters"),
                post("name a number", with("\"name\":7"), 400, "name", "name: expected a string, got number 7"),
                post("negative duration", with("\"duration_s\":-5"), 400, "duration_s", "duration_s -5 outside 0..31622400"),
                post("duration over a year", with("\"duration_s\":40000000"), 400, "duration_s", "outside 0..31622400"),
                // tokens and roles
                new Row("missing token", "POST", JOBS, Token.NONE, List.of(), OK, 401, "Authorization", "missing Authorization header"),
                new Row("bad token", "POST", JOBS, Token.BAD, List.of(), OK, 401, "Authorization", "unknown or revoked token"),
                withHeader("malformed Authorization header", Token.NONE, "Authorization", "Basic YWNtZTpzZWNyZXQ=", OK, 401,
                        "Authorization", "must be 'Bearer <token>'"),
                row("tenant calling an operator route", "GET", "/api/v1/fleet", Token.TENANT, 403, null,
                        "a tenant token may not call GET /api/v1/fleet"),
                new Row("tenant creating a tenant", "POST", "/api/v1/tenants", Token.TENANT, List.of(), "{\"name\":\"evil\"}", 403, null,
                        "a tenant token may not call POST /api/v1/tenants"),
                new Row("agent token submitting a job", "POST", JOBS, Token.AGENT, List.of(), OK, 403, null,
                        "an agent token may not call POST /api/v1/jobs"),
                row("tenant calling the node-agent API", "POST", "/api/v1/agent/nodes/SIN-A-h200-001/register", Token.TENANT, 403, null,
                        "may not call POST /api/v1/agent/nodes/{node}/register"),
                new Row("tenant submitting for another tenant", "POST", JOBS, Token.TENANT, List.of(), with("\"tenant\":\"globex-labs\""),
                        403, "tenant", "a tenant submits only for itself"),
                new Row("operator not naming the tenant", "POST", JOBS, Token.OPERATOR, List.of(), OK, 400, "tenant",
                        "an operator must name the tenant"),
                new Row("operator naming an unknown tenant", "POST", JOBS, Token.OPERATOR, List.of(), with("\"tenant\":\"nobody\""), 422,
                        "tenant", "is not a known tenant"),
                new Row("tenant field not a string", "POST", JOBS, Token.OPERATOR, List.of(), with("\"tenant\":42"), 400, "tenant",
                        "tenant: expected a string, got number 42"),
                // jobs by id
                row("another tenant's job", "GET", "/api/v1/jobs/{job}", Token.OTHER_TENANT, 404, null, "not found (or not yours)"),
                row("cancelling another tenant's job", "DELETE", "/api/v1/jobs/{job}", Token.OTHER_TENANT, 404, null,
                        "not found (or not yours)"),
                row("another tenant's job history", "GET", "/api/v1/jobs/{job}/events", Token.OTHER_TENANT, 404, null,
                        "not found (or not yours)"),
                row("non-numeric job id", "GET", "/api/v1/jobs/abc", Token.TENANT, 400, "id", "id 'abc': expected a positive integer"),
                row("job id 0", "DELETE", "/api/v1/jobs/0", Token.TENANT, 400, "id", "expected a positive integer"),
                row("no such job", "GET", "/api/v1/jobs/987654321", Token.TENANT, 404, null, "job 987654321 not found"),
                // routes
                row("unknown route", "GET", "/api/v1/nope", Token.TENANT, 404, null, "no route GET /api/v1/nope; see /openapi.json"),
                row("unknown method on a route", "PUT", "/api/v1/jobs", Token.TENANT, 404, null, "no route PUT /api/v1/jobs"),
                // headers
                withHeader("Idempotency-Key too long", Token.TENANT, "Idempotency-Key", "k".repeat(129), OK, 400, "Idempotency-Key",
                        "expected 1..128 printable ASCII characters"),
                withHeader("Idempotency-Key with a space", Token.TENANT, "Idempotency-Key", "a b", OK, 400, "Idempotency-Key",
                        "without spaces"),
                // list filters
                row("list state=foo", "GET", JOBS + "?state=foo", Token.TENANT, 400, "state", "state 'foo': expected queued, running"),
                row("list limit=0", "GET", JOBS + "?limit=0", Token.TENANT, 400, "limit", "limit '0': expected an integer 1..1000"),
                row("list limit=1001", "GET", JOBS + "?limit=1001", Token.TENANT, 400, "limit", "expected an integer 1..1000"),
                row("list limit=ten", "GET", JOBS + "?limit=ten", Token.TENANT, 400, "limit", "limit 'ten'"),
                row("list cursor=xyz", "GET", JOBS + "?cursor=xyz", Token.TENANT, 400, "cursor", "is not one this API gave out"),
                row("list region=mars-1", "GET", JOBS + "?region=mars-1", Token.TENANT, 400, "region", "region 'mars-1' is not in the fleet"),
                row("list another tenant's jobs", "GET", JOBS + "?tenant=globex-labs", Token.TENANT, 403, "tenant",
                        "a tenant lists only its own jobs"),
                // tenants, fleet, agents
                new Row("tenant name with capitals", "POST", "/api/v1/tenants", Token.OPERATOR, List.of(), "{\"name\":\"Big Corp\"}", 400,
                        "name", "name 'Big Corp': expected 1..64 of a-z 0-9 -"),
                new Row("tenant request with an unknown field", "POST", "/api/v1/tenants", Token.OPERATOR, List.of(),
                        "{\"name\":\"x\",\"plan\":\"pro\"}", 400, "plan", "unknown field plan"),
                new Row("tenant name that exists", "POST", "/api/v1/tenants", Token.OPERATOR, List.of(), "{\"name\":\"acme-ai\"}", 409,
                        "name", "already exists"),
                new Row("dry-run with an unknown GPU model", "POST", "/api/v1/dry-run", Token.OPERATOR, List.of(),
                        gpu("{\"count\":1,\"models\":[\"B300\"]}"), 422, "resources.gpu.models", "unknown GPU model 'B300'"),
                row("nodes of an unknown site", "GET", "/api/v1/sites/XYZ-9/nodes", Token.OPERATOR, 404, null, "site 'XYZ-9' is not in fleet"),
                row("cordon an unknown node", "POST", "/api/v1/nodes/no-such-node/cordon", Token.OPERATOR, 404, null,
                        "node 'no-such-node' is not in fleet"),
                row("heartbeat of a node without an agent", "POST", "/api/v1/agent/nodes/SIN-A-h200-064/heartbeat", Token.AGENT, 409, null,
                        "has no registered agent"),
                new Row("task report without ok", "POST", "/api/v1/agent/nodes/SIN-A-h200-064/tasks/1/0/finished", Token.AGENT, List.of(),
                        "{}", 400, "ok", "ok: expected true or false, got nothing"),
                row("task index not a number", "POST", "/api/v1/agent/nodes/SIN-A-h200-064/tasks/1/x/started", Token.AGENT, 400, "task",
                        "task 'x': expected the task index"));
    }

    static Stream<Arguments> rows() {
        return Stream.of(TestDatabases.H2, TestDatabases.POSTGRESQL).flatMap(kind -> table().stream().map(r -> Arguments.of(kind, r)));
    }

    ApiIntegrationTest.Env env(String kind) {
        return envs.computeIfAbsent(kind, k -> {
            ApiIntegrationTest.Env e = ApiIntegrationTest.Env.start(TestDatabases.config(k, root.resolve(k)).withDemo(true));
            acmeJob.put(k, e.created(e.tenant("acme-ai"), OK).get("id").asLong());
            return e;
        });
    }

    @AfterAll
    void stopServers() {
        envs.values().forEach(e -> e.server().close());
    }

    private String token(ApiIntegrationTest.Env e, Token t) {
        return switch (t) {
            case NONE -> null;
            case BAD -> "ap_this-is-not-a-token-of-this-server-0000000000";
            case TENANT -> e.tenant("acme-ai");
            case OTHER_TENANT -> e.tenant("globex-labs");
            case OPERATOR -> e.operator();
            case AGENT -> e.agent();
        };
    }

    /** What a refused request must not have changed: the jobs and the principals, as the operator sees them. */
    private static String stored(ApiIntegrationTest.Env e) {
        return e.allJobs().stream().map(j -> j.get("id") + ":" + j.get("state").asText()).toList() + " "
                + e.http().get("/api/v1/tenants", e.operator()).text();
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("rows")
    void everyBadRequestIsRefusedWithAProblemNamingTheFieldAndNothingIsStored(String kind, Row row) {
        ApiIntegrationTest.Env e = env(kind);
        String path = row.path().replace("{job}", String.valueOf(acmeJob.get(kind)));
        String before = stored(e);

        Http.Res r = e.http().send(row.method(), path, token(e, row.token()), row.body(), row.headers().toArray(String[]::new));

        assertThat(r.status()).as("status; body %s", r.text()).isEqualTo(row.status());
        assertThat(r.contentType()).as("Content-Type").startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p).as("a JSON body: %s", r.text()).isNotNull();
        assertThat(p.path("type").asText()).startsWith("https://archipelago.dev/problems/");
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("status").asInt()).isEqualTo(row.status());
        assertThat(p.path("instance").asText()).isEqualTo(path.replaceAll("\\?.*", ""));
        if (row.field() == null) {
            assertThat(p.has("field")).as("no field in %s", r.text()).isFalse();
        } else {
            assertThat(p.path("field").asText(null)).as("field in %s", r.text()).isEqualTo(row.field());
        }
        assertThat(p.path("detail").asText()).contains(row.detail());
        assertThat(r.text()).as("no stack trace reaches the client").doesNotContain("Exception").doesNotContain("at io.")
                .doesNotContain("at java.").doesNotContain("\tat ");
        if (row.status() == 401) {
            assertThat(r.header("WWW-Authenticate")).as("a 401 says how to authenticate").startsWith("Bearer");
        }
        JsonNode op = operation(e, row.method(), path);
        if (op != null) {
            assertThat(op.get("responses").has(String.valueOf(row.status()))).as("status %d is documented for %s %s", row.status(),
                    row.method(), row.path()).isTrue();
        }
        assertThat(stored(e)).as("nothing was stored").isEqualTo(before);
    }

    private final Map<String, JsonNode> openApi = new LinkedHashMap<>();

    /** The OpenAPI operation a request hits, or null (an unknown route or method). */
    private JsonNode operation(ApiIntegrationTest.Env e, String method, String path) {
        JsonNode doc = openApi.computeIfAbsent(e.server().baseUrl(), u -> e.http().get("/openapi.json", null).json());
        String p = path.replaceAll("\\?.*", "");
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (p.matches(entry.getKey().replaceAll("\\{[a-z]+}", "[^/]+"))) {
                return entry.getValue().get(method.toLowerCase(Locale.ROOT));
            }
        }
        return null;
    }

    @Test
    void noTokenEverReachesTheLog() {
        ApiIntegrationTest.Env e = env(TestDatabases.H2);
        Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Level level = rootLogger.getLevel();
        rootLogger.setLevel(Level.DEBUG);
        rootLogger.addAppender(captured);
        String bad = "ap_not-a-real-token-but-must-not-be-logged-either";
        String good = e.tenant("acme-ai");
        String created;
        try {
            assertThat(e.http().get("/api/v1/jobs", bad).status()).isEqualTo(401);
            assertThat(e.http().send("GET", "/api/v1/jobs", null, null, "Authorization", "Token " + bad).status()).isEqualTo(401);
            assertThat(e.http().get("/api/v1/jobs", good).status()).isEqualTo(200);
            assertThat(e.submit(good, OK).status()).isEqualTo(201);
            assertThat(e.http().get("/api/v1/fleet", good).status()).isEqualTo(403);
            Http.Res t = e.http().post("/api/v1/tenants", e.operator(), "{\"name\":\"logged-" + System.nanoTime() % 100000 + "\"}");
            assertThat(t.status()).isEqualTo(201);
            created = t.json().get("token").asText();
            ApiIntegrationTest.Env.await(() -> Http.JSON.valueToTree(requestLines(captured)), n -> n.size() >= 6,
                    "the debug request log lines of the six requests");
        } finally {
            rootLogger.detachAppender(captured);
            rootLogger.setLevel(level);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent ev : captured.list) {
            lines.add(ev.getFormattedMessage() + " " + ev.getKeyValuePairs() + " " + ev.getMDCPropertyMap()
                    + (ev.getThrowableProxy() == null ? "" : " " + ev.getThrowableProxy().getMessage()));
        }
        assertThat(lines).as("log lines were captured").isNotEmpty();
        for (String secret : List.of(bad, good, created, e.operator())) {
            assertThat(lines).as("no log line contains a token").noneMatch(l -> l.contains(secret));
        }
    }

    private static List<String> requestLines(ListAppender<ILoggingEvent> a) {
        synchronized (a) {
            return a.list.stream().filter(ev -> ev.getFormattedMessage().equals("request")).map(ILoggingEvent::toString).toList();
        }
    }
}

package io.archipelago.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.archipelago.server.api.OpenApi;
import io.javalin.router.ParsedEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /openapi.json} tells the truth: it documents exactly the endpoints the server registers, every
 * reference resolves, every authenticated operation documents 401 and 403, every error answer is a Problem,
 * and real answers of the server conform to the documented schemas (every key they carry is documented,
 * with its type). The document does not depend on the database, so one H2 server is enough.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiSyncTest {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([a-z]+)}");
    @TempDir
    static Path root;

    private ApiIntegrationTest.Env env;
    private JsonNode doc;

    @BeforeAll
    void start() {
        env = ApiIntegrationTest.Env.start(TestDatabases.config(TestDatabases.H2, root).withDemo(true)
                .withResultsDir(TestResults.write(root.resolve("results"))));
        Http.Res r = env.http().get("/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        doc = r.json();
    }

    @AfterAll
    void stop() {
        env.server().close();
    }

    /** "GET /api/v1/jobs/{id}" for every operation of the document. */
    private Set<String> documented() {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = doc.get("paths").fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            path.getValue().fieldNames().forEachRemaining(m -> out.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }
        return out;
    }

    private List<Map.Entry<String, JsonNode>> operations() {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(
                m -> out.add(Map.entry(m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), m.getValue()))));
        return out;
    }

    @Test
    void everyRegisteredEndpointIsDocumentedAndEveryDocumentedOperationIsRegistered() {
        Set<String> registered = new TreeSet<>();
        for (ParsedEndpoint pe : env.server().api().javalin().unsafe.internalRouter.allHttpHandlers()) {
            if (pe.endpoint.method.isHttpMethod()) {
                registered.add(pe.endpoint.method.name() + " " + pe.endpoint.path);
            }
        }
        assertThat(registered).contains("POST /api/v1/jobs", "GET /api/v1/jobs/{id}", "GET /openapi.json");
        assertThat(documented()).isEqualTo(registered);
        assertThat(registered).hasSize(env.server().api().routes().size());
    }

    @Test
    void everyReferenceResolvesToAComponentSchema() {
        List<String> refs = new ArrayList<>();
        OpenApi.refs(doc, refs);
        assertThat(refs).isNotEmpty();
        JsonNode schemas = doc.get("components").get("schemas");
        for (String ref : refs) {
            assertThat(ref).startsWith("#/components/schemas/");
            assertThat(schemas.has(ref.substring("#/components/schemas/".length()))).as("%s resolves", ref).isTrue();
        }
    }

    @Test
    void everyOperationDocumentsItsPathParametersAndAUniqueOperationId() {
        Set<String> ids = new TreeSet<>();
        for (Map.Entry<String, JsonNode> op : operations()) {
            Set<String> expected = new TreeSet<>();
            Matcher m = PATH_PARAM.matcher(op.getKey());
            while (m.find()) {
                expected.add(m.group(1));
            }
            Set<String> declared = new TreeSet<>();
            op.getValue().path("parameters").forEach(p -> {
                if (p.get("in").asText().equals("path")) {
                    declared.add(p.get("name").asText());
                    assertThat(p.get("required").asBoolean()).isTrue();
                }
            });
            assertThat(declared).as("path parameters of %s", op.getKey()).isEqualTo(expected);
            assertThat(ids.add(op.getValue().get("operationId").asText())).as("operationId of %s is unique", op.getKey()).isTrue();
        }
    }

    @Test
    void everyAuthenticatedOperationDocuments401And403AndEveryErrorIsAProblem() {
        int authenticated = 0;
        for (Map.Entry<String, JsonNode> op : operations()) {
            JsonNode responses = op.getValue().get("responses");
            if (op.getValue().has("x-roles")) {
                authenticated++;
                assertThat(op.getValue().get("security")).as("%s needs a bearer token", op.getKey()).isNotNull();
                assertThat(responses.has("401")).as("%s documents 401", op.getKey()).isTrue();
                assertThat(responses.has("403")).as("%s documents 403", op.getKey()).isTrue();
            }
            for (Iterator<String> it = responses.fieldNames(); it.hasNext(); ) {
                String status = it.next();
                if (status.startsWith("4") || status.startsWith("5")) {
                    assertThat(responses.get(status).path("content").path("application/problem+json").path("schema").path("$ref").asText())
                            .as("%s %s is a Problem", op.getKey(), status).isEqualTo("#/components/schemas/Problem");
                }
            }
        }
        assertThat(authenticated).isGreaterThan(10);
        assertThat(doc.get("paths").get("/health").get("get").has("x-roles")).as("health needs no token").isFalse();
    }

    @Test
    void aRealJobCarriesOnlyDocumentedTopLevelProperties() {
        JsonNode job = env.created(env.tenant("acme-ai"), ApiIntegrationTest.SMALL_GPU_JOB);
        JsonNode documentedJob = doc.get("components").get("schemas").get("Job").get("properties");
        List<String> keys = new ArrayList<>();
        job.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isNotEmpty().allSatisfy(k -> assertThat(documentedJob.has(k)).as("Job property %s is documented", k).isTrue());
        env.cancel(env.tenant("acme-ai"), job.get("id").asLong());
    }

    /**
     * Every operation, called for real, answers what its documented success response says: Content-Type,
     * every key documented (recursively, through $ref), types, enums, required keys, date-times.
     */
    @Test
    void realAnswersConformToTheDocumentedSchemas() {
        Set<String> checked = new TreeSet<>();
        String acme = env.tenant("acme-ai");
        String op = env.operator();
        String agent = env.agent();
        Http h = env.http();

        // a small capacity plan runs in the background meanwhile
        Http.Res plan = h.post("/api/v1/plans", op, PlanApiTest.SMALL_PLAN, "Content-Type", "application/yaml");
        check(checked, "POST", "/api/v1/plans", plan);
        String planId = plan.json().get("id").asText();
        check(checked, "GET", "/health", h.get("/health", null));
        check(checked, "GET", "/ready", h.get("/ready", null));
        check(checked, "GET", "/metrics", h.get("/metrics", null));
        check(checked, "GET", "/openapi.json", h.get("/openapi.json", null));
        Http.Res running = h.post("/api/v1/jobs", acme, ApiIntegrationTest.SMALL_GPU_JOB, "Idempotency-Key", "sync-1");
        check(checked, "POST", "/api/v1/jobs", running);
        check(checked, "POST", "/api/v1/jobs", h.post("/api/v1/jobs", acme, ApiIntegrationTest.SMALL_GPU_JOB, "Idempotency-Key", "sync-1"));
        long filler = env.created(acme, ApiIntegrationTest.FILL_MNL_A).get("id").asLong();
        long queued = env.created(acme, ApiIntegrationTest.FILL_MNL_A).get("id").asLong();
        Http.Res queuedJob = h.get("/api/v1/jobs/" + queued, acme);
        assertThat(queuedJob.json().get("explanation").has("sites")).isTrue();
        check(checked, "GET", "/api/v1/jobs/{id}", queuedJob);
        check(checked, "GET", "/api/v1/jobs/{id}", h.get("/api/v1/jobs/" + running.json().get("id").asLong(), acme));
        check(checked, "GET", "/api/v1/jobs", h.get("/api/v1/jobs?limit=2", acme));
        check(checked, "GET", "/api/v1/jobs/{id}/explain", h.get("/api/v1/jobs/" + running.json().get("id").asLong() + "/explain", acme));
        check(checked, "GET", "/api/v1/jobs/{id}/events", h.get("/api/v1/jobs/" + running.json().get("id").asLong() + "/events", acme));
        check(checked, "DELETE", "/api/v1/jobs/{id}", h.delete("/api/v1/jobs/" + queued, acme));
        check(checked, "DELETE", "/api/v1/jobs/{id}", h.delete("/api/v1/jobs/" + filler, acme));
        check(checked, "DELETE", "/api/v1/jobs/{id}", h.delete("/api/v1/jobs/" + running.json().get("id").asLong(), acme));
        check(checked, "POST", "/api/v1/dry-run", h.post("/api/v1/dry-run", op,
                "{\"resources\":{\"cpu_milli\":4000,\"memory_mib\":8192,\"gpu\":{\"count\":8}},\"placement\":{\"origin\":\"ap-southeast-7\",\"latency_slo_ms\":20}}"));
        check(checked, "POST", "/api/v1/dry-run", h.post("/api/v1/dry-run", op, "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024,"
                + "\"gpu\":{\"count\":8,\"models\":[\"H20\"]}},\"gang\":16,\"placement\":{\"residency\":{\"regions\":[\"ap-southeast-6\"]}}}"));
        check(checked, "GET", "/api/v1/fleet", h.get("/api/v1/fleet", op));
        check(checked, "GET", "/api/v1/sites/{site}/nodes", h.get("/api/v1/sites/BKK-A/nodes", op));
        for (String a : List.of("cordon", "uncordon", "drain", "uncordon")) {
            check(checked, "POST", "/api/v1/nodes/{node}/" + a, h.post("/api/v1/nodes/SIN-A-h200-064/" + a, op, null));
        }
        check(checked, "POST", "/api/v1/sites/{site}/down", h.post("/api/v1/sites/MNL-B/down", op, null));
        check(checked, "POST", "/api/v1/sites/{site}/up", h.post("/api/v1/sites/MNL-B/up", op, null));
        check(checked, "GET", "/api/v1/policy", h.get("/api/v1/policy", op));
        check(checked, "GET", "/api/v1/tenants", h.get("/api/v1/tenants", op));
        check(checked, "GET", "/api/v1/me", h.get("/api/v1/me", acme));
        Http.Res hello = h.firstEvent("/api/v1/stream", op);
        check(checked, "GET", "/api/v1/stream", hello);
        assertThat(hello.text()).startsWith("event: hello\ndata: {\"name\":\"operator\",\"role\":\"operator\"");
        check(checked, "GET", "/api/v1/results", h.get("/api/v1/results", acme));
        check(checked, "GET", "/api/v1/results/{name}/curves", h.get("/api/v1/results/" + TestResults.STUDY + "/curves", acme));
        check(checked, "GET", "/api/v1/results/{name}/files/{file}", h.get("/api/v1/results/" + TestResults.SIMULATION + "/files/report.html", acme));
        check(checked, "GET", "/api/v1/results/{name}/curves", h.get("/api/v1/results/" + TestResults.SIMULATION + "/curves", acme));
        check(checked, "GET", "/api/v1/results/{name}/files/{file}", h.get("/api/v1/results/" + TestResults.STUDY + "/files/..", acme));
        check(checked, "POST", "/api/v1/tenants", h.post("/api/v1/tenants", op, "{\"name\":\"sync-tenant\"}"));

        // a node agent on one of the 16 V100 nodes (all free now); a gang of 16 whole V100 nodes has a task on it
        String node = "BKK-A-v100-016";
        check(checked, "POST", "/api/v1/agent/nodes/{node}/register", h.post("/api/v1/agent/nodes/" + node + "/register", agent, null));
        long gang = env.created(acme, "{\"resources\":{\"cpu_milli\":1000,\"memory_mib\":1024,\"gpu\":{\"count\":8,\"models\":[\"V100M32\"]}},"
                + "\"gang\":16}").get("id").asLong();
        Http.Res beat = h.post("/api/v1/agent/nodes/" + node + "/heartbeat", agent, null);
        check(checked, "POST", "/api/v1/agent/nodes/{node}/heartbeat", beat);
        assertThat(beat.json().get("tasks")).hasSize(1);
        int task = beat.json().get("tasks").get(0).get("task").asInt();
        assertThat(beat.json().get("tasks").get(0).get("job").asLong()).isEqualTo(gang);
        String tasks = "/api/v1/agent/nodes/" + node + "/tasks/" + gang + "/" + task;
        check(checked, "POST", "/api/v1/agent/nodes/{node}/tasks/{job}/{task}/started", h.post(tasks + "/started", agent, null));
        check(checked, "POST", "/api/v1/agent/nodes/{node}/tasks/{job}/{task}/finished", h.post(tasks + "/finished", agent, "{\"ok\":true}"));
        env.cancel(acme, gang);

        check(checked, "GET", "/api/v1/plans/{id}", h.get("/api/v1/plans/" + planId, op));
        JsonNode finished = PlanApiTest.await(() -> h.get("/api/v1/plans/" + planId, op).json(),
                p -> Set.of("done", "failed").contains(p.get("status").asText()), "plan " + planId + " to finish");
        assertThat(finished.get("status").asText()).as(finished.toString()).isEqualTo("done");
        check(checked, "GET", "/api/v1/plans/{id}", h.get("/api/v1/plans/" + planId, op));
        check(checked, "GET", "/api/v1/plans", h.get("/api/v1/plans", op));
        check(checked, "GET", "/api/v1/plans/{id}/report", h.get("/api/v1/plans/" + planId + "/report", op));
        check(checked, "POST", "/api/v1/plans", h.post("/api/v1/plans", op, "name: [", "Content-Type", "application/yaml"));
        check(checked, "POST", "/api/v1/plans", h.post("/api/v1/plans", op, "{}"));
        check(checked, "GET", "/api/v1/plans/{id}/report", h.get("/api/v1/plans/p-999999/report", op));
        check(checked, "GET", "/api/v1/plans", h.get("/api/v1/plans", acme));

        // problems, from several routes
        check(checked, "GET", "/api/v1/jobs", h.get("/api/v1/jobs?limit=0", acme));
        check(checked, "POST", "/api/v1/jobs", h.post("/api/v1/jobs", null, "{}"));
        check(checked, "GET", "/api/v1/fleet", h.get("/api/v1/fleet", acme));

        assertThat(checked).as("every documented operation was called and checked").isEqualTo(documented());
    }

    /** Checks {@code r} against the documented response of {@code method path} for its status. */
    private void check(Set<String> checked, String method, String path, Http.Res r) {
        String key = method + " " + path;
        JsonNode op = doc.get("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        assertThat(op.isMissingNode()).as("%s is documented", key).isFalse();
        JsonNode response = op.get("responses").get(String.valueOf(r.status()));
        assertThat(response).as("%s documents status %d (body %s)", key, r.status(), r.text()).isNotNull();
        if (response.has("content")) {
            Map.Entry<String, JsonNode> content = response.get("content").fields().next();
            if (!content.getKey().equals("*/*")) {
                assertThat(r.contentType()).as("Content-Type of %s %d", key, r.status()).startsWith(content.getKey());
            }
            if (content.getKey().contains("json")) {
                List<String> problems = new ArrayList<>();
                conform(content.getValue().get("schema"), r.json(), "$", problems);
                assertThat(problems).as("%s %d answered %s", key, r.status(), r.text()).isEmpty();
            }
        }
        if (r.status() < 300) {
            checked.add(key);
        }
    }

    /** Appends to {@code problems} every way {@code value} departs from {@code schema}. */
    private void conform(JsonNode schema, JsonNode value, String at, List<String> problems) {
        if (schema.has("$ref")) {
            conform(doc.get("components").get("schemas").get(schema.get("$ref").asText().substring("#/components/schemas/".length())), value,
                    at, problems);
            return;
        }
        if (schema.has("type")) {
            Set<String> types = new TreeSet<>();
            if (schema.get("type").isArray()) {
                schema.get("type").forEach(t -> types.add(t.asText()));
            } else {
                types.add(schema.get("type").asText());
            }
            String actual = value.isNull() ? "null" : value.isBoolean() ? "boolean" : value.isIntegralNumber() ? "integer"
                    : value.isNumber() ? "number" : value.isTextual() ? "string" : value.isArray() ? "array" : "object";
            if (!types.contains(actual) && !(actual.equals("integer") && types.contains("number"))) {
                problems.add(at + ": " + actual + " " + value + " where the schema says " + types);
                return;
            }
        }
        if (schema.has("enum") && !value.isNull()) {
            boolean listed = false;
            for (JsonNode e : schema.get("enum")) {
                listed |= e.equals(value);
            }
            if (!listed) {
                problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if ("date-time".equals(schema.path("format").asText()) && value.isTextual()) {
            try {
                Instant.parse(value.asText());
            } catch (DateTimeParseException e) {
                problems.add(at + ": '" + value.asText() + "' is not a date-time");
            }
        }
        if (value.isObject()) {
            schema.path("required").forEach(k -> {
                if (!value.has(k.asText())) {
                    problems.add(at + ": required key " + k.asText() + " missing");
                }
            });
            JsonNode props = schema.get("properties");
            JsonNode extra = schema.get("additionalProperties");
            value.fields().forEachRemaining(f -> {
                String child = at + "." + f.getKey();
                if (props != null && props.has(f.getKey())) {
                    conform(props.get(f.getKey()), f.getValue(), child, problems);
                } else if (extra != null && extra.isObject()) {
                    conform(extra, f.getValue(), child, problems);
                } else if (props != null || extra != null) {
                    problems.add(child + ": not documented");
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                conform(schema.get("items"), value.get(i), at + "[" + i + "]", problems);
            }
        }
    }
}

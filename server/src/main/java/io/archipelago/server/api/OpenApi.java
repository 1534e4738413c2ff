package io.archipelago.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.server.auth.Principal;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the OpenAPI 3.1 document from the route list and the component schemas in
 * {@code openapi-schemas.json}: one operation per route, with its path parameters, query parameters, body,
 * success answer and problem answers. Submitting a job also documents its Idempotency-Key header, the
 * Location header and the 200 answer of an idempotent replay. A plan file ({@code PlanFile}) is sent as YAML,
 * not JSON; a plan's report is HTML.
 */
public final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([a-z]+)}");
    private static volatile ObjectNode schemas;

    private OpenApi() {
    }

    /** The component schemas (parsed once). */
    public static ObjectNode schemas(ObjectMapper json) {
        ObjectNode s = schemas;
        if (s == null) {
            try (InputStream in = OpenApi.class.getResourceAsStream("/io/archipelago/server/openapi-schemas.json")) {
                s = (ObjectNode) json.readTree(in);
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("openapi-schemas.json missing from the jar", e);
            }
            schemas = s;
        }
        return s.deepCopy();
    }

    public static ObjectNode document(List<Route> routes, ObjectMapper json) {
        ObjectNode doc = json.createObjectNode();
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Archipelago control plane");
        info.put("version", "v1");
        info.put("description", "Submit jobs to a multi-region GPU fleet, watch them placed, operate the fleet. Authenticate with "
                + "'Authorization: Bearer <token>'. Errors are application/problem+json.");
        ObjectNode paths = doc.putObject("paths");
        for (Route r : routes) {
            ObjectNode path = paths.has(r.path()) ? (ObjectNode) paths.get(r.path()) : paths.putObject(r.path());
            ObjectNode op = path.putObject(r.method().name().toLowerCase(Locale.ROOT));
            op.put("summary", r.summary());
            op.put("operationId", operationId(r));
            ArrayNode params = json.createArrayNode();
            Matcher m = PARAM.matcher(r.path());
            while (m.find()) {
                ObjectNode p = params.addObject();
                p.put("name", m.group(1));
                p.put("in", "path");
                p.put("required", true);
                // job ids are integers; plan ids are strings such as p-000001
                p.putObject("schema").put("type", m.group(1).equals("job") || m.group(1).equals("task")
                        || m.group(1).equals("id") && !r.path().startsWith("/api/v1/plans/") ? "integer" : "string");
            }
            for (Route.Param q : r.query()) {
                ObjectNode p = params.addObject();
                p.put("name", q.name());
                p.put("in", "query");
                p.put("required", false);
                p.put("description", q.description());
                p.putObject("schema").put("type", q.type());
            }
            if (r.method().name().equals("POST") && r.path().equals("/api/v1/jobs")) {
                ObjectNode p = params.addObject();
                p.put("name", "Idempotency-Key");
                p.put("in", "header");
                p.put("required", false);
                p.put("description", "1..128 printable ASCII characters; a retry with the same key and body returns the first job (200, "
                        + "header Idempotent-Replayed: true); the same key with another body is a 409");
                p.putObject("schema").put("type", "string");
            }
            if (!params.isEmpty()) {
                op.set("parameters", params);
            }
            if (r.request() != null) {
                ObjectNode body = op.putObject("requestBody");
                body.put("required", true);
                ObjectNode content = body.putObject("content");
                for (String type : r.request().equals("PlanFile") ? Plans.MEDIA_TYPES : List.of("application/json")) {
                    content.putObject(type).putObject("schema").put("$ref", "#/components/schemas/" + r.request());
                }
            }
            ObjectNode responses = op.putObject("responses");
            ObjectNode ok = responses.putObject(String.valueOf(r.status()));
            ok.put("description", "success");
            if ("Stream".equals(r.response())) {
                ok.putObject("content").putObject("text/event-stream").putObject("schema").put("$ref", "#/components/schemas/Stream");
            } else if (r.response() != null) {
                ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + r.response());
            } else if (r.path().equals("/api/v1/plans/{id}/report")) {
                ok.putObject("content").putObject("text/html").putObject("schema").put("type", "string");
            } else if (r.path().endsWith("/files/{file}")) {
                ok.putObject("content").putObject("*/*").putObject("schema").put("type", "string").put("format", "binary");
            } else if (r.path().equals("/metrics")) {
                ok.putObject("content").putObject("text/plain").putObject("schema").put("type", "string");
            } else if (r.path().equals("/openapi.json")) {
                ok.putObject("content").putObject("application/json").putObject("schema").put("type", "object");
            }
            if (r.method().name().equals("POST") && r.path().equals("/api/v1/jobs")) {
                ok.putObject("headers").putObject("Location").put("description", "the job's URL, /api/v1/jobs/{id}")
                        .putObject("schema").put("type", "string");
                ObjectNode replay = responses.putObject("200");
                replay.put("description", "a retry with an earlier Idempotency-Key and the same body: the job that request created");
                ObjectNode headers = replay.putObject("headers");
                headers.putObject("Idempotent-Replayed").put("description", "true").putObject("schema").put("type", "string");
                headers.putObject("Location").put("description", "the job's URL, /api/v1/jobs/{id}").putObject("schema").put("type", "string");
                replay.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + r.response());
            }
            if (r.method().name().equals("POST") && r.path().equals("/api/v1/plans")) {
                ok.putObject("headers").putObject("Location").put("description", "the plan's URL, /api/v1/plans/{id}")
                        .putObject("schema").put("type", "string");
            }
            java.util.TreeSet<Integer> errors = new java.util.TreeSet<>(r.errors());
            if (!r.roles().isEmpty()) {
                errors.add(401);
                errors.add(403);
            }
            for (int e : errors) {
                ObjectNode x = responses.putObject(String.valueOf(e));
                x.put("description", new ApiException(e, "", null, "").title());
                x.putObject("content").putObject("application/problem+json").putObject("schema").put("$ref", "#/components/schemas/Problem");
            }
            if (!r.roles().isEmpty()) {
                op.putArray("security").addObject().putArray("bearer");
                ArrayNode tags = op.putArray("x-roles");
                r.roles().stream().map(Principal.Role::label).sorted().forEach(tags::add);
            }
        }
        ObjectNode comps = doc.putObject("components");
        comps.set("schemas", schemas(json));
        comps.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
        return doc;
    }

    private static String operationId(Route r) {
        StringBuilder b = new StringBuilder(r.method().name().toLowerCase(Locale.ROOT));
        for (String part : r.path().split("/")) {
            if (part.isEmpty() || part.equals("api") || part.equals("v1")) {
                continue;
            }
            String p = part.replaceAll("[{}.]", "");
            b.append(Character.toUpperCase(p.charAt(0))).append(p.substring(1));
        }
        return b.toString();
    }

    /** Every {@code $ref} target in {@code node} (for the sync test). */
    public static void refs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    refs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> refs(n, out));
        }
    }
}

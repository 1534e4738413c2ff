package io.archipelago.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.framework.Reason;
import io.archipelago.core.geo.TwoLevelPlacer;
import io.archipelago.server.auth.Authenticator;
import io.archipelago.server.auth.Principal;
import io.archipelago.server.auth.Principal.Role;
import io.archipelago.server.auth.Tokens;
import io.archipelago.server.live.JobState;
import io.archipelago.server.live.JobView;
import io.archipelago.server.live.LiveEngine;
import io.archipelago.server.live.Snapshot;
import io.archipelago.server.store.JobStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The REST API under {@code /api/v1}, plus {@code /health}, {@code /ready}, {@code /metrics} and
 * {@code /openapi.json}. Routes are declared once in {@link #routes()}; the same list registers them with
 * Javalin and writes the OpenAPI document.
 *
 * <p>Every refusal is an {@code application/problem+json} body (RFC 9457) naming the field and the reason;
 * unexpected failures answer 500 with a reference number that appears in the server log next to the stack
 * trace, which never reaches the client. Tokens are never logged.
 *
 * <p>Requests the live engine answers wait at most {@link #ENGINE_TIMEOUT_MS}; past that they answer 503
 * (the request may still take effect, so a submission should be retried with the same Idempotency-Key).
 * An unknown path answers a 404 problem ({@code no-route}).
 */
public final class ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Largest accepted request body. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Longest wait for the engine's answer before a request answers 503. */
    public static final long ENGINE_TIMEOUT_MS = 15_000;
    private static final Set<Role> TENANTS = Set.of(Role.TENANT, Role.OPERATOR);
    private static final Set<Role> OPERATORS = Set.of(Role.OPERATOR);
    private static final Set<Role> AGENTS = Set.of(Role.AGENT, Role.OPERATOR);
    private static final Set<Role> PUBLIC = Set.of();

    private final ObjectMapper json = new ObjectMapper();
    private final LiveEngine engine;
    private final JobStore store;
    private final JobRequestParser parser;
    private final Authenticator auth;
    private final PrometheusMeterRegistry registry;
    private final ObjectNode policy;
    private final List<Route> routes;
    private final AtomicLong errorRef = new AtomicLong();
    private final Supplier<Long> clock;
    private final Results results;
    private final Plans plans;
    private LiveFeed feed;
    private Javalin app;

    /**
     * @param resultsDir where the dashboard finds study and simulation results (folders as {@code experiment fgd --out}
     *                   and {@code simulate --out} write them); it need not exist
     * @param plansDir   where capacity plans (what-ifs) are kept, {@code <data-dir>/plans}; created at {@link #start}
     */
    public ApiServer(LiveEngine engine, JobStore store, JobRequestParser parser, Authenticator auth, PrometheusMeterRegistry registry,
                     ObjectNode policy, Supplier<Long> clock, java.nio.file.Path resultsDir, java.nio.file.Path plansDir) {
        this.results = new Results(resultsDir, json);
        this.plans = new Plans(plansDir, engine.fleet(), registry, clock, json);
        this.engine = engine;
        this.store = store;
        this.parser = parser;
        this.auth = auth;
        this.registry = registry;
        this.policy = policy;
        this.clock = clock;
        this.routes = routes();
    }

    /** Every route of the service. */
    public List<Route> routes() {
        if (routes != null) {
            return routes;
        }
        List<Route.Param> listParams = List.of(
                new Route.Param("state", "string", "only jobs in this state: queued, running, succeeded, failed, cancelled"),
                new Route.Param("region", "string", "only jobs placed in this region"),
                new Route.Param("tenant", "string", "only this tenant's jobs (operators; a tenant always sees only its own)"),
                new Route.Param("limit", "integer", "page size, 1..1000 (default 100)"),
                new Route.Param("order", "string", "oldest (default: oldest first) or newest (newest first)"),
                new Route.Param("cursor", "string", "the next_cursor of the previous page"));
        List<Route> r = new ArrayList<>();
        r.add(new Route(HandlerType.GET, "/health", "Liveness: the process answers", PUBLIC, null, "Health", 200, List.of(), List.of(),
                (ctx, p) -> write(ctx, 200, json.createObjectNode().put("status", "up"))));
        r.add(new Route(HandlerType.GET, "/ready", "Readiness: the engine runs and the database answers", PUBLIC, null, "Health", 200,
                List.of(), List.of(503), this::ready));
        r.add(new Route(HandlerType.GET, "/metrics", "Prometheus metrics (text exposition format)", PUBLIC, null, null, 200, List.of(),
                List.of(), (ctx, p) -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape())));
        r.add(new Route(HandlerType.GET, "/openapi.json", "This API's OpenAPI 3.1 document", PUBLIC, null, null, 200, List.of(), List.of(),
                (ctx, p) -> write(ctx, 200, OpenApi.document(routes, json))));
        r.add(new Route(HandlerType.GET, "/api/v1/me", "Who the token belongs to (name, role) and the fleet's regions", TENANTS, null, "Me", 200,
                List.of(), List.of(), this::me));
        r.add(new Route(HandlerType.GET, "/api/v1/stream", "Server-sent events for the dashboard: fleet snapshots (operators) and job changes",
                TENANTS, null, "Stream", 200, List.of(), List.of(), (ctx, p) -> new io.javalin.http.sse.SseHandler(c -> feed.join(c, p)).handle(ctx)));
        r.add(new Route(HandlerType.GET, "/api/v1/results", "Study and simulation results on disk (the server's results folder)", TENANTS, null,
                "ResultList", 200, List.of(), List.of(), (ctx, p) -> write(ctx, 200, results.list())));
        r.add(new Route(HandlerType.GET, "/api/v1/results/{name}/curves", "An FGD study result's allocation curves, mean over seeds", TENANTS,
                null, "Curves", 200, List.of(), List.of(400, 404, 422), (ctx, p) -> write(ctx, 200, results.curves(ctx.pathParam("name")))));
        r.add(new Route(HandlerType.GET, "/api/v1/results/{name}/files/{file}", "A file of a result folder (report.html, charts, CSV)", TENANTS,
                null, null, 200, List.of(), List.of(400, 404), this::resultFile));
        r.add(new Route(HandlerType.POST, "/api/v1/jobs", "Submit a job; an Idempotency-Key header makes a retry return the first result",
                TENANTS, "JobRequest", "Job", 201, List.of(), List.of(400, 409, 413, 415, 422, 503), this::submit));
        r.add(new Route(HandlerType.GET, "/api/v1/jobs", "List jobs, oldest (or newest) first, with filters and cursor pagination", TENANTS, null,
                "JobPage", 200, listParams, List.of(400), this::list));
        r.add(new Route(HandlerType.GET, "/api/v1/jobs/{id}", "A job: state, placement (region, site, nodes, GPUs) and the explanation",
                TENANTS, null, "Job", 200, List.of(), List.of(400, 404, 503), this::getJob));
        r.add(new Route(HandlerType.GET, "/api/v1/jobs/{id}/events", "A job's history", TENANTS, null, "EventList", 200, List.of(),
                List.of(400, 404), this::events));
        r.add(new Route(HandlerType.GET, "/api/v1/jobs/{id}/explain", "Where the job would go now, and why: per site the rule or node-level "
                + "reason it is rejected, or its best node and score components (nothing is placed)", TENANTS, null, "Explanation", 200, List.of(),
                List.of(400, 404, 503), this::explainJob));
        r.add(new Route(HandlerType.DELETE, "/api/v1/jobs/{id}", "Cancel a job (queued or running)", TENANTS, null, "Job", 200, List.of(),
                List.of(400, 404, 409, 503), this::cancel));
        r.add(new Route(HandlerType.POST, "/api/v1/dry-run", "Where would this job go now, and why? Nothing is placed", OPERATORS,
                "JobRequest", "Explanation", 200, List.of(), List.of(400, 413, 415, 422, 503), this::dryRun));
        r.add(new Route(HandlerType.GET, "/api/v1/fleet", "Fleet status: sites, allocation, fragmentation, queue", OPERATORS, null, "Fleet",
                200, List.of(), List.of(), this::fleet));
        r.add(new Route(HandlerType.GET, "/api/v1/sites/{site}/nodes", "Every node of a site with its per-GPU occupancy", OPERATORS, null,
                "NodeList", 200, List.of(), List.of(404, 503), this::nodes));
        for (String a : List.of("cordon", "uncordon", "drain")) {
            r.add(new Route(HandlerType.POST, "/api/v1/nodes/{node}/" + a, switch (a) {
                case "cordon" -> "Cordon a node: no new tasks, running ones stay";
                case "uncordon" -> "Lift a cordon";
                default -> "Drain a node: cordon it and requeue its jobs";
            }, OPERATORS, null, "Node", 200, List.of(), List.of(404, 503), (ctx, p) -> nodeAction(ctx, LiveEngine.NodeAction.valueOf(a.toUpperCase()))));
        }
        for (String a : List.of("down", "up")) {
            r.add(new Route(HandlerType.POST, "/api/v1/sites/{site}/" + a, a.equals("down") ? "Take a site down: its jobs fail over within their rules"
                    : "Bring a site back", OPERATORS, null, "Site", 200, List.of(), List.of(404, 503), (ctx, p) -> siteAction(ctx, a.equals("down"))));
        }
        r.add(new Route(HandlerType.GET, "/api/v1/policy", "The active policy profile and site weights", OPERATORS, null, "Policy", 200,
                List.of(), List.of(), (ctx, p) -> write(ctx, 200, policy)));
        r.add(new Route(HandlerType.GET, "/api/v1/tenants", "Principals (names and roles; never tokens)", OPERATORS, null, "TenantList", 200,
                List.of(), List.of(), this::tenants));
        r.add(new Route(HandlerType.POST, "/api/v1/tenants", "Create a tenant; its token is in the answer, once", OPERATORS, "TenantRequest",
                "TenantCreated", 201, List.of(), List.of(400, 409, 413, 415), this::createTenant));
        r.add(new Route(HandlerType.POST, "/api/v1/plans", "Plan capacity (a what-if): the body is a plan file (docs/planning.md) as YAML, "
                + "run on this server's fleet in the background; at most " + Plans.MAX_PENDING + " plans queued or running", OPERATORS, "PlanFile",
                "PlanAccepted", 202, List.of(), List.of(400, 413, 415, 503), this::submitPlan));
        r.add(new Route(HandlerType.GET, "/api/v1/plans", "Capacity plans, newest first, with their status and progress", OPERATORS, null,
                "PlanList", 200, List.of(), List.of(), (ctx, p) -> write(ctx, 200, plans.list())));
        r.add(new Route(HandlerType.GET, "/api/v1/plans/{id}", "A capacity plan: status, progress, and when done the planner's result",
                OPERATORS, null, "Plan", 200, List.of(), List.of(404), (ctx, p) -> write(ctx, 200, plans.get(ctx.pathParam("id")))));
        r.add(new Route(HandlerType.GET, "/api/v1/plans/{id}/report", "A finished capacity plan's HTML report", OPERATORS, null, null, 200,
                List.of(), List.of(404), this::planReport));
        r.add(new Route(HandlerType.POST, "/api/v1/agent/nodes/{node}/register", "A node agent takes over a node (it stops being virtual)",
                AGENTS, null, "Assignments", 200, List.of(), List.of(404, 503), (ctx, p) -> agent(ctx, true)));
        r.add(new Route(HandlerType.POST, "/api/v1/agent/nodes/{node}/heartbeat", "Heartbeat; answers the tasks the node must run",
                AGENTS, null, "Assignments", 200, List.of(), List.of(404, 409, 503), (ctx, p) -> agent(ctx, false)));
        r.add(new Route(HandlerType.POST, "/api/v1/agent/nodes/{node}/tasks/{job}/{task}/started", "A task started on the node", AGENTS, null,
                "Job", 200, List.of(), List.of(400, 404, 409, 503), (ctx, p) -> report(ctx, false)));
        r.add(new Route(HandlerType.POST, "/api/v1/agent/nodes/{node}/tasks/{job}/{task}/finished", "A task ended; body {\"ok\": true|false}",
                AGENTS, "TaskOutcome", "Job", 200, List.of(), List.of(400, 404, 409, 413, 415, 503), (ctx, p) -> report(ctx, true)));
        return List.copyOf(r);
    }

    /** Starts listening on {@code host:port} (0 = any free port). */
    public ApiServer start(String host, int port) {
        Timer.Builder apiTimer = Timer.builder("archipelago_api_seconds").description("API latency by route")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(50_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(5));
        feed = new LiveFeed(engine, json);
        io.micrometer.core.instrument.Gauge.builder("archipelago_dashboard_streams", feed, LiveFeed::clients)
                .description("open live streams (dashboard pages)").register(registry);
        app = Javalin.create(config -> {
            config.http.maxRequestSize = MAX_BODY_BYTES;
            // the dashboard: its pages, and uPlot from its WebJar; no asset comes from elsewhere
            config.staticFiles.enableWebjars();
            config.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/io/archipelago/server/dashboard";
                sf.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                // operator actions live on these pages: never inside another site's frame
                sf.headers = Map.of("X-Frame-Options", "DENY", "X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache");
            });
            config.startup.showJavalinBanner = false;
            for (Route route : routes) {
                config.routes.addEndpoint(new io.javalin.router.Endpoint(route.method(), route.path(), ctx -> guard(ctx, route), Set.of()));
            }
            config.routes.exception(ApiException.class, (e, ctx) -> problem(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, switch (e.getStatus()) {
                case 404 -> new ApiException(404, "no-route", null, "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.json");
                case 413 -> new ApiException(413, "too-large", null, "the body is larger than " + MAX_BODY_BYTES + " bytes");
                default -> new ApiException(e.getStatus(), "http-" + e.getStatus(), null, e.getMessage());
            }));
            config.routes.exception(Exception.class, (e, ctx) -> internal(ctx, e));
            config.routes.error(404, "*", ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, new ApiException(404, "no-route", null, "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.json"));
                }
            });
            config.routes.error(405, "*", ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, new ApiException(405, "method-not-allowed", null, ctx.method() + " is not allowed on " + ctx.path()
                            + "; see /openapi.json"));
                }
            });
            config.requestLogger.http((ctx, ms) -> {
                String path;
                try {
                    path = ctx.endpoint().path;
                } catch (RuntimeException noEndpoint) {
                    path = "unmatched";
                }
                apiTimer.tags("route", path, "method", ctx.method().name(), "status", String.valueOf(ctx.statusCode()))
                        .register(registry).record(java.time.Duration.ofNanos((long) (ms * 1_000_000)));
                if (LOG.isDebugEnabled()) {
                    LOG.atDebug().addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
                            .addKeyValue("status", ctx.statusCode()).addKeyValue("ms", ms).log("request");
                }
            });
        });
        plans.start();
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            plans.close();
            throw e;
        }
        return this;
    }

    public int port() {
        return app.port();
    }

    /** The running Javalin (tests compare its routes with the OpenAPI document). */
    public Javalin javalin() {
        return app;
    }

    public void stop() {
        plans.close();
        if (feed != null) {
            feed.close();
        }
        if (app != null) {
            app.stop();
        }
    }

    private static boolean isProblem(Context ctx) {
        String ct = ctx.res().getContentType();
        return ct != null && ct.startsWith("application/problem+json");
    }

    // ------------------------------------------------------------------ plumbing

    private void guard(Context ctx, Route route) throws Exception {
        Principal p = null;
        if (!route.roles().isEmpty()) {
            String h = ctx.header("Authorization");
            if (h == null || h.isBlank()) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiException(401, "missing-token", "Authorization", "missing Authorization header; send 'Authorization: Bearer <token>'");
            }
            if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiException(401, "bad-token", "Authorization", "the Authorization header must be 'Bearer <token>'");
            }
            p = auth.authenticate(h.substring(7).trim());
            if (p == null) {
                ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                throw new ApiException(401, "bad-token", "Authorization", "unknown or revoked token");
            }
            if (!route.roles().contains(p.role())) {
                throw new ApiException(403, "forbidden", null, (p.role() == Role.TENANT ? "a " : "an ") + p.role().label() + " token may not call " + route.method() + " "
                        + route.path() + "; it needs one of: " + route.roles().stream().map(Role::label).sorted().toList());
            }
        }
        route.handler().handle(ctx, p);
    }

    private void problem(Context ctx, ApiException e) {
        ObjectNode o = json.createObjectNode();
        o.put("type", "https://archipelago.dev/problems/" + e.type());
        o.put("title", e.title());
        o.put("status", e.status());
        o.put("detail", e.getMessage());
        if (e.field() != null) {
            o.put("field", e.field());
        }
        o.put("instance", ctx.path());
        ctx.status(e.status()).contentType("application/problem+json").result(bytes(o));
    }

    private void internal(Context ctx, Exception e) {
        long ref = errorRef.incrementAndGet();
        LOG.atError().setCause(e).addKeyValue("ref", ref).addKeyValue("method", ctx.method().name()).addKeyValue("path", ctx.path())
                .log("unexpected error answering a request");
        problem(ctx, new ApiException(500, "internal", null, "internal error (reference " + ref + " in the server log)"));
    }

    private byte[] bytes(JsonNode n) {
        try {
            return json.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void write(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(bytes(body));
    }

    /** Reads the JSON body: 415 unless JSON, 413 when too large, 400 when not parseable. */
    private JsonNode body(Context ctx) {
        String ct = ctx.contentType();
        if (ct == null || !(ct.startsWith("application/json") || ct.startsWith("application/") && ct.contains("+json"))) {
            throw new ApiException(415, "unsupported-media-type", "Content-Type", "Content-Type " + (ct == null ? "(none)" : "'" + ct + "'")
                    + ": send the body as application/json");
        }
        byte[] b = bodyBytes(ctx);
        try {
            JsonNode n = json.readTree(b);
            if (n == null || n.isMissingNode()) {
                throw ApiException.invalid("", "the body is empty; send a JSON object");
            }
            return n;
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
            throw ApiException.invalid("", "the body is not valid JSON: " + (m.length() > 160 ? m.substring(0, 160) : m));
        }
    }

    /** Reads a plan file's body: 415 unless one of {@link Plans#MEDIA_TYPES}, 413 when too large, 400 when not UTF-8. */
    private String yamlBody(Context ctx) {
        String ct = ctx.contentType();
        String media = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!Plans.MEDIA_TYPES.contains(media)) {
            throw new ApiException(415, "unsupported-media-type", "Content-Type", "Content-Type " + (ct == null ? "(none)" : "'" + ct + "'")
                    + ": send the plan file as YAML, with Content-Type " + String.join(", ", Plans.MEDIA_TYPES));
        }
        byte[] b = bodyBytes(ctx);
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.invalid("", "the body is not UTF-8 text; save the plan file as UTF-8");
        }
    }

    /** The body's bytes: 413 when larger than {@link #MAX_BODY_BYTES}. */
    private byte[] bodyBytes(Context ctx) {
        String len = ctx.header("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > MAX_BODY_BYTES) {
                    throw new ApiException(413, "too-large", null, "the body is " + len.trim() + " bytes; at most " + MAX_BODY_BYTES);
                }
            } catch (NumberFormatException ignored) {
                // Jetty rejects a malformed Content-Length before we get here
            }
        }
        byte[] b = ctx.bodyAsBytes();
        if (b.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "too-large", null, "the body is " + b.length + " bytes; at most " + MAX_BODY_BYTES);
        }
        return b;
    }

    private static long pathId(Context ctx, String name) {
        String s = ctx.pathParam(name);
        try {
            long v = Long.parseLong(s);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw ApiException.invalid(name, name + " '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "': expected a positive integer");
    }

    /** Completes the request when the engine answers; unwraps its ApiExceptions into problems. */
    private <T> void await(Context ctx, CompletableFuture<T> f, ThrowingConsumer<T> ok) {
        CompletableFuture<T> bounded = f.copy().orTimeout(ENGINE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        ctx.future(() -> bounded.handle((v, ex) -> {
            if (ex != null) {
                Throwable t = ex instanceof CompletionException || ex instanceof ExecutionException ? ex.getCause() : ex;
                if (t instanceof TimeoutException) {
                    problem(ctx, new ApiException(503, "engine-timeout", null, "the scheduler did not answer within "
                            + ENGINE_TIMEOUT_MS / 1000 + " s; the request may still take effect: retry (a submission with the same Idempotency-Key)"));
                } else if (t instanceof ApiException a) {
                    problem(ctx, a);
                } else {
                    internal(ctx, t instanceof Exception e ? e : new RuntimeException(t));
                }
            } else {
                try {
                    ok.accept(v);
                } catch (ApiException a) {
                    problem(ctx, a);
                } catch (Exception e) {
                    internal(ctx, e);
                }
            }
            return null;
        }));
    }

    @FunctionalInterface
    private interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    // ------------------------------------------------------------------ handlers

    private void ready(Context ctx, Principal p) {
        boolean ok = engine.ready() && store.database().ping();
        write(ctx, ok ? 200 : 503, json.createObjectNode().put("status", ok ? "ready" : "not ready"));
    }

    private void submit(Context ctx, Principal p) {
        String key = ctx.header("Idempotency-Key");
        if (key != null && (key.isEmpty() || key.length() > 128 || !key.chars().allMatch(c -> c > 32 && c < 127))) {
            throw ApiException.invalid("Idempotency-Key", "Idempotency-Key: expected 1..128 printable ASCII characters without spaces");
        }
        JsonNode body = body(ctx);
        if (!body.isObject()) {
            parser.parse(body); // throws: names the body's shape
        }
        String tenant = p.name();
        if (body.has("tenant")) {
            JsonNode t = body.get("tenant");
            if (!t.isTextual()) {
                throw ApiException.invalid("tenant", "tenant: expected a string, got " + JobRequestParser.kind(t));
            }
            if (!p.isOperator()) {
                if (!t.asText().equals(p.name())) {
                    throw new ApiException(403, "forbidden", "tenant", "a tenant submits only for itself; remove the tenant field");
                }
            } else {
                Principal owner = auth.find(t.asText());
                if (owner == null || owner.role() != Role.TENANT) {
                    throw ApiException.unsatisfiable("tenant", "tenant " + JobRequestParser.kind(t) + " is not a known tenant");
                }
                tenant = owner.name();
            }
        } else if (p.isOperator()) {
            throw ApiException.invalid("tenant", "an operator must name the tenant a job is for: add \"tenant\": \"<name>\"");
        }
        JobRequest req = parser.parse(body);
        String hash = key == null ? null : Tokens.hash(tenant + "\n" + req.toJson());
        await(ctx, engine.submit(p, tenant, req, key, hash), s -> {
            if (s.replayed()) {
                ctx.header("Idempotent-Replayed", "true");
            }
            ctx.header("Location", "/api/v1/jobs/" + s.job().id());
            write(ctx, s.replayed() ? 200 : 201, job(s.job(), null));
        });
    }

    private JobView visible(Context ctx, Principal p, long id) {
        JobView v = store.find(id).map(JobStore.JobRow::view).orElse(null);
        if (v == null || !(p.isOperator() || v.tenant().equals(p.name()))) {
            throw ApiException.notFound("job " + id + " not found (or not yours)");
        }
        return v;
    }

    private void getJob(Context ctx, Principal p) {
        JobView v = visible(ctx, p, pathId(ctx, "id"));
        if (v.state() == JobState.QUEUED) {
            await(ctx, engine.explainQueued(v.id()), e -> write(ctx, 200, job(v, e)));
        } else {
            write(ctx, 200, job(v, null));
        }
    }

    private void me(Context ctx, Principal p) {
        ObjectNode o = json.createObjectNode().put("name", p.name()).put("role", p.role().label());
        ArrayNode regions = o.putArray("regions");
        for (io.archipelago.core.geo.Region r : engine.fleet().regions()) {
            regions.addObject().put("id", r.id()).put("name", r.name()).put("jurisdiction", r.jurisdiction());
        }
        write(ctx, 200, o);
    }

    private void explainJob(Context ctx, Principal p) throws IOException {
        JobView v = visible(ctx, p, pathId(ctx, "id"));
        JobRequest req = parser.parse(json.readTree(v.spec()));
        await(ctx, engine.dryRun(req), e -> write(ctx, 200, explanation(e)));
    }

    private void events(Context ctx, Principal p) {
        JobView v = visible(ctx, p, pathId(ctx, "id"));
        ArrayNode a = json.createArrayNode();
        List<JobStore.EventRow> stored = store.events(v.id());
        if (stored.isEmpty() || !stored.get(0).kind().equals("submitted")) {
            // a tenant's own submission is recorded by the job row only (one row fewer per job at thousands per second)
            a.addObject().put("seq", 1).put("at", Instant.ofEpochMilli(v.submittedAt()).toString()).put("kind", "submitted")
                    .put("detail", "by " + v.tenant());
        }
        for (JobStore.EventRow e : stored) {
            a.addObject().put("seq", e.seq()).put("at", Instant.ofEpochMilli(e.at()).toString()).put("kind", e.kind()).put("detail", e.detail());
        }
        ObjectNode o = json.createObjectNode();
        o.put("job", v.id());
        o.set("events", a);
        write(ctx, 200, o);
    }

    private void cancel(Context ctx, Principal p) {
        long id = pathId(ctx, "id");
        await(ctx, engine.cancel(p, id), v -> write(ctx, 200, job(v, null)));
    }

    private void list(Context ctx, Principal p) {
        String stateParam = ctx.queryParam("state");
        JobState st = null;
        if (stateParam != null) {
            st = JobState.parse(stateParam);
            if (st == null) {
                throw ApiException.invalid("state", "state '" + stateParam + "': expected queued, running, succeeded, failed or cancelled");
            }
        }
        String region = ctx.queryParam("region");
        if (region != null && engine.fleet().regionIndex(region) < 0) {
            throw ApiException.invalid("region", "region '" + region + "' is not in the fleet");
        }
        String tenant = ctx.queryParam("tenant");
        if (!p.isOperator()) {
            if (tenant != null && !tenant.equals(p.name())) {
                throw new ApiException(403, "forbidden", "tenant", "a tenant lists only its own jobs; drop the tenant filter");
            }
            tenant = p.name();
        }
        int limit = 100;
        String l = ctx.queryParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw ApiException.invalid("limit", "limit '" + l + "': expected an integer 1..1000");
            }
        }
        long after = 0;
        String c = ctx.queryParam("cursor");
        if (c != null) {
            try {
                after = Long.parseLong(c);
            } catch (NumberFormatException e) {
                after = -1;
            }
            if (after < 0) {
                throw ApiException.invalid("cursor", "cursor '" + c + "' is not one this API gave out; use the next_cursor of the previous page");
            }
        }
        String order = ctx.queryParam("order");
        if (order != null && !order.equals("oldest") && !order.equals("newest")) {
            throw ApiException.invalid("order", "order '" + order + "': expected oldest or newest");
        }
        List<JobStore.JobRow> rows = store.list(tenant, st, region, after, "newest".equals(order), limit + 1);
        ObjectNode o = json.createObjectNode();
        ArrayNode a = o.putArray("jobs");
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            a.add(job(rows.get(i).view(), null));
        }
        if (rows.size() > limit) {
            o.put("next_cursor", String.valueOf(rows.get(limit - 1).id()));
        } else {
            o.putNull("next_cursor");
        }
        write(ctx, 200, o);
    }

    private void dryRun(Context ctx, Principal p) {
        JsonNode body = body(ctx);
        if (body.isObject() && body.has("tenant")) {
            ((ObjectNode) body).remove("tenant");
        }
        JobRequest req = parser.parse(body);
        await(ctx, engine.dryRun(req), e -> write(ctx, 200, explanation(e)));
    }

    private void fleet(Context ctx, Principal p) {
        Snapshot s = engine.snapshot();
        write(ctx, 200, json.valueToTree(s));
    }

    private void nodes(Context ctx, Principal p) {
        await(ctx, engine.nodes(ctx.pathParam("site")), n -> {
            ObjectNode o = json.createObjectNode();
            o.put("site", ctx.pathParam("site"));
            o.set("nodes", json.valueToTree(n));
            write(ctx, 200, o);
        });
    }

    private void nodeAction(Context ctx, LiveEngine.NodeAction a) {
        await(ctx, engine.node(ctx.pathParam("node"), a), n -> write(ctx, 200, json.valueToTree(n)));
    }

    private void siteAction(Context ctx, boolean down) {
        await(ctx, engine.site(ctx.pathParam("site"), down), s -> write(ctx, 200, json.valueToTree(s)));
    }

    private void resultFile(Context ctx, Principal p) throws IOException {
        java.nio.file.Path f = results.file(ctx.pathParam("name"), ctx.pathParam("file"));
        // a result file is data, not part of the app: sandboxed (no access to the dashboard's origin and its token) and never sniffed
        ctx.status(200).contentType(Results.contentType(f)).header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "sandbox allow-scripts").result(java.nio.file.Files.readAllBytes(f));
    }

    private void submitPlan(Context ctx, Principal p) {
        ObjectNode accepted = plans.submit(yamlBody(ctx), p.name());
        ctx.header("Location", accepted.get("links").get("self").asText());
        write(ctx, 202, accepted);
    }

    private void planReport(Context ctx, Principal p) throws IOException {
        java.nio.file.Path f = plans.report(ctx.pathParam("id"));
        // like a result file: data, not part of the app, so sandboxed and never sniffed
        ctx.status(200).contentType("text/html; charset=utf-8").header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "sandbox allow-scripts").result(java.nio.file.Files.readAllBytes(f));
    }

    private void tenants(Context ctx, Principal p) {
        ObjectNode o = json.createObjectNode();
        ArrayNode a = o.putArray("principals");
        for (Principal x : auth.all()) {
            a.addObject().put("name", x.name()).put("role", x.role().label());
        }
        write(ctx, 200, o);
    }

    private void createTenant(Context ctx, Principal p) {
        JsonNode b = body(ctx);
        if (!b.isObject()) {
            throw ApiException.invalid("", "the body must be {\"name\": \"<tenant>\"}");
        }
        for (var it = b.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("name")) {
                throw ApiException.invalid(f, "unknown field " + f + "; expected only name");
            }
        }
        JsonNode n = b.get("name");
        if (n == null || !n.isTextual()) {
            throw ApiException.invalid("name", "name: expected a string, got " + JobRequestParser.kind(n));
        }
        if (!Authenticator.validName(n.asText())) {
            throw ApiException.invalid("name", "name '" + n.asText() + "': expected 1..64 of a-z 0-9 -, starting with a letter or digit");
        }
        String token;
        try {
            token = auth.create(n.asText(), Role.TENANT, clock.get());
        } catch (IllegalStateException e) {
            throw new ApiException(409, "exists", "name", "a principal named '" + n.asText() + "' already exists");
        }
        LOG.atInfo().addKeyValue("tenant", n.asText()).addKeyValue("by", p.name()).log("tenant created");
        write(ctx, 201, json.createObjectNode().put("name", n.asText()).put("role", "tenant").put("token", token));
    }

    private void agent(Context ctx, boolean register) {
        await(ctx, engine.agent(ctx.pathParam("node"), register), list -> {
            ObjectNode o = json.createObjectNode();
            o.put("node", ctx.pathParam("node"));
            o.put("heartbeat_timeout_ms", engine.settings().heartbeatTimeoutMs());
            o.set("tasks", json.valueToTree(list));
            write(ctx, 200, o);
        });
    }

    private void report(Context ctx, boolean finished) {
        long job = pathId(ctx, "job");
        int task;
        try {
            task = Integer.parseInt(ctx.pathParam("task"));
        } catch (NumberFormatException e) {
            throw ApiException.invalid("task", "task '" + ctx.pathParam("task") + "': expected the task index, an integer >= 0");
        }
        boolean ok = true;
        if (finished) {
            JsonNode b = body(ctx);
            JsonNode v = b.get("ok");
            if (v == null || !v.isBoolean()) {
                throw ApiException.invalid("ok", "ok: expected true or false, got " + JobRequestParser.kind(v));
            }
            ok = v.asBoolean();
        }
        await(ctx, engine.report(ctx.pathParam("node"), job, task, finished, ok), v -> write(ctx, 200, job(v, null)));
    }

    // ------------------------------------------------------------------ JSON views

    private static String time(Long t) {
        return t == null ? null : Instant.ofEpochMilli(t).toString();
    }

    /** The API form of a job; {@code live} adds the per-site explanation of a queued job. */
    ObjectNode job(JobView v, TwoLevelPlacer.Explanation live) {
        ObjectNode o = json.createObjectNode();
        o.put("id", v.id());
        o.put("tenant", v.tenant());
        o.put("name", v.name());
        o.put("state", v.state().label());
        o.put("attempts", v.attempts());
        o.put("submitted_at", time(v.submittedAt()));
        o.put("started_at", time(v.startedAt()));
        o.put("expected_end", time(v.dueAt()));
        o.put("finished_at", time(v.finishedAt()));
        // the spec is stored as canonical JSON written by JobRequest.toJson: embedded as is, not parsed again
        o.putRawValue("spec", new com.fasterxml.jackson.databind.util.RawValue(v.spec()));
        if (v.tasks().isEmpty()) {
            o.putNull("placement");
        } else {
            ObjectNode pl = o.putObject("placement");
            pl.put("region", v.region());
            pl.put("site", v.site());
            ArrayNode t = pl.putArray("tasks");
            for (JobView.TaskAlloc a : v.tasks()) {
                ObjectNode x = t.addObject();
                x.put("node", a.node());
                a.gpus().forEach(x.putArray("gpus")::add);
            }
        }
        ObjectNode ex = o.putObject("explanation");
        ex.put("summary", v.decision() != null ? v.decision() : v.reason());
        if (live != null) {
            ex.setAll(explanation(live));
        }
        if (v.reason() != null) {
            o.put("reason", v.reason());
        }
        return o;
    }

    ObjectNode explanation(TwoLevelPlacer.Explanation e) {
        ObjectNode o = json.createObjectNode();
        o.put("message", e.message());
        o.put("rules", e.rules());
        o.put("chosen_site", e.chosenSite());
        o.put("chosen_node", e.chosenNode());
        ArrayNode a = o.putArray("sites");
        for (TwoLevelPlacer.SiteVerdict s : e.sites()) {
            ObjectNode x = a.addObject();
            x.put("site", s.site());
            x.put("region", s.region());
            x.put("verdict", s.candidate() ? "candidate" : "rejected");
            x.put("reason", s.reason().text());
            x.put("detail", s.detail());
            if (s.candidate()) {
                x.put("best_node", s.bestNode());
                x.put("score", s.total());
                ObjectNode c = x.putObject("components");
                String[] names = {"fragmentation", "price", "energy", "free_capacity", "latency"};
                for (int i = 0; i < names.length && i < s.components().length; i++) {
                    c.put(names[i], s.components()[i]);
                }
            } else if (!s.nodeReasons().isEmpty()) {
                ObjectNode c = x.putObject("node_reasons");
                for (Map.Entry<Reason, Integer> r : s.nodeReasons().entrySet()) {
                    c.put(r.getKey().text(), r.getValue());
                }
            }
        }
        return o;
    }
}

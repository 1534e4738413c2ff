package io.archipelago.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.frag.TargetWorkload;
import io.archipelago.core.framework.Profile;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.core.geo.SiteWeights;
import io.archipelago.server.api.ApiServer;
import io.archipelago.server.api.JobRequestParser;
import io.archipelago.server.auth.Authenticator;
import io.archipelago.server.auth.Principal.Role;
import io.archipelago.server.live.EngineMetrics;
import io.archipelago.server.live.LiveEngine;
import io.archipelago.server.store.Database;
import io.archipelago.server.store.JobStore;
import io.archipelago.sim.scenario.ScenarioLoader;
import io.archipelago.sim.scenario.ScenarioParser;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The control plane assembled: database (migrated), principals, the live engine on the fleet, the REST API,
 * and, in demo mode, the demo tenants. {@link #start(ServerConfig)} returns once the API listens; {@link #close()}
 * stops it (the database is consistent at every commit, so a kill is also safe).
 */
public final class ArchipelagoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchipelagoServer.class);
    /** Names of the demo tenants. */
    public static final List<String> DEMO_TENANTS = List.of("acme-ai", "globex-labs", "initech");

    private final ServerConfig config;
    private final Database db;
    private final LiveEngine engine;
    private final ApiServer api;
    private final ScenarioLoader.Loaded live;
    private final Map<String, String> demoTokens;

    private ArchipelagoServer(ServerConfig config, Database db, LiveEngine engine, ApiServer api,
                              ScenarioLoader.Loaded live, Map<String, String> demoTokens) {
        this.config = config;
        this.db = db;
        this.engine = engine;
        this.api = api;
        this.live = live;
        this.demoTokens = demoTokens;
    }

    /** Starts a server; throws (with a message naming the problem) if the database or the port cannot be had. */
    public static ArchipelagoServer start(ServerConfig c) {
        return start(c, System::currentTimeMillis);
    }

    /** As {@link #start(ServerConfig)} with an injected clock (epoch milliseconds). */
    public static ArchipelagoServer start(ServerConfig c, LongSupplier clock) {
        try {
            Files.createDirectories(c.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + c.dataDir() + ": " + e.getMessage(), e);
        }
        ScenarioLoader.Loaded live = liveScenario(c);
        RegionalFleet geo = live.fleet().geo();
        String url = c.dbUrl() != null ? c.dbUrl() : Database.h2Url(c.dataDir());
        Database db = Database.open(url, c.dbUser(), c.dbPassword());
        LiveEngine engine = null;
        ApiServer api = null;
        try {
            JobStore store = new JobStore(db);
            Authenticator auth = new Authenticator(store);
            bootstrapPrincipals(c, auth, clock.getAsLong());
            Map<String, String> demo = c.demo() ? demoTokens(c, auth, clock.getAsLong()) : Map.of();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            TargetWorkload target = TargetWorkload.of(live.workload().tasks() == 0 ? live.workload().prototypes() : live.workload().taskView());
            JobRequestParser parser = new JobRequestParser(geo);
            AtomicReference<LiveEngine> ref = new AtomicReference<>();
            EngineMetrics metrics = new EngineMetrics(registry, () -> ref.get() == null ? null : ref.get().snapshot(),
                    geo.sites().stream().map(io.archipelago.core.geo.Site::name).toList());
            SiteWeights weights = live.scenario().policy().sites();
            engine = new LiveEngine(geo, weights, live.profile(), target, store, parser, clock,
                    LiveEngine.Settings.defaults().withAcceleration(c.acceleration()).withHeartbeatTimeout(c.heartbeatTimeoutMs()), metrics);
            ref.set(engine);
            engine.start();
            api = new ApiServer(engine, store, parser, auth, registry, policy(live, weights, c), clock::getAsLong, c.resultsDir(),
                    c.dataDir().resolve("plans")).start(c.host(), c.port());
            ArchipelagoServer s = new ArchipelagoServer(c, db, engine, api, live, demo);
            writePortFile(c.dataDir(), api.port());
            LOG.atInfo().addKeyValue("url", "http://" + c.host() + ":" + api.port()).addKeyValue("database", db.description())
                    .addKeyValue("fleet", geo.name()).addKeyValue("acceleration", c.acceleration()).log("control plane listening");
            return s;
        } catch (RuntimeException e) {
            if (api != null) {
                api.stop();
            }
            if (engine != null) {
                engine.close();
            }
            db.close();
            throw e;
        }
    }

    /**
     * The live "scenario": the fleet (demo by default), the policy, and the multi-region workload whose
     * shapes are FGD's target workload (and which the demo driver replays through the API).
     */
    static ScenarioLoader.Loaded liveScenario(ServerConfig c) {
        StringBuilder y = new StringBuilder();
        y.append("name: live\nseed: ").append(c.seed()).append('\n');
        y.append("workload: {kind: multi-region, span: 1d, load: ").append(c.demoLoad()).append("}\n");
        y.append("policy: ").append(c.policy()).append('\n');
        if (c.fleetFile() != null) {
            y.append("fleet: {kind: regional, file: '").append(c.fleetFile().toAbsolutePath().toString().replace("'", "''")).append("'}\n");
        }
        y.append("tenants:\n");
        for (String t : DEMO_TENANTS) {
            y.append("  - {name: ").append(t).append(", share: ").append(1.0 / DEMO_TENANTS.size()).append("}\n");
        }
        return ScenarioLoader.load(ScenarioParser.parse(y.toString(), "live"), Path.of("."), System.getenv());
    }

    private static ObjectNode policy(ScenarioLoader.Loaded live, SiteWeights w, ServerConfig c) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("policy", live.policyLabel());
        Profile p = live.profile().create(new io.archipelago.core.policy.PolicyContext(
                new io.archipelago.core.cluster.ClusterState(live.fleet().nodes()), new java.util.SplittableRandom(1),
                new io.archipelago.core.frag.Fragmentation(TargetWorkload.of(live.workload().prototypes()), true)));
        o.put("profile", p.name());
        var plugins = o.putArray("score_plugins");
        for (Profile.WeightedScore ws : p.scores()) {
            plugins.addObject().put("name", ws.plugin().name()).put("weight", ws.weight());
        }
        var filters = o.putArray("filters");
        p.filters().forEach(f -> filters.add(f.name()));
        o.put("gpu_selector", p.gpuSelector().name());
        ObjectNode sites = o.putObject("site_weights");
        sites.put("fragmentation", w.fragmentation());
        sites.put("price", w.price());
        sites.put("energy", w.energy());
        sites.put("free_capacity", w.freeCapacity());
        sites.put("latency", w.latency());
        o.put("fleet", live.fleet().geo().name());
        o.put("acceleration", c.acceleration());
        o.put("preemption", false);
        return o;
    }

    private static void bootstrapPrincipals(ServerConfig c, Authenticator auth, long now) {
        ensure(c, auth, "operator", Role.OPERATOR, "operator-token", now);
        ensure(c, auth, "node-agent", Role.AGENT, "agent-token", now);
    }

    /** Creates the principal once and writes its token to {@code file} in the data directory (mode 600). */
    private static void ensure(ServerConfig c, Authenticator auth, String name, Role role, String file, long now) {
        Path f = c.dataDir().resolve(file);
        if (auth.find(name) != null && Files.exists(f)) {
            return;
        }
        String token = auth.find(name) == null ? auth.create(name, role, now) : auth.rotate(name);
        writeSecret(f, token + "\n");
        LOG.atInfo().addKeyValue("principal", name).addKeyValue("file", f.toString()).log("token written (only its hash is stored)");
    }

    /** Demo tenants (created when missing; tokens rotated on every demo start) and demo-tokens.json. */
    private static Map<String, String> demoTokens(ServerConfig c, Authenticator auth, long now) {
        Map<String, String> tenants = new LinkedHashMap<>();
        for (String t : DEMO_TENANTS) {
            tenants.put(t, auth.find(t) == null ? auth.create(t, Role.TENANT, now) : auth.rotate(t));
        }
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = m.createObjectNode();
        o.set("tenants", m.valueToTree(tenants));
        o.put("operator", auth.rotate("operator"));
        o.put("agent", auth.rotate("node-agent"));
        writeSecret(c.dataDir().resolve("operator-token"), o.get("operator").asText() + "\n");
        writeSecret(c.dataDir().resolve("agent-token"), o.get("agent").asText() + "\n");
        try {
            Files.createDirectories(c.dataDir().resolve("tokens"));
            for (Map.Entry<String, String> t : tenants.entrySet()) {
                writeSecret(c.dataDir().resolve("tokens").resolve(t.getKey()), t.getValue() + "\n");
            }
            writeSecret(c.dataDir().resolve("demo-tokens.json"), m.writeValueAsString(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo tokens in " + c.dataDir() + ": " + e.getMessage(), e);
        }
        return tenants;
    }

    private static void writeSecret(Path f, String text) {
        try {
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static void writePortFile(Path dataDir, int port) {
        try {
            Path tmp = dataDir.resolve("port.tmp");
            Files.writeString(tmp, port + "\n");
            Files.move(tmp, dataDir.resolve("port"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the port file in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return api.port();
    }

    public String baseUrl() {
        return "http://" + config.host() + ":" + api.port();
    }

    public ServerConfig config() {
        return config;
    }

    public LiveEngine engine() {
        return engine;
    }

    public ApiServer api() {
        return api;
    }

    public Database database() {
        return db;
    }

    /** The live scenario (fleet, workload the demo replays, tenants). */
    public ScenarioLoader.Loaded scenario() {
        return live;
    }

    /** Demo tenants' tokens by name (empty unless demo mode). */
    public Map<String, String> demoTokens() {
        return demoTokens;
    }

    @Override
    public void close() {
        api.stop();
        engine.close();
        db.close();
    }
}

package io.archipelago.cli;

import io.archipelago.server.ArchipelagoServer;
import io.archipelago.server.DemoDriver;
import io.archipelago.server.ServerConfig;
import io.archipelago.server.live.Snapshot;
import io.archipelago.sim.engine.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code archipelago serve}: the control plane, live. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the control plane: the REST API (/api/v1, /openapi.json), the live scheduler on the fleet,",
                "durable state in an embedded H2 database (default) or PostgreSQL (--db), /health /ready /metrics.",
                "With --demo: the demo tenants, an accelerated clock and the multi-region workload submitted through the API."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "archipelago-data",
            description = "Database (embedded default), tokens and port file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/archipelago (default: embedded H2 in --data-dir).")
    String db;

    @Option(names = "--db-user", description = "Database user (or in the URL).")
    String dbUser;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0 = any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--fleet", paramLabel = "FILE", description = "A fleet file (docs/fleet-format.md); default: the built-in SEA AI cloud.")
    Path fleet;

    @Option(names = "--policy", defaultValue = "FGD", description = "Node-level policy (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--acceleration", description = "Virtual nodes run durations this many times faster than real time (default: 1; 600 with --demo: a day of demo workload in 2.4 minutes).")
    Double acceleration;

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "A node agent silent this long is marked down and its jobs requeued (default: ${DEFAULT-VALUE}).")
    String heartbeatTimeout;

    @Option(names = "--demo", description = "Demo mode: demo tenants (tokens in <data-dir>/demo-tokens.json) and the multi-region workload submitted through the API.")
    boolean demo;

    @Option(names = "--demo-load", defaultValue = "0.7", description = "Offered load of the demo workload, share of the fleet (default: ${DEFAULT-VALUE}).")
    double demoLoad;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results",
            description = "Study and simulation results the dashboard shows (folders written by experiment and simulate; default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--for", paramLabel = "DURATION", description = "Stop after this long (e.g. 2m); default: until interrupted.")
    String runFor;

    @Override
    public Integer call() throws InterruptedException {
        double accel = acceleration != null ? acceleration : demo ? 600 : 1;
        String password = System.getenv("ARCHIPELAGO_DB_PASSWORD");
        ServerConfig c = new ServerConfig(dataDir, db, dbUser, password, host, port, fleet, policy, accel, duration(heartbeatTimeout).toMillis(),
                demo, demoLoad, 42, results);
        ArchipelagoServer s = ArchipelagoServer.start(c);
        DemoDriver driver = null;
        if (demo) {
            List<String> tenants = s.scenario().tenants().stream().map(Simulation.Tenant::name).toList();
            driver = new DemoDriver(s.scenario().workload(), tenants, s.demoTokens(), s.baseUrl(), accel, 24 * 3_600_000L,
                    System::currentTimeMillis).start();
        }
        CountDownLatch stop = new CountDownLatch(1);
        DemoDriver d = driver;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (d != null) {
                d.close();
            }
            s.close();
            stop.countDown();
        }, "archipelago-shutdown"));
        printWelcome(s, c);
        long end = runFor == null ? Long.MAX_VALUE : System.currentTimeMillis() + duration(runFor).toMillis();
        boolean tty = Main.interactive();
        long lastLine = 0;
        while (System.currentTimeMillis() < end) {
            if (stop.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                return 0;
            }
            long now = System.currentTimeMillis();
            if (now - lastLine >= (tty ? 2000 : 30_000)) {
                lastLine = now;
                Snapshot snap = s.engine().snapshot();
                String line = status(snap, d);
                if (tty) {
                    System.out.print("\r" + line + "   ");
                    System.out.flush();
                } else {
                    System.out.println(line);
                }
            }
        }
        System.out.println();
        if (d != null) {
            d.close();
        }
        s.close();
        return 0;
    }

    private static String status(Snapshot snap, DemoDriver d) {
        String base = String.format(Locale.ROOT, "running %,d jobs | queued %,d | GPUs %,.0f / %,.0f allocated (%.1f %%)",
                snap.running(), snap.queuedTotal(), snap.gpusAllocated(), snap.gpus(), 100 * snap.gpusAllocated() / Math.max(1, snap.gpus()));
        if (d == null) {
            return base;
        }
        long[] k = d.counts();
        return base + String.format(Locale.ROOT, " | demo submitted %,d (refused %,d)", k[1], k[2]);
    }

    private static void printWelcome(ArchipelagoServer s, ServerConfig c) {
        String url = s.baseUrl();
        Path dir = c.dataDir().toAbsolutePath();
        System.out.println("Archipelago control plane on " + url + "  (fleet " + s.engine().fleet().name() + ", "
                + s.engine().fleet().sites().size() + " sites, " + s.engine().fleet().gpuCount() + " GPUs; database "
                + (c.dbUrl() == null ? "embedded H2 in " + dir : "PostgreSQL") + "; clock x" + c.acceleration() + ")");
        System.out.println("  dashboard         " + url + "/  (log in with a token: the operator's sees everything, a tenant's its own jobs)");
        System.out.println("  API description   " + url + "/openapi.json");
        System.out.println("  health, metrics   " + url + "/health  " + url + "/ready  " + url + "/metrics");
        System.out.println("  operator token    " + dir.resolve("operator-token"));
        if (c.demo()) {
            System.out.println("  demo tokens       " + dir.resolve("demo-tokens.json") + "  (tenants " + String.join(", ", s.demoTokens().keySet()) + ")");
            System.out.println("  try:  T=$(cat " + dir.resolve("tokens").resolve("acme-ai") + ")");
            System.out.println("        curl -s -H \"Authorization: Bearer $T\" -H 'Content-Type: application/json' -d '{\"resources\":"
                    + "{\"cpu_milli\":8000,\"memory_mib\":32768,\"gpu\":{\"count\":1}},\"duration_s\":600}' " + url + "/api/v1/jobs");
            System.out.println("  the demo workload (inference, training gangs, batch from 6 regions) is being submitted through the API");
        }
        System.out.println("  stop with Ctrl-C; state survives restarts (same --data-dir)");
    }

    /** A duration option ({@code 30s}, {@code 2m}, {@code 500ms}, ...): the scenario files' syntax. */
    static Duration duration(String s) {
        return Duration.ofMillis(io.archipelago.sim.scenario.Durations.parseDurationMs(s.trim()));
    }
}

package io.archipelago.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archipelago.cli.loadgen.LoadGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code archipelago bench serve}: starts the control plane as a separate process on loopback (demo fleet,
 * fresh data directory, H2 or the PostgreSQL given), then drives it from this process with the load
 * generator and prints accepted jobs/s and latency from request to durable placement.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Load benchmark of the control plane: a server in a child process on 127.0.0.1 (fresh data dir; embedded H2,",
                "or --db PostgreSQL) and the load generator here, each request a job submission answered after its durable placement."})
final class ServeBench implements Callable<Integer> {
    @Option(names = "--db", paramLabel = "JDBC_URL", description = "PostgreSQL URL (user and password in it); default: embedded H2.")
    String db;

    @Option(names = "--connections", defaultValue = "32", description = "Persistent connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "0", description = "Open-loop requests/s (default 0 = closed loop).")
    double rate;

    @Option(names = "--warmup", defaultValue = "10s", description = "Unmeasured warm-up (default ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--duration", defaultValue = "30s", description = "Measured window (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--server-heap", defaultValue = "2g", description = "Server -Xmx (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--keep", description = "Keep the server's data directory (printed).")
    boolean keep;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("archipelago-bench-");
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = Path.of(ServeBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseParallelGC", "-cp", cp, "io.archipelago.server.ServerMain",
                "--data-dir", dir.toString(), "--demo", "--port", "0"));
        if (db != null) {
            cmd.add("--db");
            cmd.add(db);
        }
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("server.log").toFile()).start();
        try {
            int port = awaitListening(p, dir);
            JsonNode tokens = new ObjectMapper().readTree(dir.resolve("demo-tokens.json").toFile());
            String token = tokens.get("tenants").get("acme-ai").asText();
            LoadGenerator.Options o = new LoadGenerator.Options(URI.create("http://127.0.0.1:" + port), token, connections, rate,
                    ServeCommand.duration(warmup), ServeCommand.duration(duration), LoadGenerator.DEFAULT_BODY, true);
            System.out.printf(Locale.ROOT, "server pid %d on 127.0.0.1:%d (%s), load: %d connections, %s, warm-up %s, measured %s%n",
                    p.pid(), port, db == null ? "embedded H2" : "PostgreSQL", connections, rate > 0 ? rate + " req/s" : "closed loop",
                    warmup, duration);
            LoadGenerator.Result r = LoadGenerator.run(o, (elapsed, accepted, perSecond) -> {
                if (Main.interactive()) {
                    System.out.printf(Locale.ROOT, "\r%5.0f s  %,d accepted  %,.0f/s   ", elapsed.toMillis() / 1000.0, accepted, perSecond);
                }
            });
            System.out.println();
            System.out.println(LoadGenerator.Result.markdownHeader());
            System.out.println(r.toMarkdownRow());
            System.out.printf(Locale.ROOT, "accepted %,.0f jobs/s; latency request -> durable placement p50 %.2f ms, p99 %.2f ms, max %.1f ms%n",
                    r.acceptedPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs());
            if (json != null) {
                Files.writeString(json, r.toJson());
            }
            return r.accepted() > 0 ? 0 : 1;
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (keep) {
                System.out.println("server data directory kept: " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    private static int awaitListening(Process p, Path dir) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String line;
        while (System.nanoTime() < end && (line = out.readLine()) != null) {
            if (line.startsWith("listening ")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // discard
                        }
                    } catch (IOException ignored) {
                        // process gone
                    }
                }, "server-stdout");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(10).trim());
            }
        }
        String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
        throw new IllegalStateException("the server did not start; its log ends with:\n" + log.substring(Math.max(0, log.length() - 2000)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

}

package io.archipelago.server;

import java.nio.file.Path;

/**
 * How to run the control plane.
 *
 * @param dataDir          tokens, the port file and (by default) the embedded database live here
 * @param dbUrl            a PostgreSQL (or H2) JDBC URL; null = the embedded H2 database in {@code dataDir}
 * @param host             interface to listen on
 * @param port             0 = any free port (written to {@code <dataDir>/port})
 * @param fleetFile        a fleet file (docs/fleet-format.md); null = the built-in SEA AI cloud
 * @param policy           node-level policy name (as in scenario files)
 * @param acceleration     virtual nodes run job durations this many times faster than real time
 * @param heartbeatTimeoutMs a node agent silent this long is marked down
 * @param demo             create the demo tenants and write demo-tokens.json
 * @param demoLoad         offered load of the live workload the demo replays (and whose shapes FGD targets)
 * @param seed             seed of that workload
 * @param resultsDir       where the dashboard finds study and simulation results (folders written by experiment and simulate)
 */
public record ServerConfig(Path dataDir, String dbUrl, String dbUser, String dbPassword, String host, int port, Path fleetFile,
                           String policy, double acceleration, long heartbeatTimeoutMs, boolean demo, double demoLoad, long seed, Path resultsDir) {
    public ServerConfig {
        if (resultsDir == null) {
            throw new IllegalArgumentException("a results directory is required (--results)");
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("a data directory is required (--data-dir)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + ": expected 0..65535 (0 = any free port)");
        }
        if (!(acceleration >= 1)) {
            throw new IllegalArgumentException("acceleration " + acceleration + ": expected >= 1 (1 = real time)");
        }
        if (!(demoLoad > 0 && demoLoad <= 2)) {
            throw new IllegalArgumentException("demo load " + demoLoad + ": expected a fraction of the fleet in (0, 2]");
        }
    }

    /** Embedded database in {@code dataDir}, loopback, any free port, FGD, real time. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, null, null, null, "127.0.0.1", 0, null, "FGD", 1, 30_000, false, 0.7, 42, Path.of("results"));
    }

    public ServerConfig withDb(String url, String user, String password) {
        return new ServerConfig(dataDir, url, user, password, host, port, fleetFile, policy, acceleration, heartbeatTimeoutMs, demo, demoLoad, seed, resultsDir);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, p, fleetFile, policy, acceleration, heartbeatTimeoutMs, demo, demoLoad, seed, resultsDir);
    }

    public ServerConfig withAcceleration(double a) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, port, fleetFile, policy, a, heartbeatTimeoutMs, demo, demoLoad, seed, resultsDir);
    }

    public ServerConfig withHeartbeatTimeout(long ms) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, port, fleetFile, policy, acceleration, ms, demo, demoLoad, seed, resultsDir);
    }

    public ServerConfig withDemo(boolean d) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, port, fleetFile, policy, acceleration, heartbeatTimeoutMs, d, demoLoad, seed, resultsDir);
    }

    /** Where the dashboard finds study and simulation results (default {@code results}, relative to the working directory). */
    public ServerConfig withResultsDir(Path r) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, port, fleetFile, policy, acceleration, heartbeatTimeoutMs, demo, demoLoad, seed, r);
    }

    public ServerConfig withFleet(Path f) {
        return new ServerConfig(dataDir, dbUrl, dbUser, dbPassword, host, port, f, policy, acceleration, heartbeatTimeoutMs, demo, demoLoad, seed, resultsDir);
    }
}

package io.archipelago.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The two databases every integration test runs against: the embedded H2 default, and PostgreSQL at the
 * JDBC URL in system property {@code archipelago.test.pg} (set from {@code ARCHIPELAGO_TEST_PG_URL}; defaults to
 * the role and database {@code bash .ci/run} creates). Each PostgreSQL use gets a fresh schema, so tests never
 * see each other's rows.
 */
public final class TestDatabases {
    /** Where {@code bash .ci/run} puts PostgreSQL. */
    public static final String DEFAULT_PG = "jdbc:postgresql://127.0.0.1:5432/archipelago_test?user=archipelago&password=archipelago";

    private TestDatabases() {
    }

    /** The two kinds, as parameter values for {@code @ParameterizedTest @ValueSource(strings = {"h2", "postgresql"})}. */
    public static final String H2 = "h2";
    public static final String POSTGRESQL = "postgresql";

    public static String pgBaseUrl() {
        String u = System.getProperty("archipelago.test.pg");
        return u == null || u.isBlank() || u.startsWith("${") ? DEFAULT_PG : u;
    }

    /**
     * A JDBC URL for a fresh, empty PostgreSQL schema; fails with a clear message when PostgreSQL is not there.
     */
    public static String freshPostgres() {
        String base = pgBaseUrl();
        String schema = "t_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is needed for this test but " + base.replaceAll("password=[^&]*", "password=***")
                    + " answered: " + e.getMessage() + ". Run 'bash .ci/run' (it installs and starts PostgreSQL) or set ARCHIPELAGO_TEST_PG_URL.", e);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** A server configuration on {@code kind} ("h2" or "postgresql") with its data directory in {@code dir}. */
    public static ServerConfig config(String kind, java.nio.file.Path dir) {
        ServerConfig c = ServerConfig.defaults(dir);
        return switch (kind) {
            case H2 -> c;
            case POSTGRESQL -> c.withDb(freshPostgres(), null, null);
            default -> throw new IllegalArgumentException("database kind " + kind + ": expected h2 or postgresql");
        };
    }
}

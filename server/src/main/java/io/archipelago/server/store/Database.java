package io.archipelago.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Path;

/**
 * The control plane's database: a small connection pool, the schema migrated with Flyway on open, and a
 * Jdbi handle factory. Two kinds are supported: an embedded H2 file database (the default, in a data
 * directory) and PostgreSQL given a JDBC URL. The same SQL runs on both (H2 in PostgreSQL mode).
 *
 * <p>H2 is opened with {@code WRITE_DELAY=0}: every commit is written to the file before it returns, so a
 * committed transaction survives the process being killed (H2's default delays writes by 500 ms).
 */
public final class Database implements AutoCloseable {
    /** Which engine a {@link Database} talks to. */
    public enum Kind { H2, POSTGRESQL }

    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final Kind kind;
    private final String description;

    private Database(HikariDataSource pool, Kind kind, String description) {
        this.pool = pool;
        this.kind = kind;
        this.description = description;
        this.jdbi = Jdbi.create(pool);
    }

    /** The JDBC URL of the embedded database in {@code dataDir}. */
    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("archipelago") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE"
                + ";DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Opens (and migrates) the database at {@code jdbcUrl}: {@code jdbc:h2:...} or {@code jdbc:postgresql:...}.
     * User and password may be null when the URL carries them. Fails with a message naming the URL (without
     * credentials) when the server cannot be reached.
     */
    public static Database open(String jdbcUrl, String user, String password) {
        Kind kind;
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            kind = Kind.H2;
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            kind = Kind.POSTGRESQL;
        } else {
            throw new IllegalArgumentException("database URL " + redact(jdbcUrl)
                    + ": expected jdbc:h2:... or jdbc:postgresql://host:port/db (or omit --db for the embedded default)");
        }
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        if (user != null) {
            c.setUsername(user);
        } else if (kind == Kind.H2) {
            c.setUsername("sa");
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(6);
        c.setMinimumIdle(2);
        c.setPoolName("archipelago-db");
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open database " + redact(jdbcUrl) + ": " + rootMessage(e)
                    + (kind == Kind.POSTGRESQL ? "; is PostgreSQL running and does the role/database exist? (bash .ci/run sets one up)" : ""), e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new IllegalStateException("cannot migrate database " + redact(jdbcUrl) + ": " + rootMessage(e), e);
        }
        return new Database(ds, kind, redact(jdbcUrl));
    }

    /** The URL with any password parameter removed, for logs and messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Kind kind() {
        return kind;
    }

    /** The URL without credentials. */
    public String description() {
        return description;
    }

    /** True when a connection can be taken and answers a trivial query (the readiness check). */
    public boolean ping() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}

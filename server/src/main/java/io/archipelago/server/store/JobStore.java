package io.archipelago.server.store;

import io.archipelago.server.auth.Principal;
import io.archipelago.server.live.JobState;
import io.archipelago.server.live.JobView;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every SQL statement of the control plane. Writes arrive as one {@link Batch} per engine cycle and are
 * committed in one transaction (group commit); reads serve the API.
 */
public final class JobStore {
    /** A job row (all columns); null times are absent. */
    public record JobRow(long id, String tenant, String name, String idemKey, String idemHash, String spec, JobState state,
                         int attempts, long submittedAt, Long startedAt, Long dueAt, Long finishedAt, String region, String site,
                         String alloc, String decision, String reason) {
        public JobView view() {
            return new JobView(id, tenant, name, state, attempts, submittedAt, startedAt, dueAt, finishedAt, region, site,
                    JobView.decode(alloc), decision, reason, spec);
        }
    }

    /** One entry of a job's history. */
    public record EventRow(long jobId, int seq, long at, String kind, String detail) {
    }

    /** Operator and agent state of a node. */
    public record NodeRow(String node, boolean cordoned, boolean agent, long updatedAt) {
    }

    /** Operator state of a site. */
    public record SiteRow(String site, boolean down, long updatedAt) {
    }

    /** A stored idempotency key and the job it created. */
    public record IdemRow(String tenant, String key, String requestHash, long jobId, long submittedAt) {
    }

    /** A principal with the hash of its token. */
    public record PrincipalRow(String name, Principal.Role role, String tokenHash, long createdAt) {
    }

    /** The writes of one engine cycle. */
    public record Batch(List<JobRow> inserts, List<JobRow> updates, List<EventRow> events, List<NodeRow> nodes, List<SiteRow> sites) {
        public boolean isEmpty() {
            return inserts.isEmpty() && updates.isEmpty() && events.isEmpty() && nodes.isEmpty() && sites.isEmpty();
        }
    }

    private static final String COLUMNS = "id, tenant, name, idem_key, idem_hash, spec, state, attempts, submitted_at, started_at, due_at,"
            + " finished_at, region, site, alloc, decision, reason";

    private final Database db;

    public JobStore(Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    /** Writes a batch in one transaction; nothing of it is visible (or kept) unless all of it is. */
    public void commit(Batch b) {
        if (b.isEmpty()) {
            return;
        }
        db.jdbi().useTransaction(h -> {
            if (!b.inserts().isEmpty()) {
                PreparedBatch p = h.prepareBatch("INSERT INTO jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                for (JobRow r : b.inserts()) {
                    p.bind(0, r.id()).bind(1, r.tenant()).bind(2, r.name()).bind(3, r.idemKey()).bind(4, r.idemHash()).bind(5, r.spec());
                    bindMutable(p, 6, r);
                    p.add();
                }
                p.execute();
            }
            if (!b.updates().isEmpty()) {
                PreparedBatch p = h.prepareBatch("UPDATE jobs SET state = ?, attempts = ?, submitted_at = ?, started_at = ?, due_at = ?,"
                        + " finished_at = ?, region = ?, site = ?, alloc = ?, decision = ?, reason = ? WHERE id = ?");
                for (JobRow r : b.updates()) {
                    bindMutable(p, 0, r);
                    p.bind(11, r.id());
                    p.add();
                }
                p.execute();
            }
            if (!b.events().isEmpty()) {
                PreparedBatch p = h.prepareBatch("INSERT INTO job_events (job_id, seq, at, kind, detail) VALUES (?, ?, ?, ?, ?)");
                for (EventRow e : b.events()) {
                    p.bind(0, e.jobId()).bind(1, e.seq()).bind(2, e.at()).bind(3, e.kind()).bind(4, e.detail()).add();
                }
                p.execute();
            }
            for (NodeRow n : b.nodes()) {
                int k = h.createUpdate("UPDATE node_state SET cordoned = ?, agent = ?, updated_at = ? WHERE node = ?")
                        .bind(0, n.cordoned()).bind(1, n.agent()).bind(2, n.updatedAt()).bind(3, n.node()).execute();
                if (k == 0) {
                    h.createUpdate("INSERT INTO node_state (node, cordoned, agent, updated_at) VALUES (?, ?, ?, ?)")
                            .bind(0, n.node()).bind(1, n.cordoned()).bind(2, n.agent()).bind(3, n.updatedAt()).execute();
                }
            }
            for (SiteRow s : b.sites()) {
                int k = h.createUpdate("UPDATE site_state SET down = ?, updated_at = ? WHERE site = ?")
                        .bind(0, s.down()).bind(1, s.updatedAt()).bind(2, s.site()).execute();
                if (k == 0) {
                    h.createUpdate("INSERT INTO site_state (site, down, updated_at) VALUES (?, ?, ?)")
                            .bind(0, s.site()).bind(1, s.down()).bind(2, s.updatedAt()).execute();
                }
            }
        });
    }

    private static void bindMutable(PreparedBatch p, int i, JobRow r) {
        p.bind(i, r.state().label()).bind(i + 1, r.attempts()).bind(i + 2, r.submittedAt()).bind(i + 3, r.startedAt())
                .bind(i + 4, r.dueAt()).bind(i + 5, r.finishedAt()).bind(i + 6, r.region()).bind(i + 7, r.site())
                .bind(i + 8, r.alloc()).bind(i + 9, r.decision()).bind(i + 10, r.reason());
    }

    private static JobRow row(ResultSet rs) throws SQLException {
        return new JobRow(rs.getLong("id"), rs.getString("tenant"), rs.getString("name"), rs.getString("idem_key"),
                rs.getString("idem_hash"), rs.getString("spec"), JobState.parse(rs.getString("state")), rs.getInt("attempts"),
                rs.getLong("submitted_at"), nullableLong(rs, "started_at"), nullableLong(rs, "due_at"), nullableLong(rs, "finished_at"),
                rs.getString("region"), rs.getString("site"), rs.getString("alloc"), rs.getString("decision"), rs.getString("reason"));
    }

    private static Long nullableLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    /** Every queued or running job, by id (recovery). */
    public List<JobRow> active() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM jobs WHERE state IN ('queued', 'running') ORDER BY id")
                .map((rs, ctx) -> row(rs)).list());
    }

    /** The highest job id, or 0. */
    public long maxJobId() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM jobs").mapTo(Long.class).one());
    }

    /** Per active job the highest event sequence number written. */
    public Map<Long, Integer> activeEventSeqs() {
        return db.jdbi().withHandle(h -> {
            Map<Long, Integer> m = new HashMap<>();
            h.createQuery("SELECT e.job_id, MAX(e.seq) AS s FROM job_events e JOIN jobs j ON j.id = e.job_id"
                    + " WHERE j.state IN ('queued', 'running') GROUP BY e.job_id")
                    .map((rs, ctx) -> m.put(rs.getLong(1), rs.getInt(2))).list();
            return m;
        });
    }

    /** The newest {@code limit} idempotency keys of jobs submitted at or after {@code since}, oldest first. */
    public List<IdemRow> idempotencyKeysSince(long since, int limit) {
        List<IdemRow> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT tenant, idem_key, idem_hash, id, submitted_at FROM jobs"
                        + " WHERE idem_key IS NOT NULL AND submitted_at >= ? ORDER BY id DESC LIMIT ?").bind(0, since).bind(1, limit)
                .map((rs, ctx) -> new IdemRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5))).list());
        java.util.Collections.reverse(rows);
        return rows;
    }

    /** The job a tenant's idempotency key created, if any (the unique index on tenant and key). */
    public Optional<IdemRow> findIdempotency(String tenant, String key) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT tenant, idem_key, idem_hash, id, submitted_at FROM jobs"
                        + " WHERE tenant = ? AND idem_key = ?").bind(0, tenant).bind(1, key)
                .map((rs, ctx) -> new IdemRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5))).findOne());
    }

    public Optional<JobRow> find(long id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").bind(0, id)
                .map((rs, ctx) -> row(rs)).findOne());
    }

    /**
     * Up to {@code limit} jobs with id greater than {@code afterId}, by id, optionally only of one tenant,
     * state or placement region (null = any).
     */
    public List<JobRow> list(String tenant, JobState state, String region, long afterId, int limit) {
        return list(tenant, state, region, afterId, false, limit);
    }

    /**
     * Jobs matching the filters (null = any), at most {@code limit}: oldest first with ids above {@code cursor}, or,
     * with {@code newestFirst}, newest first with ids below {@code cursor} (0 = from the newest).
     */
    public List<JobRow> list(String tenant, JobState state, String region, long cursor, boolean newestFirst, int limit) {
        long after = newestFirst && cursor == 0 ? Long.MAX_VALUE : cursor;
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE id " + (newestFirst ? "<" : ">") + " :after");
        if (tenant != null) {
            sql.append(" AND tenant = :tenant");
        }
        if (state != null) {
            sql.append(" AND state = :state");
        }
        if (region != null) {
            sql.append(" AND region = :region");
        }
        sql.append(newestFirst ? " ORDER BY id DESC LIMIT :limit" : " ORDER BY id LIMIT :limit");
        return db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql.toString()).bind("after", after).bind("limit", limit);
            if (tenant != null) {
                q.bind("tenant", tenant);
            }
            if (state != null) {
                q.bind("state", state.label());
            }
            if (region != null) {
                q.bind("region", region);
            }
            return q.map((rs, ctx) -> row(rs)).list();
        });
    }

    /** Count of jobs per state. */
    public Map<JobState, Long> countByState() {
        return db.jdbi().withHandle(h -> {
            Map<JobState, Long> m = new java.util.EnumMap<>(JobState.class);
            h.createQuery("SELECT state, COUNT(*) FROM jobs GROUP BY state")
                    .map((rs, ctx) -> m.put(JobState.parse(rs.getString(1)), rs.getLong(2))).list();
            return m;
        });
    }

    /** A job's history, oldest first. */
    public List<EventRow> events(long jobId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT job_id, seq, at, kind, detail FROM job_events WHERE job_id = ? ORDER BY seq")
                .bind(0, jobId).map((rs, ctx) -> new EventRow(rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5)))
                .list());
    }

    public List<PrincipalRow> principals() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT name, role, token_hash, created_at FROM principals ORDER BY name")
                .map((rs, ctx) -> new PrincipalRow(rs.getString(1), Principal.Role.parse(rs.getString(2)), rs.getString(3), rs.getLong(4)))
                .list());
    }

    /** Stores a principal; false when the name is taken. */
    public boolean insertPrincipal(PrincipalRow p) {
        return db.jdbi().inTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM principals WHERE name = ?").bind(0, p.name()).mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("INSERT INTO principals (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)")
                    .bind(0, p.name()).bind(1, p.role().label()).bind(2, p.tokenHash()).bind(3, p.createdAt()).execute();
            return true;
        });
    }

    /** Replaces a principal's token hash. */
    public void updatePrincipalToken(String name, String tokenHash) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE principals SET token_hash = ? WHERE name = ?").bind(0, tokenHash).bind(1, name).execute());
    }

    public List<NodeRow> nodeStates() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT node, cordoned, agent, updated_at FROM node_state ORDER BY node")
                .map((rs, ctx) -> new NodeRow(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getLong(4))).list());
    }

    public List<SiteRow> siteStates() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT site, down, updated_at FROM site_state ORDER BY site")
                .map((rs, ctx) -> new SiteRow(rs.getString(1), rs.getBoolean(2), rs.getLong(3))).list());
    }

    /** Runs {@code f} on a handle (tests and tools). */
    public <T> T withHandle(java.util.function.Function<Handle, T> f) {
        return db.jdbi().withHandle(f::apply);
    }
}

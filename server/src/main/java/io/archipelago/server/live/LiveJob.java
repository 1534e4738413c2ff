package io.archipelago.server.live;

import io.archipelago.core.geo.Tier;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.server.api.JobRequest;
import io.archipelago.server.store.JobStore.JobRow;

/**
 * A queued or running job as the engine thread holds it. Mutable, and touched only by the engine thread.
 */
final class LiveJob {
    final long id;
    final String tenant;
    final JobRequest request;
    final String spec;
    final String idemKey;
    final String idemHash;
    final long submittedAt;
    final TaskSpec task;
    final int shape;
    final int rulesId;
    final Tier tier;
    final int priority;
    /** Jobs with equal keys are interchangeable for placement (same shape, rules, tier and gang size). */
    final long fitKey;

    JobState state = JobState.QUEUED;
    int attempts;
    Long startedAt;
    Long dueAt;
    Long finishedAt;
    int site = -1;
    /** Per task its node and GPU mask while running; null otherwise. */
    int[] nodes;
    int[] masks;
    /** Per task: finished reported by its node agent. */
    boolean[] done;
    boolean anyFailed;
    /** Incremented on every placement: due-timer entries of an older placement are stale. */
    int epoch;
    String decision;
    String reason;
    int eventSeq;
    /** True once its row is in the database. */
    boolean persisted;

    LiveJob(long id, String tenant, JobRequest request, String spec, String idemKey, String idemHash, long submittedAt,
            TaskSpec task, int shape, int rulesId) {
        this.id = id;
        this.tenant = tenant;
        this.request = request;
        this.spec = spec;
        this.idemKey = idemKey;
        this.idemHash = idemHash;
        this.submittedAt = submittedAt;
        this.task = task;
        this.shape = shape;
        this.rulesId = rulesId;
        this.tier = request.tier();
        this.priority = request.priority().ordinal();
        this.fitKey = ((long) shape << 32) | ((long) rulesId << 12) | ((long) tier.ordinal() << 9) | request.gang();
    }

    int gang() {
        return request.gang();
    }

    JobRow row(String region, String siteName, String alloc) {
        return new JobRow(id, tenant, request.name(), idemKey, idemHash, spec, state, attempts, submittedAt, startedAt, dueAt,
                finishedAt, region, siteName, alloc, decision, reason);
    }
}

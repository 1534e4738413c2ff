package io.archipelago.sim.scenario;

/**
 * Queueing. YAML: {@code queue: {backfill: true, backfill_max_head_wait: 10m, backfill_window: 64, max_wait: none}}.
 *
 * @param backfill              let later tasks jump a blocked head of queue (default true)
 * @param backfillMaxHeadWaitMs stop backfilling once the head has waited this long, ms (default 10m)
 * @param backfillWindow        how many queued tasks behind the head are tried (default 64)
 * @param maxWaitMs             drop a task that waited this long, ms; {@link #NO_MAX_WAIT} (-1) never drops (default)
 */
public record QueueSpec(boolean backfill, long backfillMaxHeadWaitMs, int backfillWindow, long maxWaitMs) {
    /** {@link #maxWaitMs()} value meaning "tasks wait forever" (YAML {@code none}). */
    public static final long NO_MAX_WAIT = -1;

    /** The queue used when the file has no {@code queue} key. */
    public static final QueueSpec DEFAULT = new QueueSpec(true, 10 * 60_000L, 64, NO_MAX_WAIT);
}

package io.archipelago.server.live;

import io.archipelago.sim.engine.PriorityClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The engine's Prometheus metrics: counters and histograms recorded on the engine thread, gauges read
 * from the latest {@link Snapshot} (queue length by class, GPU allocation and fragmentation by site).
 */
public final class EngineMetrics {
    private final Counter submitted;
    private final Counter requeued;
    private final Counter busy;
    private final Counter[] placed = new Counter[PriorityClass.values().length];
    private final Map<JobState, Counter> finished = new EnumMap<>(JobState.class);
    private final Timer decision;
    private final Timer commit;
    private final Timer cycle;
    private final DistributionSummary batch;

    /** Metrics on {@code registry}; gauges read {@code snapshot} (which may return null before the engine starts). */
    public EngineMetrics(MeterRegistry registry, Supplier<Snapshot> snapshot, List<String> sites) {
        submitted = Counter.builder("archipelago_jobs_submitted").description("jobs accepted").register(registry);
        requeued = Counter.builder("archipelago_jobs_requeued").description("running jobs sent back to the queue (drain, outage, missed heartbeats)")
                .register(registry);
        busy = Counter.builder("archipelago_requests_refused_busy").description("requests refused because the engine inbox was full")
                .register(registry);
        for (PriorityClass c : PriorityClass.values()) {
            placed[c.ordinal()] = Counter.builder("archipelago_placements").description("jobs placed").tag("class", c.label()).register(registry);
        }
        for (JobState s : JobState.values()) {
            if (s.terminal()) {
                finished.put(s, Counter.builder("archipelago_jobs_ended").tag("state", s.label()).register(registry));
            }
        }
        decision = Timer.builder("archipelago_decision_seconds").description("time to place (or fail to place) one job, all its tasks")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofMillis(100))
                .register(registry);
        commit = Timer.builder("archipelago_commit_seconds").description("one group commit to the database")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        cycle = Timer.builder("archipelago_engine_cycle_seconds").description("one engine cycle: timers, commands, scheduling pass, commit")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        batch = DistributionSummary.builder("archipelago_commit_commands").description("commands per group commit").register(registry);
        for (PriorityClass c : PriorityClass.values()) {
            gauge(registry, "archipelago_queue_length", snapshot, s -> s.queued().getOrDefault(c.label(), 0), "class", c.label());
        }
        gauge(registry, "archipelago_jobs_running", snapshot, Snapshot::running);
        gauge(registry, "archipelago_gpus", snapshot, Snapshot::gpus);
        gauge(registry, "archipelago_gpus_allocated", snapshot, Snapshot::gpusAllocated);
        gauge(registry, "archipelago_engine_inbox", snapshot, Snapshot::inbox);
        for (int i = 0; i < sites.size(); i++) {
            int k = i;
            gauge(registry, "archipelago_site_gpu_allocation", snapshot, s -> s.sites().get(k).allocation(), "site", sites.get(i));
            gauge(registry, "archipelago_site_gpus_fragmented", snapshot, s -> s.sites().get(k).fragmentedGpus(), "site", sites.get(i));
            gauge(registry, "archipelago_site_up", snapshot, s -> s.sites().get(k).down() ? 0 : 1, "site", sites.get(i));
        }
    }

    private static void gauge(MeterRegistry r, String name, Supplier<Snapshot> snap, ToDoubleFunction<Snapshot> f, String... tags) {
        Gauge.builder(name, snap, s -> {
            Snapshot x = s.get();
            return x == null ? Double.NaN : f.applyAsDouble(x);
        }).tags(tags).register(r);
    }

    void submitted() {
        submitted.increment();
    }

    void requeued() {
        requeued.increment();
    }

    void rejectedBusy() {
        busy.increment();
    }

    void placed(int priority) {
        placed[priority].increment();
    }

    void finished(JobState s) {
        finished.get(s).increment();
    }

    void decision(long nanos) {
        decision.record(nanos, TimeUnit.NANOSECONDS);
    }

    void committed(long nanos, int commands) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        batch.record(commands);
    }

    void cycle(long nanos) {
        cycle.record(nanos, TimeUnit.NANOSECONDS);
    }
}

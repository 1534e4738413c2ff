package io.archipelago.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.geo.PlacementRules;
import io.archipelago.core.model.GpuModels;
import io.archipelago.core.model.TaskSpec;
import io.archipelago.server.api.JobRequest;
import io.archipelago.sim.engine.Workload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Feeds the demo: replays the live scenario's multi-region workload (a day of inference services, training
 * gangs and batch from the six regions, with their residency and latency rules) through the public API, as
 * the demo tenants, at the server's time acceleration. Arrivals keep their timing (scaled); when the day is
 * over it starts again. Every job is sent with an Idempotency-Key, as a well-behaved client would.
 */
public final class DemoDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoDriver.class);
    private final Workload workload;
    private final List<String> tenantNames;
    private final Map<String, String> tokens;
    private final String base;
    private final double acceleration;
    private final long spanMs;
    private final LongSupplier clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "demo-client");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore inFlight = new Semaphore(64);
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param tenantNames the scenario's tenant names by index (each must have a token in {@code tokens})
     * @param spanMs      the workload's span (it repeats after it)
     */
    public DemoDriver(Workload workload, List<String> tenantNames, Map<String, String> tokens, String baseUrl, double acceleration,
                      long spanMs, LongSupplier clock) {
        this.workload = workload;
        this.tenantNames = List.copyOf(tenantNames);
        this.tokens = Map.copyOf(tokens);
        this.base = baseUrl;
        this.acceleration = acceleration;
        this.spanMs = spanMs;
        this.clock = clock;
        for (String t : tenantNames) {
            if (!tokens.containsKey(t)) {
                throw new IllegalArgumentException("demo tenant " + t + " has no token");
            }
        }
        this.thread = new Thread(this::run, "demo-driver");
        this.thread.setDaemon(true);
    }

    public DemoDriver start() {
        thread.start();
        return this;
    }

    /** Jobs sent, accepted (2xx) and refused (4xx/5xx or I/O errors) so far. */
    public long[] counts() {
        return new long[] {sent.get(), accepted.get(), refused.get()};
    }

    /** The JSON body of job {@code j} of the workload: its request in the API's canonical form. */
    public static ObjectNode body(Workload w, int j, String name) {
        TaskSpec t = w.spec(j);
        List<String> models = new java.util.ArrayList<>();
        for (int m = 0; m < 64; m++) {
            if ((t.allowedModels() & (1L << m)) != 0) {
                models.add(GpuModels.nameOf(m));
            }
        }
        PlacementRules pr = w.rules(j);
        long d = w.duration(j);
        return new JobRequest(name, Math.max(t.cpuMilli(), t.gpuCount() == 0 ? 100 : 0), t.memoryMib(), t.gpuCount(), t.gpuMilli(),
                t.gpuCount() == 0 ? List.of() : models, Math.max(1, w.size(j)), w.tier(j), w.priority(j), pr.origin(), pr.jurisdictions(),
                pr.regions(), pr.latencySloMs(), d <= 0 ? 3600 : Math.max(1, (d + 999) / 1000)).toJson();
    }

    private void run() {
        long start = clock.getAsLong();
        int round = 0;
        while (running) {
            for (int j = 0; j < workload.jobs() && running; j++) {
                long dueWall = start + (long) ((round * (double) spanMs + workload.arrival(j)) / acceleration);
                long wait = dueWall - clock.getAsLong();
                if (wait > 0) {
                    try {
                        Thread.sleep(Math.min(wait, 1000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    j--;
                    continue;
                }
                submit(j, round);
            }
            round++;
        }
    }

    private void submit(int j, int round) {
        String tenant = tenantNames.get(Math.min(workload.tenant(j), tenantNames.size() - 1));
        String name = "demo-r" + round + "-" + j;
        String body = body(workload, j, name).toString();
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        sent.incrementAndGet();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.get(tenant)).header("Content-Type", "application/json")
                .header("Idempotency-Key", name).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenCompleteAsync((res, ex) -> {
            inFlight.release();
            if (ex == null && res.statusCode() / 100 == 2) {
                accepted.incrementAndGet();
            } else {
                long n = refused.incrementAndGet();
                if (n <= 5 || Long.bitCount(n) == 1) {
                    LOG.atWarn().addKeyValue("job", name).addKeyValue("status", ex == null ? res.statusCode() : -1)
                            .addKeyValue("detail", ex == null ? res.body() : ex.toString()).log("demo submission refused");
                }
            }
        }, pool);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.archipelago.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.server.auth.Principal;
import io.archipelago.server.live.LiveEngine;
import io.archipelago.server.live.Snapshot;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's live feed: server-sent events on {@code GET /api/v1/stream}, pushed from one timer thread.
 *
 * <p>Events, each a JSON object on one {@code data:} line:
 * <ul>
 *   <li>{@code hello}, once on connect: {@code {name, role, history}}; {@code history} (operators only, else
 *       empty) is the fleet's recent time series, {@code [[at ms, GPU allocation %, queued, running,
 *       fragmented GPUs], ...]}, oldest first, at most {@link #HISTORY} points;</li>
 *   <li>{@code fleet}, operators only, whenever the engine's snapshot changed (about once a second): the same
 *       body as {@code GET /api/v1/fleet};</li>
 *   <li>{@code jobs}: {@code {tenants: [...]}} when jobs the client may see changed in a committed cycle
 *       (a tenant is told about its own jobs only; an operator about every tenant's). The client reloads
 *       what it shows.</li>
 * </ul>
 * A comment line every {@link #KEEPALIVE_TICKS} ticks finds clients that went away. Thread-safe: clients join
 * and leave on Jetty's threads, the timer thread sends.
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    /** Points of fleet history kept (15 minutes at one a second). */
    static final int HISTORY = 900;
    static final long TICK_MS = 500;
    static final int KEEPALIVE_TICKS = 30;

    private record Client(SseClient sse, Principal principal) {
    }

    private final LiveEngine engine;
    private final ObjectMapper json;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    /** Ring of history points, guarded by {@code this}. */
    private final double[][] history = new double[HISTORY][];
    private int historyStart;
    private int historySize;
    private long lastAt = Long.MIN_VALUE;
    private long ticks;

    LiveFeed(LiveEngine engine, ObjectMapper json) {
        this.engine = engine;
        this.json = json;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archipelago-live-feed");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Connected clients (for tests and metrics). */
    int clients() {
        return clients.size();
    }

    /** Registers a connected client: greets it and keeps it until it disconnects. */
    void join(SseClient sse, Principal p) {
        sse.keepAlive();
        Client c = new Client(sse, p);
        sse.onClose(() -> clients.remove(c));
        ObjectNode hello = json.createObjectNode();
        hello.put("name", p.name());
        hello.put("role", p.role().label());
        ArrayNode h = hello.putArray("history");
        if (p.isOperator()) {
            synchronized (this) {
                for (int i = 0; i < historySize; i++) {
                    ArrayNode row = h.addArray();
                    for (double v : history[(historyStart + i) % HISTORY]) {
                        row.add(v);
                    }
                }
            }
        }
        send(c, "hello", text(hello));
        Snapshot s = engine.snapshot();
        if (p.isOperator() && s != null) {
            send(c, "fleet", text(json.valueToTree(s)));
        }
        clients.add(c);
    }

    private void tick() {
        try {
            ticks++;
            Snapshot s = engine.snapshot();
            String fleet = null;
            if (s != null && s.at() != lastAt) {
                lastAt = s.at();
                record(s);
                fleet = text(json.valueToTree(s));
            }
            List<String> changed = engine.takeChangedTenants();
            String allJobs = changed.isEmpty() ? null : text(json.createObjectNode().set("tenants", json.valueToTree(changed)));
            for (Client c : clients) {
                if (c.sse().terminated()) {
                    clients.remove(c);
                    continue;
                }
                boolean op = c.principal().isOperator();
                if (fleet != null && op) {
                    send(c, "fleet", fleet);
                }
                if (allJobs != null && (op || changed.contains(c.principal().name()))) {
                    send(c, "jobs", op ? allJobs : text(json.createObjectNode().set("tenants", json.createArrayNode().add(c.principal().name()))));
                }
                if (ticks % KEEPALIVE_TICKS == 0 && !c.sse().terminated()) {
                    c.sse().sendComment("keep-alive");
                }
            }
        } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("live feed tick failed; the next tick retries");
        }
    }

    private synchronized void record(Snapshot s) {
        double[] point = {s.at(), s.gpus() == 0 ? 0 : 100.0 * s.gpusAllocated() / s.gpus(), s.queuedTotal(), s.running(),
                s.sites().stream().mapToDouble(Snapshot.SiteStatus::fragmentedGpus).sum()};
        if (historySize < HISTORY) {
            history[(historyStart + historySize++) % HISTORY] = point;
        } else {
            history[historyStart] = point;
            historyStart = (historyStart + 1) % HISTORY;
        }
    }

    private void send(Client c, String event, String data) {
        try {
            c.sse().sendEvent(event, data);
        } catch (RuntimeException e) {
            clients.remove(c);
        }
    }

    private String text(Object node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Client c : clients) {
            try {
                c.sse().close();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        clients.clear();
    }
}

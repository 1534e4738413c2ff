package io.archipelago.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archipelago.core.geo.RegionalFleet;
import io.archipelago.plan.PlanParser;
import io.archipelago.plan.PlanReport;
import io.archipelago.plan.PlanSpec;
import io.archipelago.plan.Planner;
import io.archipelago.sim.scenario.ScenarioException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Capacity-planning what-ifs next to the live control plane ({@code /api/v1/plans}, operators only): a plan
 * file (docs/planning.md) is parsed at once against the server's own fleet, stored, and run in the background
 * by the planner of module {@code plan}.
 *
 * <p>On disk, each plan is a folder {@code <data-dir>/plans/<id>/}:
 * <ul>
 *   <li>{@code plan.yaml}: the request body, written (temp file, fsync, atomic move, fsync of the folders)
 *       before the 202 answer, with the submission time as its modification time;</li>
 *   <li>{@code plan.json} and {@code plan.html}: the planner's report ({@link PlanReport}), once done;</li>
 *   <li>{@code status.json}: {@code {status, name, finished_at, error}}, once done or failed.</li>
 * </ul>
 * At start every folder is loaded: with {@code plan.json} and {@code plan.html} it is done; with a
 * {@code status.json} saying failed it failed; with only {@code plan.yaml} it is queued again, so an
 * acknowledged what-if is never lost by a restart.
 *
 * <p>One worker thread runs one plan at a time, with the planner's simulations on that one thread
 * ({@code threads(1)}), so the live engine keeps the other cores. At most {@link #MAX_PENDING} plans may be
 * queued or running; past that a submission answers 503. Ids are {@code p-} and a zero-padded counter that
 * continues from the largest id on disk; they never derive from the request.
 */
final class Plans implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Plans.class);
    /** Most plans queued or running at once; one more is refused with 503. */
    static final int MAX_PENDING = 4;
    /** A plan id: {@code p-} and at least six digits. */
    static final Pattern ID = Pattern.compile("p-[0-9]{6,18}");
    /** Content types a plan may be sent as (its text is UTF-8 YAML). */
    static final List<String> MEDIA_TYPES = List.of("application/yaml", "text/yaml", "application/x-yaml", "text/plain");
    static final String INPUT = "plan.yaml";
    static final String STATUS = "status.json";

    /** Where a plan is. */
    enum Status {
        QUEUED, RUNNING, DONE, FAILED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How far the planner has got with one plan: a step's text and {@code done} of {@code total} steps. */
    record Progress(String what, int done, int total) {
        static final Progress QUEUED = new Progress("queued", 0, 1);
        static final Progress FINISHED = new Progress("done", 1, 1);
    }

    /** One plan; its fields change on the worker thread and are read by API threads. */
    private static final class Run {
        final String id;
        final long seq;
        final Path dir;
        final long submittedAt;
        volatile String name;
        volatile PlanSpec spec;
        volatile Status status;
        volatile Progress progress;
        volatile Long finishedAt;
        volatile String error;

        Run(long seq, Path dir, long submittedAt) {
            this.id = id(seq);
            this.seq = seq;
            this.dir = dir;
            this.submittedAt = submittedAt;
        }
    }

    private final Path root;
    private final RegionalFleet fleet;
    private final Supplier<Long> clock;
    private final ObjectMapper json;
    private final ConcurrentSkipListMap<Long, Run> runs = new ConcurrentSkipListMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "planner");
        t.setDaemon(true);
        return t;
    });
    private long lastSeq;
    private volatile boolean closed;

    /**
     * @param root  the plans folder ({@code <data-dir>/plans}); created by {@link #start()}
     * @param fleet the live fleet: plans without a {@code fleet:} key run on it
     */
    Plans(Path root, RegionalFleet fleet, MeterRegistry registry, Supplier<Long> clock, ObjectMapper json) {
        this.root = root.toAbsolutePath().normalize();
        this.fleet = fleet;
        this.clock = clock;
        this.json = json;
        for (Status s : Status.values()) {
            Gauge.builder("archipelago_plans", this, p -> p.count(s)).description("capacity plans (what-ifs) by status")
                    .tag("status", s.label()).register(registry);
        }
    }

    static String id(long seq) {
        return String.format(Locale.ROOT, "p-%06d", seq);
    }

    private long count(Status s) {
        return runs.values().stream().filter(r -> r.status == s).count();
    }

    // ------------------------------------------------------------------ start and stop

    /** Loads every plan folder (queueing again those without results) and starts the worker. */
    synchronized Plans start() {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plans folder " + root + ": " + e.getMessage()
                    + "; check the permissions of the data directory", e);
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plans folder " + root + ": " + e.getMessage(), e);
        }
        int requeued = 0;
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            if (!ID.matcher(name).matches()) {
                LOG.atWarn().addKeyValue("folder", d.toString()).log("not a plan folder (expected a name like p-000001); ignored");
                continue;
            }
            long seq = Long.parseLong(name.substring(2));
            lastSeq = Math.max(lastSeq, seq);
            Run r = load(seq, d);
            if (r != null) {
                runs.put(seq, r);
                requeued += r.status == Status.QUEUED ? 1 : 0;
            }
        }
        // in id order, the order they were submitted in
        runs.values().stream().filter(r -> r.status == Status.QUEUED).forEach(r -> worker.execute(() -> execute(r)));
        if (!runs.isEmpty()) {
            LOG.atInfo().addKeyValue("plans", runs.size()).addKeyValue("requeued", requeued).addKeyValue("folder", root.toString())
                    .log("capacity plans loaded");
        }
        return this;
    }

    /** One folder as found on disk, or null when it holds no plan. */
    private Run load(long seq, Path d) {
        Path input = d.resolve(INPUT);
        if (!Files.isRegularFile(input)) {
            // a submission that failed before its answer (nothing was acknowledged), or not ours
            LOG.atWarn().addKeyValue("folder", d.toString()).log("plan folder without " + INPUT + "; ignored");
            return null;
        }
        try {
            Run r = new Run(seq, d, Files.getLastModifiedTime(input).toMillis());
            JsonNode status = Files.isRegularFile(d.resolve(STATUS)) ? json.readTree(d.resolve(STATUS).toFile()) : null;
            boolean results = Files.isRegularFile(d.resolve(PlanReport.JSON_FILE)) && Files.isRegularFile(d.resolve(PlanReport.HTML_FILE));
            if (results || status != null && "failed".equals(status.path("status").asText())) {
                r.status = results ? Status.DONE : Status.FAILED;
                r.progress = results ? Progress.FINISHED : new Progress("failed", 0, 1);
                r.name = status != null && status.path("name").isTextual() ? status.get("name").asText()
                        : results ? json.readTree(d.resolve(PlanReport.JSON_FILE).toFile()).path("plan").asText(null) : null;
                r.finishedAt = status != null && status.path("finished_at").isTextual()
                        ? Instant.parse(status.get("finished_at").asText()).toEpochMilli()
                        : Files.getLastModifiedTime(d.resolve(results ? PlanReport.JSON_FILE : STATUS)).toMillis();
                r.error = results ? null : status.path("error").asText("unknown error");
                return r;
            }
            try {
                r.spec = PlanParser.parseUntrusted(Files.readString(input, StandardCharsets.UTF_8), "plans/" + r.id + "/" + INPUT, fleet);
                r.name = r.spec.name();
                r.status = Status.QUEUED;
                r.progress = Progress.QUEUED;
            } catch (ScenarioException | IllegalArgumentException e) {
                // it parsed when it was submitted: the server's fleet has changed since
                fail(r, "the plan no longer parses on this server's fleet: " + e.getMessage());
            }
            return r;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot load the plan folder " + d + ": " + e.getMessage()
                    + "; move the folder out of " + root + " to start without it", e);
        }
    }

    /** Stops the worker. A plan still running is not recorded as done; the next start runs it again. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        worker.shutdownNow();
    }

    // ------------------------------------------------------------------ the API

    /**
     * Parses {@code yaml} against the live fleet, stores it durably and queues it: the 202 body. 400 (the
     * parser's message, which names line, key and value) for bad input, 503 when {@link #MAX_PENDING} plans are
     * pending or the plan cannot be stored; nothing is stored on any refusal.
     */
    ObjectNode submit(String yaml, String by) {
        PlanSpec spec;
        try {
            spec = PlanParser.parseUntrusted(yaml, "request body", fleet);
        } catch (ScenarioException e) {
            throw ApiException.invalid(e.key() == null ? "" : e.key(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("", "request body: " + e.getMessage());
        }
        Run r;
        synchronized (this) {
            if (closed) {
                throw new ApiException(503, "unavailable", null, "the server is shutting down; retry later");
            }
            long pending = count(Status.QUEUED) + count(Status.RUNNING);
            if (pending >= MAX_PENDING) {
                throw new ApiException(503, "overloaded", null, pending + " plans are queued or running (at most " + MAX_PENDING
                        + " at once); retry later, when one has finished (GET /api/v1/plans shows them)");
            }
            long seq = lastSeq + 1;
            r = new Run(seq, root.resolve(id(seq)), clock.get());
            store(r, yaml);
            lastSeq = seq;
            r.spec = spec;
            r.name = spec.name();
            r.status = Status.QUEUED;
            r.progress = Progress.QUEUED;
            runs.put(seq, r);
            worker.execute(() -> execute(r));
        }
        LOG.atInfo().addKeyValue("plan", r.id).addKeyValue("name", r.name).addKeyValue("by", by).log("capacity plan queued");
        ObjectNode o = json.createObjectNode();
        o.put("id", r.id);
        o.put("name", r.name);
        o.put("status", Status.QUEUED.label());
        o.putObject("links").put("self", "/api/v1/plans/" + r.id).put("report", "/api/v1/plans/" + r.id + "/report");
        return o;
    }

    /** Writes the plan's input durably; on failure removes what it wrote and answers 503. */
    private void store(Run r, String yaml) {
        try {
            Files.createDirectory(r.dir);
            fsyncDir(root);
            writeAtomically(r.dir.resolve(INPUT), yaml.getBytes(StandardCharsets.UTF_8), r.submittedAt);
        } catch (IOException e) {
            LOG.atError().setCause(e).addKeyValue("plan", r.id).log("cannot store a capacity plan");
            try {
                Files.deleteIfExists(r.dir.resolve(INPUT + ".tmp"));
                Files.deleteIfExists(r.dir.resolve(INPUT));
                Files.deleteIfExists(r.dir);
            } catch (IOException ignored) {
                // the folder holds no plan.yaml, so the next start ignores it
            }
            throw new ApiException(503, "unavailable", null, "the plan could not be stored (" + e.getClass().getSimpleName()
                    + "); nothing was queued: retry later");
        }
    }

    /** Every plan, newest first. */
    ObjectNode list() {
        ObjectNode o = json.createObjectNode();
        ArrayNode a = o.putArray("plans");
        for (Run r : runs.descendingMap().values()) {
            ObjectNode x = a.addObject();
            summary(x, r);
        }
        return o;
    }

    /** One plan, with its result when done; 404 when there is none. */
    ObjectNode get(String id) {
        Run r = find(id);
        ObjectNode o = json.createObjectNode();
        summary(o, r);
        if (r.status == Status.FAILED) {
            o.put("error", r.error);
        }
        if (r.status == Status.DONE) {
            try {
                o.set("result", json.readTree(r.dir.resolve(PlanReport.JSON_FILE).toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + r.dir.resolve(PlanReport.JSON_FILE) + ": " + e.getMessage(), e);
            }
        }
        return o;
    }

    /** The HTML report of a plan that is done; 404 otherwise. */
    Path report(String id) {
        Run r = find(id);
        if (r.status != Status.DONE) {
            throw ApiException.notFound("plan " + r.id + " is " + r.status.label() + (r.status == Status.FAILED
                    ? " and has no report; GET /api/v1/plans/" + r.id + " shows the error"
                    : "; its report exists once it is done (GET /api/v1/plans/" + r.id + " shows its progress)"));
        }
        return r.dir.resolve(PlanReport.HTML_FILE);
    }

    private Run find(String id) {
        Run r = ID.matcher(id).matches() ? runs.get(Long.parseLong(id.substring(2))) : null;
        if (r == null) {
            throw ApiException.notFound("no plan '" + (id.length() > 40 ? id.substring(0, 40) + "..." : id)
                    + "'; GET /api/v1/plans lists them");
        }
        return r;
    }

    private void summary(ObjectNode x, Run r) {
        Progress p = r.progress;
        x.put("id", r.id);
        x.put("name", r.name);
        x.put("status", r.status.label());
        x.put("submitted_at", Instant.ofEpochMilli(r.submittedAt).toString());
        x.put("finished_at", r.finishedAt == null ? null : Instant.ofEpochMilli(r.finishedAt).toString());
        x.putObject("progress").put("what", p.what()).put("done", p.done()).put("total", p.total());
    }

    // ------------------------------------------------------------------ the worker

    private void execute(Run r) {
        if (closed) {
            return;
        }
        r.status = Status.RUNNING;
        r.progress = new Progress("starting", 0, 1);
        long t0 = System.nanoTime();
        LOG.atInfo().addKeyValue("plan", r.id).addKeyValue("name", r.name).log("capacity plan running");
        try {
            Planner.Result result = new Planner(r.spec).threads(1).onProgress((what, done, total) -> r.progress = new Progress(what, done, total))
                    .run();
            if (closed) {
                LOG.atInfo().addKeyValue("plan", r.id).log("server stopped while the plan ran; it runs again at the next start");
                return;
            }
            writeAtomically(r.dir.resolve(PlanReport.JSON_FILE), (PlanReport.toJson(PlanReport.json(result)) + "\n")
                    .getBytes(StandardCharsets.UTF_8), null);
            writeAtomically(r.dir.resolve(PlanReport.HTML_FILE), PlanReport.html(result).getBytes(StandardCharsets.UTF_8), null);
            r.finishedAt = clock.get();
            r.progress = Progress.FINISHED;
            r.status = Status.DONE;
            r.spec = null;
            writeStatus(r);
            LOG.atInfo().addKeyValue("plan", r.id).addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log("capacity plan done");
        } catch (IOException | RuntimeException | LinkageError | OutOfMemoryError e) {
            if (closed) {
                return;
            }
            LOG.atError().setCause(e).addKeyValue("plan", r.id).log("capacity plan failed");
            String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            fail(r, e instanceof IOException ? "cannot write the plan's results: " + m : m);
        }
    }

    /** Marks {@code r} failed and records it in its status file (if that cannot be written, the next start runs it again). */
    private void fail(Run r, String error) {
        Progress last = r.progress;
        r.progress = last == null ? new Progress("failed", 0, 1) : new Progress("failed: " + last.what(), last.done(), last.total());
        r.error = error;
        r.finishedAt = clock.get();
        r.spec = null;
        r.status = Status.FAILED;
        try {
            writeStatus(r);
        } catch (IOException e) {
            LOG.atError().setCause(e).addKeyValue("plan", r.id).log("cannot write the status of a failed plan");
        }
    }

    private void writeStatus(Run r) throws IOException {
        ObjectNode s = json.createObjectNode();
        s.put("status", r.status.label());
        s.put("name", r.name);
        s.put("finished_at", Instant.ofEpochMilli(r.finishedAt).toString());
        if (r.error != null) {
            s.put("error", r.error);
        }
        writeAtomically(r.dir.resolve(STATUS), json.writeValueAsBytes(s), null);
    }

    // ------------------------------------------------------------------ files

    /**
     * Writes {@code f} so that it is either absent or complete, also after a power loss: a temporary file,
     * fsync, atomic rename, fsync of the folder. {@code modified} (epoch ms) sets its modification time.
     */
    static void writeAtomically(Path f, byte[] data, Long modified) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                c.write(b);
            }
            if (modified != null) {
                Files.setLastModifiedTime(tmp, FileTime.fromMillis(modified));
            }
            c.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(f.getParent());
    }

    /** Makes a folder's entries (a new file or folder, a rename) durable; a no-op where folders cannot be opened. */
    private static void fsyncDir(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException e) {
            // not supported on this platform (Windows): the files themselves are synced
        }
    }
}

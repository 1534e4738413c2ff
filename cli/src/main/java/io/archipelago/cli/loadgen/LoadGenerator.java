package io.archipelago.cli.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An HTTP/1.1 load generator for {@code POST /api/v1/jobs} of the control plane, cheap enough to run next to it on
 * the same small machine.
 *
 * <p><b>Design.</b> {@link Options#connections()} worker threads each own one persistent, blocking
 * {@link java.net.Socket} with keep-alive and send one request at a time (no pipelining). The request bytes are
 * pre-encoded once; per request only the sequence number (the {@code {n}} of the body template, and the
 * {@code Idempotency-Key} when enabled) and the {@code Content-Length} are written into a per-thread buffer. Responses
 * are parsed from a per-thread byte buffer (status line, {@code Content-Length}, {@code Transfer-Encoding: chunked},
 * {@code Connection: close}, HTTP/1.0 without keep-alive) and their bodies discarded; a connection that the server
 * closes, or that fails, is reopened for the next request. Nothing is allocated per request outside the socket I/O.
 *
 * <p><b>Load models.</b> With {@link Options#ratePerSecond()} {@code 0} the load is a closed loop: each connection
 * sends its next request as soon as the previous response is in, and latency runs from the moment the request is
 * issued (including a reconnect, if one is needed) to the last byte of the response. With a positive rate the load is
 * an open loop: connection {@code i} of {@code c} sends at {@code start + (i / c + k) * c / rate}; latency runs from
 * that <em>scheduled</em> time, so a connection that falls behind sends immediately but still charges the wait to the
 * request (no coordinated omission). A connection more than {@value #DRAIN_SECONDS} s behind at the end of the run
 * stops and drops its backlog.
 *
 * <p><b>What counts.</b> Only requests issued (closed loop) or scheduled (open loop) in the measured window
 * {@code [warmup, warmup + duration)} after the start count; their responses are awaited even after the window ends.
 * Latency percentiles are over the accepted ({@code 2xx}) requests only, so fast rejections cannot flatter them; the
 * rejections are counted separately. An I/O error (refused connection, reset, timeout of
 * {@value #READ_TIMEOUT_SECONDS} s, malformed response) counts the request in {@link Result#ioErrors()} and is not
 * retried, since a {@code POST} may have been applied; after a failed connect the connection waits
 * {@value #CONNECT_BACKOFF_MILLIS} ms before its next attempt.
 *
 * <p>Run it as {@code archipelago loadgen --token-file demo-tokens.json} against {@code archipelago serve}.
 */
public final class LoadGenerator {
    /** The default job body: a small shared-GPU spot job; {@code {n}} is the request's sequence number. */
    public static final String DEFAULT_BODY = "{\"name\":\"load-{n}\",\"resources\":{\"cpu_milli\":1000,\"memory_mib\":2048,"
            + "\"gpu\":{\"count\":1,\"milli\":250}},\"tier\":\"spot\",\"priority\":\"best-effort\",\"duration_s\":2}";
    /** The placeholder in {@link Options#bodyTemplate()} replaced by the request's sequence number (1, 2, ...). */
    public static final String SEQUENCE_PLACEHOLDER = "{n}";
    /** The path appended to {@link Options#base()}. */
    public static final String JOBS_PATH = "/api/v1/jobs";

    static final int READ_TIMEOUT_SECONDS = 5;
    static final int CONNECT_TIMEOUT_SECONDS = 2;
    static final int CONNECT_BACKOFF_MILLIS = 20;
    static final int DRAIN_SECONDS = 5;
    static final int MAX_CONNECTIONS = 10_000;
    private static final long SECOND = 1_000_000_000L;
    private static final long MAX_INTERVAL = 2 * 366 * 86_400 * SECOND;

    private LoadGenerator() {
    }

    /**
     * What to run. Every component is checked when the record is built; a bad value fails with a message that names
     * it and says what would work.
     *
     * @param base           the control plane's address, {@code http://host[:port][/prefix]}; requests go to
     *                       {@code prefix + }{@value #JOBS_PATH}
     * @param token          the bearer token (without the {@code Bearer } prefix)
     * @param connections    persistent connections, one worker thread each, {@code 1..10000}
     * @param ratePerSecond  requests per second over all connections, or {@code 0} for a closed loop
     * @param warmup         time before the measured window, at least 0
     * @param duration       length of the measured window, positive
     * @param bodyTemplate   the JSON job body; every {@value #SEQUENCE_PLACEHOLDER} is replaced by the request's
     *                       sequence number
     * @param idempotencyKeys whether to send a unique {@code Idempotency-Key} header with every request
     */
    public record Options(URI base, String token, int connections, double ratePerSecond, Duration warmup,
                          Duration duration, String bodyTemplate, boolean idempotencyKeys) {
        public Options {
            if (base == null) {
                throw new IllegalArgumentException("base URL is missing; pass the control plane's address, e.g."
                        + " http://127.0.0.1:8080");
            }
            if (!"http".equalsIgnoreCase(base.getScheme())) {
                throw new IllegalArgumentException("base URL " + base + " has scheme '" + base.getScheme() + "'; the load"
                        + " generator speaks plain HTTP/1.1 only: use the http:// listener, e.g. http://127.0.0.1:8080");
            }
            if (base.getHost() == null || base.getHost().isEmpty()) {
                throw new IllegalArgumentException("base URL " + base + " has no host; use e.g. http://127.0.0.1:8080");
            }
            if (base.getRawQuery() != null || base.getRawFragment() != null) {
                throw new IllegalArgumentException("base URL " + base + " has a query or fragment; pass only"
                        + " http://host[:port][/prefix], the load generator appends " + JOBS_PATH);
            }
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("token is missing or empty; pass the tenant's bearer token");
            }
            for (int i = 0; i < token.length(); i++) {
                char ch = token.charAt(i);
                if (ch <= ' ' || ch > '~') {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "token has character U+%04X at index %d;"
                            + " a bearer token is visible ASCII without spaces: strip any 'Bearer ' prefix, quotes or"
                            + " trailing newline", (int) ch, i));
                }
            }
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections = " + connections + " must be between 1 and "
                        + MAX_CONNECTIONS + "; 32 is a good start for a closed loop");
            }
            if (!Double.isFinite(ratePerSecond) || ratePerSecond < 0) {
                throw new IllegalArgumentException("ratePerSecond = " + ratePerSecond + " must be finite and at least 0"
                        + " (0 = closed loop, each connection sends as fast as responses come)");
            }
            if (ratePerSecond > 0 && connections / ratePerSecond * SECOND < 1_000) {
                throw new IllegalArgumentException("ratePerSecond = " + ratePerSecond + " over " + connections
                        + " connections asks for more than 1,000,000 requests/s per connection; add connections or use"
                        + " 0 for a closed loop");
            }
            if (warmup == null || warmup.isNegative()) {
                throw new IllegalArgumentException("warmup = " + warmup + " must be zero or positive, e.g."
                        + " Duration.ofSeconds(5)");
            }
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration = " + duration + " must be positive, e.g."
                        + " Duration.ofSeconds(30)");
            }
            if (warmup.plus(duration).compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("warmup " + warmup + " plus duration " + duration + " exceeds a"
                        + " year; pass seconds or minutes, e.g. Duration.ofSeconds(30)");
            }
            if (bodyTemplate == null || bodyTemplate.isBlank()) {
                throw new IllegalArgumentException("bodyTemplate is missing or blank; pass a JSON job body such as"
                        + " LoadGenerator.DEFAULT_BODY");
            }
        }

        /** The closed-loop defaults of the CLI: 32 connections, 5 s warmup, 30 s measured, {@link #DEFAULT_BODY}. */
        public static Options closedLoop(URI base, String token) {
            return new Options(base, token, 32, 0, Duration.ofSeconds(5), Duration.ofSeconds(30), DEFAULT_BODY, false);
        }

        /** The request target: the base URL's path without a trailing slash, then {@value #JOBS_PATH}. */
        public String requestPath() {
            String p = base.getRawPath() == null ? "" : base.getRawPath();
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return p + JOBS_PATH;
        }

        int port() {
            return base.getPort() < 0 ? 80 : base.getPort();
        }
    }

    /**
     * Receives progress about once per second while a run is going, on the thread that called
     * {@link LoadGenerator#run}; it must return quickly and should not throw (an exception ends the run).
     */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * @param elapsed         time since the start of the run, warmup included
         * @param accepted        {@code 2xx} responses so far, warmup included
         * @param acceptedPerSecond {@code 2xx} responses per second since the previous call
         */
        void progress(Duration elapsed, long accepted, double acceptedPerSecond);

        /** A listener that ignores progress. */
        static ProgressListener none() {
            return (elapsed, accepted, rate) -> {
            };
        }
    }

    /**
     * The outcome of a run, over the measured window only.
     *
     * <p>{@code sent = accepted + rejected4xx + failed5xx + ioErrors + (other statuses)}, where the other statuses
     * (1xx/3xx finals) appear only in {@link #statusCounts}. Latencies are in milliseconds over the accepted requests
     * and {@code NaN} when none was accepted; {@code maxMs} is exact, the percentiles are within
     * {@link LatencyHistogram#RELATIVE_ERROR}.
     *
     * @param sent              requests issued (closed loop) or scheduled (open loop) in the measured window
     * @param accepted          {@code 2xx} responses
     * @param rejected4xx       {@code 4xx} responses (e.g. 429 when the service sheds load)
     * @param failed5xx         {@code 5xx} responses
     * @param ioErrors          requests without a parseable response (refused, reset, timed out, malformed)
     * @param seconds           length of the measured window
     * @param acceptedPerSecond {@code accepted / seconds}
     * @param statusCounts      responses by HTTP status, in ascending status order
     */
    public record Result(long sent, long accepted, long rejected4xx, long failed5xx, long ioErrors, double seconds,
                         double acceptedPerSecond, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
                         Map<Integer, Long> statusCounts) {
        public Result {
            statusCounts = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(statusCounts, "statusCounts")));
        }

        /** The header and separator lines matching {@link #toMarkdownRow()}, separated by a newline. */
        public static String markdownHeader() {
            return "| sent | accepted | accepted/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | 4xx | 5xx | I/O errors"
                    + " | seconds |\n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
        }

        /** One Markdown table row under {@link #markdownHeader()}; missing latencies show as {@code n/a}. */
        public String toMarkdownRow() {
            return String.format(Locale.ROOT, "| %d | %d | %.1f | %s | %s | %s | %s | %s | %d | %d | %d | %.1f |", sent,
                    accepted, acceptedPerSecond, ms(p50Ms), ms(p90Ms), ms(p99Ms), ms(p999Ms), ms(maxMs), rejected4xx,
                    failed5xx, ioErrors, seconds);
        }

        /** One JSON object with every component under its record name; {@code NaN} latencies are {@code null}. */
        public String toJson() {
            StringBuilder sb = new StringBuilder(256).append('{');
            sb.append("\"sent\":").append(sent);
            sb.append(",\"accepted\":").append(accepted);
            sb.append(",\"rejected4xx\":").append(rejected4xx);
            sb.append(",\"failed5xx\":").append(failed5xx);
            sb.append(",\"ioErrors\":").append(ioErrors);
            sb.append(",\"seconds\":").append(num(seconds));
            sb.append(",\"acceptedPerSecond\":").append(num(acceptedPerSecond));
            sb.append(",\"p50Ms\":").append(num(p50Ms));
            sb.append(",\"p90Ms\":").append(num(p90Ms));
            sb.append(",\"p99Ms\":").append(num(p99Ms));
            sb.append(",\"p999Ms\":").append(num(p999Ms));
            sb.append(",\"maxMs\":").append(num(maxMs));
            sb.append(",\"statusCounts\":{");
            String sep = "";
            for (Map.Entry<Integer, Long> e : statusCounts.entrySet()) {
                sb.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
                sep = ",";
            }
            return sb.append("}}").toString();
        }

        private static String ms(double v) {
            return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
        }

        private static String num(double v) {
            return Double.isFinite(v)
                    ? BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString()
                    : "null";
        }
    }

    /**
     * Runs the load described by {@code o} and blocks until it is over: {@code warmup + duration}, plus the time to
     * collect the last responses (at most {@value #DRAIN_SECONDS} s + {@value #READ_TIMEOUT_SECONDS} s more).
     *
     * @throws IllegalArgumentException if the host cannot be resolved
     */
    public static Result run(Options o, ProgressListener l) {
        Objects.requireNonNull(o, "options");
        ProgressListener listener = l == null ? ProgressListener.none() : l;
        InetSocketAddress address = resolve(o);
        RequestTemplate template = RequestTemplate.of(o);
        AtomicLong sequence = new AtomicLong(1);
        AtomicReference<Throwable> crash = new AtomicReference<>();

        long start = System.nanoTime();
        long warmupEnd = start + o.warmup().toNanos();
        long end = warmupEnd + o.duration().toNanos();
        // per-connection interval, capped at about two years (longer than any run: one request per connection)
        long interval = o.ratePerSecond() > 0
                ? Math.max(1, Math.min(MAX_INTERVAL, Math.round(o.connections() * SECOND / o.ratePerSecond()))) : 0;
        List<Worker> workers = new ArrayList<>(o.connections());
        List<Thread> threads = new ArrayList<>(o.connections());
        for (int i = 0; i < o.connections(); i++) {
            long first = start + (long) ((double) interval * i / o.connections());
            Worker w = new Worker(address, template, sequence, interval, first, warmupEnd, end);
            Thread t = new Thread(w, "loadgen-" + i);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, ex) -> crash.compareAndSet(null, ex));
            workers.add(w);
            threads.add(t);
        }
        try {
            threads.forEach(Thread::start);
            long tick = start + SECOND;
            long lastAccepted = 0;
            long lastTime = start;
            for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
                if (now - tick < 0) {
                    LockSupport.parkNanos(Math.min(tick - now, end - now));
                    continue;
                }
                long accepted = 0;
                for (Worker w : workers) {
                    accepted += w.acceptedAll;
                }
                listener.progress(Duration.ofNanos(now - start), accepted, (accepted - lastAccepted) * 1e9 / (now - lastTime));
                lastAccepted = accepted;
                lastTime = now;
                tick += SECOND;
            }
            long deadline = end + (DRAIN_SECONDS + READ_TIMEOUT_SECONDS + 1) * SECOND;
            for (Thread t : threads) {
                joinUntil(t, deadline);
            }
        } finally {
            for (Worker w : workers) {
                w.stop = true;
            }
            for (int i = 0; i < threads.size(); i++) {
                if (threads.get(i).isAlive()) {
                    workers.get(i).connection.close();
                }
            }
            for (Thread t : threads) {
                joinUntil(t, System.nanoTime() + SECOND);
            }
        }
        if (crash.get() != null) {
            throw new IllegalStateException("a load generator thread failed: " + crash.get(), crash.get());
        }
        return merge(o, workers);
    }

    private static InetSocketAddress resolve(Options o) {
        String host = o.base().getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), o.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "' of " + o.base() + "; use an address"
                    + " such as 127.0.0.1", e);
        }
    }

    private static void joinUntil(Thread t, long deadlineNanos) {
        boolean interrupted = false;
        while (t.isAlive()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Result merge(Options o, List<Worker> workers) {
        LatencyHistogram h = new LatencyHistogram();
        long sent = 0;
        long accepted = 0;
        long rejected = 0;
        long failed = 0;
        long io = 0;
        long[] byStatus = new long[1000];
        for (Worker w : workers) {
            h.merge(w.histogram);
            sent += w.sent;
            accepted += w.accepted;
            rejected += w.rejected4xx;
            failed += w.failed5xx;
            io += w.ioErrors;
            for (int s = 0; s < byStatus.length; s++) {
                byStatus[s] += w.statusCounts[s];
            }
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        for (int s = 0; s < byStatus.length; s++) {
            if (byStatus[s] != 0) {
                statuses.put(s, byStatus[s]);
            }
        }
        double seconds = o.duration().toNanos() / 1e9;
        boolean any = h.count() > 0;
        return new Result(sent, accepted, rejected, failed, io, seconds, accepted / seconds,
                h.percentile(50) / 1000, h.percentile(90) / 1000, h.percentile(99) / 1000, h.percentile(99.9) / 1000,
                any ? h.max() / 1000.0 : Double.NaN, statuses);
    }

    /** One connection and its schedule; counters are written by its thread only and read after it ends. */
    private static final class Worker implements Runnable {
        final Connection connection;
        private final RequestTemplate template;
        private final AtomicLong sequence;
        private final long interval;
        private final long first;
        private final long warmupEnd;
        private final long end;
        private final byte[] request;
        final LatencyHistogram histogram = new LatencyHistogram();
        final long[] statusCounts = new long[1000];
        long sent;
        long accepted;
        long rejected4xx;
        long failed5xx;
        long ioErrors;
        /** All 2xx responses including warmup, for progress; single writer. */
        volatile long acceptedAll;
        volatile boolean stop;

        Worker(InetSocketAddress address, RequestTemplate template, AtomicLong sequence, long interval, long first,
               long warmupEnd, long end) {
            this.connection = new Connection(address);
            this.template = template;
            this.sequence = sequence;
            this.interval = interval;
            this.first = first;
            this.warmupEnd = warmupEnd;
            this.end = end;
            this.request = new byte[template.maxLength()];
        }

        @Override
        public void run() {
            try {
                loop();
            } finally {
                connection.close();
            }
        }

        private void loop() {
            long next = first;
            while (!stop) {
                long issued;
                if (interval > 0) {
                    issued = next;
                    if (issued - end >= 0) {
                        return;
                    }
                    next += interval;
                    long now;
                    while ((now = System.nanoTime()) - issued < 0 && !stop) {
                        LockSupport.parkNanos(issued - now);
                    }
                    if (stop || now - end >= DRAIN_SECONDS * SECOND) {
                        return;
                    }
                } else {
                    issued = System.nanoTime();
                    if (issued - end >= 0) {
                        return;
                    }
                }
                boolean measured = issued - warmupEnd >= 0;
                if (measured) {
                    sent++;
                }
                int len = template.encode(request, sequence.getAndIncrement());
                if (!connection.isOpen()) {
                    try {
                        connection.open();
                    } catch (IOException e) {
                        if (measured) {
                            ioErrors++;
                        }
                        LockSupport.parkNanos(CONNECT_BACKOFF_MILLIS * 1_000_000L);
                        continue;
                    }
                }
                int status;
                try {
                    connection.write(request, len);
                    status = connection.readResponse();
                } catch (IOException e) {
                    connection.close();
                    if (measured) {
                        ioErrors++;
                    }
                    continue;
                }
                long done = System.nanoTime();
                boolean ok = status >= 200 && status < 300;
                if (ok) {
                    acceptedAll = acceptedAll + 1;
                }
                if (measured) {
                    statusCounts[status]++;
                    if (ok) {
                        accepted++;
                        histogram.record((done - issued) / 1_000);
                    } else if (status >= 400 && status < 500) {
                        rejected4xx++;
                    } else if (status >= 500 && status < 600) {
                        failed5xx++;
                    }
                }
            }
        }
    }

    /**
     * The pre-encoded request: fixed head, optional idempotency-key prefix, and the body template split at every
     * {@value #SEQUENCE_PLACEHOLDER}. Immutable and shared; {@link #encode} writes into a caller-owned buffer.
     */
    private static final class RequestTemplate {
        private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
        private static final byte[] CRLF = ascii("\r\n");
        private static final int MAX_DIGITS = 19;
        private final byte[] head;
        private final byte[] keyPrefix;
        private final byte[][] bodyParts;
        private final int bodyFixed;

        private RequestTemplate(byte[] head, byte[] keyPrefix, byte[][] bodyParts) {
            this.head = head;
            this.keyPrefix = keyPrefix;
            this.bodyParts = bodyParts;
            int fixed = 0;
            for (byte[] p : bodyParts) {
                fixed += p.length;
            }
            this.bodyFixed = fixed;
        }

        static RequestTemplate of(Options o) {
            URI b = o.base();
            String host = b.getHost() + (b.getPort() < 0 ? "" : ":" + b.getPort());
            byte[] head = ascii("POST " + o.requestPath() + " HTTP/1.1\r\n"
                    + "Host: " + host + "\r\n"
                    + "Authorization: Bearer " + o.token() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Accept: application/json\r\n"
                    + "User-Agent: archipelago-loadgen\r\n");
            byte[] keyPrefix = null;
            if (o.idempotencyKeys()) {
                String run = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
                keyPrefix = ascii("Idempotency-Key: loadgen-" + run + "-");
            }
            List<byte[]> parts = new ArrayList<>();
            String t = o.bodyTemplate();
            int from = 0;
            for (int at = t.indexOf(SEQUENCE_PLACEHOLDER); at >= 0; at = t.indexOf(SEQUENCE_PLACEHOLDER, from)) {
                parts.add(t.substring(from, at).getBytes(StandardCharsets.UTF_8));
                from = at + SEQUENCE_PLACEHOLDER.length();
            }
            parts.add(t.substring(from).getBytes(StandardCharsets.UTF_8));
            return new RequestTemplate(head, keyPrefix, parts.toArray(new byte[0][]));
        }

        int maxLength() {
            int key = keyPrefix == null ? 0 : keyPrefix.length + MAX_DIGITS + CRLF.length;
            return head.length + key + CONTENT_LENGTH.length + MAX_DIGITS + 2 * CRLF.length + bodyFixed
                    + (bodyParts.length - 1) * MAX_DIGITS;
        }

        /** Writes the request with sequence number {@code n} into {@code buf} and answers its length. */
        int encode(byte[] buf, long n) {
            int nDigits = digits(n);
            int p = put(buf, 0, head);
            if (keyPrefix != null) {
                p = put(buf, p, keyPrefix);
                p = putLong(buf, p, n, nDigits);
                p = put(buf, p, CRLF);
            }
            p = put(buf, p, CONTENT_LENGTH);
            long bodyLength = bodyFixed + (long) (bodyParts.length - 1) * nDigits;
            p = putLong(buf, p, bodyLength, digits(bodyLength));
            p = put(buf, p, CRLF);
            p = put(buf, p, CRLF);
            p = put(buf, p, bodyParts[0]);
            for (int i = 1; i < bodyParts.length; i++) {
                p = putLong(buf, p, n, nDigits);
                p = put(buf, p, bodyParts[i]);
            }
            return p;
        }

        private static int put(byte[] buf, int at, byte[] src) {
            System.arraycopy(src, 0, buf, at, src.length);
            return at + src.length;
        }

        private static int digits(long v) {
            int d = 1;
            while (v >= 10) {
                v /= 10;
                d++;
            }
            return d;
        }

        private static int putLong(byte[] buf, int at, long v, int digits) {
            for (int i = at + digits - 1; i >= at; i--) {
                buf[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            return at + digits;
        }
    }

    /**
     * A blocking HTTP/1.1 client connection: writes whole requests, reads one response at a time and discards its
     * body. {@link #close()} may be called from another thread to abort a blocked read.
     */
    private static final class Connection {
        private static final byte[] HTTP1 = ascii("HTTP/1.");
        private static final byte[] CONTENT_LENGTH = ascii("content-length");
        private static final byte[] CONNECTION = ascii("connection");
        private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
        private static final byte[] CLOSE = ascii("close");
        private static final byte[] KEEP_ALIVE = ascii("keep-alive");
        private static final byte[] CHUNKED = ascii("chunked");

        private final InetSocketAddress address;
        private volatile Socket socket;
        private InputStream in;
        private OutputStream out;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int lim;
        private final byte[] line = new byte[8 * 1024];

        Connection(InetSocketAddress address) {
            this.address = address;
        }

        boolean isOpen() {
            return socket != null;
        }

        void open() throws IOException {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout(READ_TIMEOUT_SECONDS * 1000);
                s.connect(address, CONNECT_TIMEOUT_SECONDS * 1000);
                in = s.getInputStream();
                out = s.getOutputStream();
            } catch (IOException e) {
                s.close();
                throw e;
            }
            pos = 0;
            lim = 0;
            socket = s;
        }

        void close() {
            Socket s = socket;
            socket = null;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing left to do with a socket we are abandoning
                }
            }
        }

        void write(byte[] request, int len) throws IOException {
            out.write(request, 0, len);
        }

        /** Reads one final response, discards its body, closes the connection if the server asked; answers the status. */
        int readResponse() throws IOException {
            while (true) {
                int n = readLine();
                if (n < 12 || !startsWith(line, HTTP1) || line[8] != ' ' || (n > 12 && line[12] != ' ')) {
                    throw new IOException("malformed status line: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
                }
                boolean http10 = line[7] == '0';
                int status = 0;
                for (int i = 9; i < 12; i++) {
                    int d = line[i] - '0';
                    if (d < 0 || d > 9) {
                        throw new IOException("malformed status code: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    status = status * 10 + d;
                }
                long contentLength = -1;
                boolean chunked = false;
                boolean close = false;
                boolean keepAlive = false;
                for (n = readLine(); n > 0; n = readLine()) {
                    int colon = indexOf(line, n, (byte) ':');
                    if (colon < 0) {
                        throw new IOException("malformed header line: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    int vs = colon + 1;
                    while (vs < n && (line[vs] == ' ' || line[vs] == '\t')) {
                        vs++;
                    }
                    int ve = n;
                    while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) {
                        ve--;
                    }
                    if (nameIs(colon, CONTENT_LENGTH)) {
                        contentLength = parseLength(vs, ve);
                    } else if (nameIs(colon, CONNECTION)) {
                        close |= contains(vs, ve, CLOSE);
                        keepAlive |= contains(vs, ve, KEEP_ALIVE);
                    } else if (nameIs(colon, TRANSFER_ENCODING)) {
                        chunked |= contains(vs, ve, CHUNKED);
                    }
                }
                if (status < 200 && status != 101) {
                    continue; // interim response (100 Continue, 103 Early Hints): the final one follows
                }
                if (status == 101) {
                    throw new IOException("unexpected 101 Switching Protocols");
                }
                if (status == 204 || status == 304) {
                    // no body
                } else if (chunked) {
                    skipChunked();
                } else if (contentLength >= 0) {
                    skip(contentLength);
                } else {
                    skipToEof();
                    close = true;
                }
                if (close || (http10 && !keepAlive)) {
                    close();
                }
                return status;
            }
        }

        private void skipChunked() throws IOException {
            while (true) {
                int n = readLine();
                long size = 0;
                int digits = 0;
                for (int i = 0; i < n && line[i] != ';' && line[i] != ' ' && line[i] != '\t'; i++, digits++) {
                    int d = Character.digit(line[i], 16);
                    if (d < 0 || digits >= 15) {
                        throw new IOException("malformed chunk size: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    size = size * 16 + d;
                }
                if (digits == 0) {
                    throw new IOException("missing chunk size");
                }
                if (size == 0) {
                    while (readLine() > 0) {
                        // trailer fields
                    }
                    return;
                }
                skip(size);
                if (readLine() != 0) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                if (pos == lim) {
                    fill();
                }
                int k = (int) Math.min(n, lim - pos);
                pos += k;
                n -= k;
            }
        }

        private void skipToEof() throws IOException {
            pos = lim;
            while (in.read(buf, 0, buf.length) >= 0) {
                // discard until the server closes
            }
            lim = 0;
            pos = 0;
        }

        private void fill() throws IOException {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                throw new EOFException("connection closed by the server in the middle of a response");
            }
            pos = 0;
            lim = r;
        }

        /** Reads one line into {@link #line} without its CRLF (or bare LF) and answers its length. */
        private int readLine() throws IOException {
            int n = 0;
            while (true) {
                if (pos == lim) {
                    fill();
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                }
                if (n == line.length) {
                    throw new IOException("response line longer than " + line.length + " bytes");
                }
                line[n++] = b;
            }
        }

        private boolean nameIs(int nameLength, byte[] lowerName) {
            if (nameLength != lowerName.length) {
                return false;
            }
            for (int i = 0; i < nameLength; i++) {
                if (lower(line[i]) != lowerName[i]) {
                    return false;
                }
            }
            return true;
        }

        private boolean contains(int from, int to, byte[] lowerWord) {
            outer:
            for (int i = from; i + lowerWord.length <= to; i++) {
                for (int j = 0; j < lowerWord.length; j++) {
                    if (lower(line[i + j]) != lowerWord[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        private long parseLength(int from, int to) throws IOException {
            if (from == to || to - from > 18) {
                throw new IOException("malformed Content-Length: " + new String(line, from, to - from, StandardCharsets.ISO_8859_1));
            }
            long v = 0;
            for (int i = from; i < to; i++) {
                int d = line[i] - '0';
                if (d < 0 || d > 9) {
                    throw new IOException("malformed Content-Length: " + new String(line, from, to - from, StandardCharsets.ISO_8859_1));
                }
                v = v * 10 + d;
            }
            return v;
        }

        private static byte lower(byte b) {
            return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
        }

        private static boolean startsWith(byte[] a, byte[] prefix) {
            for (int i = 0; i < prefix.length; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        private static int indexOf(byte[] a, int n, byte b) {
            for (int i = 0; i < n; i++) {
                if (a[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}

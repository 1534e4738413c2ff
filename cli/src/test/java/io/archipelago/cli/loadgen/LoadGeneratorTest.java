package io.archipelago.cli.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link LoadGenerator} against an in-process {@link HttpServer} stub on 127.0.0.1 and checks counts and
 * structure only, never timing: every case is well under 3 s of load.
 */
class LoadGeneratorTest {
    private static final String TOKEN = "t0ken-for-tests";
    private static final Duration ZERO = Duration.ZERO;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the client's delayed ACK
        // add ~40 ms per response. Only speed depends on it (read once per JVM), never a count.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** A stub control plane: counts what it receives and answers by request index. */
    static final class Stub implements AutoCloseable {
        final HttpServer server;
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        final AtomicInteger requests = new AtomicInteger();
        final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
        final Queue<String> authorizations = new ConcurrentLinkedQueue<>();
        final Queue<String> idempotencyKeys = new ConcurrentLinkedQueue<>();
        final Queue<String> bodies = new ConcurrentLinkedQueue<>();
        final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        private final IntUnaryOperator statusFor;
        private final boolean closeEach;
        private final boolean chunked;

        Stub(String prefix, IntUnaryOperator statusFor, boolean closeEach, boolean chunked) throws IOException {
            this.statusFor = statusFor;
            this.closeEach = closeEach;
            this.chunked = chunked;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext(prefix + "/api/v1/jobs", this::handle);
            server.setExecutor(pool);
            server.start();
        }

        static Stub answering201() throws IOException {
            return new Stub("", i -> 201, false, false);
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!ex.getRequestMethod().equals("POST")) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                int index = requests.getAndIncrement();
                remotePorts.add(ex.getRemoteAddress().getPort());
                bodies.add(body);
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "<none>" : auth);
                String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                if (key != null) {
                    idempotencyKeys.add(key);
                }
                int status = statusFor.applyAsInt(index);
                byStatus.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                byte[] out;
                if (status == 201) {
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    out = ("{\"id\":" + index + ",\"state\":\"running\",\"tenant\":\"acme\"}").getBytes(StandardCharsets.UTF_8);
                } else {
                    ex.getResponseHeaders().set("Content-Type", "application/problem+json");
                    out = ("{\"type\":\"about:blank\",\"title\":\"stub\",\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
                }
                if (closeEach) {
                    ex.getResponseHeaders().set("Connection", "close");
                }
                ex.sendResponseHeaders(status, chunked ? 0 : out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        }

        Map<Integer, Long> statusCounts() {
            Map<Integer, Long> m = new TreeMap<>();
            byStatus.forEach((s, n) -> m.put(s, (long) n.get()));
            return m;
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    private static LoadGenerator.Options options(URI base, int connections, double rate, Duration warmup, Duration duration,
                                                 boolean keys) {
        return new LoadGenerator.Options(base, TOKEN, connections, rate, warmup, duration, LoadGenerator.DEFAULT_BODY, keys);
    }

    @Test
    void closedLoopCountsExactlyWhatTheStubReceivedOverReusedConnections() throws IOException {
        try (Stub stub = Stub.answering201()) {
            List<Long> progress = new ArrayList<>();
            LoadGenerator.Result r = LoadGenerator.run(options(stub.base(), 4, 0, ZERO, Duration.ofMillis(1500), false),
                    (elapsed, accepted, rate) -> progress.add(accepted));

            assertThat(r.sent()).isPositive().isEqualTo(stub.requests.get());
            assertThat(r.accepted()).isEqualTo(r.sent());
            assertThat(r.rejected4xx() + r.failed5xx() + r.ioErrors()).isZero();
            assertThat(r.statusCounts()).containsExactly(Map.entry(201, r.sent()));
            assertThat(r.seconds()).isEqualTo(1.5);
            assertThat(r.acceptedPerSecond()).isEqualTo(r.accepted() / 1.5);
            assertThat(r.p50Ms()).isPositive();
            assertThat(List.of(r.p50Ms(), r.p90Ms(), r.p99Ms(), r.p999Ms(), r.maxMs())).isSorted();
            // one persistent connection per worker
            assertThat(stub.remotePorts).hasSizeLessThanOrEqualTo(4);
            assertThat((long) stub.requests.get()).isGreaterThan(stub.remotePorts.size());
            assertThat(stub.authorizations).hasSize(stub.requests.get()).containsOnly("Bearer " + TOKEN);
            assertThat(stub.idempotencyKeys).isEmpty();
            // {n} replaced by a sequence number unique per request
            Set<String> names = new HashSet<>();
            Pattern name = Pattern.compile("\"name\":\"load-(\\d+)\"");
            for (String body : stub.bodies) {
                Matcher m = name.matcher(body);
                assertThat(m.find()).as(body).isTrue();
                names.add(m.group(1));
                assertThat(body).doesNotContain("{n}");
            }
            assertThat(names).hasSize(stub.requests.get());
            assertThat(progress).isSorted();
        }
    }

    @Test
    void openLoopSendsOnScheduleAndExcludesWarmup() throws IOException {
        try (Stub stub = Stub.answering201()) {
            // 200/s over 2 connections: one request every 10 ms per connection, the second offset by 5 ms.
            // Slots in [0, 700 ms): 70 per connection; slots in the window [200 ms, 700 ms): 50 per connection.
            LoadGenerator.Result r = LoadGenerator.run(
                    options(stub.base(), 2, 200, Duration.ofMillis(200), Duration.ofMillis(500), false), null);

            assertThat(stub.requests.get()).isEqualTo(140);
            assertThat(r.sent()).isEqualTo(100);
            assertThat(r.accepted()).isEqualTo(100);
            assertThat(r.ioErrors()).isZero();
            assertThat(r.statusCounts()).containsExactly(Map.entry(201, 100L));
            assertThat(List.of(r.p50Ms(), r.p90Ms(), r.p99Ms(), r.p999Ms(), r.maxMs())).isSorted();
        }
    }

    @Test
    void aTinyRateSendsOnlyTheSlotsThatFallInTheWindow() throws IOException {
        try (Stub stub = Stub.answering201()) {
            // one request per 2,000 s per connection: the first connection's slot at 0 is the only one in the run
            LoadGenerator.Result r = LoadGenerator.run(options(stub.base(), 2, 0.001, ZERO, Duration.ofMillis(300), false), null);

            assertThat(r.sent()).isEqualTo(1);
            assertThat(stub.requests.get()).isEqualTo(1);
        }
    }

    @Test
    void warmupRequestsReachTheServerButAreNotCounted() throws IOException {
        try (Stub stub = Stub.answering201()) {
            LoadGenerator.Result r = LoadGenerator.run(
                    options(stub.base(), 2, 0, Duration.ofMillis(300), Duration.ofMillis(500), false), null);

            assertThat(r.sent()).isPositive().isEqualTo(r.accepted()).isLessThan(stub.requests.get());
            assertThat(r.statusCounts().get(201)).isEqualTo(r.sent());
        }
    }

    @Test
    void idempotencyKeysAreUniquePerRequest() throws IOException {
        try (Stub stub = Stub.answering201()) {
            LoadGenerator.Result r = LoadGenerator.run(options(stub.base(), 4, 0, ZERO, Duration.ofMillis(500), true), null);

            assertThat(r.accepted()).isPositive().isEqualTo(stub.requests.get());
            assertThat(stub.idempotencyKeys).hasSize(stub.requests.get())
                    .allMatch(k -> k.matches("loadgen-[0-9a-f]{12}-\\d+"), "loadgen-<run>-<n>")
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void rejectionsAndServerErrorsAreCountedByStatus() throws IOException {
        IntUnaryOperator status = i -> i % 10 == 3 ? 429 : i % 10 == 7 ? 500 : i % 10 == 9 ? 400 : 201;
        try (Stub stub = new Stub("", status, false, false)) {
            LoadGenerator.Result r = LoadGenerator.run(options(stub.base(), 3, 0, ZERO, Duration.ofMillis(500), false), null);

            assertThat(r.statusCounts()).isEqualTo(stub.statusCounts());
            assertThat(r.sent()).isEqualTo(stub.requests.get());
            assertThat(r.accepted()).isEqualTo(stub.statusCounts().getOrDefault(201, 0L));
            assertThat(r.rejected4xx()).isEqualTo(stub.statusCounts().getOrDefault(429, 0L)
                    + stub.statusCounts().getOrDefault(400, 0L));
            assertThat(r.failed5xx()).isEqualTo(stub.statusCounts().getOrDefault(500, 0L));
            assertThat(r.accepted() + r.rejected4xx() + r.failed5xx()).isEqualTo(r.sent());
            assertThat(r.ioErrors()).isZero();
        }
    }

    @Test
    void connectionCloseMakesTheClientReconnectWithoutErrors() throws IOException {
        try (Stub stub = new Stub("", i -> 201, true, false)) {
            LoadGenerator.Result r = LoadGenerator.run(options(stub.base(), 2, 0, ZERO, Duration.ofMillis(500), false), null);

            assertThat(r.ioErrors()).isZero();
            assertThat(r.accepted()).isEqualTo(stub.requests.get());
            assertThat(stub.remotePorts.size()).isGreaterThan(2);
        }
    }

    @Test
    void chunkedResponsesUnderAPathPrefixAreRead() throws IOException {
        try (Stub stub = new Stub("/cp", i -> 201, false, true)) {
            URI base = URI.create(stub.base() + "/cp/");
            LoadGenerator.Result r = LoadGenerator.run(options(base, 2, 0, ZERO, Duration.ofMillis(500), false), null);

            assertThat(r.ioErrors()).isZero();
            assertThat(r.accepted()).isPositive().isEqualTo(stub.requests.get());
            assertThat(stub.remotePorts).hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void anUnreachableServerYieldsIoErrorsAndNoLatencies() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadGenerator.Result r = LoadGenerator.run(
                options(URI.create("http://127.0.0.1:" + port), 1, 0, ZERO, Duration.ofMillis(200), false), null);

        assertThat(r.accepted()).isZero();
        assertThat(r.ioErrors()).isPositive().isEqualTo(r.sent());
        assertThat(r.statusCounts()).isEmpty();
        assertThat(r.p99Ms()).isNaN();
        assertThat(r.toJson()).contains("\"p99Ms\":null", "\"statusCounts\":{}");
        assertThat(r.toMarkdownRow()).contains("n/a");
    }

    @Test
    void resultRendersAsJsonAndMarkdown() {
        LoadGenerator.Result r = new LoadGenerator.Result(10, 7, 2, 1, 0, 2.0, 3.5, 1.25, 2.5, 4.0, 4.5, 5.125,
                Map.of(500, 1L, 201, 7L, 429, 2L));

        assertThat(r.toJson()).isEqualTo("{\"sent\":10,\"accepted\":7,\"rejected4xx\":2,\"failed5xx\":1,\"ioErrors\":0,"
                + "\"seconds\":2,\"acceptedPerSecond\":3.5,\"p50Ms\":1.25,\"p90Ms\":2.5,\"p99Ms\":4,\"p999Ms\":4.5,"
                + "\"maxMs\":5.125,\"statusCounts\":{\"201\":7,\"429\":2,\"500\":1}}");
        assertThat(r.toMarkdownRow()).isEqualTo("| 10 | 7 | 3.5 | 1.25 | 2.50 | 4.00 | 4.50 | 5.13 | 2 | 1 | 0 | 2.0 |");
        assertThat(LoadGenerator.Result.markdownHeader().lines().toList()).hasSize(2)
                .allMatch(l -> l.chars().filter(c -> c == '|').count() == 13);
    }

    @Test
    void theRequestPathFollowsTheBaseUrl() {
        assertThat(options(URI.create("http://127.0.0.1:8080"), 1, 0, ZERO, Duration.ofSeconds(1), false).requestPath())
                .isEqualTo("/api/v1/jobs");
        assertThat(options(URI.create("http://127.0.0.1:8080/"), 1, 0, ZERO, Duration.ofSeconds(1), false).requestPath())
                .isEqualTo("/api/v1/jobs");
        assertThat(options(URI.create("http://h/cp/"), 1, 0, ZERO, Duration.ofSeconds(1), false).requestPath())
                .isEqualTo("/cp/api/v1/jobs");
    }

    @Test
    void invalidOptionsAreRejectedWithTheValueAndAFix() {
        URI ok = URI.create("http://127.0.0.1:8080");
        Duration s = Duration.ofSeconds(1);
        String body = LoadGenerator.DEFAULT_BODY;
        record Case(String what, Runnable build, String... message) {
        }
        List<Case> cases = List.of(
                new Case("no base", () -> new LoadGenerator.Options(null, TOKEN, 1, 0, ZERO, s, body, false),
                        "base URL is missing", "http://127.0.0.1:8080"),
                new Case("https", () -> new LoadGenerator.Options(URI.create("https://x:443"), TOKEN, 1, 0, ZERO, s, body, false),
                        "scheme 'https'", "http://"),
                new Case("no host", () -> new LoadGenerator.Options(URI.create("http:/x"), TOKEN, 1, 0, ZERO, s, body, false),
                        "has no host"),
                new Case("query", () -> new LoadGenerator.Options(URI.create("http://x/?a=1"), TOKEN, 1, 0, ZERO, s, body, false),
                        "query or fragment"),
                new Case("empty token", () -> new LoadGenerator.Options(ok, "", 1, 0, ZERO, s, body, false),
                        "token is missing"),
                new Case("token with newline", () -> new LoadGenerator.Options(ok, TOKEN + "\n", 1, 0, ZERO, s, body, false),
                        "U+000A", "index " + TOKEN.length(), "trailing newline"),
                new Case("zero connections", () -> new LoadGenerator.Options(ok, TOKEN, 0, 0, ZERO, s, body, false),
                        "connections = 0", "between 1 and 10000"),
                new Case("negative rate", () -> new LoadGenerator.Options(ok, TOKEN, 1, -5, ZERO, s, body, false),
                        "ratePerSecond = -5.0", "0 = closed loop"),
                new Case("NaN rate", () -> new LoadGenerator.Options(ok, TOKEN, 1, Double.NaN, ZERO, s, body, false),
                        "ratePerSecond = NaN"),
                new Case("absurd rate", () -> new LoadGenerator.Options(ok, TOKEN, 1, 1e12, ZERO, s, body, false),
                        "add connections"),
                new Case("negative warmup", () -> new LoadGenerator.Options(ok, TOKEN, 1, 0, Duration.ofSeconds(-1), s, body, false),
                        "warmup = PT-1S"),
                new Case("zero duration", () -> new LoadGenerator.Options(ok, TOKEN, 1, 0, ZERO, ZERO, body, false),
                        "duration = PT0S", "must be positive"),
                new Case("no body", () -> new LoadGenerator.Options(ok, TOKEN, 1, 0, ZERO, s, " ", false),
                        "bodyTemplate is missing or blank"));
        for (Case c : cases) {
            assertThatThrownBy(c.build()::run).as(c.what()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll(c.message());
        }
    }

    @Test
    void anUnknownHostIsRejectedBeforeAnyLoad() {
        LoadGenerator.Options o = options(URI.create("http://no-such-host.invalid:8080"), 1, 0, ZERO, Duration.ofMillis(100),
                false);
        assertThatThrownBy(() -> LoadGenerator.run(o, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot resolve host 'no-such-host.invalid'");
    }
}

package io.archipelago.sim.trace;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Specification of {@link TraceDownloader} against a local HTTP server on 127.0.0.1.
 *
 * <p>Pinned-checksum cases use the real openb files from {@code ../shared/traces/openb} with the
 * manifest's pinned sums. If that directory is missing, they use generated content with a
 * checksum pinned in the test, so every case still runs.
 */
class TraceDownloaderTest {

  private static final String UNPINNED = "openb_pod_list_cpu100.csv";

  private static TestServer server;
  private static TraceDownloader downloader;

  @TempDir Path cacheDir;
  private TraceCache cache;

  @BeforeAll
  static void startServer() throws IOException {
    server = TestServer.start();
    downloader = TraceDownloader.create(Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @BeforeEach
  void freshCache() {
    server.reset();
    cache = new TraceCache(cacheDir.resolve("openb"));
  }

  @Test
  void downloadsEachPinnedFileAndVerifiesItsChecksum() throws IOException {
    Map<TraceFile, byte[]> pinned = pinnedFixtures();
    pinned.forEach((file, bytes) -> server.serve(file.name(), bytes));

    for (Map.Entry<TraceFile, byte[]> fixture : pinned.entrySet()) {
      TraceFile file = fixture.getKey();
      RecordingProgress progress = new RecordingProgress();

      DownloadResult result = downloader.download(server.baseUri(), cache, file, false, progress);

      assertThat(result.action()).isEqualTo(DownloadResult.Action.DOWNLOADED);
      assertThat(result.trust()).isEqualTo(DownloadResult.Trust.PINNED);
      assertThat(result.sha256()).isEqualTo(file.pinnedSha256().orElseThrow());
      assertThat(result.bytes()).isEqualTo(fixture.getValue().length);
      assertThat(result.path()).isEqualTo(cache.dir().resolve(file.name()));
      assertThat(Files.readAllBytes(result.path())).isEqualTo(fixture.getValue());
      assertThat(progress.events).first().isEqualTo("started " + fixture.getValue().length);
      assertThat(progress.events).last().isEqualTo("finished");
      assertThat(progress.lastCount).isEqualTo(fixture.getValue().length);
    }
    assertThat(cache.recordedSums()).hasSize(pinned.size());
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void skipsFilePresentWithMatchingChecksumUnlessForced() throws IOException {
    Map.Entry<TraceFile, byte[]> fixture = pinnedFixtures().entrySet().iterator().next();
    TraceFile file = fixture.getKey();
    server.serve(file.name(), fixture.getValue());
    downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE);
    RecordingProgress progress = new RecordingProgress();

    DownloadResult again = downloader.download(server.baseUri(), cache, file, false, progress);

    assertThat(again.action()).isEqualTo(DownloadResult.Action.SKIPPED);
    assertThat(again.sha256()).isEqualTo(file.pinnedSha256().orElseThrow());
    assertThat(progress.events).isEmpty();
    assertThat(server.requests(file.name())).isEqualTo(1);

    DownloadResult forced = downloader.download(server.baseUri(), cache, file, true, progress);

    assertThat(forced.action()).isEqualTo(DownloadResult.Action.DOWNLOADED);
    assertThat(server.requests(file.name())).isEqualTo(2);
  }

  @Test
  void replacesPresentFileWhoseChecksumIsWrong() throws IOException {
    Map.Entry<TraceFile, byte[]> fixture = pinnedFixtures().entrySet().iterator().next();
    TraceFile file = fixture.getKey();
    server.serve(file.name(), fixture.getValue());
    Files.createDirectories(cache.dir());
    Files.writeString(cache.pathOf(file), "corrupt");

    DownloadResult result = downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE);

    assertThat(result.action()).isEqualTo(DownloadResult.Action.DOWNLOADED);
    assertThat(Files.readAllBytes(cache.pathOf(file))).isEqualTo(fixture.getValue());
  }

  @Test
  void pinnedChecksumMismatchFailsAndLeavesNoPartialFile() throws IOException {
    Map.Entry<TraceFile, byte[]> fixture = pinnedFixtures().entrySet().iterator().next();
    TraceFile file = fixture.getKey();
    byte[] altered = altered(fixture.getValue());
    server.serve(file.name(), altered);

    assertThatThrownBy(() -> downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("checksum mismatch for " + file.name())
        .hasMessageContaining("expected sha256 " + file.pinnedSha256().orElseThrow())
        .hasMessageContaining("got " + sha256(altered));
    assertThat(cache.pathOf(file)).doesNotExist();
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void pinnedChecksumMismatchLeavesExistingGoodFileUntouched() throws IOException {
    Map.Entry<TraceFile, byte[]> fixture = pinnedFixtures().entrySet().iterator().next();
    TraceFile file = fixture.getKey();
    server.serve(file.name(), fixture.getValue());
    downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE);
    server.serve(file.name(), altered(fixture.getValue()));

    assertThatThrownBy(() -> downloader.download(server.baseUri(), cache, file, true, DownloadProgress.NONE))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("checksum mismatch");
    assertThat(Files.readAllBytes(cache.pathOf(file))).isEqualTo(fixture.getValue());
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void httpErrorNamesUrlAndStatus() throws IOException {
    TraceFile file = TraceFile.unpinned("openb_pod_list_gpuspec33.csv");
    RecordingProgress progress = new RecordingProgress();

    assertThatThrownBy(() -> downloader.download(server.baseUri(), cache, file, false, progress))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("GET " + server.baseUri() + "/" + file.name())
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("--base-url");
    assertThat(progress.events).isEmpty();
    assertThat(cache.pathOf(file)).doesNotExist();
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void unreachableServerGivesClearError() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI deadBase = URI.create("http://127.0.0.1:" + closedPort + "/csv");

    assertThatThrownBy(() -> downloader.download(deadBase, cache, TraceFile.unpinned(UNPINNED), false,
        DownloadProgress.NONE))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("cannot connect to " + deadBase + "/" + UNPINNED);
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void truncatedBodyFailsAndLeavesNoPartialFile() throws IOException {
    byte[] content = generated(UNPINNED, 50_000);
    server.serveTruncated(UNPINNED, content, 1000);

    assertThatThrownBy(() -> downloader.download(server.baseUri(), cache, TraceFile.unpinned(UNPINNED),
        false, DownloadProgress.NONE))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining(UNPINNED);
    assertThat(cache.pathOf(TraceFile.unpinned(UNPINNED))).doesNotExist();
    assertThat(cache.recordedSums()).isEmpty();
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void unpinnedFileIsRecordedOnFirstUseAndLaterChangesFail() throws IOException {
    TraceFile file = TraceManifest.OPENB.file(UNPINNED).orElseThrow();
    assertThat(file.isPinned()).isFalse();
    byte[] original = generated(UNPINNED, 10_000);
    server.serve(UNPINNED, original);

    DownloadResult first = downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE);

    assertThat(first.trust()).isEqualTo(DownloadResult.Trust.FIRST_USE);
    assertThat(first.sha256()).isEqualTo(sha256(original));
    assertThat(Files.readString(cache.checksumFile()))
        .isEqualTo(sha256(original) + "  " + UNPINNED + "\n");

    DownloadResult second = downloader.download(server.baseUri(), cache, file, false, DownloadProgress.NONE);
    assertThat(second.action()).isEqualTo(DownloadResult.Action.SKIPPED);
    assertThat(second.trust()).isEqualTo(DownloadResult.Trust.RECORDED);

    DownloadResult refetched = downloader.download(server.baseUri(), cache, file, true, DownloadProgress.NONE);
    assertThat(refetched.action()).isEqualTo(DownloadResult.Action.DOWNLOADED);
    assertThat(refetched.trust()).isEqualTo(DownloadResult.Trust.RECORDED);

    byte[] changed = altered(original);
    server.serve(UNPINNED, changed);
    assertThatThrownBy(() -> downloader.download(server.baseUri(), cache, file, true, DownloadProgress.NONE))
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("checksum mismatch for " + UNPINNED)
        .hasMessageContaining("expected sha256 " + sha256(original))
        .hasMessageContaining("got " + sha256(changed))
        .hasMessageContaining(TraceCache.CHECKSUM_FILE);
    assertThat(Files.readAllBytes(cache.pathOf(file))).isEqualTo(original);
    assertThat(cache.recordedSums()).containsEntry(UNPINNED, sha256(original));
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void malformedChecksumFileIsReportedWithLineNumber() throws IOException {
    Files.createDirectories(cache.dir());
    Files.writeString(cache.checksumFile(), "# comment\nnot-a-sum  x.csv\n");

    assertThatThrownBy(() -> cache.recordedSums())
        .isInstanceOf(TraceDownloadException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining(TraceCache.CHECKSUM_FILE);
  }

  @Test
  void inspectReportsStateOfEachFile() throws IOException {
    byte[] content = generated("a.csv", 100);
    TraceFile good = TraceFile.pinned("a.csv", sha256(content));
    TraceFile bad = TraceFile.pinned("b.csv", sha256(content));
    TraceFile unknown = TraceFile.unpinned("c.csv");
    TraceFile missing = TraceFile.unpinned("d.csv");
    Files.createDirectories(cache.dir());
    Files.write(cache.pathOf(good), content);
    Files.writeString(cache.pathOf(bad), "other");
    Files.writeString(cache.pathOf(unknown), "whatever");

    assertThat(cache.inspect(List.of(good, bad, unknown, missing)))
        .extracting(TraceCache.Entry::state)
        .containsExactly(TraceCache.State.VERIFIED, TraceCache.State.CORRUPT,
            TraceCache.State.UNVERIFIED, TraceCache.State.MISSING);
  }

  @Test
  void openbManifestListsNodeListsAndSeventeenWorkloads() {
    TraceManifest openb = TraceManifest.forDataset("openb");

    assertThat(openb.files()).hasSize(19);
    assertThat(openb.files()).filteredOn(TraceFile::isPinned).hasSize(7);
    assertThat(openb.file("openb_pod_list_gpuspec33.csv")).isPresent();
    assertThat(openb.defaultBaseUri()).hasToString(
        "https://raw.githubusercontent.com/alibaba/clusterdata/master/cluster-trace-gpu-v2023/csv");
  }

  @Test
  void unknownNamesListTheValidOnes() {
    assertThatThrownBy(() -> TraceManifest.forDataset("openc"))
        .hasMessageContaining("unknown dataset 'openc'")
        .hasMessageContaining("known datasets: openb");
    assertThatThrownBy(() -> TraceManifest.OPENB.select(List.of("openb_pod_list_nope.csv")))
        .hasMessageContaining("no unique file named openb_pod_list_nope.csv")
        .hasMessageContaining("openb_pod_list_default.csv");
    assertThatThrownBy(() -> TraceManifest.OPENB.select(List.of("node")))
        .hasMessageContaining("no unique file named node");
    assertThat(TraceManifest.OPENB.select(
            List.of("openb_pod_list_default", "openb_pod_list_default.csv", "default", "gpu_node", "gpuspec33.csv")))
        .extracting(TraceFile::name)
        .containsExactly("openb_pod_list_default.csv", "openb_node_list_gpu_node.csv", "openb_pod_list_gpuspec33.csv");
  }

  @Test
  void urlsAreJoinedValidatedAndRedacted() {
    assertThat(TraceDownloader.fileUri(URI.create("http://h/csv/"), "a.csv")).hasToString("http://h/csv/a.csv");
    assertThat(TraceDownloader.fileUri(URI.create("http://h/csv"), "a.csv")).hasToString("http://h/csv/a.csv");
    assertThat(TraceDownloader.fileUri(URI.create("https://u@h:81/csv?sig=x"), "a.csv"))
        .hasToString("https://u@h:81/csv/a.csv?sig=x");
    assertThatThrownBy(() -> TraceDownloader.fileUri(URI.create("ftp://h/csv"), "a.csv"))
        .hasMessageContaining("http(s)");
    assertThat(TraceDownloader.redact(URI.create("https://user:secret@h:8443/csv/a.csv?token=abc")))
        .isEqualTo("https://h:8443/csv/a.csv?…")
        .doesNotContain("secret", "abc");
  }

  // ---------------------------------------------------------------- fixtures

  /** Pinned files with their content: real shared openb files if present, else generated ones. */
  private static Map<TraceFile, byte[]> pinnedFixtures() throws IOException {
    Map<TraceFile, byte[]> fixtures = new LinkedHashMap<>();
    Optional<Path> shared = sharedOpenb();
    if (shared.isPresent()) {
      for (TraceFile file : TraceManifest.OPENB.files()) {
        Path path = shared.get().resolve(file.name());
        if (file.isPinned() && Files.isRegularFile(path)) {
          fixtures.put(file, Files.readAllBytes(path));
        }
      }
    }
    if (fixtures.isEmpty()) {
      byte[] bytes = generated("openb_pod_list_default.csv", 20_000);
      fixtures.put(TraceFile.pinned("openb_pod_list_default.csv", sha256(bytes)), bytes);
    }
    return fixtures;
  }

  /** {@code ../shared/traces/openb}, from the surefire property or relative to the project root. */
  static Optional<Path> sharedOpenb() {
    String property = System.getProperty("archipelago.shared");
    Path shared = property != null && !property.isBlank()
        ? Path.of(property)
        : Path.of("").toAbsolutePath().getParent().resolve("../shared");
    Path openb = shared.resolve("traces/openb").normalize();
    return Files.isDirectory(openb) ? Optional.of(openb) : Optional.empty();
  }

  private static byte[] generated(String name, int lines) {
    StringBuilder csv = new StringBuilder("name,cpu_milli,memory_mib,num_gpu,gpu_milli\n");
    for (int i = 0; i < lines / 20; i++) {
      csv.append(name, 0, 5).append('-').append(i).append(",1000,2048,1,500\n");
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] altered(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length / 2] ^= 1;
    return copy;
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(TraceCache.newSha256().digest(bytes));
  }

  private List<Path> partFiles() throws IOException {
    if (!Files.isDirectory(cache.dir())) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(cache.dir())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }

  /** Records progress callbacks, checking that the byte count never decreases. */
  private static final class RecordingProgress implements DownloadProgress {
    final List<String> events = new ArrayList<>();
    long lastCount;

    @Override public void started(String fileName, long totalBytes) {
      events.add("started " + totalBytes);
      lastCount = 0;
    }

    @Override public void advanced(String fileName, long bytesSoFar) {
      assertThat(bytesSoFar).isGreaterThanOrEqualTo(lastCount);
      lastCount = bytesSoFar;
    }

    @Override public void finished(String fileName) {
      events.add("finished");
    }
  }

  /** Serves byte arrays under {@code /csv/<name>} on 127.0.0.1; anything else is a 404. */
  static final class TestServer {
    private final HttpServer http;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> truncateTo = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    private TestServer(HttpServer http) {
      this.http = http;
    }

    static TestServer start() throws IOException {
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      TestServer server = new TestServer(http);
      http.createContext("/csv/", server::handle);
      http.start();
      return server;
    }

    URI baseUri() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/csv");
    }

    void serve(String name, byte[] content) {
      files.put(name, content);
      truncateTo.remove(name);
    }

    /** Announces the full length but sends only {@code sent} bytes, then drops the connection. */
    void serveTruncated(String name, byte[] content, int sent) {
      files.put(name, content);
      truncateTo.put(name, sent);
    }

    void reset() {
      files.clear();
      truncateTo.clear();
      hits.clear();
    }

    int requests(String name) {
      AtomicInteger count = hits.get(name);
      return count == null ? 0 : count.get();
    }

    void stop() {
      http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
      String name = exchange.getRequestURI().getPath().substring("/csv/".length());
      hits.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      byte[] body = files.get(name);
      try (exchange) {
        if (body == null) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        Integer cut = truncateTo.get(name);
        out.write(body, 0, cut == null ? body.length : cut);
        out.flush();
        if (cut != null) {
          throw new IOException("test server: truncating " + name + " on purpose");
        }
      }
    }
  }
}

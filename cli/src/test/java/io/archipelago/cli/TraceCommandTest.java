package io.archipelago.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code trace download} and {@code trace where} through picocli against a local HTTP server
 * on 127.0.0.1.
 *
 * <p>The pinned file {@value #PINNED} is served from {@code ../shared/traces/openb} when that
 * directory exists; cases that need its real content then include it, and otherwise use only
 * generated content for unpinned files, so every case runs either way.
 */
class TraceCommandTest {

  private static final String PINNED = "openb_pod_list_default.csv";
  private static final String UNPINNED = "openb_pod_list_cpu100.csv";

  private static final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private static HttpServer server;
  private static String baseUrl;

  @TempDir Path temp;
  private Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/csv/", TraceCommandTest::handle);
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/csv";
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  @BeforeEach
  void freshState() {
    served.clear();
    served.put(UNPINNED, csv("cpu100", 200));
    dir = temp.resolve("cache");
  }

  @Test
  void downloadsSelectedFilesAndWarnsAboutUnpinnedOnes() throws IOException {
    List<String> files = filesWithRealPinnedIfAvailable();

    int code = run("download", "openb", "--dir", dir.toString(), "--base-url", baseUrl,
        "--files", String.join(",", files));

    assertThat(code).as(err.toString()).isZero();
    for (String file : files) {
      assertThat(dir.resolve(file)).hasBinaryContent(served.get(file));
      assertThat(out.toString()).contains("downloaded  " + file);
    }
    assertThat(err.toString()).contains("warning: checksum of " + UNPINNED + " is not pinned")
        .contains(TraceDownloaderSums.sha256(served.get(UNPINNED)));
    assertThat(Files.readString(dir.resolve("SHA256SUMS")))
        .contains(TraceDownloaderSums.sha256(served.get(UNPINNED)) + "  " + UNPINNED);
    assertThat(out.toString()).contains("Done: " + files.size() + " downloaded, 0 already present");
  }

  @Test
  void secondRunSkipsFilesAlreadyPresent() {
    List<String> files = filesWithRealPinnedIfAvailable();
    String[] args = {"download", "openb", "--dir", dir.toString(), "--base-url", baseUrl,
        "--files", String.join(",", files)};
    assertThat(run(args)).isZero();
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);

    int code = run(args);

    assertThat(code).isZero();
    assertThat(out.toString()).contains("present     " + UNPINNED)
        .contains("Done: 0 downloaded, " + files.size() + " already present");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checksumMismatchFailsWithOneLineAndLeavesNoFile() throws IOException {
    served.put(PINNED, csv("tampered", 50));

    int code = run("download", "openb", "--dir", dir.toString(), "--base-url", baseUrl,
        "--files", PINNED);

    assertThat(code).isEqualTo(TraceCommand.EXIT_FAILED);
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("error: checksum mismatch for " + PINNED)
        .contains("expected sha256 1ee7ed79c27a3b0861cda8ddba86a004c6aba904caafa329a76ae93ca63834a8")
        .contains("got " + TraceDownloaderSums.sha256(served.get(PINNED)));
    assertThat(dir.resolve(PINNED)).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void changedUnpinnedFileFailsAgainstRecordedSum() {
    String[] args = {"download", "openb", "--dir", dir.toString(), "--base-url", baseUrl,
        "--files", UNPINNED, "--force"};
    assertThat(run(args)).isZero();
    byte[] original = served.get(UNPINNED);
    served.put(UNPINNED, csv("cpu100-changed", 200));
    err.getBuffer().setLength(0);

    int code = run(args);

    assertThat(code).isEqualTo(TraceCommand.EXIT_FAILED);
    assertThat(err.toString()).startsWith("error: checksum mismatch for " + UNPINNED)
        .contains("SHA256SUMS");
    assertThat(dir.resolve(UNPINNED)).hasBinaryContent(original);
  }

  @Test
  void httpErrorNamesUrlAndStatus() {
    int code = run("download", "openb", "--dir", dir.toString(), "--base-url", baseUrl,
        "--files", "gpuspec33");

    assertThat(code).isEqualTo(TraceCommand.EXIT_FAILED);
    assertThat(err.toString().lines()).singleElement().asString()
        .isEqualTo("error: GET " + baseUrl + "/openb_pod_list_gpuspec33.csv returned HTTP 404"
            + " (Not Found); check that --base-url points at the dataset's csv directory");
  }

  @Test
  void unknownDatasetListsKnownOnes() {
    int code = run("download", "alibaba2018", "--dir", dir.toString());

    assertThat(code).isEqualTo(TraceCommand.EXIT_USAGE);
    assertThat(err.toString())
        .isEqualTo("error: unknown dataset 'alibaba2018'; known datasets: openb" + System.lineSeparator());
    assertThat(dir).doesNotExist();
  }

  @Test
  void unknownFileAndBadUrlAreUsageErrors() {
    assertThat(run("download", "openb", "--dir", dir.toString(), "--files", "nope.csv"))
        .isEqualTo(TraceCommand.EXIT_USAGE);
    assertThat(err.toString()).contains("no unique file named nope.csv").contains("valid names:");
    err.getBuffer().setLength(0);

    assertThat(run("download", "openb", "--dir", dir.toString(), "--base-url", "ftp://example/csv"))
        .isEqualTo(TraceCommand.EXIT_USAGE);
    assertThat(err.toString()).contains("http(s)").contains("ftp://example/csv");
  }

  @Test
  void progressBarModeDownloadsToo() {
    int code = run(new TraceCommand(Map.of(), temp, true),
        "download", "openb", "--dir", dir.toString(), "--base-url", baseUrl, "--files", UNPINNED);

    assertThat(code).as(err.toString()).isZero();
    assertThat(dir.resolve(UNPINNED)).hasBinaryContent(served.get(UNPINNED));
  }

  @Test
  void whereUsesEnvironmentCacheAndListsFileStates() throws IOException {
    // $ARCHIPELAGO_CACHE is the cache root; datasets live under traces/<dataset>
    Path root = temp.resolve("root");
    dir = root.resolve("traces").resolve("openb");
    TraceCommand command = new TraceCommand(Map.of(TraceCommand.CACHE_ENV, root.toString()), temp, false);
    assertThat(run(command, "download", "openb", "--base-url", baseUrl, "--files", UNPINNED)).isZero();
    Files.writeString(dir.resolve("openb_pod_list_cpu050.csv"), "not the real file");
    out.getBuffer().setLength(0);

    int code = run(new TraceCommand(Map.of(TraceCommand.CACHE_ENV, root.toString()), temp, false), "where");

    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("cache dir: " + dir.toAbsolutePath())
        .containsPattern("ok\\s+" + UNPINNED)
        .containsPattern("CORRUPT\\s+openb_pod_list_cpu050.csv")
        .containsPattern("missing\\s+" + PINNED)
        .contains("2 of 19 openb files present");
  }

  @Test
  void defaultCacheDirIsUnderHome() {
    TraceCommand command = new TraceCommand(Map.of(), temp, false);

    assertThat(command.cacheDir(null, "openb"))
        .isEqualTo(temp.resolve(".cache/archipelago/traces/openb").toAbsolutePath());
    assertThat(run(command, "where")).isZero();
    assertThat(out.toString()).contains("does not exist yet");
  }

  @Test
  void traceWithoutSubcommandIsUsageError() {
    assertThat(run()).isEqualTo(TraceCommand.EXIT_USAGE);
    assertThat(err.toString()).contains("missing subcommand");
  }

  // ---------------------------------------------------------------- helpers

  private int run(String... args) {
    return run(new TraceCommand(Map.of(), temp, false), args);
  }

  private int run(TraceCommand command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** The unpinned file, plus the real pinned {@value #PINNED} when the shared traces exist. */
  private List<String> filesWithRealPinnedIfAvailable() {
    List<String> files = new ArrayList<>();
    Path real = sharedOpenb().resolve(PINNED);
    if (Files.isRegularFile(real)) {
      try {
        served.put(PINNED, Files.readAllBytes(real));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + real, e);
      }
      files.add(PINNED);
    }
    files.add(UNPINNED);
    return files;
  }

  private static Path sharedOpenb() {
    String property = System.getProperty("archipelago.shared");
    Path shared = property != null && !property.isBlank()
        ? Path.of(property)
        : Path.of("").toAbsolutePath().getParent().resolve("../shared");
    return shared.resolve("traces/openb").normalize();
  }

  private static byte[] csv(String tag, int rows) {
    StringBuilder text = new StringBuilder("name,cpu_milli,memory_mib\n");
    for (int i = 0; i < rows; i++) {
      text.append(tag).append('-').append(i).append(",1000,2048\n");
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void handle(HttpExchange exchange) throws IOException {
    byte[] body = served.get(exchange.getRequestURI().getPath().substring("/csv/".length()));
    try (exchange) {
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    }
  }

  /** SHA-256 helper for assertions. */
  private static final class TraceDownloaderSums {
    static String sha256(byte[] bytes) {
      try {
        return java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

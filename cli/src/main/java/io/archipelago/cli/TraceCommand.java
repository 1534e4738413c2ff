package io.archipelago.cli;

import io.archipelago.sim.trace.DownloadProgress;
import io.archipelago.sim.trace.DownloadResult;
import io.archipelago.sim.trace.TraceCache;
import io.archipelago.sim.trace.TraceDownloadException;
import io.archipelago.sim.trace.TraceDownloader;
import io.archipelago.sim.trace.TraceFile;
import io.archipelago.sim.trace.TraceManifest;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code archipelago trace ...}: fetch public cluster traces into a local cache and show what is
 * cached.
 *
 * <ul>
 *   <li>{@code trace download <dataset> [--dir DIR] [--base-url URL] [--files a,b] [--force]}
 *       fetches the dataset's files and verifies their SHA-256 (see {@link TraceDownloader} for
 *       pinned checksums versus trust on first use).</li>
 *   <li>{@code trace where [<dataset>] [--dir DIR]} prints the cache directory and the state of
 *       each file.</li>
 * </ul>
 *
 * <p>The cache directory is {@code --dir}, else {@code $ARCHIPELAGO_CACHE/traces/<dataset>}, else
 * {@code ~/.cache/archipelago/traces/<dataset>} (where the experiments look for traces too). A byte progress bar is drawn on stderr only when a
 * console is attached and {@code CI} is unset; otherwise each file gets one plain line.
 *
 * <p>{@code download} stops at the first file that fails; files already verified stay in the
 * cache, so rerunning resumes where it stopped.
 *
 * <p>Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILED} download or verification failed,
 * {@value #EXIT_USAGE} bad arguments. Every failure prints one {@code error: ...} line on stderr.
 */
@Command(
    name = "trace",
    description = "Download public cluster traces into a local cache and show what is cached.",
    subcommands = {TraceCommand.Download.class, TraceCommand.Where.class})
public final class TraceCommand implements Callable<Integer> {

  /** Success. */
  public static final int EXIT_OK = 0;
  /** A download, I/O or checksum verification failed. */
  public static final int EXIT_FAILED = 1;
  /** The arguments were invalid (unknown dataset or file, bad URL). */
  public static final int EXIT_USAGE = 2;

  /** Environment variable that overrides the default cache directory. */
  public static final String CACHE_ENV = "ARCHIPELAGO_CACHE";

  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  private final Map<String, String> env;
  private final Path home;
  private final boolean interactive;

  /** Uses the process environment, {@code user.home}, and draws a bar only on a console. */
  public TraceCommand() {
    this(System.getenv(), Path.of(System.getProperty("user.home")),
        System.console() != null && System.getenv("CI") == null);
  }

  /**
   * For tests and embedding.
   *
   * @param env environment variables to consult ({@value #CACHE_ENV})
   * @param home the user's home directory, for the default cache
   * @param interactive whether to draw a progress bar
   */
  TraceCommand(Map<String, String> env, Path home, boolean interactive) {
    this.env = Map.copyOf(env);
    this.home = Objects.requireNonNull(home, "home");
    this.interactive = interactive;
  }

  /** Without a subcommand: a usage error. */
  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand; use 'trace download <dataset>' or 'trace where'");
  }

  /** The cache directory: {@code explicit}, else {@value #CACHE_ENV}, else under the home dir. */
  Path cacheDir(Path explicit, String dataset) {
    if (explicit != null) {
      return explicit.toAbsolutePath().normalize();
    }
    String fromEnv = env.get(CACHE_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).resolve("traces").resolve(dataset).toAbsolutePath().normalize();
    }
    return home.resolve(".cache/archipelago/traces").resolve(dataset).toAbsolutePath().normalize();
  }

  /** {@code trace download <dataset>}. */
  @Command(name = "download", description = {
      "Download a trace dataset into the local cache, verifying each file's SHA-256.",
      "Files with a pinned checksum must match it. Other files are trusted on first download: their"
          + " checksum is printed with a warning and recorded in SHA256SUMS, and later downloads"
          + " must match it.",
      "Known datasets: openb."})
  static final class Download implements Callable<Integer> {

    @ParentCommand TraceCommand parent;
    @Spec CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "<dataset>", description = "Dataset to fetch, e.g. openb.")
    String dataset;

    @Option(names = "--dir", paramLabel = "DIR", description = "Cache directory (default: $"
        + CACHE_ENV + ", else ~/.cache/archipelago/traces/<dataset>).")
    Path dir;

    @Option(names = "--base-url", paramLabel = "URL", description = "Directory URL to fetch from"
        + " (default: where the dataset is published; for openb https://raw.githubusercontent.com/"
        + "alibaba/clusterdata/master/cluster-trace-gpu-v2023/csv).")
    String baseUrl;

    @Option(names = "--files", paramLabel = "FILE", split = ",",
        description = "Only these files, comma-separated: full names, or short ones such as"
            + " default,gpu_node,multigpu20.")
    List<String> files;

    @Option(names = "--force", description = "Download again even if a verified copy is present.")
    boolean force;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      TraceManifest manifest;
      List<TraceFile> selected;
      URI base;
      try {
        manifest = TraceManifest.forDataset(dataset);
        selected = files == null ? manifest.files() : manifest.select(files);
        base = baseUrl == null ? manifest.defaultBaseUri() : parseBaseUrl(baseUrl);
      } catch (IllegalArgumentException e) {
        return fail(err, EXIT_USAGE, e.getMessage());
      }
      TraceCache cache = new TraceCache(parent.cacheDir(dir, manifest.dataset()));
      TraceDownloader downloader = TraceDownloader.create();
      DownloadProgress progress = parent.interactive ? new BarProgress() : DownloadProgress.NONE;

      out.printf("Fetching %d %s file(s) from %s into %s%n", selected.size(), manifest.dataset(),
          TraceDownloader.redact(base), cache.dir());
      out.flush();
      int downloaded = 0;
      int present = 0;
      for (TraceFile file : selected) {
        DownloadResult result;
        try {
          result = downloader.download(base, cache, file, force, progress);
        } catch (TraceDownloadException e) {
          return fail(err, EXIT_FAILED, e.getMessage());
        }
        report(result, cache, out, err);
        if (result.action() == DownloadResult.Action.DOWNLOADED) {
          downloaded++;
        } else {
          present++;
        }
      }
      out.printf("Done: %d downloaded, %d already present, in %s%n", downloaded, present, cache.dir());
      out.flush();
      return EXIT_OK;
    }

    private static URI parseBaseUrl(String raw) {
      URI uri;
      try {
        uri = new URI(raw.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("--base-url '" + raw + "' is not a valid URL: "
            + e.getReason() + "; use e.g. " + TraceManifest.OPENB.defaultBaseUri());
      }
      TraceDownloader.fileUri(uri, "probe"); // validates scheme and host
      return uri;
    }

    private static void report(DownloadResult result, TraceCache cache, PrintWriter out,
        PrintWriter err) {
      String name = result.file().name();
      String size = humanBytes(result.bytes());
      String against = switch (result.trust()) {
        case PINNED -> "matches pinned sha256";
        case RECORDED -> "matches sha256 recorded in " + TraceCache.CHECKSUM_FILE + " (not pinned)";
        case FIRST_USE -> "sha256 " + result.sha256() + " (not pinned)";
      };
      if (result.action() == DownloadResult.Action.SKIPPED) {
        out.printf("present     %s (%s), %s; skipped (use --force to re-download)%n", name, size, against);
      } else {
        out.printf("downloaded  %s (%s), %s%n", name, size, against);
      }
      out.flush();
      if (result.trust() == DownloadResult.Trust.FIRST_USE) {
        err.printf("warning: checksum of %s is not pinned; trusting it on first use: recorded sha256 %s"
            + " in %s, later downloads must match it%n", name, result.sha256(), cache.checksumFile());
        err.flush();
      }
    }
  }

  /** {@code trace where}. */
  @Command(name = "where",
      description = "Print the cache directory of a dataset and the state of each of its files.")
  static final class Where implements Callable<Integer> {

    @ParentCommand TraceCommand parent;
    @Spec CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<dataset>", defaultValue = "openb",
        description = "Dataset (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--dir", paramLabel = "DIR", description = "Cache directory (default: $"
        + CACHE_ENV + ", else ~/.cache/archipelago/traces/<dataset>).")
    Path dir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      TraceManifest manifest;
      try {
        manifest = TraceManifest.forDataset(dataset);
      } catch (IllegalArgumentException e) {
        return fail(err, EXIT_USAGE, e.getMessage());
      }
      TraceCache cache = new TraceCache(parent.cacheDir(dir, manifest.dataset()));
      out.println("cache dir: " + cache.dir());
      if (!Files.isDirectory(cache.dir())) {
        out.println("(does not exist yet; run 'archipelago trace download " + manifest.dataset() + "')");
        out.flush();
        return EXIT_OK;
      }
      List<TraceCache.Entry> entries;
      try {
        entries = cache.inspect(manifest.files());
      } catch (TraceDownloadException e) {
        return fail(err, EXIT_FAILED, e.getMessage());
      }
      long present = 0;
      for (TraceCache.Entry entry : entries) {
        String state = switch (entry.state()) {
          case MISSING -> "missing";
          case VERIFIED -> "ok";
          case UNVERIFIED -> "unverified";
          case CORRUPT -> "CORRUPT";
        };
        String detail = switch (entry.state()) {
          case MISSING -> "";
          case VERIFIED -> " (" + humanBytes(entry.bytes()) + ")";
          case UNVERIFIED -> " (" + humanBytes(entry.bytes()) + ", no pinned or recorded sha256;"
              + " 'trace download' fetches it again and records one)";
          case CORRUPT -> " (" + humanBytes(entry.bytes()) + ", sha256 mismatch;"
              + " 'trace download' replaces it)";
        };
        if (entry.state() != TraceCache.State.MISSING) {
          present++;
        }
        out.printf("  %-10s  %s%s%n", state, entry.file().name(), detail);
      }
      out.printf("%d of %d %s files present%n", present, entries.size(), manifest.dataset());
      out.flush();
      return EXIT_OK;
    }
  }

  /** Draws one byte progress bar per transfer (used only when a console is attached). */
  private static final class BarProgress implements DownloadProgress {
    private ProgressBar bar;

    @Override
    public void started(String fileName, long totalBytes) {
      bar = new ProgressBarBuilder()
          .setTaskName(fileName)
          .setInitialMax(totalBytes > 0 ? totalBytes : -1)
          .setUnit(" KiB", 1024)
          .showSpeed()
          .setUpdateIntervalMillis(100)
          .build();
    }

    @Override
    public void advanced(String fileName, long bytesSoFar) {
      if (bar != null) {
        bar.stepTo(bytesSoFar);
      }
    }

    @Override
    public void finished(String fileName) {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }

  private static int fail(PrintWriter err, int code, String message) {
    err.println("error: " + message);
    err.flush();
    return code;
  }

  /** {@code bytes} as B, KiB or MiB with one decimal. */
  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}

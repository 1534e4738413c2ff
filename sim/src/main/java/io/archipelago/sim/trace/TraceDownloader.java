package io.archipelago.sim.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Fetches trace files over HTTP(S) into a {@link TraceCache}, verifying each one's SHA-256.
 *
 * <h2>Contract of {@link #download}</h2>
 * <ul>
 *   <li><b>Idempotent.</b> If the file is already in the cache and matches its expected checksum,
 *       nothing is fetched and the result is {@link DownloadResult.Action#SKIPPED}, unless
 *       {@code force} is set. A present file with no known checksum, or with a wrong one, is
 *       fetched again.</li>
 *   <li><b>Atomic.</b> Bytes stream into a hidden temporary file in the cache directory, through a
 *       SHA-256 digest. Only after verification is the temporary file moved over the target
 *       (atomically where the file system supports it). On any failure — HTTP error, I/O error,
 *       truncation, checksum mismatch, interruption — the temporary file is deleted and any file
 *       already at the target is left untouched.</li>
 *   <li><b>Pinned checksums.</b> A file whose {@link TraceFile#pinnedSha256()} is set must match
 *       it; anything else fails with a {@link TraceDownloadException} naming the file, the expected
 *       and the actual sum.</li>
 *   <li><b>Trust on first use.</b> A file without a pinned checksum is accepted the first time and
 *       its sum is recorded in the cache's {@value TraceCache#CHECKSUM_FILE}; the result reports
 *       {@link DownloadResult.Trust#FIRST_USE} so the caller can warn that the file is not pinned.
 *       Every later download of that file must match the recorded sum, so a changed upstream file
 *       (or a tampered mirror) fails instead of silently replacing the cached copy. To accept a
 *       legitimate upstream change, delete the file's line from
 *       {@value TraceCache#CHECKSUM_FILE}.</li>
 *   <li><b>Clear failures.</b> Non-200 responses fail with the URL and status; connection problems
 *       with the URL and a hint. User info and query strings are stripped from URLs in messages so
 *       that tokens never reach logs.</li>
 * </ul>
 *
 * <p>The connect timeout bounds connection set-up and the response timeout bounds the wait for
 * response headers; a server that stalls mid-body is bounded only by the operating system.
 * Instances are thread-safe, but concurrent downloads into one cache are not supported (see
 * {@link TraceCache}).
 */
public final class TraceDownloader {

  /** Connect timeout of {@link #create()}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
  /** Wait for response headers used by {@link #create()}. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

  private static final int BUFFER_BYTES = 64 * 1024;

  private final HttpClient client;
  private final Duration responseTimeout;

  /**
   * A downloader using {@code client}, which should have a connect timeout and follow redirects.
   *
   * @param responseTimeout maximum wait for response headers of each request; positive
   */
  public TraceDownloader(HttpClient client, Duration responseTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    if (responseTimeout.isNegative() || responseTimeout.isZero()) {
      throw new IllegalArgumentException("responseTimeout must be positive, got " + responseTimeout);
    }
    this.responseTimeout = responseTimeout;
  }

  /** A downloader with the default timeouts that follows redirects (except HTTPS to HTTP). */
  public static TraceDownloader create() {
    return create(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT);
  }

  /** A downloader with the given timeouts that follows redirects (except HTTPS to HTTP). */
  public static TraceDownloader create(Duration connectTimeout, Duration responseTimeout) {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    return new TraceDownloader(client, responseTimeout);
  }

  /**
   * Ensures {@code file} is in {@code cache} with a verified checksum, fetching it from
   * {@code baseUri/<file name>} if needed. See the class documentation for the full contract.
   *
   * @param baseUri http or https directory URL (a trailing slash is optional)
   * @param cache where the file goes; its directory is created if missing
   * @param file the file to fetch
   * @param force fetch even if a verified copy is present
   * @param progress receives byte progress of the transfer
   * @return what was done and what the checksum was verified against
   * @throws TraceDownloadException with a one-line message naming the file or URL and a fix
   */
  public DownloadResult download(URI baseUri, TraceCache cache, TraceFile file, boolean force,
      DownloadProgress progress) throws TraceDownloadException {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(progress, "progress");
    URI uri = fileUri(baseUri, file.name());
    createDirectory(cache.dir());
    Path target = cache.pathOf(file);
    Optional<String> expected = cache.expectedSha256(file);
    DownloadResult.Trust trust = file.isPinned() ? DownloadResult.Trust.PINNED
        : expected.isPresent() ? DownloadResult.Trust.RECORDED : DownloadResult.Trust.FIRST_USE;

    if (!force && expected.isPresent() && Files.isRegularFile(target)) {
      try {
        if (expected.get().equals(TraceCache.sha256(target))) {
          return new DownloadResult(file, target, expected.get(), Files.size(target),
              DownloadResult.Action.SKIPPED, trust);
        }
      } catch (IOException e) {
        throw new TraceDownloadException("cannot read existing " + target + ": " + e.getMessage()
            + "; delete it or pass --force", e);
      }
    }

    Path tmp = null;
    try {
      tmp = Files.createTempFile(cache.dir(), "." + file.name() + ".", ".part");
      Fetched fetched = fetch(uri, tmp, file.name(), progress);
      if (expected.isPresent() && !expected.get().equals(fetched.sha256())) {
        throw mismatch(file, uri, cache, expected.get(), fetched.sha256());
      }
      TraceCache.moveAtomically(tmp, target);
      tmp = null;
      cache.record(file.name(), fetched.sha256());
      return new DownloadResult(file, target, fetched.sha256(), fetched.bytes(),
          DownloadResult.Action.DOWNLOADED, trust);
    } catch (TraceDownloadException e) {
      throw e;
    } catch (IOException e) {
      throw new TraceDownloadException("cannot store " + file.name() + " in " + cache.dir() + ": "
          + e.getMessage() + "; check free space and permissions, or pass --dir", e);
    } finally {
      TraceCache.deleteQuietly(tmp);
    }
  }

  /**
   * The URL of {@code fileName} under {@code baseUri}: the name is appended to the path; user
   * info and query string are kept (a fragment is dropped).
   *
   * @throws IllegalArgumentException if {@code baseUri} is not an absolute http(s) URL
   */
  public static URI fileUri(URI baseUri, String fileName) {
    Objects.requireNonNull(baseUri, "baseUri");
    String scheme = baseUri.getScheme() == null ? "" : baseUri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || baseUri.getHost() == null) {
      throw new IllegalArgumentException("base URL must be an absolute http(s) URL such as "
          + TraceManifest.OPENB.defaultBaseUri() + ", got '" + redact(baseUri) + "'");
    }
    String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    String joined = path.endsWith("/") ? path + fileName : path + "/" + fileName;
    String query = baseUri.getRawQuery() == null ? "" : "?" + baseUri.getRawQuery();
    return URI.create(scheme + "://" + baseUri.getRawAuthority() + joined + query);
  }

  /** {@code uri} without user info, query or fragment, safe to print. */
  public static String redact(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(),
          null, null).toString() + (uri.getRawQuery() != null ? "?…" : "");
    } catch (URISyntaxException | IllegalArgumentException e) {
      return "<unprintable URL>";
    }
  }

  private record Fetched(String sha256, long bytes) { }

  private Fetched fetch(URI uri, Path tmp, String fileName, DownloadProgress progress)
      throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(responseTimeout)
        .header("User-Agent", "archipelago-trace-downloader")
        .GET()
        .build();
    HttpResponse<InputStream> response = send(request);
    try (InputStream in = response.body()) {
      int status = response.statusCode();
      if (status != 200) {
        throw new TraceDownloadException("GET " + redact(uri) + " returned HTTP " + status
            + statusHint(status));
      }
      long total = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
      MessageDigest digest = TraceCache.newSha256();
      long count = 0;
      progress.started(fileName, total);
      try (OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int n; (n = in.read(buffer)) != -1; ) {
          digest.update(buffer, 0, n);
          out.write(buffer, 0, n);
          count += n;
          progress.advanced(fileName, count);
        }
      } catch (IOException e) {
        throw new TraceDownloadException("download of " + redact(uri) + " broke off after " + count
            + " bytes: " + e.getMessage() + "; rerun the command to retry", e);
      } finally {
        progress.finished(fileName);
      }
      if (total >= 0 && count != total) {
        throw new TraceDownloadException("download of " + redact(uri) + " is truncated: got " + count
            + " of " + total + " bytes; rerun the command to retry");
      }
      return new Fetched(HexFormat.of().formatHex(digest.digest()), count);
    }
  }

  private HttpResponse<InputStream> send(HttpRequest request) throws TraceDownloadException {
    String url = redact(request.uri());
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new TraceDownloadException("timed out connecting to " + url
          + "; check the network or proxy, or pass --base-url to use a mirror", e);
    } catch (HttpTimeoutException e) {
      throw new TraceDownloadException("no response from " + url + " within "
          + responseTimeout.toSeconds() + " s; retry later or pass --base-url to use a mirror", e);
    } catch (ConnectException e) {
      throw new TraceDownloadException("cannot connect to " + url
          + "; check the network and --base-url", e);
    } catch (IOException e) {
      throw new TraceDownloadException("GET " + url + " failed: " + e
          + "; check the network and --base-url", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TraceDownloadException("interrupted while downloading " + url, e);
    }
  }

  private static String statusHint(int status) {
    if (status == 404) {
      return " (Not Found); check that --base-url points at the dataset's csv directory";
    }
    if (status == 401 || status == 403 || status == 429) {
      return " (access denied or rate-limited); retry later or use a mirror via --base-url";
    }
    if (status >= 500) {
      return " (server error); retry later";
    }
    return "; expected HTTP 200";
  }

  private static TraceDownloadException mismatch(TraceFile file, URI uri, TraceCache cache,
      String expected, String actual) {
    String source = file.isPinned() ? "pinned checksum"
        : "checksum recorded in " + cache.checksumFile() + " on first download";
    String fix = file.isPinned()
        ? "check that --base-url serves the original, unmodified dataset files"
        : "if the upstream file legitimately changed, delete its line from "
            + cache.checksumFile() + " and rerun";
    return new TraceDownloadException("checksum mismatch for " + file.name() + " from "
        + redact(uri) + ": expected sha256 " + expected + " (" + source + "), got " + actual
        + "; the download was discarded and any cached copy left untouched; " + fix);
  }

  private static void createDirectory(Path dir) throws TraceDownloadException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TraceDownloadException("cannot create cache directory " + dir + ": " + e
          + "; pass --dir to choose a writable directory", e);
    }
  }
}

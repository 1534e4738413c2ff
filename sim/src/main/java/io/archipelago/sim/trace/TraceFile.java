package io.archipelago.sim.trace;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One downloadable file of a trace dataset, with its SHA-256 checksum when that is known in advance.
 *
 * <p>A <em>pinned</em> checksum is compiled into the {@link TraceManifest} and is the only content
 * the downloader accepts for that file. A file without a pinned checksum is verified by trust on
 * first use instead; see {@link TraceDownloader}.
 *
 * @param name plain file name (no directories), for example {@code openb_pod_list_default.csv}
 * @param pinnedSha256 lower-case hex SHA-256 of the expected content, or empty when not pinned
 */
public record TraceFile(String name, Optional<String> pinnedSha256) {

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if the name could escape the cache directory or the checksum
   *     is not 64 lower-case hex digits
   */
  public TraceFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pinnedSha256, "pinnedSha256");
    if (!SAFE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("trace file name '" + name
          + "' is not a plain file name; use letters, digits, '.', '_' or '-' only");
    }
    pinnedSha256.ifPresent(sum -> requireSha256(sum, "pinned checksum of " + name));
  }

  /** A file whose content is pinned to {@code sha256} (64 lower-case hex digits). */
  public static TraceFile pinned(String name, String sha256) {
    return new TraceFile(name, Optional.of(sha256));
  }

  /** A file with no checksum known in advance (verified by trust on first use). */
  public static TraceFile unpinned(String name) {
    return new TraceFile(name, Optional.empty());
  }

  /** Whether the expected content is fixed by a compiled-in checksum. */
  public boolean isPinned() {
    return pinnedSha256.isPresent();
  }

  /**
   * Checks that {@code value} is a SHA-256 in lower-case hex.
   *
   * @param what names the value in the error message
   * @return {@code value}
   * @throws IllegalArgumentException otherwise
   */
  static String requireSha256(String value, String what) {
    if (value == null || !SHA256_HEX.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 64 lower-case hex digits (SHA-256), got '"
          + value + "'");
    }
    return value;
  }
}

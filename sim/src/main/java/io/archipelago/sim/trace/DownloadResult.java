package io.archipelago.sim.trace;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link TraceDownloader#download} did for one file.
 *
 * @param file the manifest entry
 * @param path where the verified file now lives
 * @param sha256 SHA-256 of the file at {@code path}, lower-case hex
 * @param bytes size of the file at {@code path}
 * @param action whether the file was fetched or was already present
 * @param trust what the checksum was verified against
 */
public record DownloadResult(TraceFile file, Path path, String sha256, long bytes, Action action,
    Trust trust) {

  /** Whether bytes were transferred. */
  public enum Action {
    /** The file was fetched, verified and moved into place. */
    DOWNLOADED,
    /** A file with the expected checksum was already present; nothing was fetched. */
    SKIPPED
  }

  /** What vouches for the content. */
  public enum Trust {
    /** Matches the checksum compiled into the {@link TraceManifest}. */
    PINNED,
    /** Matches the checksum recorded in {@code SHA256SUMS} by an earlier download. */
    RECORDED,
    /** Not pinned and never seen before: the checksum was just recorded (trust on first use). */
    FIRST_USE
  }

  /** Checks that no component is null. */
  public DownloadResult {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    TraceFile.requireSha256(sha256, "sha256 of " + file.name());
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(trust, "trust");
  }
}

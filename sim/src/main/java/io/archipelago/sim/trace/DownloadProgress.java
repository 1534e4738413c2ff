package io.archipelago.sim.trace;

/**
 * Receives byte-level progress of one file transfer, so that callers can draw a progress bar
 * without this module depending on a terminal library.
 *
 * <p>Contract: for each transfer the downloader calls {@link #started} once (after the server
 * answered with HTTP 200), then {@link #advanced} zero or more times with a non-decreasing count,
 * then {@link #finished} exactly once, whether the transfer succeeded or failed. Files that are
 * skipped because they are already present produce no calls. All calls come from the thread that
 * called the downloader. Implementations must not throw.
 */
public interface DownloadProgress {

  /** Ignores all progress. */
  DownloadProgress NONE = new DownloadProgress() { };

  /**
   * A transfer begins.
   *
   * @param fileName the trace file being fetched
   * @param totalBytes the announced size, or {@code -1} if the server did not send one
   */
  default void started(String fileName, long totalBytes) { }

  /**
   * More bytes have arrived.
   *
   * @param fileName the trace file being fetched
   * @param bytesSoFar bytes received so far for this file
   */
  default void advanced(String fileName, long bytesSoFar) { }

  /**
   * The transfer ended, successfully or not; the outcome is the downloader's return value or
   * exception.
   *
   * @param fileName the trace file that was being fetched
   */
  default void finished(String fileName) { }
}

package io.archipelago.sim.trace;

import java.io.IOException;

/**
 * A trace file could not be fetched, stored or verified. The message is one line meant for the
 * user: it names the file, URL or path involved and suggests a fix.
 */
public class TraceDownloadException extends IOException {

  /** With a user-facing message. */
  public TraceDownloadException(String message) {
    super(message);
  }

  /** With a user-facing message and the low-level cause. */
  public TraceDownloadException(String message, Throwable cause) {
    super(message, cause);
  }
}

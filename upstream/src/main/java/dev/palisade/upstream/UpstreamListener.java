package dev.palisade.upstream;

import java.time.Duration;

/**
 * What transports and the pool report, for metrics and logs (this module has no metrics library;
 * resolver implements this with Micrometer). Called from event loops and from whichever thread
 * completes an exchange: implementations must be thread-safe, fast and must not throw. Every
 * method has an empty default.
 */
public interface UpstreamListener {

  /** Reports nothing. */
  UpstreamListener NONE = new UpstreamListener() {};

  /**
   * A connection is up and ready for queries.
   *
   * @param protocol what was negotiated, e.g. {@code TLSv1.3} or {@code TLSv1.3 h2}
   * @param resumed whether TLS resumed an earlier session (no certificate was sent)
   */
  default void connectionOpened(UpstreamId upstream, String protocol, boolean resumed) {}

  /** A connection that was up has closed (either side, idle or not). */
  default void connectionClosed(UpstreamId upstream) {}

  /** A connection could not be set up (refused, timed out, TLS or certificate failure). */
  default void connectionFailed(UpstreamId upstream, UpstreamException cause) {}

  /** The pool stopped sending to this upstream for {@code wait} (after {@code failures} failures in a row). */
  default void backoffStarted(UpstreamId upstream, Duration wait, int failures, Throwable cause) {}

  /** A probe succeeded: the upstream is used again. */
  default void backoffEnded(UpstreamId upstream) {}

  /** An exchange through the pool was answered after {@code rttNanos}. */
  default void exchangeSucceeded(UpstreamId upstream, long rttNanos) {}

  /** An exchange through the pool failed; the pool may retry the query elsewhere. */
  default void exchangeFailed(UpstreamId upstream, UpstreamException.Reason reason) {}
}

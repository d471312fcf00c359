package dev.palisade.upstream;

/** Why an exchange with an upstream failed. Never carries a partial answer. */
public final class UpstreamException extends Exception {

  public enum Reason {
    /** No reply before the query's deadline; DoH: HTTP 408 or 504. */
    TIMEOUT,
    /** TCP connection refused, unreachable, or not established in time. */
    CONNECT,
    /** TLS handshake or certificate check failed: fails closed, never downgrades. */
    TLS,
    /** The reply did not match the query or could not be parsed; DoH: no h2, or an HTTP error other than 408/429/503/504. */
    PROTOCOL,
    /** The connection closed (or, DoH, the stream was reset) again before the query was answered, after a resend. */
    CLOSED,
    /** Too many queries outstanding on this upstream; DoH: HTTP 429 or 503. Not held against the upstream's health. */
    OVERLOADED,
    /** The upstream was shut down. */
    SHUTDOWN
  }

  private final Reason reason;

  public UpstreamException(Reason reason, String message) {
    this(reason, message, null);
  }

  public UpstreamException(Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

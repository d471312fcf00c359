package dev.palisade.upstream;

/** Why an exchange with an upstream failed. Never carries a partial answer. */
public final class UpstreamException extends Exception {

  public enum Reason {
    /** No reply before the query's deadline. */
    TIMEOUT,
    /** TCP connection refused, unreachable, or not established in time. */
    CONNECT,
    /** TLS handshake or certificate check failed: fails closed, never downgrades. */
    TLS,
    /** The reply did not match the query, or could not be parsed. */
    PROTOCOL,
    /** The connection closed again before the query was answered, after a resend. */
    CLOSED,
    /** Too many queries outstanding on this upstream. */
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

package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Protocol;
import java.net.InetAddress;

/**
 * What the listeners report about abuse and faults, for metrics. Called on event loops: implementations
 * must be quick and thread-safe. {@link ServerCounters} counts; the metrics layer may attach its own.
 */
public interface ServerListener {

  /** A query over {@code rate_limit}; {@code refused} when it got REFUSED, false when it was dropped. */
  default void rateLimited(InetAddress client, Protocol protocol, boolean refused) {}

  /**
   * A client over the rate limit without a valid server cookie was answered BADCOOKIE with a fresh
   * one (RFC 7873 section 5.2.3), instead of being dropped or refused. Also reported as rate limited.
   */
  default void badCookie(Protocol protocol) {}

  /** An exception reached a listener's pipeline that was not an I/O error from the peer: a bug. */
  default void unexpectedError(Protocol protocol, Throwable error) {}

  ServerListener NONE = new ServerListener() {};

  /** Reports to each of {@code listeners}, in order (the counters and the metrics). */
  static ServerListener all(ServerListener... listeners) {
    ServerListener[] ls = listeners.clone();
    return new ServerListener() {
      @Override
      public void rateLimited(InetAddress client, Protocol protocol, boolean refused) {
        for (ServerListener l : ls) {
          l.rateLimited(client, protocol, refused);
        }
      }

      @Override
      public void badCookie(Protocol protocol) {
        for (ServerListener l : ls) {
          l.badCookie(protocol);
        }
      }

      @Override
      public void unexpectedError(Protocol protocol, Throwable error) {
        for (ServerListener l : ls) {
          l.unexpectedError(protocol, error);
        }
      }
    };
  }
}

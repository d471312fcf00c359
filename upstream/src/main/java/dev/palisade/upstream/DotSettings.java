package dev.palisade.upstream;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one DNS-over-TLS server (RFC 7858).
 *
 * @param address the server's IP and port
 * @param tls certificate checks, versions, suites, engine
 * @param idleTimeout we close a connection that carried no query for this long
 * @param connectTimeout TCP connect plus TLS handshake budget
 * @param maxOutstanding queries waiting or in flight on this upstream before new ones fail fast
 *     ({@link UpstreamException.Reason#OVERLOADED}) so the pool can move on
 * @param limitOutstandingQueries Stubby's {@code limit_outstanding_queries}: at most this many
 *     queries in flight on one connection, the rest wait (within their deadlines) for a reply to
 *     free a slot; 0: no limit
 * @param privacy padding and ECS added to every query on the wire
 */
public record DotSettings(
    InetSocketAddress address,
    TlsSettings tls,
    Duration idleTimeout,
    Duration connectTimeout,
    int maxOutstanding,
    int limitOutstandingQueries,
    EdnsPrivacy privacy) {

  public DotSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(privacy, "privacy");
    tls.requireIdentity(address);
    if (maxOutstanding < 1 || maxOutstanding > 65535) {
      throw new IllegalArgumentException("maxOutstanding must be 1..65535: " + maxOutstanding);
    }
    if (limitOutstandingQueries < 0 || limitOutstandingQueries > 65535) {
      throw new IllegalArgumentException("limit_outstanding_queries must be 0..65535: " + limitOutstandingQueries);
    }
  }

  /**
   * The original settings: TLS 1.2 to 1.3 with the default engine, no pins, no per-connection limit,
   * padding to 128-octet blocks.
   */
  public DotSettings(
      InetSocketAddress address,
      Optional<String> authName,
      boolean authenticate,
      Optional<Path> caFile,
      Duration idleTimeout,
      Duration connectTimeout,
      int maxOutstanding) {
    this(
        address,
        new TlsSettings(
            authenticate, authName, caFile, PinSet.NONE, TlsVersion.TLS1_2, TlsVersion.TLS1_3, List.of(),
            TlsEngine.defaultEngine()),
        idleTimeout,
        connectTimeout,
        maxOutstanding,
        0,
        EdnsPrivacy.DEFAULT);
  }

  public Optional<String> authName() {
    return tls.authName();
  }

  public boolean authenticate() {
    return tls.authenticate();
  }

  public Optional<Path> caFile() {
    return tls.caFile();
  }

  public DotSettings withTls(TlsSettings tls) {
    return new DotSettings(address, tls, idleTimeout, connectTimeout, maxOutstanding, limitOutstandingQueries, privacy);
  }

  public DotSettings withLimitOutstandingQueries(int limit) {
    return new DotSettings(address, tls, idleTimeout, connectTimeout, maxOutstanding, limit, privacy);
  }

  public DotSettings withPrivacy(EdnsPrivacy privacy) {
    return new DotSettings(address, tls, idleTimeout, connectTimeout, maxOutstanding, limitOutstandingQueries, privacy);
  }

  public UpstreamId id() {
    return new UpstreamId(
        address.getAddress().getHostAddress() + "@" + address.getPort() + tls.authName().map(n -> "#" + n).orElse(""));
  }
}

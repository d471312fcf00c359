package dev.palisade.upstream;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one DNS-over-TLS server (RFC 7858).
 *
 * @param address the server's IP and port
 * @param authName the name its certificate must carry, also sent as SNI (RFC 8310 section 8.1)
 * @param authenticate strict profile when true: a certificate that does not chain to a trusted CA
 *     or does not carry {@code authName} fails the connection (RFC 8310 section 5)
 * @param caFile PEM bundle replacing the system trust store; empty: the JDK's store
 * @param idleTimeout we close a connection that carried no query for this long
 * @param connectTimeout TCP connect plus TLS handshake budget
 * @param maxOutstanding queries waiting or in flight on this upstream before new ones fail fast
 */
public record DotSettings(
    InetSocketAddress address,
    Optional<String> authName,
    boolean authenticate,
    Optional<Path> caFile,
    Duration idleTimeout,
    Duration connectTimeout,
    int maxOutstanding) {

  public DotSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(authName, "authName");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (authenticate && authName.isEmpty()) {
      throw new IllegalArgumentException("authentication needs an auth name for " + address);
    }
    if (maxOutstanding < 1 || maxOutstanding > 65535) {
      throw new IllegalArgumentException("maxOutstanding must be 1..65535: " + maxOutstanding);
    }
  }

  public UpstreamId id() {
    return new UpstreamId(
        address.getAddress().getHostAddress() + "@" + address.getPort() + authName.map(n -> "#" + n).orElse(""));
  }
}

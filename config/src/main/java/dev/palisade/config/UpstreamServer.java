package dev.palisade.config;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code upstream_recursive_servers} entry.
 *
 * @param address {@code address_data}: an IP literal (never a name: resolving it would need us)
 * @param tlsPort {@code tls_port}, default 853 (RFC 7858 section 3.1)
 * @param tlsAuthName {@code tls_auth_name}: the name the server's certificate must carry, also
 *     sent as SNI; required when {@code tls_authentication} is REQUIRED
 */
public record UpstreamServer(InetAddress address, int tlsPort, Optional<String> tlsAuthName) {
  /** RFC 7858 section 3.1. */
  static final int DEFAULT_TLS_PORT = 853;

  public UpstreamServer {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tlsAuthName, "tlsAuthName");
    if (tlsPort < 1 || tlsPort > 65535) {
      throw new IllegalArgumentException("tls_port out of range: " + tlsPort);
    }
  }

  /** A short, stable label for logs and metrics: {@code 9.9.9.9@853#dns.quad9.net}. */
  public String label() {
    return InetLiterals.format(address) + "@" + tlsPort + tlsAuthName.map(n -> "#" + n).orElse("");
  }
}

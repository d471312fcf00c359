package dev.palisade.config;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code upstream_recursive_servers} entry.
 *
 * @param address {@code address_data}: an IP literal (never a name: resolving it would need us);
 *     for DNS over HTTPS, the address the URL's host is reached at (bootstrap)
 * @param tlsPort {@code tls_port}, default 853 (RFC 7858 section 3.1)
 * @param tlsAuthName {@code tls_auth_name}: the name the server's certificate must carry, also
 *     sent as SNI; for DNS over HTTPS it defaults to the URL's host
 * @param pins {@code tls_pubkey_pinset} values: base64 SHA-256 digests of a certificate's
 *     SubjectPublicKeyInfo (RFC 7469 section 2.4); a server must present one of them
 * @param dohUrl {@code doh_url}: an {@code https} URL; present, this is a DNS-over-HTTPS upstream
 * @param dohGet {@code doh_method: GET} (RFC 8484 section 4.1); POST otherwise
 * @param port {@code port}: for plaintext upstreams only ({@code dns_transport_list} without TLS)
 */
public record UpstreamServer(
    InetAddress address, int tlsPort, Optional<String> tlsAuthName, List<String> pins, Optional<URI> dohUrl, boolean dohGet, int port) {
  /** RFC 7858 section 3.1. */
  static final int DEFAULT_TLS_PORT = 853;

  static final int DEFAULT_PORT = 53;

  public UpstreamServer {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tlsAuthName, "tlsAuthName");
    Objects.requireNonNull(dohUrl, "dohUrl");
    pins = List.copyOf(pins);
    if (tlsPort < 1 || tlsPort > 65535) {
      throw new IllegalArgumentException("tls_port out of range: " + tlsPort);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** A DNS-over-TLS server checked by name. */
  public UpstreamServer(InetAddress address, int tlsPort, Optional<String> tlsAuthName) {
    this(address, tlsPort, tlsAuthName, List.of(), Optional.empty(), false, DEFAULT_PORT);
  }

  /** A short, stable label for logs and metrics: {@code 9.9.9.9@853#dns.quad9.net}. */
  public String label() {
    if (dohUrl.isPresent()) {
      return dohUrl.get() + "@" + InetLiterals.format(address);
    }
    return InetLiterals.format(address) + "@" + tlsPort + tlsAuthName.map(n -> "#" + n).orElse("");
  }
}

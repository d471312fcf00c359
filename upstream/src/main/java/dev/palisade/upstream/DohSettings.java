package dev.palisade.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one DNS-over-HTTPS server (RFC 8484).
 *
 * @param uri the {@code doh_url}, e.g. {@code https://dns.quad9.net/dns-query}; https only
 * @param bootstrap where to connect: an IP from the config ({@code address_data}) and the URL's port.
 *     The URL's host is never looked up: we are the resolver, there is nothing to ask
 * @param tls certificate checks; when its auth name is empty and the URL's host is a name, the
 *     host becomes the auth name (SNI and certificate name), as a browser would check it
 * @param idleTimeout we close (GOAWAY) a connection that carried no query for this long
 * @param connectTimeout TCP connect plus TLS handshake budget
 * @param maxOutstanding queries waiting or in flight before new ones fail fast (OVERLOADED)
 * @param limitOutstandingQueries at most this many streams at once on the connection, besides the
 *     server's SETTINGS_MAX_CONCURRENT_STREAMS (the smaller wins); 0: only the server's limit
 * @param useGet GET with {@code ?dns=} (RFC 8484 section 4.1; cacheable by HTTP caches) instead of
 *     POST, the default (smaller, and no query in URLs that servers may log)
 * @param privacy padding and ECS added to every query on the wire
 */
public record DohSettings(
    URI uri,
    InetSocketAddress bootstrap,
    TlsSettings tls,
    Duration idleTimeout,
    Duration connectTimeout,
    int maxOutstanding,
    int limitOutstandingQueries,
    boolean useGet,
    EdnsPrivacy privacy) {

  public DohSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(privacy, "privacy");
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("doh_url must be https: " + uri);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("doh_url has no host: " + uri);
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("doh_url must not have a fragment: " + uri);
    }
    if (bootstrap.isUnresolved()) {
      // An unresolved address would be looked up by the system resolver, which may be us.
      throw new IllegalArgumentException("the DoH bootstrap address must be an IP literal: " + bootstrap);
    }
    if (maxOutstanding < 1 || maxOutstanding > 65535) {
      throw new IllegalArgumentException("maxOutstanding must be 1..65535: " + maxOutstanding);
    }
    if (limitOutstandingQueries < 0 || limitOutstandingQueries > 65535) {
      throw new IllegalArgumentException("limit_outstanding_queries must be 0..65535: " + limitOutstandingQueries);
    }
    if (tls.authName().isEmpty() && !isIpLiteral(uri.getHost())) {
      tls = tls.withAuthName(Optional.of(uri.getHost().toLowerCase(Locale.ROOT)));
    }
    tls.requireIdentity(uri);
  }

  /**
   * POST, padding to 128-octet blocks, no per-connection limit beyond the server's, the URL's port
   * (443 by default) on {@code address}.
   */
  public static DohSettings of(URI uri, InetAddress address, TlsSettings tls, Duration idleTimeout, Duration connectTimeout, int maxOutstanding) {
    return new DohSettings(
        uri, new InetSocketAddress(address, port(uri)), tls, idleTimeout, connectTimeout, maxOutstanding, 0, false,
        EdnsPrivacy.DEFAULT);
  }

  /** The URL's port, 443 when it names none. */
  public static int port(URI uri) {
    return uri.getPort() < 0 ? 443 : uri.getPort();
  }

  public DohSettings withGet(boolean useGet) {
    return new DohSettings(uri, bootstrap, tls, idleTimeout, connectTimeout, maxOutstanding, limitOutstandingQueries, useGet, privacy);
  }

  public DohSettings withLimitOutstandingQueries(int limit) {
    return new DohSettings(uri, bootstrap, tls, idleTimeout, connectTimeout, maxOutstanding, limit, useGet, privacy);
  }

  public DohSettings withPrivacy(EdnsPrivacy privacy) {
    return new DohSettings(uri, bootstrap, tls, idleTimeout, connectTimeout, maxOutstanding, limitOutstandingQueries, useGet, privacy);
  }

  public DohSettings withTls(TlsSettings tls) {
    return new DohSettings(uri, bootstrap, tls, idleTimeout, connectTimeout, maxOutstanding, limitOutstandingQueries, useGet, privacy);
  }

  /** The {@code :authority} pseudo-header: host, and port when not 443. */
  String authority() {
    String host = uri.getHost();
    return uri.getPort() < 0 || uri.getPort() == 443 ? host : host + ":" + uri.getPort();
  }

  /** The {@code :path} for POST: the URL's path and query, {@code /} if empty. */
  String path() {
    String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
  }

  /** {@code https://dns.quad9.net/dns-query@9.9.9.9}: the URL and the address it is reached at. */
  public UpstreamId id() {
    return new UpstreamId(uri + "@" + bootstrap.getAddress().getHostAddress() + (bootstrap.getPort() == port(uri) ? "" : ":" + bootstrap.getPort()));
  }

  private static boolean isIpLiteral(String host) {
    return host.startsWith("[") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }
}

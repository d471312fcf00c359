package dev.palisade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective, validated configuration. Immutable; built only by {@link ConfigLoader}, which checks
 * every value, so code that receives one never re-validates.
 *
 * <p>Stubby's keys keep Stubby's meaning and units (milliseconds for {@code timeout} and
 * {@code idle_timeout}); our own keys are documented in the README.
 *
 * @param source the file this came from; empty for the built-in defaults
 * @param listenAddresses {@code listen_addresses}: where UDP and TCP listeners bind
 * @param upstreams {@code upstream_recursive_servers}, in configured order
 * @param transports {@code dns_transport_list}, in preference order
 * @param tlsAuthentication {@code tls_authentication}
 * @param tlsCaFile {@code tls_ca_file}: a PEM bundle that replaces the system trust store
 * @param timeout {@code timeout}: total time a client query may take, failover included
 * @param idleTimeout {@code idle_timeout}: how long an idle upstream connection is kept open
 * @param roundRobin {@code round_robin_upstreams}: spread queries over upstreams (true) or use
 *     them in order, failing over (false)
 * @param logLevel {@code log_level}
 * @param access {@code access}: client networks that are answered; others get REFUSED
 * @param tcpIdleTimeout {@code tcp_idle_timeout}: a client TCP connection idle this long is closed
 *     (RFC 7766 section 6.2.3)
 * @param tcpMaxConnections {@code tcp_max_connections}: cap on concurrent client TCP connections
 * @param cache the {@code cache:} section
 * @param dnssec {@code dnssec}, {@code dnssec_return_status}, {@code dnssec_trust_anchors}
 * @param policy the {@code policy:} section
 * @param upstreamOptions padding, ECS, TLS versions and suites, pool health, selection, TLS engine
 * @param rateLimit the {@code rate_limit:} section
 * @param queryLog {@code query_log}: log one line per query (off by default: names are private)
 * @param metrics the {@code metrics:} section
 * @param ipset the {@code ipset:} section
 */
public record PalisadeConfig(
    Optional<Path> source,
    List<ListenAddress> listenAddresses,
    List<UpstreamServer> upstreams,
    List<Transport> transports,
    TlsAuthentication tlsAuthentication,
    Optional<Path> tlsCaFile,
    Duration timeout,
    Duration idleTimeout,
    boolean roundRobin,
    LogLevel logLevel,
    List<Cidr> access,
    Duration tcpIdleTimeout,
    int tcpMaxConnections,
    CacheConfig cache,
    DnssecConfig dnssec,
    PolicyConfig policy,
    UpstreamOptions upstreamOptions,
    RateLimitConfig rateLimit,
    boolean queryLog,
    MetricsConfig metrics,
    IpSetConfig ipset) {

  public PalisadeConfig {
    Objects.requireNonNull(source, "source");
    listenAddresses = List.copyOf(listenAddresses);
    upstreams = List.copyOf(upstreams);
    transports = List.copyOf(transports);
    Objects.requireNonNull(tlsAuthentication, "tlsAuthentication");
    Objects.requireNonNull(tlsCaFile, "tlsCaFile");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(logLevel, "logLevel");
    access = List.copyOf(access);
    Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(dnssec, "dnssec");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(upstreamOptions, "upstreamOptions");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(ipset, "ipset");
  }

  public PalisadeConfig withSource(Optional<Path> source) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withListenAddresses(List<ListenAddress> listenAddresses) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withDnssec(DnssecConfig dnssec) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withPolicy(PolicyConfig policy) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withUpstreams(List<UpstreamServer> upstreams, List<Transport> transports, UpstreamOptions upstreamOptions) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withCache(CacheConfig cache) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withRateLimit(RateLimitConfig rateLimit) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withQueryLog(boolean queryLog) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withMetrics(MetricsConfig metrics) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }

  public PalisadeConfig withIpset(IpSetConfig ipset) {
    return new PalisadeConfig(source, listenAddresses, upstreams, transports, tlsAuthentication, tlsCaFile,
        timeout, idleTimeout, roundRobin, logLevel, access, tcpIdleTimeout, tcpMaxConnections, cache, dnssec, policy, upstreamOptions,
        rateLimit, queryLog, metrics, ipset);
  }
}

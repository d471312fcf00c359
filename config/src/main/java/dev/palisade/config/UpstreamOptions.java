package dev.palisade.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How Palisade talks to its upstreams, in Stubby's keys where Stubby has one.
 *
 * @param paddingBlockSize {@code tls_query_padding_blocksize}: queries are padded to a multiple of
 *     this (RFC 7830, RFC 8467); 0 turns padding off, 1 means the recommended 128
 * @param ecsPrivate {@code edns_client_subnet_private}: send ECS with source prefix 0, asking the
 *     upstream not to send our network on (RFC 7871 section 7.1.2)
 * @param connectionRetries {@code tls_connection_retries}: failures in a row before an upstream rests
 * @param backoffTime {@code tls_backoff_time}: the longest an upstream rests before it is probed
 * @param limitOutstandingQueries {@code limit_outstanding_queries}: queries in flight per
 *     connection; 0 is no limit
 * @param tlsMinVersion {@code tls_min_version}: {@code TLS1_2} or {@code TLS1_3}
 * @param tlsMaxVersion {@code tls_max_version}
 * @param tlsCiphersuites {@code tls_ciphersuites}: OpenSSL-style list of TLS 1.3 suites; empty: defaults
 * @param tlsCipherList {@code tls_cipher_list}: OpenSSL-style list of TLS 1.2 ciphers; empty: defaults
 * @param selection {@code upstream_selection}: {@code round_robin}, {@code ordered} or
 *     {@code fastest}; empty: from {@code round_robin_upstreams}
 * @param tlsEngine {@code tls_engine}: {@code auto} (BoringSSL when its native library loads),
 *     {@code boringssl} or {@code jdk}
 */
public record UpstreamOptions(
    int paddingBlockSize,
    boolean ecsPrivate,
    int connectionRetries,
    Duration backoffTime,
    int limitOutstandingQueries,
    String tlsMinVersion,
    String tlsMaxVersion,
    String tlsCiphersuites,
    String tlsCipherList,
    Optional<String> selection,
    String tlsEngine) {

  public static final UpstreamOptions DEFAULTS =
      new UpstreamOptions(128, true, 2, Duration.ofSeconds(3600), 0, "TLS1_2", "TLS1_3", "", "", Optional.empty(), "auto");

  public UpstreamOptions {
    Objects.requireNonNull(backoffTime, "backoffTime");
    Objects.requireNonNull(tlsMinVersion, "tlsMinVersion");
    Objects.requireNonNull(tlsMaxVersion, "tlsMaxVersion");
    Objects.requireNonNull(tlsCiphersuites, "tlsCiphersuites");
    Objects.requireNonNull(tlsCipherList, "tlsCipherList");
    Objects.requireNonNull(selection, "selection");
    Objects.requireNonNull(tlsEngine, "tlsEngine");
  }
}

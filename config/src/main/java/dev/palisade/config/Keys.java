package dev.palisade.config;

import java.util.Set;

/**
 * Key names and enumeration spellings, shared by {@link ConfigReader} and {@link ConfigPrinter} so
 * that what we print is always what we read. Stubby's keys keep Stubby's names.
 */
final class Keys {
  static final String LISTEN_ADDRESSES = "listen_addresses";
  static final String UPSTREAMS = "upstream_recursive_servers";
  static final String TRANSPORTS = "dns_transport_list";
  static final String TLS_AUTHENTICATION = "tls_authentication";
  static final String TLS_CA_FILE = "tls_ca_file";
  static final String TIMEOUT = "timeout";
  static final String IDLE_TIMEOUT = "idle_timeout";
  static final String ROUND_ROBIN = "round_robin_upstreams";
  static final String LOG_LEVEL = "log_level";
  static final String ACCESS = "access";
  static final String TCP_IDLE_TIMEOUT = "tcp_idle_timeout";
  static final String TCP_MAX_CONNECTIONS = "tcp_max_connections";
  static final String CACHE = "cache";
  static final String POLICY = "policy";
  static final String DNSSEC = "dnssec";
  static final String DNSSEC_RETURN_STATUS = "dnssec_return_status";
  static final String DNSSEC_TRUST_ANCHORS = "dnssec_trust_anchors";
  static final String EXTENSION_PREFIX = "GETDNS_EXTENSION_";

  /** Inside {@code cache:}. */
  static final String CACHE_SIZE = "size";
  static final String CACHE_MIN_TTL = "min_ttl";
  static final String CACHE_MAX_TTL = "max_ttl";
  static final String CACHE_PREFETCH = "prefetch";
  static final String CACHE_SERVE_STALE = "serve_stale";
  static final String CACHE_STALE_MAX_AGE = "stale_max_age";

  /** Inside a listen or upstream entry. */
  static final String ADDRESS_DATA = "address_data";
  static final String PORT = "port";
  static final String TLS_PORT = "tls_port";
  static final String TLS_AUTH_NAME = "tls_auth_name";
  static final String TLS_PUBKEY_PINSET = "tls_pubkey_pinset";
  static final String DOH_URL = "doh_url";
  static final String DOH_METHOD = "doh_method";

  static final String TLS_QUERY_PADDING_BLOCKSIZE = "tls_query_padding_blocksize";
  static final String EDNS_CLIENT_SUBNET_PRIVATE = "edns_client_subnet_private";
  static final String TLS_CONNECTION_RETRIES = "tls_connection_retries";
  static final String TLS_BACKOFF_TIME = "tls_backoff_time";
  static final String LIMIT_OUTSTANDING_QUERIES = "limit_outstanding_queries";
  static final String TLS_MIN_VERSION = "tls_min_version";
  static final String TLS_MAX_VERSION = "tls_max_version";
  static final String TLS_CIPHERSUITES = "tls_ciphersuites";
  static final String TLS_CIPHER_LIST = "tls_cipher_list";
  static final String UPSTREAM_SELECTION = "upstream_selection";
  static final String TLS_ENGINE = "tls_engine";
  static final String RESOLUTION_TYPE = "resolution_type";

  static final String TRANSPORT_PREFIX = "GETDNS_TRANSPORT_";
  static final String AUTHENTICATION_PREFIX = "GETDNS_AUTHENTICATION_";
  static final String LOG_PREFIX = "GETDNS_LOG_";

  /**
   * Top-level keys we recognise but do not act on yet: Stubby's, and our own sections from the
   * design. They are warned about, never rejected, so a Stubby file keeps working.
   */
  static final Set<String> NOT_IMPLEMENTED = Set.of(
      "appdata_dir", "trust_anchors_backoff_time", "tls_pubkey_pinset", "tls_ca_path");

  /** Per-upstream keys we recognise but do not act on yet ({@link #DOH_URL} is handled apart). */
  static final Set<String> NOT_IMPLEMENTED_PER_UPSTREAM = Set.of(
      "tls_cipher_list", "tls_ciphersuites", "tls_min_version", "tls_max_version");

  private Keys() {}
}

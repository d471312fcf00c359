package dev.palisade.config;

import static dev.palisade.config.Keys.*;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the YAML tree of a config file into a checked {@link PalisadeConfig}: a missing key takes
 * its default, a wrong value is a {@link ConfigException} at its line, an ignored key a warning.
 */
final class ConfigReader {
  private static final String PORT_0 = "an integer port 0..65535";
  private static final String PORT_1 = "an integer port 1..65535";
  private static final String IP = "an IP address literal such as 9.9.9.9 or 2620:fe::fe";
  private static final String LISTEN =
      "an IP address with an optional @port 0..65535, such as 127.0.0.1 or 0::1@5353,"
          + " or a mapping with address_data and port";
  private static final String LOG =
      "a level 0..7 or GETDNS_LOG_EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG";
  private static final String NOT_IMPLEMENTED_YET = "not implemented yet, ignored";

  /** Letters, digits, '-' and '_' in dot-separated labels of up to 63; a final dot is dropped. */
  private static final Pattern HOST_NAME =
      Pattern.compile("(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
          + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*");

  /** Keys handled at the top level; anything else is warned about. */
  private static final Set<String> TOP_LEVEL = Set.of(
      LISTEN_ADDRESSES, UPSTREAMS, TRANSPORTS, TLS_AUTHENTICATION, TLS_CA_FILE, TIMEOUT,
      IDLE_TIMEOUT, ROUND_ROBIN, LOG_LEVEL, ACCESS, TCP_IDLE_TIMEOUT, TCP_MAX_CONNECTIONS, CACHE,
      DNSSEC, DNSSEC_RETURN_STATUS, DNSSEC_TRUST_ANCHORS, POLICY, TLS_QUERY_PADDING_BLOCKSIZE,
      EDNS_CLIENT_SUBNET_PRIVATE, TLS_CONNECTION_RETRIES, TLS_BACKOFF_TIME, LIMIT_OUTSTANDING_QUERIES,
      TLS_MIN_VERSION, TLS_MAX_VERSION, TLS_CIPHERSUITES, TLS_CIPHER_LIST, UPSTREAM_SELECTION, TLS_ENGINE, RESOLUTION_TYPE,
      OperationsSection.RATE_LIMIT, OperationsSection.QUERY_LOG, OperationsSection.METRICS, OperationsSection.IPSET);
  private static final Set<String> LISTEN_KEYS = Set.of(ADDRESS_DATA, PORT);
  private static final Set<String> UPSTREAM_KEYS =
      Set.of(ADDRESS_DATA, TLS_PORT, TLS_AUTH_NAME, DOH_URL, DOH_METHOD, TLS_PUBKEY_PINSET, PORT);

  /** Reads one value; a method reference per key keeps {@link #read} a table. */
  @FunctionalInterface
  interface Read<T> {
    T from(Value value) throws ConfigException;
  }

  private final Source source;

  private ConfigReader(Source source) {
    this.source = source;
  }

  /** @param root the document's root node; null for an empty document */
  static PalisadeConfig read(Value root, Source source, Path file) throws ConfigException {
    return new ConfigReader(source).read(root, Optional.of(file));
  }

  private PalisadeConfig read(Value root, Optional<Path> file) throws ConfigException {
    PalisadeConfig d = ConfigLoader.defaults();
    if (root == null || root.isNull()) {
      return withSource(d, file);
    }
    Map<String, Value> keys = root.mapping("a mapping of settings such as listen_addresses");
    warnIgnored(keys, TOP_LEVEL, NOT_IMPLEMENTED);
    // Read first: whether an upstream needs a tls_auth_name depends on it.
    TlsAuthentication auth =
        get(keys, TLS_AUTHENTICATION, ConfigReader::authentication, d.tlsAuthentication());
    List<Transport> transports = get(keys, TRANSPORTS, ConfigReader::transports, d.transports());
    Value resolution = keys.get(RESOLUTION_TYPE);
    if (resolution != null && !resolution.text("GETDNS_RESOLUTION_STUB").trim().equals("GETDNS_RESOLUTION_STUB")) {
      // Stubby itself only stubs; so do we.
      resolution.warn("Palisade is a stub resolver: only GETDNS_RESOLUTION_STUB applies, ignored");
    }
    boolean tls = transports.contains(Transport.TLS);
    return new PalisadeConfig(
        file,
        get(keys, LISTEN_ADDRESSES, ConfigReader::listenAddresses, d.listenAddresses()),
        get(keys, UPSTREAMS, v -> upstreams(v, auth, tls), d.upstreams()),
        transports,
        auth,
        get(keys, TLS_CA_FILE, this::caFile, d.tlsCaFile()),
        get(keys, TIMEOUT, v -> millis(v, 60_000), d.timeout()),
        get(keys, IDLE_TIMEOUT, v -> millis(v, 3_600_000), d.idleTimeout()),
        get(keys, ROUND_ROBIN, v -> v.flag("1 or 0"), d.roundRobin()),
        get(keys, LOG_LEVEL, ConfigReader::logLevel, d.logLevel()),
        get(keys, ACCESS, ConfigReader::access, d.access()),
        get(keys, TCP_IDLE_TIMEOUT, v -> millis(v, 3_600_000), d.tcpIdleTimeout()),
        get(keys, TCP_MAX_CONNECTIONS, v -> (int) v.integer(1, 100_000, "an integer 1..100000"),
            d.tcpMaxConnections()),
        get(keys, CACHE, CacheSection::read, d.cache()),
        dnssec(keys, d.dnssec()),
        get(keys, POLICY, v -> PolicySection.read(v, f -> readableFile(f, "a path to a readable file of domain names")), d.policy()),
        UpstreamSection.options(keys, d.upstreamOptions()),
        get(keys, OperationsSection.RATE_LIMIT, OperationsSection::rateLimit, d.rateLimit()),
        get(keys, OperationsSection.QUERY_LOG, v -> v.flag("true or false"), d.queryLog()),
        get(keys, OperationsSection.METRICS, OperationsSection::metrics, d.metrics()),
        get(keys, OperationsSection.IPSET, v -> OperationsSection.ipset(v, source.dir()), d.ipset()));
  }

  static <T> T get(Map<String, Value> keys, String key, Read<T> read, T fallback)
      throws ConfigException {
    Value value = keys.get(key);
    return value == null ? fallback : read.from(value);
  }

  /** Warns about every key that is neither handled nor recognised as not implemented yet. */
  static void warnIgnored(Map<String, Value> keys, Set<String> handled, Set<String> notImplemented) {
    keys.forEach((key, value) -> {
      if (!handled.contains(key)) {
        value.warn(notImplemented.contains(key) ? NOT_IMPLEMENTED_YET : "unknown key, ignored");
      }
    });
  }

  private static List<ListenAddress> listenAddresses(Value value) throws ConfigException {
    List<ListenAddress> addresses = new ArrayList<>();
    Set<ListenAddress> seen = new HashSet<>();
    for (Value item : value.list("a list of addresses such as 127.0.0.1 or 0::1@5353")) {
      ListenAddress address = listenAddress(item);
      // Binding the same address twice would fail at start, far from the line that caused it.
      if (!seen.add(address)) {
        throw item.fail("each address and port once", address + " a second time");
      }
      addresses.add(address);
    }
    return addresses;
  }

  private static ListenAddress listenAddress(Value item) throws ConfigException {
    if (item.isMapping()) {
      Map<String, Value> keys = item.mapping(LISTEN);
      warnIgnored(keys, LISTEN_KEYS, Set.of());
      return new ListenAddress(
          ip(required(item, keys, ADDRESS_DATA)),
          get(keys, PORT, v -> (int) v.integer(0, 65535, PORT_0), ListenAddress.DEFAULT_PORT));
    }
    try {
      return ListenAddress.parse(item.text(LISTEN));
    } catch (IllegalArgumentException e) {
      throw item.fail(LISTEN);
    }
  }

  private static List<UpstreamServer> upstreams(Value value, TlsAuthentication auth, boolean tls) throws ConfigException {
    List<UpstreamServer> servers = new ArrayList<>();
    for (Value item : value.list("a list of upstreams, each a mapping with address_data and tls_auth_name")) {
      servers.add(upstream(item, auth, tls));
    }
    return servers;
  }

  private static UpstreamServer upstream(Value item, TlsAuthentication auth, boolean tls) throws ConfigException {
    Map<String, Value> keys = item.mapping("a mapping with address_data and tls_auth_name");
    warnIgnored(keys, UPSTREAM_KEYS, NOT_IMPLEMENTED_PER_UPSTREAM);
    InetAddress address = ip(required(item, keys, ADDRESS_DATA));
    int tlsPort = get(keys, TLS_PORT, v -> (int) v.integer(1, 65535, PORT_1), UpstreamServer.DEFAULT_TLS_PORT);
    int port = get(keys, PORT, v -> (int) v.integer(1, 65535, PORT_1), UpstreamServer.DEFAULT_PORT);
    Optional<String> name = Optional.ofNullable(get(keys, TLS_AUTH_NAME, ConfigReader::hostName, null));
    List<String> pins = get(keys, TLS_PUBKEY_PINSET, UpstreamSection::pins, List.of());
    Optional<java.net.URI> doh = Optional.ofNullable(get(keys, DOH_URL, UpstreamSection::dohUrl, null));
    boolean get = get(keys, DOH_METHOD, UpstreamSection::dohGet, false);
    if (doh.isPresent() && !tls) {
      throw keys.get(DOH_URL).fail("no doh_url while dns_transport_list has no GETDNS_TRANSPORT_TLS", null);
    }
    // Strict authentication needs something to check: a name (DoH has its URL's host) or pins,
    // as getdns accepts.
    if (tls && auth == TlsAuthentication.REQUIRED && name.isEmpty() && pins.isEmpty() && doh.isEmpty()) {
      throw item.fail(TLS_AUTH_NAME + " or " + TLS_PUBKEY_PINSET + ", since " + TLS_AUTHENTICATION + " is "
          + AUTHENTICATION_PREFIX + auth.name(), null);
    }
    return new UpstreamServer(address, tlsPort, name, pins, doh, get, port);
  }

  private static Value required(Value item, Map<String, Value> keys, String key) throws ConfigException {
    Value value = keys.get(key);
    if (value == null) {
      throw item.fail(key + " in this entry", null);
    }
    return value;
  }

  private static InetAddress ip(Value value) throws ConfigException {
    try {
      return InetLiterals.parse(value.text(IP));
    } catch (IllegalArgumentException e) {
      throw value.fail(IP);
    }
  }

  private static String hostName(Value value) throws ConfigException {
    String expected = "a host name such as dns.quad9.net";
    String text = value.text(expected);
    String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    if (!HOST_NAME.matcher(name).matches()) {
      throw value.fail(expected);
    }
    return name;
  }

  /**
   * TLS when the list has it: a plaintext fallback (getdns's reading of [TLS, UDP]) would let
   * anyone on the path force us into the clear, so the plaintext entries are warned about and
   * dropped. Without TLS, plaintext upstreams, as explicitly asked (warned about at start).
   */
  private static List<Transport> transports(Value value) throws ConfigException {
    String one = "GETDNS_TRANSPORT_TLS, GETDNS_TRANSPORT_TCP or GETDNS_TRANSPORT_UDP";
    List<Transport> listed = new ArrayList<>();
    List<Value> items = value.list("a list of " + one);
    for (Value item : items) {
      Transport transport = named(item, TRANSPORT_PREFIX, Transport.class, one);
      if (!listed.contains(transport)) {
        listed.add(transport);
      }
    }
    if (!listed.contains(Transport.TLS)) {
      return listed;
    }
    for (int i = 0; i < items.size(); i++) {
      if (named(items.get(i), TRANSPORT_PREFIX, Transport.class, one) != Transport.TLS) {
        items.get(i).warn("no fallback to plaintext while GETDNS_TRANSPORT_TLS is listed, ignored");
      }
    }
    return List.of(Transport.TLS);
  }

  private static TlsAuthentication authentication(Value value) throws ConfigException {
    return named(value, AUTHENTICATION_PREFIX, TlsAuthentication.class,
        "GETDNS_AUTHENTICATION_REQUIRED or GETDNS_AUTHENTICATION_NONE");
  }

  private static LogLevel logLevel(Value value) throws ConfigException {
    if (value.text(LOG).trim().matches("[-+]?\\d+")) {
      return LogLevel.ofNumber((int) value.integer(0, 7, LOG));
    }
    return named(value, LOG_PREFIX, LogLevel.class, LOG);
  }

  private static <E extends Enum<E>> E named(Value value, String prefix, Class<E> type, String expected)
      throws ConfigException {
    String text = value.text(expected).trim();
    for (E constant : type.getEnumConstants()) {
      if (text.equals(prefix + constant.name())) {
        return constant;
      }
    }
    throw value.fail(expected);
  }

  private Optional<Path> caFile(Value value) throws ConfigException {
    return Optional.of(readableFile(value, "a path to a readable PEM file"));
  }

  /** Relative paths resolve against the config file's directory. */
  private Path readableFile(Value value, String expected) throws ConfigException {
    String text = value.text(expected);
    Path path;
    try {
      path = source.dir().resolve(text).normalize();
    } catch (InvalidPathException e) {
      throw value.fail(expected);
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw value.fail(expected, Value.quote(text) + ", which resolves to " + Value.quote(path.toString())
          + " and is not a readable file");
    }
    return path;
  }

  private static Duration millis(Value value, long max) throws ConfigException {
    return Duration.ofMillis(value.integer(1, max, "a number of milliseconds 1.." + max));
  }

  /**
   * {@code dnssec} wins over the older {@code dnssec_return_status} when both are given (Stubby
   * treats either as asking for validation).
   */
  private DnssecConfig dnssec(Map<String, Value> keys, DnssecConfig d) throws ConfigException {
    boolean validate = get(keys, DNSSEC_RETURN_STATUS, ConfigReader::extension, d.validate());
    validate = get(keys, DNSSEC, ConfigReader::extension, validate);
    List<Path> anchors = get(keys, DNSSEC_TRUST_ANCHORS, this::anchorFiles, d.trustAnchorFiles());
    return new DnssecConfig(validate, anchors);
  }

  private static boolean extension(Value value) throws ConfigException {
    String expected = "GETDNS_EXTENSION_TRUE or GETDNS_EXTENSION_FALSE";
    String text = value.text(expected).trim();
    if (text.equals(EXTENSION_PREFIX + "TRUE") || text.equals("true")) {
      return true;
    }
    if (text.equals(EXTENSION_PREFIX + "FALSE") || text.equals("false")) {
      return false;
    }
    throw value.fail(expected);
  }

  /** One file or a list of them (getdns takes a list). */
  private List<Path> anchorFiles(Value value) throws ConfigException {
    List<Path> files = new ArrayList<>();
    if (value.isList()) {
      for (Value item : value.list("a list of trust anchor files")) {
        files.add(readableFile(item, "a path to a readable trust anchor file (DS/DNSKEY records or root-anchors.xml)"));
      }
    } else {
      files.add(readableFile(value, "a path to a readable trust anchor file (DS/DNSKEY records or root-anchors.xml)"));
    }
    if (files.isEmpty()) {
      throw value.fail("at least one trust anchor file", "an empty list");
    }
    return files;
  }

  private static List<Cidr> access(Value value) throws ConfigException {
    String expected = "an address block such as 127.0.0.0/8 or ::1/128";
    List<Cidr> blocks = new ArrayList<>();
    for (Value item : value.list("a list of address blocks such as 127.0.0.0/8")) {
      try {
        blocks.add(Cidr.parse(item.text(expected)));
      } catch (IllegalArgumentException e) {
        throw item.fail(expected);
      }
    }
    return blocks;
  }

  static PalisadeConfig withSource(PalisadeConfig c, Optional<Path> source) {
    return c.withSource(source);
  }
}

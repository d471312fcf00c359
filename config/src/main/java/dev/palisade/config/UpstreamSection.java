package dev.palisade.config;

import static dev.palisade.config.Keys.*;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and prints how Palisade talks to upstreams: per-entry DoH and pins, and the top-level options. */
final class UpstreamSection {
  private static final Set<String> PIN_KEYS = Set.of("digest", "value");
  private static final String PIN = "a base64 SHA-256 digest of a SubjectPublicKeyInfo (44 characters)";
  private static final String TLS_VERSION = "GETDNS_TLS1_2 or GETDNS_TLS1_3 (older versions are not supported)";
  /** OpenSSL cipher strings: names separated by ':' (TLS 1.3 suites look like TLS_AES_128_GCM_SHA256). */
  private static final Pattern CIPHERS = Pattern.compile("[A-Za-z0-9_+!-]+(:[A-Za-z0-9_+!-]+)*");

  private UpstreamSection() {}

  /** Stubby's {@code tls_pubkey_pinset}: a list of {@code {digest: sha256, value: BASE64}}. */
  static List<String> pins(Value value) throws ConfigException {
    List<String> out = new ArrayList<>();
    for (Value item : value.list("a list of pins, each a mapping with digest: sha256 and value")) {
      Map<String, Value> keys = item.mapping("a mapping with digest: sha256 and value");
      ConfigReader.warnIgnored(keys, PIN_KEYS, Set.of());
      Value digest = keys.get("digest");
      if (digest != null && !digest.text("sha256").trim().equalsIgnoreCase("sha256")) {
        throw digest.fail("sha256 (the only digest RFC 7858 pins use)");
      }
      Value v = keys.get("value");
      if (v == null) {
        throw item.fail("value in this pin", null);
      }
      String text = v.text(PIN).trim();
      try {
        if (Base64.getDecoder().decode(text).length != 32) {
          throw v.fail(PIN);
        }
      } catch (IllegalArgumentException e) {
        throw v.fail(PIN);
      }
      out.add(text);
    }
    return out;
  }

  static URI dohUrl(Value value) throws ConfigException {
    String expected = "an https URL such as https://dns.quad9.net/dns-query";
    String text = value.text(expected).trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw value.fail(expected);
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawFragment() != null) {
      throw value.fail(expected);
    }
    return uri;
  }

  static boolean dohGet(Value value) throws ConfigException {
    String text = value.text("GET or POST").trim().toUpperCase(Locale.ROOT);
    if (text.equals("GET") || text.equals("POST")) {
      return text.equals("GET");
    }
    throw value.fail("GET or POST");
  }

  static UpstreamOptions options(Map<String, Value> keys, UpstreamOptions d) throws ConfigException {
    UpstreamOptions o = new UpstreamOptions(
        ConfigReader.get(keys, TLS_QUERY_PADDING_BLOCKSIZE, v -> (int) v.integer(0, 512, "a block size 0..512 (0 turns padding off, 1 means 128)"), d.paddingBlockSize()),
        ConfigReader.get(keys, EDNS_CLIENT_SUBNET_PRIVATE, v -> v.flag("1 or 0"), d.ecsPrivate()),
        ConfigReader.get(keys, TLS_CONNECTION_RETRIES, v -> (int) v.integer(1, 100, "an integer 1..100"), d.connectionRetries()),
        ConfigReader.get(keys, TLS_BACKOFF_TIME, v -> Duration.ofSeconds(v.integer(1, 86_400, "a number of seconds 1..86400")), d.backoffTime()),
        ConfigReader.get(keys, LIMIT_OUTSTANDING_QUERIES, v -> (int) v.integer(0, 65535, "an integer 0..65535 (0: no limit)"), d.limitOutstandingQueries()),
        ConfigReader.get(keys, TLS_MIN_VERSION, UpstreamSection::tlsVersion, d.tlsMinVersion()),
        ConfigReader.get(keys, TLS_MAX_VERSION, UpstreamSection::tlsVersion, d.tlsMaxVersion()),
        ConfigReader.get(keys, TLS_CIPHERSUITES, UpstreamSection::ciphers, d.tlsCiphersuites()),
        ConfigReader.get(keys, TLS_CIPHER_LIST, UpstreamSection::ciphers, d.tlsCipherList()),
        Optional.ofNullable(ConfigReader.get(keys, UPSTREAM_SELECTION,
            v -> oneOf(v, "round_robin, ordered or fastest", "round_robin", "ordered", "fastest"), null)),
        ConfigReader.get(keys, TLS_ENGINE, v -> oneOf(v, "auto, boringssl or jdk", "auto", "boringssl", "jdk"), d.tlsEngine()));
    if (o.tlsMinVersion().compareTo(o.tlsMaxVersion()) > 0) {
      throw keys.get(TLS_MIN_VERSION).fail("a version no higher than tls_max_version (GETDNS_" + o.tlsMaxVersion() + ")");
    }
    return o;
  }

  private static String tlsVersion(Value v) throws ConfigException {
    String text = v.text(TLS_VERSION).trim();
    if (text.equals("GETDNS_TLS1_2") || text.equals("GETDNS_TLS1_3")) {
      return text.substring("GETDNS_".length());
    }
    throw v.fail(TLS_VERSION);
  }

  private static String ciphers(Value v) throws ConfigException {
    String expected = "an OpenSSL cipher list such as TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
    String text = v.text(expected).trim();
    if (!CIPHERS.matcher(text).matches()) {
      throw v.fail(expected);
    }
    return text;
  }

  private static String oneOf(Value v, String expected, String... allowed) throws ConfigException {
    String text = v.text(expected).trim();
    for (String a : allowed) {
      if (a.equalsIgnoreCase(text)) {
        return a;
      }
    }
    throw v.fail(expected);
  }

  static void print(UpstreamOptions o, Map<String, Object> out) {
    out.put(TLS_QUERY_PADDING_BLOCKSIZE, o.paddingBlockSize());
    out.put(EDNS_CLIENT_SUBNET_PRIVATE, o.ecsPrivate() ? 1 : 0);
    out.put(TLS_CONNECTION_RETRIES, o.connectionRetries());
    out.put(TLS_BACKOFF_TIME, o.backoffTime().toSeconds());
    out.put(LIMIT_OUTSTANDING_QUERIES, o.limitOutstandingQueries());
    out.put(TLS_MIN_VERSION, "GETDNS_" + o.tlsMinVersion());
    out.put(TLS_MAX_VERSION, "GETDNS_" + o.tlsMaxVersion());
    if (!o.tlsCiphersuites().isEmpty()) {
      out.put(TLS_CIPHERSUITES, o.tlsCiphersuites());
    }
    if (!o.tlsCipherList().isEmpty()) {
      out.put(TLS_CIPHER_LIST, o.tlsCipherList());
    }
    o.selection().ifPresent(s -> out.put(UPSTREAM_SELECTION, s));
    out.put(TLS_ENGINE, o.tlsEngine());
  }

  static Map<String, Object> printUpstream(UpstreamServer server) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(ADDRESS_DATA, InetLiterals.format(server.address()));
    server.dohUrl().ifPresent(u -> out.put(DOH_URL, u.toString()));
    if (server.dohGet()) {
      out.put(DOH_METHOD, "GET");
    }
    if (server.dohUrl().isEmpty()) {
      out.put(TLS_PORT, server.tlsPort());
    }
    server.tlsAuthName().ifPresent(name -> out.put(TLS_AUTH_NAME, name));
    if (!server.pins().isEmpty()) {
      out.put(TLS_PUBKEY_PINSET, server.pins().stream().map(p -> Map.of("digest", "sha256", "value", p)).toList());
    }
    if (server.port() != UpstreamServer.DEFAULT_PORT) {
      out.put(PORT, server.port());
    }
    return out;
  }
}

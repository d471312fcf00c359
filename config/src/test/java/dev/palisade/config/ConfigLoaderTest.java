package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String NAME = "stubby.yml";

  @TempDir Path dir;

  static LoadedConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, NAME);
  }

  static ConfigException error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  static InetAddress ip(String literal) {
    return InetLiterals.parse(literal);
  }

  @Test
  void defaultsAreStubbysQuad9OverStrictTlsOnLocalhost() {
    PalisadeConfig d = ConfigLoader.defaults();
    assertEquals(Optional.empty(), d.source());
    assertEquals(List.of(new ListenAddress(ip("127.0.0.1"), 53), new ListenAddress(ip("0::1"), 53)), d.listenAddresses());
    assertEquals(List.of(
        new UpstreamServer(ip("9.9.9.9"), 853, Optional.of("dns.quad9.net")),
        new UpstreamServer(ip("149.112.112.112"), 853, Optional.of("dns.quad9.net"))), d.upstreams());
    assertEquals(List.of(Transport.TLS), d.transports());
    assertEquals(TlsAuthentication.REQUIRED, d.tlsAuthentication());
    assertEquals(Optional.empty(), d.tlsCaFile());
    assertEquals(Duration.ofMillis(5000), d.timeout());
    assertEquals(Duration.ofMillis(10000), d.idleTimeout());
    assertTrue(d.roundRobin());
    assertEquals(LogLevel.NOTICE, d.logLevel());
    assertEquals(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")), d.access());
    assertEquals(Duration.ofMillis(10000), d.tcpIdleTimeout());
    assertEquals(1024, d.tcpMaxConnections());
  }

  @Test
  void emptyFileMeansAllDefaults() throws ConfigException {
    LoadedConfig loaded = parse("");
    assertEquals(ConfigReader.withSource(ConfigLoader.defaults(), Optional.of(Path.of(NAME))), loaded.config());
    assertEquals(List.of(), loaded.warnings());
  }

  @Test
  void fileOfOnlyCommentsMeansAllDefaults() throws ConfigException {
    LoadedConfig loaded = parse("# nothing here\n\n   # still nothing\n");
    assertEquals(ConfigReader.withSource(ConfigLoader.defaults(), Optional.of(Path.of(NAME))), loaded.config());
  }

  @Test
  void sourceIsTheNameTheTextWasParsedAs() throws ConfigException {
    assertEquals(Optional.of(Path.of("/etc/stubby/stubby.yml")),
        ConfigLoader.parse("timeout: 100", "/etc/stubby/stubby.yml").config().source());
  }

  @Test
  void missingKeysTakeTheirDefaults() throws ConfigException {
    PalisadeConfig c = parse("timeout: 1500\n").config();
    assertEquals(Duration.ofMillis(1500), c.timeout());
    assertEquals(ConfigLoader.defaults().upstreams(), c.upstreams());
    assertEquals(ConfigLoader.defaults().listenAddresses(), c.listenAddresses());
  }

  @Test
  void readsEveryKey() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Files.writeString(dir.resolve("root.key"), ". 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    Path file = dir.resolve("palisade.yml");
    Files.writeString(file, """
        listen_addresses:
          - 127.0.0.1@5353
          - address_data: ::1
            port: 5354
        upstream_recursive_servers:
          - address_data: 1.1.1.1
            tls_auth_name: cloudflare-dns.com
          - address_data: 2620:fe::fe
            tls_port: 443
            tls_auth_name: dns.quad9.net
        dns_transport_list: [GETDNS_TRANSPORT_TLS]
        tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
        tls_ca_file: ca.pem
        timeout: 2000
        idle_timeout: 9000
        round_robin_upstreams: 0
        log_level: 7
        access: [10.0.0.0/8, "fd00::/8"]
        tcp_idle_timeout: 30000
        tcp_max_connections: 50
        cache:
          size: 16MiB
          min_ttl: 5
          max_ttl: 3600
          prefetch: false
          serve_stale: false
          stale_max_age: 600
        dnssec: GETDNS_EXTENSION_TRUE
        dnssec_trust_anchors: root.key
        rate_limit: {qps: 50, action: refuse}
        query_log: true
        metrics: {enabled: false, listen: "::1"}
        ipset:
          grace: 30
          apply: true
          state_file: state/ipset.state
          max_entries: 1000
          sets:
            - {name: allow4}
            - {name: web6, backend: nft, family: inet6, nft_table: "ip6 fw", match: ["*.Example.org.", lan]}
        """);
    LoadedConfig loaded = ConfigLoader.load(file);
    assertEquals(new PalisadeConfig(
        Optional.of(file),
        List.of(new ListenAddress(ip("127.0.0.1"), 5353), new ListenAddress(ip("::1"), 5354)),
        List.of(new UpstreamServer(ip("1.1.1.1"), 853, Optional.of("cloudflare-dns.com")),
            new UpstreamServer(ip("2620:fe::fe"), 443, Optional.of("dns.quad9.net"))),
        List.of(Transport.TLS),
        TlsAuthentication.REQUIRED,
        Optional.of(dir.resolve("ca.pem").toAbsolutePath()),
        Duration.ofMillis(2000),
        Duration.ofMillis(9000),
        false,
        LogLevel.DEBUG,
        List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8")),
        Duration.ofMillis(30000),
        50,
        new CacheConfig(16L << 20, Duration.ofSeconds(5), Duration.ofSeconds(3600), false, false, Duration.ofSeconds(600)),
        new DnssecConfig(true, List.of(dir.resolve("root.key").toAbsolutePath())),
        PolicyConfig.DEFAULTS,
        UpstreamOptions.DEFAULTS,
        new RateLimitConfig(50, 100, "refuse", 65_536),
        true,
        new MetricsConfig(false, new ListenAddress(ip("::1"), 9153)),
        new IpSetConfig(Duration.ofSeconds(30), true, Optional.of(dir.resolve("state/ipset.state").toAbsolutePath()), 1000, List.of(
            new IpSetConfig.SetSpec("allow4", IpSetConfig.Backend.IPSET, IpSetConfig.Family.INET, "inet filter", List.of("*")),
            new IpSetConfig.SetSpec("web6", IpSetConfig.Backend.NFT, IpSetConfig.Family.INET6, "ip6 fw", List.of("example.org", "lan"))))),
        loaded.config());
    assertEquals(List.of(), loaded.warnings());
  }

  // dnssec

  @Test
  void validatesByDefaultAndStubbysKeysTurnItOff() throws ConfigException {
    assertTrue(parse("").config().dnssec().validate());
    assertFalse(parse("dnssec: GETDNS_EXTENSION_FALSE\n").config().dnssec().validate());
    assertFalse(parse("dnssec_return_status: GETDNS_EXTENSION_FALSE\n").config().dnssec().validate());
    assertTrue(parse("dnssec_return_status: GETDNS_EXTENSION_FALSE\ndnssec: GETDNS_EXTENSION_TRUE\n").config().dnssec().validate(),
        "dnssec wins over the older key");
  }

  @Test
  void rejectsADnssecValueThatIsNotAnExtensionSwitch() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("dnssec: yes please\n"));
    assertEquals("stubby.yml:1: dnssec: expected GETDNS_EXTENSION_TRUE or GETDNS_EXTENSION_FALSE, got \"yes please\"", e.getMessage());
  }

  @Test
  void trustAnchorFilesMustExist() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("dnssec_trust_anchors:\n  - /nonexistent/root.key\n"));
    assertTrue(e.getMessage().startsWith("stubby.yml:2: dnssec_trust_anchors[0]: expected a path to a readable trust anchor file"), e.getMessage());
  }

  // policy

  @Test
  void readsThePolicySectionWithEmptyListsAndDefaultsForWhatIsLeftOut() throws ConfigException {
    PolicyConfig p = parse("policy:\n  mode: strict\n  allow: [example.org, \"*.example.com\"]\n  deny: []\n  budgets:\n    hour_bits: 2048\n").config().policy();
    assertEquals("strict", p.mode());
    assertEquals(List.of("example.org", "*.example.com"), p.allow());
    assertEquals(List.of(), p.deny());
    assertEquals(2048, p.budgets().hourBits());
    assertEquals(PolicyConfig.DEFAULTS.budgets().dayBits(), p.budgets().dayBits());
    assertEquals(PolicyConfig.DEFAULTS.lexicalRules(), p.lexicalRules());
  }

  @Test
  void rejectsAnUnknownPolicyModeWithItsLine() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("policy:\n  mode: paranoid\n"));
    assertEquals("stubby.yml:2: policy.mode: expected strict, guarded or monitor, got \"paranoid\"", e.getMessage());
  }

  @Test
  void rejectsAnAllowEntryThatIsNotADomain() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("policy:\n  allow:\n    - \"http://example.org/\"\n"));
    assertEquals("stubby.yml:3: policy.allow[0]: expected a domain name such as example.org or *.example.com, got \"http://example.org/\"", e.getMessage());
  }

  @Test
  void readsLexicalRulesAndRejectsAnEmptyOne() throws ConfigException {
    assertEquals(List.of(new PolicyConfig.LexicalRule(40, 0, 4.25)),
        parse("policy:\n  lexical:\n    rules:\n      - {length: 40, bits_per_char: 4.25}\n").config().policy().lexicalRules());
    ConfigException e = assertThrows(ConfigException.class, () -> parse("policy:\n  lexical:\n    rules:\n      - {}\n"));
    assertTrue(e.getMessage().startsWith("stubby.yml:4: policy.lexical.rules[0]: expected at least one of length"), e.getMessage());
  }

  // cache

  @Test
  void cacheSizeTakesBinaryUnitsAndZeroTurnsItOff() throws ConfigException {
    assertEquals(512L << 10, ConfigLoader.parse("cache: {size: 512KiB}", "c.yml").config().cache().sizeBytes());
    assertEquals(1L << 30, ConfigLoader.parse("cache: {size: 1G}", "c.yml").config().cache().sizeBytes());
    assertEquals(1000, ConfigLoader.parse("cache: {size: 1000}", "c.yml").config().cache().sizeBytes());
    assertFalse(ConfigLoader.parse("cache: {size: 0}", "c.yml").config().cache().enabled());
  }

  @Test
  void cacheKeysMissingFromTheSectionKeepTheirDefaults() throws ConfigException {
    CacheConfig c = ConfigLoader.parse("cache:\n  prefetch: false\n", "c.yml").config().cache();
    assertEquals(CacheConfig.DEFAULTS.sizeBytes(), c.sizeBytes());
    assertFalse(c.prefetch());
    assertTrue(c.serveStale());
  }

  @Test
  void rejectsACacheSizeThatIsNotASize() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("cache:\n  size: lots\n", "c.yml"));
    assertEquals("c.yml:2: cache.size: expected a size in bytes such as 67108864, 512KiB, 64MiB or 1GiB (0 turns the cache off, at most 64GiB), got \"lots\"", e.getMessage());
  }

  @Test
  void rejectsAMinTtlAboveTheMaxTtl() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("cache:\n  min_ttl: 600\n  max_ttl: 60\n", "c.yml"));
    assertEquals("c.yml:2: cache.min_ttl: expected min_ttl no greater than max_ttl (60), got 600", e.getMessage());
  }

  @Test
  void warnsAboutUnknownCacheKeys() throws ConfigException {
    assertEquals(List.of("c.yml:2: cache.sise: unknown key, ignored"), ConfigLoader.parse("cache:\n  sise: 1\n", "c.yml").warnings());
  }

  // listen_addresses

  @Test
  void listenAddressWithoutPortUsesPort53() throws ConfigException {
    assertEquals(List.of(new ListenAddress(ip("::1"), 53)),
        parse("listen_addresses: [0::1]").config().listenAddresses());
  }

  @Test
  void listenAddressMayUsePortZeroForAnyFreePort() throws ConfigException {
    assertEquals(List.of(new ListenAddress(ip("127.0.0.1"), 0)),
        parse("listen_addresses: [127.0.0.1@0]").config().listenAddresses());
  }

  @Test
  void listenMappingWithoutPortUsesPort53() throws ConfigException {
    assertEquals(List.of(new ListenAddress(ip("127.0.0.2"), 53)),
        parse("listen_addresses:\n  - address_data: 127.0.0.2\n").config().listenAddresses());
  }

  @Test
  void rejectsListenAddressThatIsAHostName() {
    assertEquals("stubby.yml:3: listen_addresses[1]: expected an IP address with an optional @port 0..65535,"
        + " such as 127.0.0.1 or 0::1@5353, or a mapping with address_data and port, got \"localhost@53\"",
        error("listen_addresses:\n  - 127.0.0.1\n  - localhost@53\n").getMessage());
  }

  @Test
  void rejectsListenPortAbove65535() {
    ConfigException e = error("listen_addresses:\n  - address_data: 127.0.0.1\n    port: 65536\n");
    assertEquals("stubby.yml:3: listen_addresses[0].port: expected an integer port 0..65535, got \"65536\"",
        e.getMessage());
    assertEquals("listen_addresses[0].port", e.keyPath());
    assertEquals(3, e.line());
    assertEquals("an integer port 0..65535", e.expected());
    assertEquals(NAME, e.file());
  }

  @Test
  void rejectsListenMappingWithoutAddressData() {
    assertEquals("stubby.yml:2: listen_addresses[0]: expected address_data in this entry",
        error("listen_addresses:\n  - port: 53\n").getMessage());
  }

  @Test
  void rejectsEmptyListenAddresses() {
    assertEquals("stubby.yml:1: listen_addresses: expected a list of addresses such as 127.0.0.1 or 0::1@5353,"
        + " got an empty list", error("listen_addresses: []").getMessage());
  }

  @Test
  void rejectsTheSameListenAddressTwice() {
    assertEquals("stubby.yml:3: listen_addresses[1]: expected each address and port once,"
        + " got 127.0.0.1@53 a second time",
        error("listen_addresses:\n  - 127.0.0.1\n  - 127.0.0.1@53\n").getMessage());
  }

  // upstream_recursive_servers

  @Test
  void rejectsNonNumericTlsPortNamingFileLineAndEntry() {
    String yaml = """
        # Palisade test
        listen_addresses:
          - 127.0.0.1
        dns_transport_list:
          - GETDNS_TRANSPORT_TLS

        upstream_recursive_servers:
          - address_data: 9.9.9.9
            tls_auth_name: dns.quad9.net
          - address_data: 149.112.112.112
            tls_auth_name: dns.quad9.net
            tls_port: abc
        """;
    ConfigException e = error(yaml);
    assertEquals("stubby.yml:12: upstream_recursive_servers[1].tls_port: expected an integer port 1..65535,"
        + " got \"abc\"", e.getMessage());
    assertEquals(12, e.line());
    assertEquals("upstream_recursive_servers[1].tls_port", e.keyPath());
  }

  @Test
  void rejectsTlsPortZero() {
    assertEquals("stubby.yml:3: upstream_recursive_servers[0].tls_port: expected an integer port 1..65535,"
        + " got \"0\"",
        error("upstream_recursive_servers:\n  - address_data: 9.9.9.9\n    tls_port: 0\n"
            + "    tls_auth_name: dns.quad9.net\n").getMessage());
  }

  @Test
  void tlsPortDefaultsTo853() throws ConfigException {
    assertEquals(853, parse("upstream_recursive_servers:\n  - {address_data: 9.9.9.9, tls_auth_name: x.example}\n")
        .config().upstreams().get(0).tlsPort());
  }

  @Test
  void rejectsUpstreamWithoutAuthNameWhenAuthenticationRequired() {
    assertEquals("stubby.yml:4: upstream_recursive_servers[1]: expected tls_auth_name or tls_pubkey_pinset,"
        + " since tls_authentication is GETDNS_AUTHENTICATION_REQUIRED",
        error("""
            upstream_recursive_servers:
              - address_data: 9.9.9.9
                tls_auth_name: dns.quad9.net
              - address_data: 1.1.1.1
                tls_port: 853
            """).getMessage());
  }

  @Test
  void acceptsAnUpstreamAuthenticatedByPinsAloneAsStubbyDoes() throws ConfigException {
    UpstreamServer u = parse("""
        upstream_recursive_servers:
          - address_data: 80.67.188.188
            tls_pubkey_pinset:
              - digest: "sha256"
                value: WaG0kHUS5N/ny0labz85HZg+v+f0b/UQ73IZjFep0nM=
        """).config().upstreams().get(0);
    assertEquals(List.of("WaG0kHUS5N/ny0labz85HZg+v+f0b/UQ73IZjFep0nM="), u.pins());
    assertTrue(u.tlsAuthName().isEmpty());
  }

  @Test
  void rejectsAPinThatIsNotASha256Digest() {
    assertEquals("stubby.yml:5: upstream_recursive_servers[0].tls_pubkey_pinset[0].value: expected a base64 SHA-256 digest"
        + " of a SubjectPublicKeyInfo (44 characters), got \"c2hvcnQ=\"",
        error("""
            upstream_recursive_servers:
              - address_data: 80.67.188.188
                tls_pubkey_pinset:
                  - digest: sha256
                    value: c2hvcnQ=
            """).getMessage());
  }

  @Test
  void acceptsUpstreamWithoutAuthNameWhenAuthenticationNoneEvenIfSetAfterTheList() throws ConfigException {
    PalisadeConfig c = parse("""
        upstream_recursive_servers:
          - address_data: 192.0.2.1
        tls_authentication: GETDNS_AUTHENTICATION_NONE
        """).config();
    assertEquals(TlsAuthentication.NONE, c.tlsAuthentication());
    assertEquals(List.of(new UpstreamServer(ip("192.0.2.1"), 853, Optional.empty())), c.upstreams());
  }

  @Test
  void rejectsUpstreamWithoutAddressData() {
    assertEquals("stubby.yml:2: upstream_recursive_servers[0]: expected address_data in this entry",
        error("upstream_recursive_servers:\n  - tls_auth_name: dns.quad9.net\n").getMessage());
  }

  @Test
  void rejectsUpstreamAddressThatIsAHostName() {
    assertEquals("stubby.yml:2: upstream_recursive_servers[0].address_data: expected an IP address literal"
        + " such as 9.9.9.9 or 2620:fe::fe, got \"dns.quad9.net\"",
        error("upstream_recursive_servers:\n  - address_data: dns.quad9.net\n    tls_auth_name: dns.quad9.net\n")
            .getMessage());
  }

  @Test
  void rejectsAuthNameWithATrailingSpace() {
    // As in a commented-out entry of Stubby's own file: the certificate would never match.
    assertEquals("stubby.yml:3: upstream_recursive_servers[0].tls_auth_name: expected a host name such as"
        + " dns.quad9.net, got \"dns.larsdebruin.net \"",
        error("upstream_recursive_servers:\n  - address_data: 51.15.70.167\n"
            + "    tls_auth_name: \"dns.larsdebruin.net \"\n").getMessage());
  }

  @Test
  void dropsTheFinalDotOfAnAuthName() throws ConfigException {
    assertEquals(Optional.of("dns.quad9.net"),
        parse("upstream_recursive_servers:\n  - {address_data: 9.9.9.9, tls_auth_name: dns.quad9.net.}\n")
            .config().upstreams().get(0).tlsAuthName());
  }

  @Test
  void rejectsEmptyUpstreamList() {
    assertEquals("stubby.yml:1: upstream_recursive_servers: expected a list of upstreams, each a mapping with"
        + " address_data and tls_auth_name, got an empty list",
        error("upstream_recursive_servers: []\n").getMessage());
  }

  @Test
  void rejectsUpstreamThatIsNotAMapping() {
    assertEquals("stubby.yml:2: upstream_recursive_servers[0]: expected a mapping with address_data and"
        + " tls_auth_name, got \"9.9.9.9\"",
        error("upstream_recursive_servers:\n  - 9.9.9.9\n").getMessage());
  }

  @Test
  void warnsAboutUpstreamKeysNotImplementedYet() throws ConfigException {
    LoadedConfig loaded = parse("""
        upstream_recursive_servers:
          - address_data: 9.9.9.9
            tls_auth_name: dns.quad9.net
            port: 53
            tls_min_version: GETDNS_TLS1_3
        """);
    assertEquals(List.of(
        "stubby.yml:5: upstream_recursive_servers[0].tls_min_version: not implemented yet, ignored"),
        loaded.warnings());
    assertEquals(53, loaded.config().upstreams().get(0).port());
  }

  @Test
  void readsADnsOverHttpsUpstreamWithItsBootstrapAddress() throws ConfigException {
    LoadedConfig loaded = parse("""
        upstream_recursive_servers:
          - address_data: 9.9.9.9
            tls_auth_name: dns.quad9.net
          - address_data: 9.9.9.9
            doh_url: https://dns.quad9.net/dns-query
            doh_method: GET
        """);
    assertEquals(List.of(), loaded.warnings());
    UpstreamServer doh = loaded.config().upstreams().get(1);
    assertEquals(Optional.of(java.net.URI.create("https://dns.quad9.net/dns-query")), doh.dohUrl());
    assertTrue(doh.dohGet());
    assertEquals(ip("9.9.9.9"), doh.address());
  }

  @Test
  void rejectsADohUrlThatIsNotHttps() {
    assertEquals("stubby.yml:2: upstream_recursive_servers[0].doh_url: expected an https URL such as"
        + " https://dns.quad9.net/dns-query, got \"http://dns.quad9.net/dns-query\"",
        error("upstream_recursive_servers:\n  - {address_data: 9.9.9.9, doh_url: \"http://dns.quad9.net/dns-query\"}\n")
            .getMessage());
  }

  // unknown and not-implemented keys

  @Test
  void warnsAboutUnknownKeysAtEveryLevelWithTheirPath() throws ConfigException {
    LoadedConfig loaded = parse("""
        listen_addresses:
          - address_data: 127.0.0.1
            colour: blue
        upstream_recursive_servers:
          - address_data: 9.9.9.9
            tls_auth_name: dns.quad9.net
            tls_auth_nmae: typo.example
        verbosity: 3
        """);
    assertEquals(List.of(
        "stubby.yml:3: listen_addresses[0].colour: unknown key, ignored",
        "stubby.yml:7: upstream_recursive_servers[0].tls_auth_nmae: unknown key, ignored",
        "stubby.yml:8: verbosity: unknown key, ignored"), loaded.warnings());
  }

  @Test
  void warnsOnceAboutEachStubbyKeyNotImplementedYet() throws ConfigException {
    assertEquals(List.of(
        "stubby.yml:1: appdata_dir: not implemented yet, ignored",
        "stubby.yml:5: tls_ca_path: not implemented yet, ignored"),
        parse("appdata_dir:\n  - /var/cache/stubby\nmetrics:\n  listen: 127.0.0.1@9153\ntls_ca_path: /etc/ssl/certs\n").warnings());
  }

  @Test
  void quotesOddKeysInPathsSoTheyCannotForgeLogLines() throws ConfigException {
    assertEquals(List.of("stubby.yml:1: \"a\\u000ab\": unknown key, ignored"),
        parse("\"a\\nb\": 1\n").warnings());
  }

  // dns_transport_list

  @Test
  void aTransportListWithoutTlsAsksForPlaintextUpstreams() throws ConfigException {
    assertEquals(List.of(Transport.UDP, Transport.TCP),
        parse("dns_transport_list:\n  - GETDNS_TRANSPORT_UDP\n  - GETDNS_TRANSPORT_TCP\n").config().transports());
  }

  @Test
  void neverFallsBackToPlaintextWhenTlsIsListed() throws ConfigException {
    LoadedConfig loaded = parse("dns_transport_list:\n  - GETDNS_TRANSPORT_TLS\n  - GETDNS_TRANSPORT_UDP\n");
    assertEquals(List.of(Transport.TLS), loaded.config().transports());
    assertEquals(List.of("stubby.yml:3: dns_transport_list[1]: no fallback to plaintext while GETDNS_TRANSPORT_TLS is listed,"
        + " ignored"), loaded.warnings());
  }

  @Test
  void readsTheUpstreamOptions() throws ConfigException {
    UpstreamOptions o = parse("""
        tls_query_padding_blocksize: 256
        edns_client_subnet_private: 0
        tls_connection_retries: 3
        tls_backoff_time: 300
        limit_outstanding_queries: 100
        tls_min_version: GETDNS_TLS1_3
        tls_ciphersuites: "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
        upstream_selection: fastest
        tls_engine: jdk
        """).config().upstreamOptions();
    assertEquals(new UpstreamOptions(256, false, 3, Duration.ofSeconds(300), 100, "TLS1_3", "TLS1_3",
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", "", Optional.of("fastest"), "jdk"), o);
  }

  @Test
  void rejectsOldTlsVersionsAndAMinimumAboveTheMaximum() {
    assertEquals("stubby.yml:1: tls_min_version: expected GETDNS_TLS1_2 or GETDNS_TLS1_3 (older versions are not supported),"
        + " got \"GETDNS_TLS1_1\"", error("tls_min_version: GETDNS_TLS1_1\n").getMessage());
    assertEquals("stubby.yml:1: tls_min_version: expected a version no higher than tls_max_version (GETDNS_TLS1_2), got \"GETDNS_TLS1_3\"",
        error("tls_min_version: GETDNS_TLS1_3\ntls_max_version: GETDNS_TLS1_2\n").getMessage());
  }

  @Test
  void rejectsUnknownTransport() {
    assertEquals("stubby.yml:1: dns_transport_list[0]: expected GETDNS_TRANSPORT_TLS, GETDNS_TRANSPORT_TCP"
        + " or GETDNS_TRANSPORT_UDP, got \"GETDNS_TRANSPORT_HTTPS\"",
        error("dns_transport_list: [GETDNS_TRANSPORT_HTTPS]").getMessage());
  }

  // tls_authentication, tls_ca_file

  @Test
  void rejectsUnknownAuthentication() {
    assertEquals("stubby.yml:1: tls_authentication: expected GETDNS_AUTHENTICATION_REQUIRED or"
        + " GETDNS_AUTHENTICATION_NONE, got \"strict\"",
        error("tls_authentication: strict").getMessage());
  }

  @Test
  void resolvesARelativeCaFileAgainstTheConfigDirectory() throws Exception {
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("ca.pem"), "pem");
    Path file = etc.resolve("stubby.yml");
    Files.writeString(file, "tls_ca_file: ca.pem\n");
    assertEquals(Optional.of(etc.resolve("ca.pem").toAbsolutePath()), ConfigLoader.load(file).config().tlsCaFile());
  }

  @Test
  void rejectsACaFileThatDoesNotExist() throws Exception {
    Path file = dir.resolve("stubby.yml");
    Files.writeString(file, "timeout: 100\ntls_ca_file: missing.pem\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    assertEquals(file + ":2: tls_ca_file: expected a path to a readable PEM file, got \"missing.pem\","
        + " which resolves to \"" + dir.resolve("missing.pem").toAbsolutePath() + "\" and is not a readable file",
        e.getMessage());
  }

  @Test
  void rejectsACaFileThatIsADirectory() throws Exception {
    Path file = dir.resolve("stubby.yml");
    Files.writeString(file, "tls_ca_file: " + dir.toAbsolutePath() + "\n");
    assertEquals("tls_ca_file", assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).keyPath());
  }

  // numbers, flags, levels

  @Test
  void rejectsTimeoutOfZero() {
    assertEquals("stubby.yml:1: timeout: expected a number of milliseconds 1..60000, got \"0\"",
        error("timeout: 0").getMessage());
  }

  @Test
  void rejectsTimeoutAboveAMinute() {
    assertEquals("stubby.yml:1: timeout: expected a number of milliseconds 1..60000, got \"60001\"",
        error("timeout: 60001").getMessage());
  }

  @Test
  void rejectsIdleTimeoutAboveAnHour() {
    assertEquals("stubby.yml:1: idle_timeout: expected a number of milliseconds 1..3600000, got \"3600001\"",
        error("idle_timeout: 3600001").getMessage());
  }

  @Test
  void rejectsAListWhereANumberBelongs() {
    assertEquals("stubby.yml:3: tcp_idle_timeout: expected a number of milliseconds 1..3600000, got a list",
        error("timeout: 100\n\ntcp_idle_timeout:\n  - 5\n").getMessage());
  }

  @Test
  void rejectsAKeyWithNoValue() {
    assertEquals("stubby.yml:1: timeout: expected a number of milliseconds 1..60000, got nothing",
        error("timeout:\nidle_timeout: 5").getMessage());
  }

  @Test
  void rejectsHexNumbers() {
    assertEquals("stubby.yml:1: timeout: expected a number of milliseconds 1..60000, got \"0x10\"",
        error("timeout: 0x10").getMessage());
  }

  @Test
  void acceptsQuotedNumbers() throws ConfigException {
    assertEquals(Duration.ofMillis(250), parse("timeout: \"250\"").config().timeout());
  }

  @Test
  void roundRobinAcceptsStubbysNumbersAndYamlBooleans() throws ConfigException {
    assertTrue(parse("round_robin_upstreams: 1").config().roundRobin());
    assertFalse(parse("round_robin_upstreams: 0").config().roundRobin());
    assertTrue(parse("round_robin_upstreams: true").config().roundRobin());
    assertFalse(parse("round_robin_upstreams: false").config().roundRobin());
  }

  @Test
  void onAndOffAreStringsInYaml12() {
    assertEquals("stubby.yml:1: round_robin_upstreams: expected 1 or 0, got \"on\"",
        error("round_robin_upstreams: on").getMessage());
  }

  @Test
  void readsLogLevelByNumberOrName() throws ConfigException {
    assertEquals(LogLevel.EMERG, parse("log_level: 0").config().logLevel());
    assertEquals(LogLevel.WARNING, parse("log_level: 4").config().logLevel());
    assertEquals(LogLevel.INFO, parse("log_level: GETDNS_LOG_INFO").config().logLevel());
  }

  @Test
  void rejectsLogLevelEight() {
    assertEquals("stubby.yml:1: log_level: expected a level 0..7 or"
        + " GETDNS_LOG_EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|INFO|DEBUG, got \"8\"",
        error("log_level: 8").getMessage());
  }

  @Test
  void rejectsTcpMaxConnectionsAboveTheLimit() {
    assertEquals("stubby.yml:1: tcp_max_connections: expected an integer 1..100000, got \"100001\"",
        error("tcp_max_connections: 100001").getMessage());
  }

  // access

  @Test
  void readsAccessBlocks() throws ConfigException {
    assertEquals(List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("::1/128")),
        parse("access: [192.168.0.0/16, \"::1\"]").config().access());
  }

  @Test
  void rejectsEmptyAccessList() {
    assertEquals("stubby.yml:1: access: expected a list of address blocks such as 127.0.0.0/8, got an empty list",
        error("access: []").getMessage());
  }

  @Test
  void rejectsAccessBlockWithBadPrefix() {
    assertEquals("stubby.yml:3: access[1]: expected an address block such as 127.0.0.0/8 or ::1/128,"
        + " got \"10.0.0.0/33\"", error("access:\n  - 127.0.0.0/8\n  - 10.0.0.0/33\n").getMessage());
  }

  // the file as a whole

  @Test
  void rejectsADuplicateKeyAtTheSecondOne() {
    ConfigException e = error("timeout: 100\nlog_level: 3\ntimeout: 200\n");
    assertEquals("stubby.yml:3: timeout: expected each key once, got a duplicate key (first on line 1)", e.getMessage());
  }

  @Test
  void rejectsADuplicateKeyInsideAnUpstream() {
    assertEquals("stubby.yml:4: upstream_recursive_servers[0].tls_port: expected each key once,"
        + " got a duplicate key (first on line 3)",
        error("upstream_recursive_servers:\n  - address_data: 9.9.9.9\n    tls_port: 853\n    tls_port: 443\n")
            .getMessage());
  }

  @Test
  void reportsYamlSyntaxErrorsWithTheirLine() {
    ConfigException e = error("timeout: 100\nlisten_addresses: [127.0.0.1\nlog_level: 3\n");
    assertEquals(NAME, e.file());
    assertTrue(e.line() > 1, e.getMessage());
    assertEquals("", e.keyPath());
    assertEquals("valid YAML", e.expected());
    assertTrue(e.getMessage().startsWith("stubby.yml:" + e.line() + ": expected valid YAML, got a syntax error: "),
        e.getMessage());
  }

  @Test
  void reportsATabIndentationOnItsLine() {
    assertEquals(2, error("listen_addresses:\n\t- 127.0.0.1\n").line());
  }

  @Test
  void reportsAForbiddenCharacterOnItsLine() {
    assertEquals("stubby.yml:2: expected valid YAML, got a syntax error: character U+0007 is not allowed",
        error("timeout: 100\nlog_level: \u0007\n").getMessage());
  }

  @Test
  void rejectsMoreThanOneDocument() {
    assertEquals("", error("timeout: 1\n---\ntimeout: 2\n").keyPath());
  }

  @Test
  void rejectsADocumentThatIsNotAMapping() {
    assertEquals("stubby.yml:1: expected a mapping of settings such as listen_addresses, got a list",
        error("- 127.0.0.1\n").getMessage());
  }

  @Test
  void rejectsAKeyThatIsAList() {
    assertEquals("stubby.yml:1: expected a key that is a name, got a list", error("[a]: 1\n").getMessage());
  }

  @Test
  void rejectsDeepNestingWithoutCrashing() {
    assertEquals("stubby.yml: expected valid YAML, got a syntax error: nesting too deep to parse",
        error("a: " + "[".repeat(50_000)).getMessage());
  }

  @Test
  void warningsComeInFileOrder() throws ConfigException {
    assertEquals(List.of(
        "stubby.yml:1: zeta: unknown key, ignored",
        "stubby.yml:4: upstream_recursive_servers[0].alpha: unknown key, ignored",
        "stubby.yml:6: appdata_dir: not implemented yet, ignored"),
        parse("""
            zeta: 1
            upstream_recursive_servers:
              - address_data: 9.9.9.9
                alpha: 1
                tls_auth_name: dns.quad9.net
            appdata_dir: /var/cache/stubby
            """).warnings());
  }

  @Test
  void rejectsAFileThatDoesNotExistNamingIt() {
    Path missing = dir.resolve("nope.yml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
    assertEquals(missing + ": expected a readable UTF-8 file, got no such file", e.getMessage());
    assertEquals(0, e.line());
  }

  @Test
  void rejectsAFileThatIsNotUtf8() throws Exception {
    Path file = dir.resolve("latin1.yml");
    Files.write(file, "tls_auth_name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(file + ": expected a readable UTF-8 file, got bytes that are not UTF-8",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).getMessage());
  }

  @Test
  void acceptsAByteOrderMarkAndWindowsLineEnds() throws Exception {
    Path file = dir.resolve("windows.yml");
    Files.write(file, "\ufefftimeout: 100\r\nlog_level: 3\r\nbogus: 1\r\n".getBytes(StandardCharsets.UTF_8));
    LoadedConfig loaded = ConfigLoader.load(file);
    assertEquals(Duration.ofMillis(100), loaded.config().timeout());
    assertEquals(List.of(file + ":3: bogus: unknown key, ignored"), loaded.warnings());
  }

  @Test
  void rejectsAFileTooLargeToBeAConfig() throws Exception {
    Path file = dir.resolve("huge.yml");
    Files.writeString(file, "# " + "x".repeat(3 * 1024 * 1024) + "\n");
    assertEquals(file + ": expected a config of at most 3 MiB, got a larger one",
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).getMessage());
  }

  @Test
  void rejectsTextTooLargeToBeAConfig() {
    assertEquals("stubby.yml: expected a config of at most 3 MiB, got a larger one",
        error("# " + "x".repeat(3 * 1024 * 1024) + "\n").getMessage());
  }

  @Test
  void rejectsADirectory() {
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(dir)).getMessage()
        .startsWith(dir + ": expected a readable UTF-8 file, got "));
  }

  // rate_limit, metrics, ipset

  @Test
  void rateLimitIsOffByDefaultAndItsBurstDefaultsToTwiceTheRate() throws ConfigException {
    assertFalse(parse("").config().rateLimit().enabled());
    RateLimitConfig r = parse("rate_limit: {qps: 200}\n").config().rateLimit();
    assertEquals(new RateLimitConfig(200, 400, "drop", 65_536), r);
  }

  @Test
  void rejectsARateLimitActionThatIsNeitherDropNorRefuse() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("rate_limit:\n  qps: 5\n  action: slow\n"));
    assertEquals("stubby.yml:3: rate_limit.action: expected drop or refuse, got \"slow\"", e.getMessage());
  }

  @Test
  void metricsListenWithoutAPortTakesTheMetricsPort() throws ConfigException {
    assertEquals(new ListenAddress(ip("127.0.0.2"), 9153), parse("metrics: {listen: 127.0.0.2}\n").config().metrics().listen());
    assertEquals(new ListenAddress(ip("::1"), 9100), parse("metrics: {listen: \"::1@9100\"}\n").config().metrics().listen());
    ConfigException e = assertThrows(ConfigException.class, () -> parse("metrics:\n  listen: localhost\n"));
    assertTrue(e.getMessage().startsWith("stubby.yml:2: metrics.listen: expected an IP address"), e.getMessage());
  }

  @Test
  void ipsetSetsNeedANameAndTakeDefaultsForTheRest() throws ConfigException {
    IpSetConfig ip = parse("ipset:\n  sets:\n    - name: allow4\n").config().ipset();
    assertTrue(ip.enabled());
    assertEquals(List.of(new IpSetConfig.SetSpec("allow4", IpSetConfig.Backend.IPSET, IpSetConfig.Family.INET, "inet filter", List.of("*"))),
        ip.sets());
    assertFalse(parse("").config().ipset().enabled());
    ConfigException e = assertThrows(ConfigException.class, () -> parse("ipset:\n  sets:\n    - family: inet6\n"));
    assertEquals("stubby.yml:3: ipset.sets[0]: expected name in this entry", e.getMessage());
  }

  @Test
  void ipsetRejectsBadNamesTablesAndRepeatedSets() {
    ConfigException name = assertThrows(ConfigException.class, () -> parse("ipset:\n  sets:\n    - name: \"no spaces\"\n"));
    assertTrue(name.getMessage().startsWith("stubby.yml:3: ipset.sets[0].name: expected a set name of 1..31"), name.getMessage());
    ConfigException table = assertThrows(ConfigException.class,
        () -> parse("ipset:\n  sets:\n    - {name: a, backend: nft, nft_table: filter}\n"));
    assertTrue(table.getMessage().startsWith("stubby.yml:3: ipset.sets[0].nft_table: expected an nft table as"), table.getMessage());
    ConfigException twice = assertThrows(ConfigException.class, () -> parse("ipset:\n  sets:\n    - name: a\n    - name: a\n"));
    assertTrue(twice.getMessage().startsWith("stubby.yml:4: ipset.sets[1].name: expected each set once"), twice.getMessage());
    ConfigException backend = assertThrows(ConfigException.class, () -> parse("ipset:\n  sets:\n    - {name: a, backend: iptables}\n"));
    assertTrue(backend.getMessage().startsWith("stubby.yml:3: ipset.sets[0].backend: expected ipset or nft"), backend.getMessage());
  }

  @Test
  void anEmptyStateFileKeepsTheSetInMemoryOnly() throws ConfigException {
    assertEquals(Optional.empty(), parse("ipset: {state_file: \"\"}\n").config().ipset().stateFile());
  }
}

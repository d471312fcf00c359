package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPrinterTest {
  @TempDir Path dir;

  /** Saves the printed config as a file, loads it, and checks nothing changed but the source. */
  private void assertRoundTrips(PalisadeConfig config) throws Exception {
    Path file = dir.resolve("printed.yml");
    Files.writeString(file, ConfigPrinter.toYaml(config));
    LoadedConfig loaded = ConfigLoader.load(file);
    assertEquals(ConfigReader.withSource(config, Optional.of(file)), loaded.config());
    assertEquals(List.of(), loaded.warnings());
  }

  @Test
  void defaultsRoundTrip() throws Exception {
    assertRoundTrips(ConfigLoader.defaults());
  }

  @Test
  void configWithEveryValueChangedRoundTrips() throws Exception {
    Path ca = Files.writeString(dir.resolve("my ca: #1.pem"), "pem");
    assertRoundTrips(new PalisadeConfig(
        Optional.of(Path.of("somewhere.yml")),
        List.of(new ListenAddress(InetLiterals.parse("0.0.0.0"), 0), new ListenAddress(InetLiterals.parse("::"), 5353)),
        List.of(new UpstreamServer(InetLiterals.parse("2001:db8::53"), 443, Optional.empty()),
            new UpstreamServer(InetLiterals.parse("192.0.2.53"), 853, Optional.of("123"))),
        List.of(Transport.TLS),
        TlsAuthentication.NONE,
        Optional.of(ca.toAbsolutePath()),
        Duration.ofMillis(1),
        Duration.ofMillis(3_600_000),
        false,
        LogLevel.EMERG,
        List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"), Cidr.parse("fe80::/10")),
        Duration.ofMillis(1),
        100_000,
        new CacheConfig(0, Duration.ofSeconds(5), Duration.ofSeconds(60), false, false, Duration.ZERO),
        new DnssecConfig(false, List.of(ca.toAbsolutePath())),
        new PolicyConfig("strict", "NXDOMAIN", List.of("lan"), List.of("example.org", "*.example.com"), List.of(ca.toAbsolutePath()),
            List.of("bad.example"), List.of(), false, List.of("NULL", "65399"), List.of(new PolicyConfig.LexicalRule(50, 0, 4.0)),
            new PolicyConfig.Budgets(100, 1000.5, 5000, 2, 30, Duration.ofSeconds(60), 3, false),
            new PolicyConfig.Answers(false, List.of("*.plex.direct"), 0, 50), new PolicyConfig.State(128, 256, 128)),
        new UpstreamOptions(0, false, 5, Duration.ofSeconds(30), 100, "TLS1_3", "TLS1_3", "TLS_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384",
            Optional.of("fastest"), "jdk"),
        new RateLimitConfig(10, 15, "refuse", 100),
        true,
        new MetricsConfig(false, new ListenAddress(InetLiterals.parse("::1"), 0)),
        new IpSetConfig(Duration.ZERO, true, Optional.empty(), 1, List.of(
            new IpSetConfig.SetSpec("a", IpSetConfig.Backend.NFT, IpSetConfig.Family.INET6, "ip6 t", List.of("example.org", "lan")),
            new IpSetConfig.SetSpec("b", IpSetConfig.Backend.IPSET, IpSetConfig.Family.INET, "inet filter", List.of("*"))))));
  }

  @Test
  void debianStubbyYmlRoundTrips() throws Exception {
    assertRoundTrips(ConfigLoader.parse(StubbyDefaultConfigTest.debianStubbyYml(), "stubby.yml").config());
  }

  @Test
  void printsStubbysKeysAndNotation() {
    assertEquals("""
        # Effective configuration, from built-in defaults
        listen_addresses:
          - 127.0.0.1@53
          - ::1@53
        upstream_recursive_servers:
          - address_data: 9.9.9.9
            tls_port: 853
            tls_auth_name: dns.quad9.net
          - address_data: 149.112.112.112
            tls_port: 853
            tls_auth_name: dns.quad9.net
        dns_transport_list:
          - GETDNS_TRANSPORT_TLS
        tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
        timeout: 5000
        idle_timeout: 10000
        round_robin_upstreams: 1
        log_level: GETDNS_LOG_NOTICE
        access:
          - 127.0.0.0/8
          - ::1/128
        tcp_idle_timeout: 10000
        tcp_max_connections: 1024
        tls_query_padding_blocksize: 128
        edns_client_subnet_private: 1
        tls_connection_retries: 2
        tls_backoff_time: 3600
        limit_outstanding_queries: 0
        tls_min_version: GETDNS_TLS1_2
        tls_max_version: GETDNS_TLS1_3
        tls_engine: auto
        cache:
          size: 67108864
          min_ttl: 0
          max_ttl: 86400
          prefetch: true
          serve_stale: true
          stale_max_age: 86400
        policy:
          mode: guarded
          refuse_with: REFUSED
          local_zones:
            - lan
            - home.arpa
          allow: []
          allow_files: []
          deny: []
          deny_files: []
          builtin_allow: true
          refuse_types:
            - 'NULL'
            - KEY
            - ANY
            - PRIVATE
          lexical:
            rules:
              - length: 64
                bits_per_char: 5.0
              - bits: 400.0
                bits_per_char: 4.5
              - length: 100
          budgets:
            hour_bits: 4096.0
            day_bits: 32768.0
            client_day_bits: 262144.0
            new_names_per_second: 16
            new_names_per_minute: 120
            block_for: 3600
            txt_factor: 2.0
            charge_repeats: true
          answers:
            rebinding: true
            rebinding_allow: []
            txt_free_bytes: 128
            data_target_bits: 100.0
          state:
            max_keys: 65536
            max_names: 524288
            max_clients: 4096
        dnssec: GETDNS_EXTENSION_TRUE
        query_log: false
        rate_limit:
          qps: 0
          action: drop
          max_clients: 65536
        metrics:
          enabled: true
          listen: 127.0.0.1@9153
        ipset:
          grace: 60
          apply: false
          state_file: /var/lib/palisade/ipset.state
          max_entries: 65536
          sets: []
        """, ConfigPrinter.toYaml(ConfigLoader.defaults()));
  }

  @Test
  void headerNamesTheSourceOnOneLine() throws ConfigException {
    String yaml = ConfigPrinter.toYaml(ConfigLoader.parse("", "odd\nname.yml").config());
    assertTrue(yaml.startsWith("# Effective configuration, from odd\\u000aname.yml\nlisten_addresses:"), yaml);
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.IpSetConfig;
import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.resolver.ipset.IpSetExport;
import dev.palisade.resolver.ipset.IpSets;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolved-IP sets in a running Palisade (export only: the kernel side is IpSetNamespaceTest's). */
class IpSetEndToEndTest {

  @TempDir static Path dir;
  static UnboundServer unbound;

  @BeforeAll
  static void start() throws Exception {
    EndToEndTest.ca = TestCa.create(dir.resolve("ca"));
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(EndToEndTest.ca.issue("dot", "dot.test")))
        .localZone("web.test.", "static")
        .localData("www.web.test. 300 IN A 192.0.2.44")
        .build().start();
  }

  @AfterAll
  static void stop() {
    unbound.close();
  }

  static PalisadeConfig config(Path state) throws Exception {
    PalisadeConfig c = EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY);
    IpSetConfig ipset = new IpSetConfig(Duration.ofSeconds(30), false, Optional.of(state), 100, List.of(
        new SetSpec("allow4", Backend.IPSET, Family.INET, SetSpec.DEFAULT_NFT_TABLE, List.of("*")),
        new SetSpec("allow6", Backend.IPSET, Family.INET6, SetSpec.DEFAULT_NFT_TABLE, List.of("*")),
        new SetSpec("web", Backend.NFT, Family.INET, "inet palisade", List.of("web.test"))));
    return new PalisadeConfig(c.source(), c.listenAddresses(), c.upstreams(), c.transports(), c.tlsAuthentication(), c.tlsCaFile(),
        c.timeout(), c.idleTimeout(), c.roundRobin(), c.logLevel(), c.access(), c.tcpIdleTimeout(), c.tcpMaxConnections(), c.cache(),
        c.dnssec(), c.policy(), c.upstreamOptions(), c.rateLimit(), c.queryLog(), c.metrics(), ipset);
  }

  static void dig(Palisade p, String name, String type) {
    Dig.query("127.0.0.1", p.udpAddresses().get(0).getPort(), name, type);
  }

  @Test
  void answersFillTheSetsWhichSurviveARestart() throws Exception {
    Path state = dir.resolve("ipset.state");
    try (Palisade p = Palisade.start(config(state))) {
      IpSets sets = p.ipsets().orElseThrow();
      assertTrue(sets.json().contains("{\"address\":\"127.0.0.1\",\"pinned\":true}"), "the upstream is always in: " + sets.json());
      dig(p, "www.example.test", "A");
      dig(p, "www.example.test", "AAAA");
      dig(p, "www.example.test", "A"); // a cache hit
      dig(p, "www.web.test", "A");
      dig(p, "nope.example.test", "A"); // NXDOMAIN
      String plain = sets.export(IpSetExport.Format.PLAIN);
      assertTrue(plain.contains("allow4 192.0.2.1 "), plain);
      assertTrue(plain.contains("allow6 2001:db8::1 "), plain);
      assertTrue(plain.contains("allow4 192.0.2.44 "), plain);
      assertTrue(plain.contains("web 192.0.2.44 "), "a name under web.test: " + plain);
      assertFalse(plain.contains("web 192.0.2.1 "), plain);
      assertEquals(java.util.Map.of("allow4", 3, "allow6", 1, "web", 1), sets.sizes());
      assertTrue(sets.export(IpSetExport.Format.IPSET).matches("(?s).*add allow4 192\\.0\\.2\\.1 timeout 3[23][0-9] -exist.*"), sets.export(IpSetExport.Format.IPSET));
    }
    assertTrue(Files.readString(state).contains("192.0.2.44"));
    try (Palisade again = Palisade.start(config(state))) {
      String plain = again.ipsets().orElseThrow().export(IpSetExport.Format.PLAIN);
      assertTrue(plain.contains("allow4 192.0.2.1 ") && plain.contains("web 192.0.2.44 "), "restored before any query: " + plain);
    }
  }

  @Test
  void theSetsAndTheRateLimitAreOnTheOperatorsEndpoint() throws Exception {
    PalisadeConfig c = config(dir.resolve("http.state"))
        .withMetrics(new dev.palisade.config.MetricsConfig(true, new dev.palisade.config.ListenAddress(java.net.InetAddress.getByName("127.0.0.1"), 0)))
        .withRateLimit(new dev.palisade.config.RateLimitConfig(1, 2, "refuse", 16));
    try (Palisade p = Palisade.start(c)) {
      dig(p, "www.web.test", "A");
      java.net.http.HttpResponse<String> json = OperationsEndToEndTest.get(p, "/ipset");
      assertEquals(200, json.statusCode());
      assertTrue(json.headers().firstValue("content-type").orElse("").startsWith("application/json"), json.headers().toString());
      assertTrue(json.body().contains("\"192.0.2.44\""), json.body());
      // Over 1 query per second with a burst of 2: the next ones are refused, and counted. Without
      // a cookie: dig's own would prove its address and exempt it (AbuseEndToEndTest covers that).
      int refused = 0;
      for (int i = 0; i < 5; i++) {
        if ("REFUSED".equals(Dig.query("127.0.0.1", p.udpAddresses().get(0).getPort(), "www.web.test", "A", "+nocookie").status())) {
          refused++;
        }
      }
      assertTrue(refused > 0, "5 queries at once are over 1 qps, burst 2");
      String scrape = OperationsEndToEndTest.get(p, "/metrics").body();
      assertEquals(1.0, OperationsEndToEndTest.sample(scrape, "palisade_ipset_entries", "set=\"web\""), scrape);
      assertTrue(OperationsEndToEndTest.sample(scrape, "palisade_ipset_added_total", "set=\"allow4\"") >= 1.0, "192.0.2.44 entered");
      assertEquals(refused, OperationsEndToEndTest.sample(scrape, "palisade_rate_limited_total", "protocol=\"udp\"", "action=\"refuse\""), 0.0);
      assertEquals(0.0, OperationsEndToEndTest.sample(scrape, "palisade_listener_errors_total", "protocol=\"udp\""), scrape);
    }
  }

  @Test
  void withoutSetsThereIsNoIpsetStage() throws Exception {
    try (Palisade p = Palisade.start(EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false,
        EndToEndTest.LOOPBACK_ONLY))) {
      assertTrue(p.ipsets().isEmpty());
    }
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.Transport;
import dev.palisade.config.UpstreamOptions;
import dev.palisade.config.UpstreamServer;
import dev.palisade.upstream.PinSet;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of upstream a config can name, through the running resolver to a real unbound: DNS
 * over HTTPS (its https-port), DoT authenticated by SPKI pins alone or with a name, and plaintext
 * when (and only when) dns_transport_list asks for it.
 */
class UpstreamKindsEndToEndTest {

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.ServerCert cert;
  static UnboundServer unbound;

  @BeforeAll
  static void start() {
    ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    cert = ca.issue("dot", "dot.test");
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(cert).doh()).build().start();
  }

  @AfterAll
  static void stop() {
    unbound.close();
  }

  static PalisadeConfig with(List<UpstreamServer> upstreams, List<Transport> transports) throws Exception {
    PalisadeConfig base = EndToEndTest.config(upstreams, false, EndToEndTest.LOOPBACK_ONLY);
    return base.withUpstreams(upstreams, transports, UpstreamOptions.DEFAULTS);
  }

  static DigResult ask(Palisade p, String name) {
    return Dig.query("127.0.0.1", p.udpAddresses().get(0).getPort(), name, "A");
  }

  static InetAddress loopback() throws Exception {
    return InetAddress.getByName(unbound.address());
  }

  @Test
  void resolvesOverDnsOverHttps() throws Exception {
    UpstreamServer doh = new UpstreamServer(loopback(), 853, Optional.empty(), List.of(), Optional.of(unbound.dohUrl("dot.test")), false, 53);
    try (Palisade p = Palisade.start(with(List.of(doh), List.of(Transport.TLS)))) {
      for (int i = 0; i < 5; i++) {
        DigResult r = ask(p, "doh" + i + ".any.example.test");
        assertEquals("NOERROR", r.status(), r.output());
        assertEquals(List.of("192.0.2.9"), r.answersOf("A"));
      }
    }
  }

  @Test
  void resolvesOverDnsOverHttpsWithGet() throws Exception {
    UpstreamServer doh = new UpstreamServer(loopback(), 853, Optional.empty(), List.of(), Optional.of(unbound.dohUrl("dot.test")), true, 53);
    try (Palisade p = Palisade.start(with(List.of(doh), List.of(Transport.TLS)))) {
      assertEquals(List.of("192.0.2.9"), ask(p, "get.any.example.test").answersOf("A"));
    }
  }

  @Test
  void aMatchingPinAuthenticatesWithoutAName() throws Exception {
    String pin = PinSet.pinOf(cert.certificate());
    UpstreamServer pinned = new UpstreamServer(loopback(), unbound.dotPort(), Optional.empty(), List.of(pin), Optional.empty(), false, 53);
    try (Palisade p = Palisade.start(with(List.of(pinned), List.of(Transport.TLS)))) {
      assertEquals(List.of("192.0.2.9"), ask(p, "pinned.any.example.test").answersOf("A"));
    }
  }

  @Test
  void aPinMismatchFailsClosed() throws Exception {
    String otherPin = PinSet.pinOf(TestCa.create(dir.resolve("other")).issue("x", "dot.test").certificate());
    UpstreamServer wrong = new UpstreamServer(loopback(), unbound.dotPort(), Optional.of("dot.test"), List.of(otherPin), Optional.empty(), false, 53);
    try (Palisade p = Palisade.start(with(List.of(wrong), List.of(Transport.TLS)))) {
      DigResult r = ask(p, "wrongpin.any.example.test");
      assertEquals("SERVFAIL", r.status(), "a valid certificate with the right name is not enough: " + r.output());
    }
  }

  @Test
  void usesPlaintextOnlyWhenTheTransportListAsksForIt() throws Exception {
    UpstreamServer plain = new UpstreamServer(loopback(), 853, Optional.empty(), List.of(), Optional.empty(), false, unbound.plainPort());
    try (Palisade p = Palisade.start(with(List.of(plain), List.of(Transport.UDP, Transport.TCP)))) {
      assertEquals(List.of("192.0.2.9"), ask(p, "plain.any.example.test").answersOf("A"));
      DigResult big = Dig.query("127.0.0.1", p.udpAddresses().get(0).getPort(), "big.example.test", "TXT");
      assertEquals(EndToEndTest.BIG_TXT_RECORDS, big.answersOf("TXT").size(), "large answers come back over TCP: " + big.output());
    }
  }

  @Test
  void failsOverFromDohToDot() throws Exception {
    UpstreamServer deadDoh = new UpstreamServer(loopback(), 853, Optional.empty(), List.of(),
        Optional.of(java.net.URI.create("https://dot.test:" + dev.palisade.upstream.testbed.FreePorts.find(unbound.address()) + "/dns-query")), false, 53);
    UpstreamServer dot = EndToEndTest.upstream(unbound.dotPort(), "dot.test");
    try (Palisade p = Palisade.start(with(List.of(deadDoh, dot), List.of(Transport.TLS)))) {
      for (int i = 0; i < 3; i++) {
        DigResult r = ask(p, "mixed" + i + ".any.example.test");
        assertEquals("NOERROR", r.status(), r.output());
      }
    }
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.CacheConfig;
import dev.palisade.config.Cidr;
import dev.palisade.config.DnssecConfig;
import dev.palisade.config.IpSetConfig;
import dev.palisade.config.MetricsConfig;
import dev.palisade.config.RateLimitConfig;
import dev.palisade.config.ListenAddress;
import dev.palisade.config.LogLevel;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.PolicyConfig;
import dev.palisade.config.UpstreamOptions;
import dev.palisade.config.TlsAuthentication;
import dev.palisade.config.Transport;
import dev.palisade.config.UpstreamServer;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.Kdig;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Palisade in this JVM, a real unbound serving DoT on loopback as its upstream, and real clients
 * (dig, kdig) asking it.
 */
class EndToEndTest {

  static final String LOOPBACK = "127.0.0.1";
  static final int BIG_TXT_RECORDS = 40;

  @TempDir static Path dir;
  static TestCa ca;
  static UnboundServer unbound;
  static Palisade palisade;
  static int port;

  static UnboundServer.Builder zone(UnboundServer.Builder b) {
    b.localZone("example.test.", "static")
        .localData("www.example.test. 300 IN A 192.0.2.1")
        .localData("www.example.test. 300 IN AAAA 2001:db8::1")
        .localData("short.example.test. 1 IN A 192.0.2.3")
        // Every name under any.example.test answers 192.0.2.9: fresh names that miss the cache.
        .localZone("any.example.test.", "redirect")
        .localData("any.example.test. 300 IN A 192.0.2.9");
    for (int i = 0; i < BIG_TXT_RECORDS; i++) {
      b.localData("big.example.test. 300 IN TXT \"record-" + i + "-" + "x".repeat(60) + "\"");
    }
    return b;
  }

  static PalisadeConfig config(List<UpstreamServer> upstreams, boolean roundRobin, List<Cidr> access) throws Exception {
    return config(upstreams, roundRobin, access, Duration.ofSeconds(10), 100);
  }

  static PalisadeConfig config(List<UpstreamServer> upstreams, boolean roundRobin, List<Cidr> access, Duration tcpIdle, int tcpMax) throws Exception {
    // Validation is tested separately (DnssecEndToEndTest): this upstream's zone is unsigned.
    return config(upstreams, ca.caFile(), roundRobin, access, tcpIdle, tcpMax, new DnssecConfig(false, List.of()));
  }

  static PalisadeConfig config(
      List<UpstreamServer> upstreams, Path caFile, boolean roundRobin, List<Cidr> access, Duration tcpIdle, int tcpMax, DnssecConfig dnssec)
      throws Exception {
    return new PalisadeConfig(
        Optional.empty(),
        List.of(new ListenAddress(InetAddress.getByName(LOOPBACK), 0)),
        upstreams,
        List.of(Transport.TLS),
        TlsAuthentication.REQUIRED,
        Optional.of(caFile),
        Duration.ofSeconds(4),
        Duration.ofSeconds(10),
        roundRobin,
        LogLevel.INFO,
        access,
        tcpIdle,
        tcpMax,
        CacheConfig.DEFAULTS,
        dnssec,
        // test. is special-use (RFC 6761), not a public suffix: the policy refuses it unless local.
        TEST_IS_LOCAL,
        UpstreamOptions.DEFAULTS,
        RateLimitConfig.DEFAULTS,
        false,
        // Tests run side by side: no fixed metrics port.
        MetricsConfig.OFF,
        IpSetConfig.DEFAULTS);
  }

  static UpstreamServer upstream(int port, String authName) throws Exception {
    return new UpstreamServer(InetAddress.getByName(LOOPBACK), port, Optional.of(authName));
  }

  static final PolicyConfig TEST_IS_LOCAL = withLocalZones(PolicyConfig.DEFAULTS, List.of("test"));

  static PolicyConfig withLocalZones(PolicyConfig p, List<String> zones) {
    return new PolicyConfig(p.mode(), p.refuseWith(), zones, p.allow(), p.allowFiles(), p.deny(), p.denyFiles(), p.builtinAllow(),
        p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), p.state());
  }

  static final List<Cidr> LOOPBACK_ONLY = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

  @BeforeAll
  static void start() throws Exception {
    ca = TestCa.create(dir.resolve("ca"));
    unbound = zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start();
    palisade = Palisade.start(config(List.of(upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY));
    port = palisade.udpAddresses().get(0).getPort();
  }

  @AfterAll
  static void stop() {
    if (palisade != null) {
      palisade.close();
    }
    unbound.close();
  }

  @Test
  void answersOverUdpWithTheUpstreamsData() {
    DigResult r = Dig.query(LOOPBACK, port, "www.example.test", "A");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of("192.0.2.1"), r.answersOf("A"));
    assertTrue(r.hasFlag("ra") && r.hasFlag("rd") && r.hasFlag("qr"), r.output());
    assertTrue(r.edns(), "dig sends OPT, so the reply carries OPT");
    assertEquals(1232, r.udpSize());
  }

  @Test
  void answersOverTcp() {
    DigResult r = Dig.query(LOOPBACK, port, "www.example.test", "AAAA", "+tcp");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of("2001:db8::1"), r.answersOf("AAAA"));
  }

  @Test
  void echoesTheClientsLetterCase() {
    DigResult r = Dig.query(LOOPBACK, port, "WwW.ExAmPlE.TeSt", "A");
    assertEquals("NOERROR", r.status(), r.output());
    assertTrue(r.question().startsWith("WwW.ExAmPlE.TeSt."), r.question());
    assertTrue(r.answers().get(0).startsWith("WwW.ExAmPlE.TeSt."), r.answers().toString());
  }

  @Test
  void sendsNoOptToAClientThatSentNone() {
    DigResult r = Dig.query(LOOPBACK, port, "www.example.test", "A", "+noedns");
    assertEquals("NOERROR", r.status(), r.output());
    assertFalse(r.edns(), r.output());
  }

  @Test
  void passesNxdomainThrough() {
    DigResult r = Dig.query(LOOPBACK, port, "nope.example.test", "A");
    assertEquals("NXDOMAIN", r.status(), r.output());
  }

  @Test
  void truncatesABigAnswerOverUdpAndServesItWholeOverTcp() {
    DigResult udp = Dig.query(LOOPBACK, port, "big.example.test", "TXT", "+ignore", "+bufsize=1232");
    assertTrue(udp.hasFlag("tc"), udp.output());
    assertTrue(udp.answers().isEmpty(), udp.output());
    assertTrue(udp.edns(), "OPT survives truncation");

    // dig's default: on TC, ask again over TCP.
    DigResult retried = Dig.query(LOOPBACK, port, "big.example.test", "TXT", "+bufsize=1232");
    assertFalse(retried.hasFlag("tc"), retried.output());
    assertEquals(BIG_TXT_RECORDS, retried.answersOf("TXT").size(), retried.output());
  }

  @Test
  void answersManyPipelinedQueriesOnOneTcpConnection() throws Exception {
    int n = 200;
    try (Socket s = new Socket(LOOPBACK, port)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      // All queries go out before any reply is read: a server that answers one at a time per
      // connection, or drops pipelined ones, fails here.
      for (int id = 0; id < n; id++) {
        send(out, id % 3 == 0 ? "nope" + id + ".example.test." : "www.example.test.", id);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      Set<Integer> answered = new HashSet<>();
      s.setSoTimeout(10_000);
      for (int i = 0; i < n; i++) {
        Message m = receive(in);
        int id = m.getHeader().getID();
        assertTrue(answered.add(id), "one reply per query");
        assertEquals(id % 3 == 0 ? Rcode.NXDOMAIN : Rcode.NOERROR, m.getRcode(), "reply to " + id + " is its own");
        if (id % 3 != 0) {
          assertEquals(1, m.getSection(Section.ANSWER).size());
        }
      }
      assertEquals(n, answered.size());
    }
  }

  @Test
  void answersKdigOverTcpToo() {
    DigResult r = Kdig.query(LOOPBACK, port, "www.example.test", "A", "+tcp");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of("192.0.2.1"), r.answersOf("A"));
  }

  @Test
  void refusesClientsOutsideTheAccessNetworks() throws Exception {
    // Only 192.0.2.0/24 may ask: loopback clients are now outsiders. No packet leaves loopback.
    try (Palisade closed = Palisade.start(config(List.of(upstream(unbound.dotPort(), "dot.test")), false, List.of(Cidr.parse("192.0.2.0/24"))))) {
      int p = closed.udpAddresses().get(0).getPort();
      assertEquals("REFUSED", Dig.query(LOOPBACK, p, "www.example.test", "A").status());
      assertEquals("REFUSED", Dig.query(LOOPBACK, p, "www.example.test", "A", "+tcp").status());
    }
  }

  @Test
  void answersServfailWhenTheUpstreamCertificateHasAnotherName() throws Exception {
    try (UnboundServer impostor = zone(UnboundServer.builder().directory(dir.resolve("impostor")).tls(ca.issue("impostor", "impostor.test"))).build().start();
        Palisade p = Palisade.start(config(List.of(upstream(impostor.dotPort(), "dot.test")), false, LOOPBACK_ONLY))) {
      DigResult r = Dig.query(LOOPBACK, p.udpAddresses().get(0).getPort(), "www.example.test", "A");
      assertEquals("SERVFAIL", r.status(), r.output());
      assertTrue(r.answers().isEmpty());
    }
  }

  @Test
  void failsOverWhenTheFirstUpstreamIsDown() throws Exception {
    int nothingListens = FreePorts.find(LOOPBACK);
    try (Palisade p = Palisade.start(config(List.of(upstream(nothingListens, "dot.test"), upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY))) {
      int pp = p.udpAddresses().get(0).getPort();
      for (int i = 0; i < 5; i++) {
        // A new name each time, so that every query goes upstream rather than to the cache.
        DigResult r = Dig.query(LOOPBACK, pp, "failover" + i + ".any.example.test", "A");
        assertEquals("NOERROR", r.status(), r.output());
        assertEquals(List.of("192.0.2.9"), r.answersOf("A"));
      }
    }
  }

  @Test
  void failsOverWhenTheFirstUpstreamAcceptsButNeverAnswers() throws Exception {
    try (ServerSocket blackhole = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK))) {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            blackhole.accept(); // hold the connection, never speak TLS
          }
        } catch (Exception ignored) {
          // closed when the test ends
        }
      });
      t.setDaemon(true);
      t.start();
      try (Palisade p = Palisade.start(config(List.of(upstream(blackhole.getLocalPort(), "dot.test"), upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY))) {
        DigResult r = Dig.query(LOOPBACK, p.udpAddresses().get(0).getPort(), "www.example.test", "A", "+time=8");
        assertEquals("NOERROR", r.status(), r.output());
        assertEquals(List.of("192.0.2.1"), r.answersOf("A"));
      }
    }
  }

  @Test
  void keepsAnsweringWhenTheUpstreamClosesIdleConnections() throws Exception {
    try (UnboundServer impatient = zone(UnboundServer.builder().directory(dir.resolve("impatient")).tls(ca.issue("impatient", "dot.test")).tcpIdleTimeoutMillis(300)).build().start();
        Palisade p = Palisade.start(config(List.of(upstream(impatient.dotPort(), "dot.test")), false, LOOPBACK_ONLY))) {
      int pp = p.udpAddresses().get(0).getPort();
      for (int round = 0; round < 3; round++) {
        DigResult r = Dig.query(LOOPBACK, pp, "round" + round + ".any.example.test", "A");
        assertEquals("NOERROR", r.status(), "round " + round + ": " + r.output());
        // Long enough for unbound to close the idle connection (it does after 300 ms).
        Thread.sleep(1200);
      }
    }
  }

  @Test
  void listensOnIpv6Loopback() throws Exception {
    PalisadeConfig c = config(List.of(upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY);
    PalisadeConfig v6 = c.withListenAddresses(List.of(new ListenAddress(InetAddress.getByName("::1"), 0)));
    try (Palisade p = Palisade.start(v6)) {
      InetSocketAddress a = p.udpAddresses().get(0);
      assertEquals("NOERROR", Dig.query("::1", a.getPort(), "www.example.test", "A").status());
      assertEquals("NOERROR", Dig.query("::1", a.getPort(), "www.example.test", "A", "+tcp").status());
    }
  }

  /** Writes one length-prefixed A query (RFC 1035 section 4.2.2). */
  static void send(DataOutputStream out, String name, int id) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.getHeader().setID(id);
    byte[] wire = q.toWire();
    out.writeShort(wire.length);
    out.write(wire);
  }

  static Message receive(DataInputStream in) throws Exception {
    byte[] reply = new byte[in.readUnsignedShort()];
    in.readFully(reply);
    return new Message(reply);
  }

  /** Sends one query on {@code s} and reads its reply. */
  static Message ask(Socket s, String name, int id) throws Exception {
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    send(out, name, id);
    out.flush();
    return receive(new DataInputStream(s.getInputStream()));
  }

  @Test
  void closesAnIdleTcpConnectionAfterTheIdleTimeout() throws Exception {
    try (Palisade p = Palisade.start(config(List.of(upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY, Duration.ofMillis(500), 100));
        Socket s = new Socket(LOOPBACK, p.tcpAddresses().get(0).getPort())) {
      assertEquals(Rcode.NOERROR, ask(s, "www.example.test.", 1).getRcode());
      s.getOutputStream().write(0); // half a length prefix, then silence
      s.setSoTimeout(15_000);
      assertEquals(-1, s.getInputStream().read(), "the server closes the stalled connection");
    }
  }

  @Test
  void capsConcurrentTcpConnectionsAndServesAgainWhenOneCloses() throws Exception {
    int cap = 3;
    try (Palisade p = Palisade.start(config(List.of(upstream(unbound.dotPort(), "dot.test")), false, LOOPBACK_ONLY, Duration.ofSeconds(30), cap))) {
      int tcpPort = p.tcpAddresses().get(0).getPort();
      List<Socket> open = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < cap; i++) {
          Socket s = new Socket(LOOPBACK, tcpPort);
          open.add(s);
          assertEquals(Rcode.NOERROR, ask(s, "www.example.test.", i).getRcode());
        }
        try (Socket over = new Socket(LOOPBACK, tcpPort)) {
          over.setSoTimeout(10_000);
          assertEquals(-1, over.getInputStream().read(), "a connection over the cap is closed at once");
        }
        assertEquals("NOERROR", Dig.query(LOOPBACK, tcpPort, "www.example.test", "A").status(), "UDP is unaffected");
        open.remove(0).close();
        // The freed slot is taken back once the server has seen the close.
        Message answered = null;
        for (int attempt = 0; attempt < 50 && answered == null; attempt++) {
          try (Socket again = new Socket(LOOPBACK, tcpPort)) {
            again.setSoTimeout(5_000);
            answered = ask(again, "www.example.test.", 99);
          } catch (java.io.IOException closedOnUs) {
            Thread.sleep(100);
          }
        }
        assertEquals(Rcode.NOERROR, answered.getRcode());
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }

  @Test
  void answersAClientThatHalfClosesAfterSendingItsQueries() throws Exception {
    try (Socket s = new Socket(LOOPBACK, port)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      for (int id = 1; id <= 3; id++) {
        send(out, "www.example.test.", id);
      }
      out.flush();
      s.shutdownOutput();
      s.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        ids.add(receive(in).getHeader().getID());
      }
      assertEquals(Set.of(1, 2, 3), ids);
      assertEquals(-1, in.read(), "then the server closes");
    }
  }

  @Test
  void answersARepeatedQueryFromTheCacheWithALowerTtl() throws Exception {
    long hitsBefore = palisade.cacheCounters().hits();
    DigResult first = Dig.query(LOOPBACK, port, "cached.any.example.test", "A");
    assertEquals("NOERROR", first.status(), first.output());
    Thread.sleep(1100); // let a second pass, so the cached TTL has counted down
    DigResult second = Dig.query(LOOPBACK, port, "cached.any.example.test", "A", "+tcp");
    assertEquals(List.of("192.0.2.9"), second.answersOf("A"));
    assertTrue(palisade.cacheCounters().hits() > hitsBefore, "answered from the cache");
    long ttl = Long.parseLong(second.answers().get(0).split(" ")[1]);
    assertTrue(ttl < 300 && ttl >= 290, "TTL counts down: " + second.answers());
  }

  @Test
  void servesStaleAnswersWithTtl30WhenTheUpstreamIsDown() throws Exception {
    try (UnboundServer fragile = zone(UnboundServer.builder().directory(dir.resolve("fragile")).tls(ca.issue("fragile", "dot.test"))).build().start();
        Palisade p = Palisade.start(config(List.of(upstream(fragile.dotPort(), "dot.test")), false, LOOPBACK_ONLY))) {
      int pp = p.udpAddresses().get(0).getPort();
      DigResult fresh = Dig.query(LOOPBACK, pp, "short.example.test", "A");
      assertEquals(List.of("192.0.2.3"), fresh.answersOf("A"), fresh.output());
      fragile.stop();
      Thread.sleep(1500); // the 1 s TTL runs out
      DigResult stale = Dig.query(LOOPBACK, pp, "short.example.test", "A");
      assertEquals("NOERROR", stale.status(), stale.output());
      assertEquals(List.of("192.0.2.3"), stale.answersOf("A"));
      assertEquals("30", stale.answers().get(0).split(" ")[1], "RFC 8767: stale answers carry TTL 30");
      assertEquals(1, p.cacheCounters().staleServed());
      DigResult never = Dig.query(LOOPBACK, pp, "never-asked.any.example.test", "A");
      assertEquals("SERVFAIL", never.status(), "nothing stale to serve for a name never asked");
    }
  }
}

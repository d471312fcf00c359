package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DoT against a real unbound on loopback, with certificates from a test CA. */
class DotUpstreamTest {

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.ServerCert cert;
  static UnboundServer unbound;
  static EventLoopGroup group;

  @BeforeAll
  static void startUnbound() throws Exception {
    ca = TestCa.create(dir.resolve("ca"));
    unbound =
        UnboundServer.builder()
            .directory(dir.resolve("unbound"))
            .tls(cert = ca.issue("dot", "dot.test"))
            .localZone("example.test.", "static")
            .localData("www.example.test. 300 IN A 192.0.2.1")
            .build()
            .start();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() {
    unbound.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static DotUpstream dot(int port, String authName, Path caFile, Duration idle) throws Exception {
    return new DotUpstream(
        new DotSettings(
            new InetSocketAddress(InetAddress.getByName(unbound.address()), port),
            Optional.of(authName),
            true,
            Optional.of(caFile),
            idle,
            Duration.ofSeconds(2),
            1000),
        group,
        NioSocketChannel.class,
        new SecureRandom(),
        System::nanoTime);
  }

  private static DotUpstream dot(DotSettings s) {
    return new DotUpstream(s, group, NioSocketChannel.class, new SecureRandom(), System::nanoTime);
  }

  private static DotSettings settings(TlsSettings tls) throws Exception {
    return new DotSettings(
        new InetSocketAddress(InetAddress.getByName(unbound.address()), unbound.dotPort()),
        tls, Duration.ofSeconds(10), Duration.ofSeconds(2), 1000, 0, EdnsPrivacy.DEFAULT);
  }

  private static TlsSettings strict(TlsEngine engine) {
    return TlsSettings.strict("dot.test").withCaFile(ca.caFile()).withEngine(engine);
  }

  private static Message query(String name) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  private static UpstreamException failure(CompletableFuture<Message> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  @Test
  void answersAQueryOverTls() throws Exception {
    try (DotUpstream up = dot(unbound.dotPort(), "dot.test", ca.caFile(), Duration.ofSeconds(10))) {
      Message reply = up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, reply.getRcode());
      ARecord a = (ARecord) reply.getSection(Section.ANSWER).get(0);
      assertEquals("192.0.2.1", a.getAddress().getHostAddress());
    }
  }

  @Test
  void pipelinesManyQueriesOnOneConnectionWithDistinctIds() throws Exception {
    try (DotUpstream up = dot(unbound.dotPort(), "dot.test", ca.caFile(), Duration.ofSeconds(10))) {
      List<CompletableFuture<Message>> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        all.add(up.exchange(query(i % 2 == 0 ? "www.example.test." : "n" + i + ".example.test."), in(Duration.ofSeconds(5))));
      }
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        Message m = all.get(i).get(10, TimeUnit.SECONDS);
        ids.add(m.getHeader().getID());
        assertEquals(i % 2 == 0 ? Rcode.NOERROR : Rcode.NXDOMAIN, m.getRcode(), "reply " + i + " matched its own query");
      }
      assertTrue(ids.size() > 250, "IDs are random and unique among queries in flight: " + ids.size());
    }
  }

  @Test
  void refusesACertificateForAnotherName() throws Exception {
    try (DotUpstream up = dot(unbound.dotPort(), "other.test", ca.caFile(), Duration.ofSeconds(10))) {
      UpstreamException e = failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))));
      assertEquals(UpstreamException.Reason.TLS, e.reason());
    }
  }

  @Test
  void refusesACertificateFromAnUntrustedCa() throws Exception {
    TestCa other = TestCa.create(dir.resolve("other-ca"));
    try (DotUpstream up = dot(unbound.dotPort(), "dot.test", other.caFile(), Duration.ofSeconds(10))) {
      UpstreamException e = failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))));
      assertEquals(UpstreamException.Reason.TLS, e.reason());
    }
  }

  @Test
  void reportsARefusedConnectionAsAConnectFailure() throws Exception {
    int closedPort = FreePorts.find(unbound.address());
    try (DotUpstream up = dot(closedPort, "dot.test", ca.caFile(), Duration.ofSeconds(10))) {
      UpstreamException e = failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))));
      assertEquals(UpstreamException.Reason.CONNECT, e.reason());
    }
  }

  @Test
  void timesOutWhenTheServerNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName(unbound.address()))) {
      Thread acceptor = new Thread(() -> {
        List<Socket> held = new ArrayList<>();
        try {
          while (true) {
            held.add(silent.accept());
          }
        } catch (Exception ignored) {
          // closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      try (DotUpstream up = dot(silent.getLocalPort(), "dot.test", ca.caFile(), Duration.ofSeconds(10))) {
        UpstreamException e = failure(up.exchange(query("www.example.test."), in(Duration.ofMillis(700))));
        assertEquals(UpstreamException.Reason.TIMEOUT, e.reason());
      }
    }
  }

  @Test
  void reconnectsWhenTheServerRestartsBetweenQueries() throws Exception {
    try (DotUpstream up = dot(unbound.dotPort(), "dot.test", ca.caFile(), Duration.ofSeconds(30))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      unbound.stop();
      unbound.start();
      // The old connection is dead; the query must go out on a new one, not fail.
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @Test
  void failsEverythingInFlightOnClose() throws Exception {
    DotUpstream up = dot(unbound.dotPort(), "dot.test", ca.caFile(), Duration.ofSeconds(10));
    up.close();
    UpstreamException e = failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))));
    assertEquals(UpstreamException.Reason.SHUTDOWN, e.reason());
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void acceptsAPinnedLeafKeyEvenFromAnUntrustedCa(TlsEngine engine) throws Exception {
    TestCa other = TestCa.create(dir.resolve("pin-leaf-" + engine));
    TlsSettings tls = strict(engine).withCaFile(other.caFile()).withPins(PinSet.ofBase64(PinSet.pinOf(cert.certificate())));
    try (DotUpstream up = dot(settings(tls))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void acceptsAPinnedCaKeyFromTheServersChain(TlsEngine engine) throws Exception {
    TlsSettings tls = strict(engine).withPins(PinSet.ofBase64(PinSet.pinOf(ca.certificate())));
    try (DotUpstream up = dot(settings(tls))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void failsClosedWhenNoCertificateMatchesAPin(TlsEngine engine) throws Exception {
    TestCa other = TestCa.create(dir.resolve("pin-bad-" + engine));
    TlsSettings tls = strict(engine).withPins(PinSet.ofBase64(PinSet.pinOf(other.certificate())));
    try (DotUpstream up = dot(settings(tls))) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
    }
  }

  @Test
  void aPinStillRequiresTheAuthNameWhenOneIsGiven() throws Exception {
    TlsSettings tls = strict(TlsEngine.JDK).withAuthName(Optional.of("other.test")).withPins(PinSet.ofBase64(PinSet.pinOf(cert.certificate())));
    try (DotUpstream up = dot(settings(tls))) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
    }
  }

  @Test
  void authenticatesByPinAloneWithoutAnAuthNameAsStubbyAllows() throws Exception {
    TlsSettings tls = strict(TlsEngine.defaultEngine()).withAuthName(Optional.empty()).withPins(PinSet.ofBase64(PinSet.pinOf(cert.certificate())));
    try (DotUpstream up = dot(settings(tls))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @Test
  void rejectsStrictAuthenticationWithNeitherAuthNameNorPins() {
    assertThrows(IllegalArgumentException.class, () -> settings(strict(TlsEngine.JDK).withAuthName(Optional.empty())));
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void resumesTheTlsSessionOnTheNextConnection(TlsEngine engine) throws Exception {
    List<String> opened = new ArrayList<>();
    UpstreamListener l = new UpstreamListener() {
      @Override
      public void connectionOpened(UpstreamId upstream, String protocol, boolean resumed) {
        synchronized (opened) {
          opened.add(protocol + (resumed ? " resumed" : " full"));
        }
      }
    };
    DotSettings s = settings(strict(engine));
    s = new DotSettings(s.address(), s.tls(), Duration.ofMillis(300), s.connectTimeout(), 100, 0, EdnsPrivacy.DEFAULT);
    try (DotUpstream up = new DotUpstream(s, group, NioSocketChannel.class, new SecureRandom(), System::nanoTime, l)) {
      up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      Thread.sleep(1000); // our idle timeout closes the first connection
      up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      synchronized (opened) {
        assertEquals(List.of("TLSv1.3 full", "TLSv1.3 resumed"), opened);
      }
      assertEquals(1, up.tlsVerifications());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void speaksTls12WhenTheMaximumVersionSaysSo(TlsEngine engine) throws Exception {
    List<String> opened = new ArrayList<>();
    UpstreamListener l = new UpstreamListener() {
      @Override
      public void connectionOpened(UpstreamId upstream, String protocol, boolean resumed) {
        synchronized (opened) {
          opened.add(protocol);
        }
      }
    };
    TlsSettings tls = strict(engine).withVersions(TlsVersion.TLS1_2, TlsVersion.TLS1_2)
        .withCipherSuites(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    try (DotUpstream up = new DotUpstream(settings(tls), group, NioSocketChannel.class, new SecureRandom(), System::nanoTime, l)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      synchronized (opened) {
        assertEquals(List.of("TLSv1.2"), opened);
      }
    }
  }

  @Test
  void rejectsAMinimumVersionAboveTheMaximum() {
    assertThrows(IllegalArgumentException.class, () -> strict(TlsEngine.JDK).withVersions(TlsVersion.TLS1_3, TlsVersion.TLS1_2));
  }

  @Test
  void answersEveryQueryWhenLimitOutstandingQueriesMakesThemWait() throws Exception {
    try (DotUpstream up = dot(settings(strict(TlsEngine.defaultEngine())).withLimitOutstandingQueries(2))) {
      List<CompletableFuture<Message>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        all.add(up.exchange(query("www.example.test."), in(Duration.ofSeconds(8))));
      }
      for (CompletableFuture<Message> f : all) {
        assertEquals(Rcode.NOERROR, f.get(10, TimeUnit.SECONDS).getRcode());
      }
    }
  }

  @Test
  void answersEvenWhenTheIdleTimeoutIsShorterThanTheHandshake() throws Exception {
    DotSettings s = settings(strict(TlsEngine.defaultEngine()));
    s = new DotSettings(s.address(), s.tls(), Duration.ofMillis(1), s.connectTimeout(), 100, 0, EdnsPrivacy.DEFAULT);
    try (DotUpstream up = dot(s)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      }
    }
  }
}

package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

/** DoH against a real unbound serving https-port on loopback, certificates from a test CA. */
class DohUpstreamTest {

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.ServerCert cert;
  static UnboundServer unbound;
  static EventLoopGroup group;

  @BeforeAll
  static void startUnbound() {
    ca = TestCa.create(dir.resolve("ca"));
    cert = ca.issue("doh", "doh.test");
    unbound =
        UnboundServer.builder()
            .directory(dir.resolve("unbound"))
            .tls(cert)
            .doh()
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

  static TlsSettings tls(Path caFile) {
    return tls(caFile, TlsEngine.defaultEngine());
  }

  static TlsSettings tls(Path caFile, TlsEngine engine) {
    return TlsSettings.strict("doh.test").withAuthName(Optional.empty()).withCaFile(caFile).withEngine(engine);
  }

  private static DohUpstream doh(URI url, TlsSettings tls) throws Exception {
    return doh(url, tls, false);
  }

  private static DohUpstream doh(URI url, TlsSettings tls, boolean get) throws Exception {
    DohSettings s =
        DohSettings.of(url, InetAddress.getByName(unbound.address()), tls, Duration.ofSeconds(10), Duration.ofSeconds(2), 4096)
            .withGet(get);
    return new DohUpstream(s, group, NioSocketChannel.class, System::nanoTime);
  }

  static Message query(String name) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  static UpstreamException failure(CompletableFuture<Message> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void answersAQueryWithPostAndMessageIdZero(TlsEngine engine) throws Exception {
    try (DohUpstream up = doh(unbound.dohUrl("doh.test"), tls(ca.caFile(), engine))) {
      Message reply = up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, reply.getRcode());
      assertEquals(0, reply.getHeader().getID());
      ARecord a = (ARecord) reply.getSection(Section.ANSWER).get(0);
      assertEquals("192.0.2.1", a.getAddress().getHostAddress());
    }
  }

  @Test
  void answersAQueryWithGet() throws Exception {
    try (DohUpstream up = doh(unbound.dohUrl("doh.test"), tls(ca.caFile()), true)) {
      Message reply = up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, reply.getRcode());
    }
  }

  @Test
  void carriesManyConcurrentQueriesOnStreamsOfOneConnection() throws Exception {
    try (DohUpstream up = doh(unbound.dohUrl("doh.test"), tls(ca.caFile()))) {
      List<CompletableFuture<Message>> all = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        all.add(up.exchange(query(i % 2 == 0 ? "www.example.test." : "n" + i + ".example.test."), in(Duration.ofSeconds(8))));
      }
      for (int i = 0; i < all.size(); i++) {
        Message m = all.get(i).get(15, TimeUnit.SECONDS);
        assertEquals(i % 2 == 0 ? Rcode.NOERROR : Rcode.NXDOMAIN, m.getRcode(), "reply " + i + " matched its own query");
      }
      assertEquals(1, up.tlsVerifications(), "one connection, one handshake");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void acceptsTheServerWhenItsLeafKeyIsPinned(TlsEngine engine) throws Exception {
    PinSet pins = PinSet.ofBase64(PinSet.pinOf(cert.certificate()));
    // Another CA file: the pin alone must carry the trust.
    TestCa other = TestCa.create(dir.resolve("pin-leaf-ca"));
    try (DohUpstream up = doh(unbound.dohUrl("doh.test"), tls(other.caFile(), engine).withPins(pins))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void failsClosedWhenNoCertificateMatchesThePins(TlsEngine engine) throws Exception {
    TestCa other = TestCa.create(dir.resolve("pin-other-ca"));
    PinSet pins = PinSet.ofBase64(PinSet.pinOf(other.issue("x", "doh.test").certificate()));
    try (DohUpstream up = doh(unbound.dohUrl("doh.test"), tls(ca.caFile(), engine).withPins(pins))) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void refusesACertificateForAnotherName(TlsEngine engine) throws Exception {
    try (DohUpstream up = doh(unbound.dohUrl("other.test"), tls(ca.caFile(), engine))) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
    }
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void resumesTheTlsSessionWhenItReconnects(TlsEngine engine) throws Exception {
    DohSettings s =
        DohSettings.of(unbound.dohUrl("doh.test"), InetAddress.getByName(unbound.address()), tls(ca.caFile(), engine), Duration.ofMillis(300), Duration.ofSeconds(2), 100);
    List<Boolean> resumed = new ArrayList<>();
    UpstreamListener l = new UpstreamListener() {
      @Override
      public void connectionOpened(UpstreamId upstream, String protocol, boolean r) {
        synchronized (resumed) {
          resumed.add(r);
        }
      }
    };
    try (DohUpstream up = new DohUpstream(s, group, NioSocketChannel.class, System::nanoTime, l)) {
      up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      Thread.sleep(1000); // our idle timeout closes the connection
      up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      synchronized (resumed) {
        assertEquals(List.of(false, true), resumed, "the second connection resumed the first one's session");
      }
      assertEquals(1, up.tlsVerifications(), "a resumed handshake checks no certificate");
    }
  }

  @Test
  void answersEvenWhenTheIdleTimeoutIsShorterThanTheHandshake() throws Exception {
    DohSettings s =
        DohSettings.of(unbound.dohUrl("doh.test"), InetAddress.getByName(unbound.address()), tls(ca.caFile()), Duration.ofMillis(1), Duration.ofSeconds(2), 100);
    try (DohUpstream up = new DohUpstream(s, group, NioSocketChannel.class, System::nanoTime)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      }
    }
  }
}

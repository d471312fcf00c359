package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.ScriptedDohPeer;
import dev.palisade.upstream.testbed.TestCa;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2Error;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** DoH against a scripted in-process HTTP/2 peer that injects the faults a real server rarely shows on cue. */
class DohFaultTest {

  private static final String LOOPBACK = "127.0.0.1";

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.ServerCert cert;
  static EventLoopGroup group;

  @BeforeAll
  static void setUp() {
    ca = TestCa.create(dir.resolve("ca"));
    cert = ca.issue("peer", "doh.test");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static DohSettings settings(URI url) throws Exception {
    TlsSettings tls = TlsSettings.strict("doh.test").withAuthName(Optional.empty()).withCaFile(ca.caFile());
    return DohSettings.of(url, InetAddress.getByName(LOOPBACK), tls, Duration.ofSeconds(10), Duration.ofSeconds(2), 4096);
  }

  private static DohUpstream doh(DohSettings s) {
    return new DohUpstream(s, group, NioSocketChannel.class, System::nanoTime);
  }

  private static DohUpstream doh(ScriptedDohPeer peer) throws Exception {
    return doh(settings(peer.url("doh.test")));
  }

  private static Message query(String name) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  private static UpstreamException failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  private static List<Message> all(List<CompletableFuture<Message>> futures) throws Exception {
    List<Message> replies = new ArrayList<>();
    for (CompletableFuture<Message> f : futures) {
      replies.add(f.get(10, TimeUnit.SECONDS));
    }
    return replies;
  }

  @Test
  void answersEveryQueryWhenGoawayLeavesStreamsAboveItsLastStreamIdUnprocessed() throws Exception {
    List<ScriptedDohPeer.Exchange> held = new ArrayList<>();
    ScriptedDohPeer.Script script = (r, x) -> {
      if (r.connection() > 0) {
        x.answer();
        return;
      }
      held.add(x);
      if (held.size() == 10) {
        int last = held.get(2).request().streamId();
        x.goAway(last);
        for (ScriptedDohPeer.Exchange h : held) {
          if (h.request().streamId() <= last) {
            h.answer();
          }
        }
      }
    };
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, script); DohUpstream up = doh(peer)) {
      List<CompletableFuture<Message>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(up.exchange(query("q" + i + ".example.test."), in(Duration.ofSeconds(5))));
      }
      List<Message> replies = all(futures);
      for (int i = 0; i < 10; i++) {
        assertEquals("q" + i + ".example.test.", replies.get(i).getQuestion().getName().toString());
      }
      assertEquals(2, peer.connections(), "the unprocessed streams went to a new connection");
      assertEquals(7, peer.requests().stream().filter(r -> r.connection() == 1).count());
    }
  }

  @Test
  void sendsAQueryAgainAfterItsStreamWasReset() throws Exception {
    Map<String, Integer> seen = new HashMap<>();
    ScriptedDohPeer.Script script = (r, x) -> {
      if (seen.merge(r.query().getQuestion().getName().toString(), 1, Integer::sum) == 1) {
        x.reset(Http2Error.INTERNAL_ERROR);
      } else {
        x.answer();
      }
    };
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, script); DohUpstream up = doh(peer)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      assertEquals(2, peer.requests().size());
    }
  }

  @Test
  void failsWithClosedWhenTheStreamIsResetAgain() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.reset(Http2Error.INTERNAL_ERROR));
        DohUpstream up = doh(peer)) {
      assertEquals(UpstreamException.Reason.CLOSED, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
      assertEquals(2, peer.requests().size(), "sent once, then once more");
    }
  }

  @Test
  void refusedStreamsAreSentAgainWithoutUsingUpTheResend() throws Exception {
    int[] seen = {0};
    ScriptedDohPeer.Script script = (r, x) -> {
      if (++seen[0] <= 3) {
        x.reset(Http2Error.REFUSED_STREAM); // not processed: does not count as a resend
      } else {
        x.answer();
      }
    };
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, script); DohUpstream up = doh(peer)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      assertEquals(4, peer.requests().size());
    }
  }

  @Test
  void sendsUnansweredQueriesOnANewConnectionWhenTheServerHangsUp() throws Exception {
    ScriptedDohPeer.Script script = (r, x) -> {
      if (r.connection() == 0) {
        x.closeConnection();
      } else {
        x.answer();
      }
    };
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, script); DohUpstream up = doh(peer)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      assertEquals(2, peer.connections());
    }
  }

  @Test
  void timesOutWhenTheReplyComesTooLate() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answerAfter(Duration.ofSeconds(3)));
        DohUpstream up = doh(peer)) {
      assertEquals(UpstreamException.Reason.TIMEOUT, failure(up.exchange(query("www.example.test."), in(Duration.ofMillis(500)))).reason());
    }
  }

  @Test
  void thePoolFailsOverWhenOneServerDropsReplies() throws Exception {
    try (ScriptedDohPeer silent = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.drop());
        ScriptedDohPeer good = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answer());
        UpstreamPool pool =
            new UpstreamPool(List.of(doh(silent), doh(good)), UpstreamPool.Selection.ORDERED, System::nanoTime, new Random(1))) {
      for (int i = 0; i < 3; i++) {
        Reply r = pool.exchange(query("www.example.test."), in(Duration.ofSeconds(2))).get(10, TimeUnit.SECONDS);
        assertEquals(Rcode.NOERROR, r.message().getRcode());
        assertTrue(r.upstream().label().contains(":" + good.port() + "/"), r.upstream().label());
      }
      assertEquals(2, silent.requests().size(), "after two timeouts the silent one rests");
    }
  }

  @Test
  void queuesQueriesBeyondTheServersMaxConcurrentStreams() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 2, (r, x) -> x.answerAfter(Duration.ofMillis(20)));
        DohUpstream up = doh(peer)) {
      List<CompletableFuture<Message>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(up.exchange(query("q" + i + ".example.test."), in(Duration.ofSeconds(8))));
      }
      assertEquals(20, all(futures).size());
      assertTrue(peer.maxOpenStreams() <= 2, "never more streams than the server allows: " + peer.maxOpenStreams());
      assertEquals(1, peer.connections());
    }
  }

  @Test
  void limitOutstandingQueriesCapsTheStreamsOnAConnection() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answerAfter(Duration.ofMillis(20)));
        DohUpstream up = doh(settings(peer.url("doh.test")).withLimitOutstandingQueries(3))) {
      List<CompletableFuture<Message>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(up.exchange(query("q" + i + ".example.test."), in(Duration.ofSeconds(8))));
      }
      assertEquals(20, all(futures).size());
      assertTrue(peer.maxOpenStreams() <= 3, "at most limit_outstanding_queries streams: " + peer.maxOpenStreams());
    }
  }

  @Test
  void mapsHttpErrorsToReasons() throws Exception {
    Map<String, Integer> statuses = Map.of("busy.example.test.", 503, "bad.example.test.", 400, "slow.example.test.", 504);
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.status(statuses.get(r.query().getQuestion().getName().toString())));
        DohUpstream up = doh(peer)) {
      assertEquals(UpstreamException.Reason.OVERLOADED, failure(up.exchange(query("busy.example.test."), in(Duration.ofSeconds(5)))).reason());
      assertEquals(UpstreamException.Reason.PROTOCOL, failure(up.exchange(query("bad.example.test."), in(Duration.ofSeconds(5)))).reason());
      assertEquals(UpstreamException.Reason.TIMEOUT, failure(up.exchange(query("slow.example.test."), in(Duration.ofSeconds(5)))).reason());
    }
  }

  @Test
  void sendsIdZeroPaddedToBlocksOf128() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answer()); DohUpstream up = doh(peer)) {
      up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      up.exchange(query("a-much-longer-name-than-the-first-one.with.many.labels.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      for (ScriptedDohPeer.Request r : peer.requests()) {
        assertEquals(0, r.query().getHeader().getID(), "RFC 8484 section 4.1");
        assertEquals(0, r.wireLength() % 128, "padded: " + r.wireLength());
        assertEquals("POST", r.method());
        assertEquals("/dns-query", r.path());
      }
    }
  }

  @Test
  void sendsGetWithTheQueryInTheDnsParameterWhenAsked() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answer());
        DohUpstream up = doh(settings(peer.url("doh.test")).withGet(true))) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      ScriptedDohPeer.Request r = peer.requests().get(0);
      assertEquals("GET", r.method());
      assertTrue(r.path().startsWith("/dns-query?dns="), r.path());
      assertTrue(!r.path().contains("="+"=") && !r.path().endsWith("="), "base64url without padding: " + r.path());
    }
  }

  @Test
  void refusesAPeerWhoseCertificateIsForAnotherName() throws Exception {
    TestCa.ServerCert other = ca.issue("other", "other.test");
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, other, 0, (r, x) -> x.answer()); DohUpstream up = doh(peer)) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
      assertEquals(0, peer.requests().size(), "nothing was sent");
    }
  }

  @Test
  void failsClosedOnAPinMismatchAndAcceptsAPinnedCaKey() throws Exception {
    TestCa unrelated = TestCa.create(dir.resolve("unrelated"));
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answer())) {
      DohSettings base = settings(peer.url("doh.test"));
      try (DohUpstream bad = doh(base.withTls(base.tls().withPins(PinSet.ofBase64(PinSet.pinOf(unrelated.certificate())))))) {
        assertEquals(UpstreamException.Reason.TLS, failure(bad.exchange(query("www.example.test."), in(Duration.ofSeconds(5)))).reason());
      }
      // DANE-TA as getdns adds it: the CA's key, sent in the server's chain, matches.
      try (DohUpstream good = doh(base.withTls(base.tls().withCaFile(unrelated.caFile()).withPins(PinSet.ofBase64(PinSet.pinOf(ca.certificate())))))) {
        assertEquals(Rcode.NOERROR, good.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      }
      assertEquals(1, peer.requests().size());
    }
  }

  @Test
  void acceptsPinsWithoutAnAuthNameWhenTheUrlNamesAnAddress() throws Exception {
    try (ScriptedDohPeer peer = ScriptedDohPeer.start(LOOPBACK, cert, 0, (r, x) -> x.answer())) {
      TlsSettings pinsOnly =
          TlsSettings.strict("unused").withAuthName(Optional.empty()).withPins(PinSet.ofBase64(PinSet.pinOf(cert.certificate())));
      DohSettings s = DohSettings.of(peer.url(LOOPBACK), InetAddress.getByName(LOOPBACK), pinsOnly, Duration.ofSeconds(10), Duration.ofSeconds(2), 100);
      try (DohUpstream up = doh(s)) {
        assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test."), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
      }
    }
  }
}

package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.ScriptedDotPeer;
import dev.palisade.upstream.testbed.ScriptedDotPeer.Fault;
import dev.palisade.upstream.testbed.TestCa;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Upstream faults (issue 10, part 4) against {@link ScriptedDotPeer}: each fails the query fast or
 * lets it time out at its deadline, never hangs, and a reply with the wrong ID or question is never
 * taken as the answer (RFC 5452 section 9.1, RFC 7766 section 7). In a pool, the faulty upstream
 * goes into backoff, every query is answered by the healthy one, and once healthy it is probed back.
 */
class DotFaultTest {

  static final String HOST = "127.0.0.1";

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.ServerCert cert;
  static EventLoopGroup group;

  @BeforeAll
  static void setUp() {
    ca = TestCa.create(dir.resolve("ca"));
    cert = ca.issue("dot", "dot.test");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  static DotUpstream dot(int port, int maxOutstanding) throws Exception {
    return new DotUpstream(
        new DotSettings(new InetSocketAddress(InetAddress.getByName(HOST), port),
            TlsSettings.strict("dot.test").withCaFile(ca.caFile()), Duration.ofSeconds(10), Duration.ofSeconds(2),
            maxOutstanding, 0, EdnsPrivacy.DEFAULT),
        group, NioSocketChannel.class, new SecureRandom(), System::nanoTime);
  }

  static Message query(String name) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  static UpstreamException failure(CompletableFuture<?> f) {
    // 10 s: a guard against a hang, far beyond any deadline used here.
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(UpstreamException.class, e.getCause());
  }

  @Test
  void aPeerThatCompletesTlsAndNeverAnswersTimesOutAtTheDeadline() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.SILENT); DotUpstream up = dot(peer.port(), 100)) {
      assertEquals(UpstreamException.Reason.TIMEOUT, failure(up.exchange(query("a.example.test."), in(Duration.ofMillis(700)))).reason());
      assertEquals(1, peer.queries(), "the query did reach the peer");
    }
  }

  @Test
  void garbageIsAProtocolErrorNotAnAnswer() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.GARBAGE); DotUpstream up = dot(peer.port(), 100)) {
      UpstreamException.Reason r = failure(up.exchange(query("a.example.test."), in(Duration.ofSeconds(2)))).reason();
      // Random bytes behind the right ID: unparseable (PROTOCOL), or by chance parseable but not
      // matching the question (PROTOCOL too).
      assertEquals(UpstreamException.Reason.PROTOCOL, r);
    }
  }

  @Test
  void aReplyWithAnotherIdIsNeverTakenForTheAnswer() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.WRONG_ID); DotUpstream up = dot(peer.port(), 100)) {
      assertEquals(UpstreamException.Reason.TIMEOUT, failure(up.exchange(query("a.example.test."), in(Duration.ofMillis(700)))).reason());
    }
  }

  @Test
  void aReplyForAnotherQuestionIsRejected() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.WRONG_QUESTION); DotUpstream up = dot(peer.port(), 100)) {
      assertEquals(UpstreamException.Reason.PROTOCOL, failure(up.exchange(query("a.example.test."), in(Duration.ofSeconds(2)))).reason());
    }
  }

  @Test
  void aResetInTheMiddleOfAReplyFailsTheQueryAfterOneResend() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.RESET_MID_STREAM); DotUpstream up = dot(peer.port(), 100)) {
      UpstreamException.Reason r = failure(up.exchange(query("a.example.test."), in(Duration.ofSeconds(3)))).reason();
      assertTrue(Set.of(UpstreamException.Reason.CLOSED, UpstreamException.Reason.CONNECT).contains(r), r.toString());
      assertTrue(peer.queries() >= 1);
    }
  }

  @Test
  void anExpiredCertificateIsRejected() throws Exception {
    TestCa.ServerCert expired = ca.issue("expired", Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)), "dot.test");
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, expired, Fault.NONE); DotUpstream up = dot(peer.port(), 100)) {
      assertEquals(UpstreamException.Reason.TLS, failure(up.exchange(query("a.example.test."), in(Duration.ofSeconds(3)))).reason());
      assertEquals(0, peer.queries(), "nothing was sent over the rejected connection");
    }
  }

  @Test
  void aHealthyPeerAnswers() throws Exception {
    // The control for the tests above: the same peer without a fault works.
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.NONE); DotUpstream up = dot(peer.port(), 100)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("a.example.test."), in(Duration.ofSeconds(3))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @Test
  void queriesBeyondMaxOutstandingFailAtOnceInsteadOfQueueing() throws Exception {
    try (ScriptedDotPeer peer = ScriptedDotPeer.start(HOST, cert, Fault.SILENT); DotUpstream up = dot(peer.port(), 3)) {
      List<CompletableFuture<Message>> waiting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        waiting.add(up.exchange(query("w" + i + ".example.test."), in(Duration.ofSeconds(30))));
      }
      UpstreamException e = failure(up.exchange(query("x.example.test."), in(Duration.ofSeconds(30))));
      assertEquals(UpstreamException.Reason.OVERLOADED, e.reason());
      // Failed while the three before it still wait for their 30 s deadline: it did not queue.
      waiting.forEach(w -> assertFalse(w.isDone()));
    }
  }

  /** Records the pool's health events. */
  static final class Health implements UpstreamListener {
    final List<UpstreamId> started = new ArrayList<>();
    final List<UpstreamId> ended = new ArrayList<>();

    @Override
    public synchronized void backoffStarted(UpstreamId upstream, Duration wait, int failures, Throwable cause) {
      started.add(upstream);
    }

    @Override
    public synchronized void backoffEnded(UpstreamId upstream) {
      ended.add(upstream);
    }

    synchronized boolean startedFor(UpstreamId id) {
      return started.contains(id);
    }

    synchronized boolean endedFor(UpstreamId id) {
      return ended.contains(id);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"SILENT", "GARBAGE", "WRONG_ID", "WRONG_QUESTION", "RESET_MID_STREAM"})
  void aPoolAnswersEveryQueryFromTheHealthyPeerBacksOffTheFaultyOneAndProbesItBack(Fault fault) throws Exception {
    Health health = new Health();
    try (ScriptedDotPeer bad = ScriptedDotPeer.start(HOST, cert, fault);
        ScriptedDotPeer good = ScriptedDotPeer.start(HOST, cert, Fault.NONE)) {
      DotUpstream badUp = dot(bad.port(), 100);
      DotUpstream goodUp = dot(good.port(), 100);
      PoolSettings settings = PoolSettings.defaults(UpstreamPool.Selection.ORDERED)
          .withBackoff(Duration.ofMillis(200), Duration.ofMillis(400));
      try (UpstreamPool pool = new UpstreamPool(List.of(badUp, goodUp), settings, System::nanoTime, new SecureRandom(), health)) {
        for (int i = 0; i < 20; i++) {
          Reply r = pool.exchange(query("q" + i + ".example.test."), in(Duration.ofSeconds(3))).get(10, TimeUnit.SECONDS);
          assertEquals(Rcode.NOERROR, r.message().getRcode());
          assertEquals(goodUp.id(), r.upstream(), "answered by the healthy peer");
        }
        assertTrue(health.startedFor(badUp.id()), "the faulty peer is in backoff");
        bad.fault(Fault.NONE);
        long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        boolean answeredByBad = false;
        while (!answeredByBad) {
          assertTrue(System.nanoTime() < end, "the recovered peer was never probed back");
          Reply r = pool.exchange(query("p.example.test."), in(Duration.ofSeconds(3))).get(10, TimeUnit.SECONDS);
          assertEquals(Rcode.NOERROR, r.message().getRcode());
          answeredByBad = r.upstream().equals(badUp.id());
          Thread.sleep(50);
        }
        assertTrue(health.endedFor(badUp.id()), "its backoff ended");
      }
    }
  }
}

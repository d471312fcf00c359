package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class UpstreamPoolTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** A scripted upstream: answers or fails as told, and records the deadlines it was given. */
  private final class Fake implements Upstream {
    final UpstreamId id;
    boolean fail;
    final List<Long> deadlines = new ArrayList<>();

    Fake(String name) {
      this.id = new UpstreamId(name);
    }

    @Override
    public UpstreamId id() {
      return id;
    }

    @Override
    public CompletableFuture<Message> exchange(Message query, long deadlineNanos) {
      deadlines.add(deadlineNanos);
      if (fail) {
        return CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Reason.CONNECT, id + " down"));
      }
      Message reply = new Message();
      reply.getHeader().setFlag(org.xbill.DNS.Flags.QR);
      return CompletableFuture.completedFuture(reply);
    }

    @Override
    public void close() {}
  }

  private static Message query() throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.A, DClass.IN)));
  }

  private UpstreamPool pool(UpstreamPool.Selection s, Fake... fakes) {
    return new UpstreamPool(List.of(fakes), s, now::get, new Random(1));
  }

  private long deadline() {
    return now.get() + TimeUnit.SECONDS.toNanos(5);
  }

  @Test
  void failsOverToTheNextUpstreamWhenTheFirstFails() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    Reply r = pool(UpstreamPool.Selection.ORDERED, a, b).exchange(query(), deadline()).get();
    assertEquals(b.id, r.upstream());
    assertEquals(1, a.deadlines.size());
  }

  @Test
  void firstAttemptGetsOnlyItsShareOfTheDeadline() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    long deadline = deadline();
    pool(UpstreamPool.Selection.ORDERED, a, b).exchange(query(), deadline).get();
    long budget = a.deadlines.get(0) - now.get();
    assertEquals((deadline - now.get()) / 2, budget, "two upstreams share the remaining time");
  }

  @Test
  void orderedSelectionAlwaysStartsWithTheFirstHealthyUpstream() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a, b);
    for (int i = 0; i < 4; i++) {
      assertEquals(a.id, p.exchange(query(), deadline()).get().upstream());
    }
  }

  @Test
  void roundRobinSpreadsQueriesOverUpstreams() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    UpstreamPool p = pool(UpstreamPool.Selection.ROUND_ROBIN, a, b);
    List<UpstreamId> used = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      used.add(p.exchange(query(), deadline()).get().upstream());
    }
    assertEquals(List.of(a.id, b.id, a.id, b.id), used);
  }

  @Test
  void failsWithTheLastErrorWhenEveryUpstreamFails() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    b.fail = true;
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> pool(UpstreamPool.Selection.ORDERED, a, b).exchange(query(), deadline()).get());
    UpstreamException cause = assertInstanceOf(UpstreamException.class, e.getCause());
    assertTrue(cause.getMessage().contains("b"));
  }

  @Test
  void anUpstreamThatKeepsFailingIsTriedLastUntilItsBackoffEnds() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a, b);
    for (int i = 0; i < UpstreamPool.FAILURES_BEFORE_BACKOFF; i++) {
      p.exchange(query(), deadline()).get();
    }
    int triedBefore = a.deadlines.size();
    assertSame(b, p.order().get(0).upstream);
    p.exchange(query(), deadline()).get();
    assertEquals(triedBefore, a.deadlines.size(), "a resting upstream is not tried while another answers");

    a.fail = false;
    now.addAndGet(UpstreamPool.MAX_BACKOFF_NANOS);
    assertSame(a, p.order().get(0).upstream, "after its backoff it is first again");
    assertEquals(a.id, p.exchange(query(), deadline()).get().upstream());
    assertTrue(p.anyAvailable());
  }

  @Test
  void restingUpstreamsAreStillTriedWhenNoOtherIsLeft() throws Exception {
    Fake a = new Fake("a");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a);
    for (int i = 0; i < UpstreamPool.FAILURES_BEFORE_BACKOFF; i++) {
      p.exchange(query(), deadline()).exceptionally(e -> null).get();
    }
    assertFalse(p.anyAvailable());
    a.fail = false;
    assertEquals(a.id, p.exchange(query(), deadline()).get().upstream());
  }
}

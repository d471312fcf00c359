package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class UpstreamPoolTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** A scripted upstream: answers, fails, or holds as told, taking {@code latency} of the fake clock. */
  private final class Fake implements Upstream {
    final UpstreamId id;
    boolean fail;
    UpstreamException.Reason reason = UpstreamException.Reason.CONNECT;
    boolean hold;
    long latency;
    final List<Long> deadlines = new ArrayList<>();
    final List<CompletableFuture<Message>> held = new ArrayList<>();

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
      if (hold) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        held.add(f);
        return f;
      }
      now.addAndGet(latency);
      if (fail) {
        return CompletableFuture.failedFuture(new UpstreamException(reason, id + " down"));
      }
      return CompletableFuture.completedFuture(reply());
    }

    @Override
    public void close() {}
  }

  private static Message reply() {
    Message reply = new Message();
    reply.getHeader().setFlag(Flags.QR);
    return reply;
  }

  /** Records what the pool reports. */
  private static final class Events implements UpstreamListener {
    final List<String> log = new ArrayList<>();

    @Override
    public synchronized void backoffStarted(UpstreamId upstream, Duration wait, int failures, Throwable cause) {
      log.add("backoff " + upstream);
    }

    @Override
    public synchronized void backoffEnded(UpstreamId upstream) {
      log.add("back " + upstream);
    }
  }

  private static Message query() throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.A, DClass.IN)));
  }

  private UpstreamPool pool(UpstreamPool.Selection s, Fake... fakes) {
    return new UpstreamPool(List.of(fakes), s, now::get, new Random(1));
  }

  private UpstreamPool pool(PoolSettings s, UpstreamListener l, Fake... fakes) {
    return new UpstreamPool(List.of(fakes), s, now::get, new Random(1), l);
  }

  private long deadline() {
    return now.get() + TimeUnit.SECONDS.toNanos(5);
  }

  private static final long BACKOFF_MAX = PoolSettings.DEFAULT_BACKOFF_MAX.toNanos();

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
        assertThrows(ExecutionException.class, () -> pool(UpstreamPool.Selection.ORDERED, a, b).exchange(query(), deadline()).get());
    UpstreamException cause = assertInstanceOf(UpstreamException.class, e.getCause());
    assertTrue(cause.getMessage().contains("b"));
  }

  @Test
  void anUpstreamThatKeepsFailingIsTriedLastUntilItsBackoffEnds() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a, b);
    for (int i = 0; i < PoolSettings.DEFAULT_CONNECTION_RETRIES; i++) {
      p.exchange(query(), deadline()).get();
    }
    int triedBefore = a.deadlines.size();
    assertSame(b, p.order().get(0).upstream);
    p.exchange(query(), deadline()).get();
    assertEquals(triedBefore, a.deadlines.size(), "a resting upstream is not tried while another answers");
    assertEquals(List.of(a.id), p.resting());

    a.fail = false;
    now.addAndGet(BACKOFF_MAX);
    assertSame(a, p.order().get(0).upstream, "after its backoff it is first again");
    assertEquals(a.id, p.exchange(query(), deadline()).get().upstream());
    assertTrue(p.anyAvailable());
    assertEquals(List.of(), p.resting());
  }

  @Test
  void restingUpstreamsAreStillTriedWhenNoOtherIsLeft() throws Exception {
    Fake a = new Fake("a");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a);
    for (int i = 0; i < PoolSettings.DEFAULT_CONNECTION_RETRIES; i++) {
      p.exchange(query(), deadline()).exceptionally(e -> null).get();
    }
    assertFalse(p.anyAvailable());
    a.fail = false;
    assertEquals(a.id, p.exchange(query(), deadline()).get().upstream());
  }

  @Test
  void onlyOneProbeAtATimeGoesToAnUpstreamWhoseBackoffEnded() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a, b);
    for (int i = 0; i < PoolSettings.DEFAULT_CONNECTION_RETRIES; i++) {
      p.exchange(query(), deadline()).get();
    }
    now.addAndGet(BACKOFF_MAX);
    a.fail = false;
    a.hold = true;
    int before = a.deadlines.size();
    CompletableFuture<Reply> probe = p.exchange(query(), deadline());
    List<UpstreamId> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(p.exchange(query(), deadline()).get().upstream());
    }
    assertEquals(before + 1, a.deadlines.size(), "exactly one probe went to a");
    assertEquals(List.of(b.id, b.id, b.id, b.id, b.id), others, "the rest avoided it");
    a.held.get(0).complete(reply());
    assertEquals(a.id, probe.get().upstream());
    a.hold = false;
    assertEquals(a.id, p.exchange(query(), deadline()).get().upstream(), "the probe's success brought it back");
  }

  @Test
  void aFailedProbeDoublesTheBackoffUpToItsMaximum() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    PoolSettings s = PoolSettings.defaults(UpstreamPool.Selection.ORDERED).withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8));
    UpstreamPool p = pool(s, UpstreamListener.NONE, a, b);
    for (int i = 0; i < s.connectionRetries(); i++) {
      p.exchange(query(), deadline()).get();
    }
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long wait = p.order().get(1).retryAtNanos - now.get();
      waits.add(wait);
      now.addAndGet(wait);
      p.exchange(query(), deadline()).get(); // the probe fails, b answers
    }
    long[] bases = {1, 2, 4, 8, 8, 8};
    for (int i = 0; i < bases.length; i++) {
      long base = TimeUnit.SECONDS.toNanos(bases[i]);
      long w = waits.get(i);
      assertTrue(w >= base / 2 && w <= base, "backoff " + i + " is " + w + " ns, jittered below " + base);
    }
  }

  @Test
  void failuresOfQueriesInFlightBeforeTheBackoffDoNotExtendIt() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.hold = true;
    Events events = new Events();
    UpstreamPool p = pool(PoolSettings.defaults(UpstreamPool.Selection.ORDERED), events, a, b);
    List<CompletableFuture<Reply>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(p.exchange(query(), deadline()));
    }
    assertEquals(50, a.held.size());
    for (CompletableFuture<Message> f : a.held) {
      f.completeExceptionally(new UpstreamException(UpstreamException.Reason.CLOSED, "a died"));
    }
    for (CompletableFuture<Reply> r : all) {
      assertEquals(b.id, r.get().upstream(), "each query was retried on b");
    }
    assertEquals(List.of("backoff a"), events.log, "one backoff for fifty failures");
    long wait = p.order().get(1).retryAtNanos - now.get();
    assertTrue(wait <= TimeUnit.SECONDS.toNanos(1), "the first backoff, not the fiftieth: " + wait);
  }

  @Test
  void overloadIsNotCountedAsAFailureOfTheUpstream() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    a.reason = UpstreamException.Reason.OVERLOADED;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a, b);
    for (int i = 0; i < 5; i++) {
      assertEquals(b.id, p.exchange(query(), deadline()).get().upstream());
    }
    assertEquals(List.of(), p.resting());
  }

  @Test
  void fastestSelectionPrefersTheLowestAverageRtt() throws Exception {
    Fake slow = new Fake("slow");
    Fake fast = new Fake("fast");
    slow.latency = TimeUnit.MILLISECONDS.toNanos(80);
    fast.latency = TimeUnit.MILLISECONDS.toNanos(5);
    UpstreamPool p = pool(PoolSettings.defaults(UpstreamPool.Selection.FASTEST).withExplore(0), UpstreamListener.NONE, slow, fast);
    // Unmeasured upstreams go first, so both get measured.
    Map<UpstreamId, Integer> used = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      used.merge(p.exchange(query(), deadline()).get().upstream(), 1, Integer::sum);
    }
    assertEquals(1, used.get(slow.id), "slow was measured once, then avoided");
    assertEquals(19, used.get(fast.id));
  }

  @Test
  void fastestSelectionExploresSoARecoveredUpstreamIsMeasuredAgain() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.latency = TimeUnit.MILLISECONDS.toNanos(200);
    b.latency = TimeUnit.MILLISECONDS.toNanos(20);
    UpstreamPool p = pool(PoolSettings.defaults(UpstreamPool.Selection.FASTEST).withExplore(0.2), UpstreamListener.NONE, a, b);
    for (int i = 0; i < 20; i++) {
      p.exchange(query(), deadline()).get();
    }
    a.latency = TimeUnit.MILLISECONDS.toNanos(2); // a recovered
    int aBefore = a.deadlines.size();
    for (int i = 0; i < 200; i++) {
      p.exchange(query(), deadline()).get();
    }
    assertTrue(a.deadlines.size() - aBefore > 100, "a was re-measured, found faster, and preferred: " + (a.deadlines.size() - aBefore));
  }

  @Test
  void timeoutsCountAsSlowForFastestSelection() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    b.latency = TimeUnit.MILLISECONDS.toNanos(30);
    UpstreamPool p = pool(PoolSettings.defaults(UpstreamPool.Selection.FASTEST).withExplore(0).withConnectionRetries(100), UpstreamListener.NONE, a, b);
    p.exchange(query(), deadline()).get(); // a, unmeasured, first: 0 ns
    p.exchange(query(), deadline()).get(); // b, unmeasured
    a.fail = true;
    a.reason = UpstreamException.Reason.TIMEOUT;
    a.latency = TimeUnit.SECONDS.toNanos(2);
    assertEquals(b.id, p.exchange(query(), deadline()).get().upstream());
    assertSame(b, p.order().get(0).upstream, "a's timeout made it slower than b");
  }

  @Test
  void reportsBackoffAndRecoveryToTheListener() throws Exception {
    Fake a = new Fake("a");
    Fake b = new Fake("b");
    a.fail = true;
    Events events = new Events();
    UpstreamPool p = pool(PoolSettings.defaults(UpstreamPool.Selection.ORDERED), events, a, b);
    for (int i = 0; i < 3; i++) {
      p.exchange(query(), deadline()).get();
    }
    a.fail = false;
    now.addAndGet(BACKOFF_MAX);
    p.exchange(query(), deadline()).get();
    assertEquals(List.of("backoff a", "back a"), events.log);
  }

  @Test
  void failsAtOnceWhenTheOnlyUpstreamIsRestingAndAlreadyBeingProbed() throws Exception {
    Fake a = new Fake("a");
    a.fail = true;
    UpstreamPool p = pool(UpstreamPool.Selection.ORDERED, a);
    for (int i = 0; i < PoolSettings.DEFAULT_CONNECTION_RETRIES; i++) {
      p.exchange(query(), deadline()).exceptionally(e -> null).get();
    }
    a.hold = true;
    CompletableFuture<Reply> probe = p.exchange(query(), deadline());
    ExecutionException e = assertThrows(ExecutionException.class, () -> p.exchange(query(), deadline()).get());
    assertInstanceOf(UpstreamException.class, e.getCause());
    a.held.get(0).complete(reply());
    assertEquals(a.id, probe.get().upstream());
  }
}

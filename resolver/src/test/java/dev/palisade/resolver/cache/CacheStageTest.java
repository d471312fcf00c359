package dev.palisade.resolver.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.CacheConfig;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.upstream.UpstreamException;
import dev.palisade.upstream.UpstreamId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The cache stage in front of a scripted upstream, with time under the test's control. */
class CacheStageTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private final CacheCounters counters = new CacheCounters();

  /** Plays the upstream: answers with what the test queued, records what it was asked. */
  private final class Upstream implements Stage {
    final Deque<CompletableFuture<Answer>> script = new ArrayDeque<>();
    final List<Message> asked = new ArrayList<>();

    void answer(Message m) {
      script.add(CompletableFuture.completedFuture(new Answer(m, Source.UPSTREAM, Optional.of(new UpstreamId("up")))));
    }

    void fail() {
      script.add(CompletableFuture.failedFuture(new UpstreamException(UpstreamException.Reason.CONNECT, "down")));
    }

    CompletableFuture<Answer> hold() {
      CompletableFuture<Answer> f = new CompletableFuture<>();
      script.add(f);
      return f;
    }

    @Override
    public CompletableFuture<Answer> handle(dev.palisade.resolver.chain.Chain chain) {
      asked.add(chain.query().message());
      if (script.isEmpty()) {
        throw new AssertionError("unexpected upstream query: " + chain.query().message().getQuestion());
      }
      return script.poll();
    }
  }

  private final Upstream upstream = new Upstream();

  private Pipeline pipeline(CacheConfig config) {
    DnsCache cache = new DnsCache(config, now::get, counters);
    return new Pipeline(List.of(new CacheStage(cache, config, now::get, counters), upstream));
  }

  private final Pipeline pipeline = pipeline(CacheConfig.DEFAULTS);

  private int asks;

  /**
   * Asks by turns as the server takes queries in, read from their bytes, and as parsed by dnsjava
   * (the other shapes): keys made both ways must find the same entries.
   */
  private Answer ask(Pipeline p, Message m) throws Exception {
    Client client = new Client(new InetSocketAddress("127.0.0.1", 5000), Protocol.UDP);
    long deadline = now.get() + TimeUnit.SECONDS.toNanos(5);
    Query q = asks++ % 2 == 0 ? Query.read(m.toWire(), client, now.get(), deadline) : new Query(m, client, now.get(), deadline);
    assertNotNull(q);
    return p.handle(q).get(5, TimeUnit.SECONDS);
  }

  private Answer ask(String name) throws Exception {
    return ask(pipeline, Answers.query(name, Type.A, false));
  }

  private void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  private static long ttl(Answer a) {
    return a.message().getSection(Section.ANSWER).get(0).getTTL();
  }

  @Test
  void answersARepeatedQueryFromTheCacheWithItsTtlAged() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 300, "192.0.2.1"));
    Answer first = ask("www.example.test.");
    assertEquals(Source.UPSTREAM, first.source());
    assertEquals(300, ttl(first));
    advance(100);
    Answer second = ask("WWW.Example.TEST.");
    assertEquals(Source.CACHE, second.source(), "keys ignore letter case");
    assertEquals(200, ttl(second));
    assertEquals(1, upstream.asked.size());
    assertEquals(1, counters.hits());
    assertEquals(1, counters.misses());
  }

  @Test
  void anExpiredEntryIsFetchedAgain() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.1"));
    ask("www.example.test.");
    advance(61);
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.2"));
    Answer again = ask("www.example.test.");
    assertEquals(Source.UPSTREAM, again.source());
    assertEquals(2, upstream.asked.size());
  }

  @Test
  void identicalConcurrentMissesShareOneExchange() throws Exception {
    CompletableFuture<Answer> held = upstream.hold();
    Query q = new Query(Answers.query("www.example.test.", Type.A, false), new Client(new InetSocketAddress("127.0.0.1", 1), Protocol.UDP), now.get(), now.get() + 1);
    List<CompletableFuture<Answer>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(pipeline.handle(q));
    }
    assertEquals(1, upstream.asked.size(), "one exchange for ten queries");
    held.complete(new Answer(Answers.a("www.example.test.", 300, "192.0.2.1"), Source.UPSTREAM, Optional.empty()));
    for (CompletableFuture<Answer> w : waiting) {
      assertEquals("192.0.2.1", w.get(1, TimeUnit.SECONDS).message().getSection(Section.ANSWER).get(0).rdataToString());
    }
    assertEquals(9, counters.coalesced());
  }

  @Test
  void aFailedExchangeFailsEveryWaiterAndIsNotCached() throws Exception {
    upstream.fail();
    ExecutionException e = assertThrows(ExecutionException.class, () -> ask("www.example.test."));
    assertTrue(e.getCause() instanceof UpstreamException);
    upstream.answer(Answers.a("www.example.test.", 300, "192.0.2.1"));
    assertEquals(Source.UPSTREAM, ask("www.example.test.").source(), "the next query goes upstream again");
  }

  @Test
  void negativeAnswersAreCachedForTheSoaMinimum() throws Exception {
    upstream.answer(Answers.negative("nope.example.test.", Rcode.NXDOMAIN, 3600, 120));
    ask("nope.example.test.");
    advance(119);
    Answer cached = ask("nope.example.test.");
    assertEquals(Source.CACHE, cached.source());
    assertEquals(Rcode.NXDOMAIN, cached.message().getRcode());
    advance(2);
    upstream.answer(Answers.negative("nope.example.test.", Rcode.NXDOMAIN, 3600, 120));
    assertEquals(Source.UPSTREAM, ask("nope.example.test.").source());
  }

  @Test
  void truncatedAnswersReachTheClientButAreNotCached() throws Exception {
    Message tc = Answers.a("big.example.test.", 300, "192.0.2.1");
    tc.getHeader().setFlag(Flags.TC);
    upstream.answer(tc);
    assertTrue(ask("big.example.test.").message().getHeader().getFlag(Flags.TC));
    upstream.answer(Answers.a("big.example.test.", 300, "192.0.2.1"));
    assertEquals(Source.UPSTREAM, ask("big.example.test.").source());
  }

  @Test
  void theDoBitSelectsADifferentEntry() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 300, "192.0.2.1"));
    ask(pipeline, Answers.query("www.example.test.", Type.A, false));
    upstream.answer(Answers.a("www.example.test.", 300, "192.0.2.1"));
    assertEquals(Source.UPSTREAM, ask(pipeline, Answers.query("www.example.test.", Type.A, true)).source());
    assertEquals(Source.CACHE, ask(pipeline, Answers.query("www.example.test.", Type.A, true)).source());
  }

  @Test
  void servesStaleWithTtl30WhenTheRefreshFailsAndRetriesAfter30Seconds() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.1"));
    ask("www.example.test.");
    advance(600);
    upstream.fail();
    Answer stale = ask("www.example.test.");
    assertEquals(Source.STALE, stale.source());
    assertEquals(CachedAnswer.STALE_TTL_SECONDS, ttl(stale));
    assertEquals("192.0.2.1", stale.message().getSection(Section.ANSWER).get(0).rdataToString());
    advance(10);
    assertEquals(Source.STALE, ask("www.example.test.").source(), "within 30 s no new attempt (RFC 8767 section 5)");
    assertEquals(2, upstream.asked.size());
    advance(25);
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.9"));
    Answer fresh = ask("www.example.test.");
    assertEquals(Source.UPSTREAM, fresh.source(), "a fresh answer replaces the stale one");
    assertEquals("192.0.2.9", fresh.message().getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals(Source.CACHE, ask("www.example.test.").source());
    assertEquals(2, counters.staleServed());
  }

  @Test
  void servesStaleWhenTheUpstreamAnswersServfail() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.1"));
    ask("www.example.test.");
    advance(120);
    upstream.answer(Answers.reply("www.example.test.", Rcode.SERVFAIL));
    assertEquals(Source.STALE, ask("www.example.test.").source());
  }

  @Test
  void doesNotServeStaleBeyondTheStaleMaxAgeOrWhenTurnedOff() throws Exception {
    upstream.answer(Answers.a("www.example.test.", 60, "192.0.2.1"));
    ask("www.example.test.");
    advance(60 + CacheConfig.DEFAULTS.staleMaxAge().toSeconds() + 1);
    upstream.fail();
    assertThrows(ExecutionException.class, () -> ask("www.example.test."));

    CacheConfig noStale = new CacheConfig(1 << 20, Duration.ZERO, Duration.ofDays(1), true, false, Duration.ofDays(1));
    Pipeline p = pipeline(noStale);
    upstream.answer(Answers.a("other.example.test.", 60, "192.0.2.1"));
    ask(p, Answers.query("other.example.test.", Type.A, false));
    advance(61);
    upstream.fail();
    assertThrows(ExecutionException.class, () -> ask(p, Answers.query("other.example.test.", Type.A, false)));
  }

  @Test
  void prefetchesAPopularEntryOnceNearItsExpiry() throws Exception {
    upstream.answer(Answers.a("hot.example.test.", 100, "192.0.2.1"));
    ask("hot.example.test.");
    ask("hot.example.test.");
    advance(50);
    ask("hot.example.test.");
    assertEquals(1, upstream.asked.size(), "no prefetch while far from expiry");
    advance(45); // 5 of 100 seconds left: the last tenth
    upstream.answer(Answers.a("hot.example.test.", 100, "192.0.2.2"));
    Answer served = ask("hot.example.test.");
    assertEquals(Source.CACHE, served.source(), "the query itself is answered from the cache");
    assertEquals(2, upstream.asked.size(), "one background refresh");
    ask("hot.example.test.");
    assertEquals(2, upstream.asked.size(), "only once");
    advance(10); // the old entry would have expired by now
    Answer after = ask("hot.example.test.");
    assertEquals(Source.CACHE, after.source(), "the hot name never misses");
    assertEquals("192.0.2.2", after.message().getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals(1, counters.prefetches());
  }

  @Test
  void anUnpopularEntryIsNotPrefetched() throws Exception {
    upstream.answer(Answers.a("cold.example.test.", 100, "192.0.2.1"));
    ask("cold.example.test.");
    advance(95);
    ask("cold.example.test.");
    assertEquals(1, upstream.asked.size());
    assertEquals(0, counters.prefetches());
  }

  @Test
  void aFloodOfNewNamesStaysWithinTheByteBound() throws Exception {
    long bound = 256 << 10;
    CacheConfig small = new CacheConfig(bound, Duration.ZERO, Duration.ofDays(1), true, true, Duration.ofDays(1));
    DnsCache cache = new DnsCache(small, now::get, counters);
    Stage answerAll = chain -> {
      Record q = chain.query().message().getQuestion();
      try {
        return CompletableFuture.completedFuture(new Answer(Answers.a(q.getName().toString(), 3600, "192.0.2.1"), Source.UPSTREAM, Optional.empty()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    Pipeline p = new Pipeline(List.of(new CacheStage(cache, small, now::get, counters), answerAll));
    for (int i = 0; i < 50_000; i++) {
      ask(p, Answers.query("n" + i + ".flood.example.test.", Type.A, false));
      assertTrue(cache.bytes() <= bound, "weight " + cache.bytes() + " after " + i);
    }
    cache.cleanUp();
    assertTrue(cache.bytes() <= bound);
    assertTrue(cache.entries() < 5_000, "entries " + cache.entries());
    assertTrue(counters.evictions() > 40_000, "evictions " + counters.evictions());
    assertFalse(cache.entries() == 0);
  }

  @Test
  void theFetchingQuerySeesTtlsRaisedByMinTtlToo() throws Exception {
    CacheConfig floor = new CacheConfig(1 << 20, Duration.ofSeconds(60), Duration.ofDays(1), true, true, Duration.ofDays(1));
    Pipeline p = pipeline(floor);
    upstream.answer(Answers.a("short.example.test.", 5, "192.0.2.1"));
    assertEquals(60, ttl(ask(p, Answers.query("short.example.test.", Type.A, false))), "clamped for the first client as for the rest");
    assertEquals(60, ttl(ask(p, Answers.query("short.example.test.", Type.A, false))));
  }

  @Test
  void theFetchingQueryKeepsTheValidatorsVerdict() throws Exception {
    upstream.script.add(CompletableFuture.completedFuture(new Answer(Answers.a("signed.example.test.", 300, "192.0.2.1"), Source.UPSTREAM,
        Optional.of(new UpstreamId("up")), Optional.of(dev.palisade.dnssec.SecurityStatus.SECURE))));
    Answer first = ask("signed.example.test.");
    assertEquals(Optional.of(dev.palisade.dnssec.SecurityStatus.SECURE), first.security());
    assertEquals(Optional.of(new UpstreamId("up")), first.upstream());
  }
}

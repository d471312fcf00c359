package dev.palisade.resolver.cache;

import dev.palisade.config.CacheConfig;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.upstream.UpstreamId;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;

/**
 * Answers from the cache when it can, and otherwise lets exactly one query per key go further while
 * the others wait for its answer.
 *
 * <ul>
 *   <li>Fresh entry: answered with its TTLs aged; a popular entry in the last tenth of its TTL is
 *       refreshed once in the background (prefetch), so hot names never miss.
 *   <li>Expired entry: refreshed; if that fails and serve-stale is on, the expired answer is served
 *       with TTL 30 and no refresh is tried for 30 seconds (RFC 8767 sections 4 and 5).
 *   <li>Failed exchanges are never stored; answers that must not be cached (truncated, REFUSED, TTL
 *       0) reach the queries that waited for them and are dropped.
 * </ul>
 */
public final class CacheStage implements Stage {

  private static final Logger log = LoggerFactory.getLogger(CacheStage.class);

  /** RFC 8767 section 5: after a failed refresh, wait this long before trying again. */
  static final long FAILURE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Entries with shorter TTLs are not prefetched: they would be refreshed all the time. */
  static final long MIN_PREFETCH_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Hits an entry needs before it counts as popular enough to prefetch. */
  static final int PREFETCH_MIN_HITS = 2;

  private final DnsCache cache;
  private final ConcurrentMap<CacheKey, CompletableFuture<CachedAnswer>> map;
  private final CacheConfig config;
  private final LongSupplier nanoTime;
  private final CacheListener listener;

  public CacheStage(DnsCache cache, CacheConfig config, LongSupplier nanoTime, CacheListener listener) {
    this.cache = cache;
    this.map = cache.map();
    this.config = config;
    this.nanoTime = nanoTime;
    this.listener = listener;
  }

  public DnsCache cache() {
    return cache;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    CacheKey key = CacheKey.of(chain.query());
    long now = nanoTime.getAsLong();
    CompletableFuture<CachedAnswer> current = map.get(key);
    if (current != null && !current.isDone()) {
      listener.onCoalesced();
      return current.thenApply(e -> respond(e, Source.UPSTREAM, Optional.empty()));
    }
    CachedAnswer entry = current == null ? null : current.getNow(null);
    if (entry != null && entry.fresh(now)) {
      listener.onHit();
      int hits = entry.hits.incrementAndGet();
      maybePrefetch(chain, key, current, entry, hits, now);
      // As bytes: unless a stage needs its records, the hit reaches the client without a parse.
      return CompletableFuture.completedFuture(Answer.ofWire(entry.wire(now), entry.rcode, Source.CACHE, Optional.empty()));
    }
    if (entry != null && entry.stale && now - entry.staleRetryAtNanos < 0) {
      listener.onStaleServed();
      return CompletableFuture.completedFuture(Answer.ofWire(entry.staleWire(), entry.rcode, Source.STALE, Optional.empty()));
    }
    // Missing, failed, expired, or stale and due for a retry: fetch, keeping any stale answer as
    // the fallback.
    CachedAnswer fallback = entry != null && entry.servableStale(now) && config.serveStale() ? entry : null;
    CompletableFuture<CachedAnswer> mine = new CompletableFuture<>();
    boolean won = current == null ? map.putIfAbsent(key, mine) == null : map.replace(key, current, mine);
    if (!won) {
      // Another query got there first between our look and our write: wait for its answer.
      CompletableFuture<CachedAnswer> theirs = map.get(key);
      if (theirs != null) {
        listener.onCoalesced();
        return theirs.thenApply(e -> respond(e, Source.UPSTREAM, Optional.empty()));
      }
      return chain.proceed(chain.query());
    }
    listener.onMiss();
    return fetch(chain, chain.query(), key.dnssecOk(), mine, fallback);
  }

  /** Sends the query on and settles {@code into} with what comes back, for every waiting query. */
  private CompletableFuture<Answer> fetch(Chain chain, Query query, boolean dnssecOk, CompletableFuture<CachedAnswer> into, CachedAnswer fallback) {
    CompletableFuture<Answer> result = new CompletableFuture<>();
    CompletableFuture<Answer> sent;
    try {
      sent = chain.proceed(query);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (answer, error) -> {
          long now = nanoTime.getAsLong();
          boolean failed = error != null || answer.rcode() == Rcode.SERVFAIL;
          if (failed && fallback != null) {
            // RFC 8767: resolution failed, and we hold an answer that expired not too long ago.
            CachedAnswer stale = fallback.asStale(now + FAILURE_RECHECK_NANOS);
            into.complete(stale);
            listener.onStaleServed();
            result.complete(respond(stale, Source.STALE, Optional.empty()));
          } else if (error != null) {
            into.complete(CachedAnswer.failed(error, now)); // expires at once: nothing is stored
            result.completeExceptionally(error);
          } else {
            CachedAnswer fresh;
            try {
              // Only validated (or unvalidated, when validation is off) answers are kept: never a
              // bogus one, and never the SERVFAIL of an upstream failure.
              fresh = storable(answer) ? CachedAnswer.of(answer.message(), now, config, dnssecOk) : CachedAnswer.once(answer.message(), now, config);
            } catch (RuntimeException e) {
              log.debug("answer not cacheable: {}", e.toString());
              into.complete(CachedAnswer.failed(e, now));
              result.complete(answer);
              return;
            }
            into.complete(fresh);
            // The query that fetched it gets the answer as received (no re-parse, verdict kept),
            // unless min_ttl/max_ttl rewrote TTLs that every other client will see.
            result.complete(fresh.clampedTtls ? respond(fresh, answer.source(), answer.upstream()) : answer);
          }
        });
    return result;
  }

  private static boolean storable(Answer answer) {
    return answer.security().map(s -> s == SecurityStatus.SECURE || s == SecurityStatus.INSECURE).orElse(true);
  }

  private Answer respond(CachedAnswer e, Source source, Optional<UpstreamId> upstream) {
    if (e.failure != null) {
      throw e.failure instanceof CompletionException ? (CompletionException) e.failure : new CompletionException(e.failure);
    }
    if (e.stale) {
      return Answer.ofWire(e.staleWire(), e.rcode, Source.STALE, Optional.empty());
    }
    return Answer.ofWire(e.wire(nanoTime.getAsLong()), e.rcode, source, upstream);
  }

  /**
   * Refreshes a popular entry in the last tenth of its TTL, once, in the background: the query
   * that triggered it is already answered from the cache.
   */
  private void maybePrefetch(Chain chain, CacheKey key, CompletableFuture<CachedAnswer> current, CachedAnswer entry, int hits, long now) {
    if (!config.prefetch()
        || hits < PREFETCH_MIN_HITS
        || entry.ttlNanos < MIN_PREFETCH_TTL_NANOS
        || entry.remainingNanos(now) > entry.ttlNanos / 10
        || !entry.prefetching.compareAndSet(false, true)) {
      return;
    }
    listener.onPrefetch();
    Query query = chain.query();
    long deadline = now + (query.deadlineNanos() - query.receivedNanos());
    Query background = query.at(now, deadline);
    chain.proceed(background).whenComplete((answer, error) -> {
      if (error != null) {
        log.debug("prefetch failed: {}", error.toString());
        return; // the entry stays until it expires; a later query fetches as usual
      }
      try {
        CachedAnswer fresh = CachedAnswer.of(answer.message(), nanoTime.getAsLong(), config, key.dnssecOk());
        if (storable(answer) && fresh.cacheable()) {
          map.replace(key, current, CompletableFuture.completedFuture(fresh));
        }
      } catch (RuntimeException e) {
        log.debug("prefetched answer not cacheable: {}", e.toString());
      }
    });
  }
}

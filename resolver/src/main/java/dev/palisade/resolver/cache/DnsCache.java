package dev.palisade.resolver.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.palisade.config.CacheConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The store: Caffeine, bounded by weight in bytes, each entry living for its TTL plus the
 * serve-stale window. Values are futures, so a key with an exchange under way is already present and
 * later queries for it wait on that exchange instead of starting their own.
 */
public final class DnsCache {

  private final AsyncCache<CacheKey, CachedAnswer> cache;

  public DnsCache(CacheConfig config, LongSupplier nanoTime, CacheListener listener) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(config.sizeBytes())
            .weigher((CacheKey k, CachedAnswer v) -> k.weight() + v.weight())
            .expireAfter(new Lifetime())
            .ticker(nanoTime::getAsLong)
            // Maintenance on the calling thread: no pool to size, nothing running behind our back.
            .executor(Runnable::run)
            .evictionListener(
                (CacheKey k, CachedAnswer v, RemovalCause cause) -> {
                  if (cause == RemovalCause.SIZE && v != null) {
                    listener.onEviction(v.weight());
                  }
                })
            .buildAsync();
  }

  ConcurrentMap<CacheKey, CompletableFuture<CachedAnswer>> map() {
    return cache.asMap();
  }

  /** Entries held, in-flight exchanges included (approximate, as Caffeine counts). */
  public long entries() {
    return cache.synchronous().estimatedSize();
  }

  /** Weight held, in bytes (the figure the configured size bounds). */
  public long bytes() {
    return cache.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /** A new bound in bytes (a reload): Caffeine evicts down to it at once if it shrank. */
  public void resize(long sizeBytes) {
    cache.synchronous().policy().eviction().ifPresent(e -> e.setMaximum(sizeBytes));
  }

  /** Runs pending expiry and eviction work now (Caffeine otherwise does it as it is used). */
  public void cleanUp() {
    cache.synchronous().cleanUp();
  }

  /** Each entry lives until its own expiry time, whenever it was written or read. */
  private static final class Lifetime implements Expiry<CacheKey, CachedAnswer> {
    @Override
    public long expireAfterCreate(CacheKey key, CachedAnswer value, long now) {
      return Math.max(0, value.expiresAtNanos - now);
    }

    @Override
    public long expireAfterUpdate(CacheKey key, CachedAnswer value, long now, long currentDuration) {
      return Math.max(0, value.expiresAtNanos - now);
    }

    @Override
    public long expireAfterRead(CacheKey key, CachedAnswer value, long now, long currentDuration) {
      return currentDuration;
    }
  }
}

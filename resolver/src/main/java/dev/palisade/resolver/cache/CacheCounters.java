package dev.palisade.resolver.cache;

import java.util.concurrent.atomic.LongAdder;

/** Counts what the cache reports. */
public final class CacheCounters implements CacheListener {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder prefetches = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  @Override
  public void onHit() {
    hits.increment();
  }

  @Override
  public void onMiss() {
    misses.increment();
  }

  @Override
  public void onCoalesced() {
    coalesced.increment();
  }

  @Override
  public void onStaleServed() {
    stale.increment();
  }

  @Override
  public void onPrefetch() {
    prefetches.increment();
  }

  @Override
  public void onEviction(int weight) {
    evictions.increment();
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  public long coalesced() {
    return coalesced.sum();
  }

  public long staleServed() {
    return stale.sum();
  }

  public long prefetches() {
    return prefetches.sum();
  }

  public long evictions() {
    return evictions.sum();
  }
}

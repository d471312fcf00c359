package dev.palisade.resolver.cache;

/**
 * What the cache reports, for metrics and tests. Called on event loops: implementations must be
 * cheap and thread-safe.
 */
public interface CacheListener {
  default void onHit() {}

  default void onMiss() {}

  /** A query that joined an exchange already under way for the same key. */
  default void onCoalesced() {}

  default void onStaleServed() {}

  default void onPrefetch() {}

  /** An entry removed to keep within the size bound (not an expiry). */
  default void onEviction(int weight) {}

  CacheListener NONE = new CacheListener() {};
}

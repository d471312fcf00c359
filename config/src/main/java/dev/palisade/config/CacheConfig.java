package dev.palisade.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code cache:} section.
 *
 * @param sizeBytes {@code size}: bound on the memory the cache holds, in bytes ({@code 64MiB});
 *     0 turns the cache off
 * @param minTtl {@code min_ttl}: seconds; shorter TTLs are raised to this
 * @param maxTtl {@code max_ttl}: seconds; longer TTLs are cut to this
 * @param prefetch {@code prefetch}: refresh popular entries shortly before they expire
 * @param serveStale {@code serve_stale}: answer from expired entries when no upstream answers
 *     (RFC 8767)
 * @param staleMaxAge {@code stale_max_age}: seconds past expiry an entry may still be served stale
 */
public record CacheConfig(
    long sizeBytes, Duration minTtl, Duration maxTtl, boolean prefetch, boolean serveStale, Duration staleMaxAge) {

  public static final CacheConfig DEFAULTS =
      new CacheConfig(64L << 20, Duration.ZERO, Duration.ofSeconds(86_400), true, true, Duration.ofSeconds(86_400));

  public CacheConfig {
    Objects.requireNonNull(minTtl, "minTtl");
    Objects.requireNonNull(maxTtl, "maxTtl");
    Objects.requireNonNull(staleMaxAge, "staleMaxAge");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("cache size must be >= 0: " + sizeBytes);
    }
    if (minTtl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException("min_ttl " + minTtl + " is above max_ttl " + maxTtl);
    }
  }

  public boolean enabled() {
    return sizeBytes > 0;
  }
}

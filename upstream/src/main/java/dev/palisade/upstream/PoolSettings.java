package dev.palisade.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How the pool picks upstreams and rests failing ones.
 *
 * @param selection {@code round_robin_upstreams} 1 → ROUND_ROBIN, 0 → ORDERED; or FASTEST
 * @param connectionRetries {@code tls_connection_retries} (Stubby default 2): failures in a row
 *     that put an upstream into backoff
 * @param backoffMin the first backoff; each further one doubles, with jitter
 * @param backoffMax {@code tls_backoff_time} (Stubby default 3600 s): the longest backoff
 * @param minAttempt the least share of a query's remaining time one attempt gets, so the first
 *     upstream is not starved when many are configured
 * @param rttWeight FASTEST: weight of a new RTT sample in the moving average (0 < w ≤ 1)
 * @param explore FASTEST: share of queries (0 ≤ e < 1) sent first to another healthy upstream than
 *     the fastest, so one that was slow but recovered gets measured again
 */
public record PoolSettings(
    UpstreamPool.Selection selection,
    int connectionRetries,
    Duration backoffMin,
    Duration backoffMax,
    Duration minAttempt,
    double rttWeight,
    double explore) {

  /** Stubby's {@code tls_connection_retries} default. */
  public static final int DEFAULT_CONNECTION_RETRIES = 2;

  /** Stubby's {@code tls_backoff_time} default. */
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(3600);

  public PoolSettings {
    Objects.requireNonNull(selection, "selection");
    Objects.requireNonNull(backoffMin, "backoffMin");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(minAttempt, "minAttempt");
    if (connectionRetries < 1) {
      throw new IllegalArgumentException("tls_connection_retries must be at least 1: " + connectionRetries);
    }
    if (backoffMin.isNegative() || backoffMin.isZero() || backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 < min ≤ max: " + backoffMin + ", " + backoffMax);
    }
    if (!(rttWeight > 0 && rttWeight <= 1)) {
      throw new IllegalArgumentException("rttWeight must be in (0, 1]: " + rttWeight);
    }
    if (!(explore >= 0 && explore < 1)) {
      throw new IllegalArgumentException("explore must be in [0, 1): " + explore);
    }
  }

  /** Stubby's defaults (2 retries, backoff 1 s doubling to 3600 s) with the given selection. */
  public static PoolSettings defaults(UpstreamPool.Selection selection) {
    return new PoolSettings(
        selection, DEFAULT_CONNECTION_RETRIES, Duration.ofSeconds(1), DEFAULT_BACKOFF_MAX, Duration.ofMillis(500), 0.2, 0.05);
  }

  public PoolSettings withConnectionRetries(int retries) {
    return new PoolSettings(selection, retries, backoffMin, backoffMax, minAttempt, rttWeight, explore);
  }

  public PoolSettings withBackoff(Duration min, Duration max) {
    return new PoolSettings(selection, connectionRetries, min, max, minAttempt, rttWeight, explore);
  }

  public PoolSettings withMinAttempt(Duration minAttempt) {
    return new PoolSettings(selection, connectionRetries, backoffMin, backoffMax, minAttempt, rttWeight, explore);
  }

  public PoolSettings withExplore(double explore) {
    return new PoolSettings(selection, connectionRetries, backoffMin, backoffMax, minAttempt, rttWeight, explore);
  }
}

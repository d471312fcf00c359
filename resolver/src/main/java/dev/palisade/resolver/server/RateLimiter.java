package dev.palisade.resolver.server;

import dev.palisade.config.RateLimitConfig;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address ({@code rate_limit:}), so that one device cannot starve the
 * others. Each address earns {@code qps} tokens a second up to {@code burst}; a query spends one.
 * Applied to every client address, loopback included (as Unbound's {@code ip-ratelimit} does), and
 * before a query is parsed, the cheapest point to shed a flood.
 *
 * <p>Memory is bounded: at most {@code max_clients} buckets, the least recently seen forgotten first
 * (a forgotten client starts again with a full bucket, which only errs towards answering). Guarded by
 * its own lock: held for a map lookup and a few arithmetic operations.
 */
public final class RateLimiter {

  /** No limit: every query passes. */
  public static final RateLimiter OFF = new RateLimiter(RateLimitConfig.DEFAULTS, () -> 0L);

  private final boolean enabled;
  private final boolean refuse;
  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final LinkedHashMap<InetAddress, Bucket> buckets;

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }

  public RateLimiter(RateLimitConfig config, LongSupplier nanoTime) {
    this.enabled = config.enabled();
    this.refuse = config.action().equals("refuse");
    this.tokensPerNano = config.qps() / 1e9;
    this.burst = Math.max(1, config.burst());
    this.nanoTime = nanoTime;
    int max = config.maxClients();
    // Access order: an LRU that evicts the client seen least recently once max_clients are tracked.
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > max;
          }
        };
  }

  public boolean enabled() {
    return enabled;
  }

  /** True: excess queries get REFUSED; false: they are dropped without a reply. */
  public boolean refuses() {
    return refuse;
  }

  /** Spends a token of {@code client}'s bucket; false when it has none left (the query is over the limit). */
  public boolean tryAcquire(InetAddress client) {
    if (!enabled) {
      return true;
    }
    long now = nanoTime.getAsLong();
    synchronized (buckets) {
      Bucket b = buckets.get(client);
      if (b == null) {
        buckets.put(client, new Bucket(burst - 1, now));
        return true;
      }
      b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.updated) * tokensPerNano);
      b.updated = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** Client addresses tracked now (never more than {@code max_clients}). */
  public int trackedClients() {
    synchronized (buckets) {
      return buckets.size();
    }
  }
}

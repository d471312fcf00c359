package dev.palisade.resolver.cache;

import dev.palisade.config.CacheConfig;
import dev.palisade.dnssec.DnssecRecords;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Message;

/**
 * One cached answer, kept as wire bytes: their length is the memory the entry really holds (so the
 * byte bound means what it says), and ageing is a rewrite of the TTL fields in a copy.
 */
final class CachedAnswer {

  /** RFC 8767 section 4: stale data is served with a TTL of 30 seconds. */
  static final long STALE_TTL_SECONDS = 30;

  /** Heap beyond the wire bytes: this object, its arrays' headers, the counters, Caffeine's node. */
  private static final int OVERHEAD = 160;

  private final byte[] wire;
  private final int[] ttlOffsets;
  final long storedNanos;
  final long ttlNanos;
  /** Past this, the cache drops the entry: the TTL plus the window in which it may be served stale. */
  final long expiresAtNanos;
  /** Set on a copy put back after a failed refresh: serve it stale, do not retry before this. */
  final long staleRetryAtNanos;
  final boolean stale;
  /** Set on the entry that settles a failed exchange: its waiters fail with it, nothing is kept. */
  final Throwable failure;
  /** Set when min_ttl/max_ttl changed a TTL: the stored answer then differs from the one received. */
  final boolean clampedTtls;
  /** The stored answer's response code, extended part included (RFC 6891 section 6.1.3). */
  final int rcode;
  final AtomicInteger hits = new AtomicInteger();
  final AtomicBoolean prefetching = new AtomicBoolean();

  private CachedAnswer(byte[] wire, int[] ttlOffsets, int rcode, long storedNanos, long ttlNanos, long expiresAtNanos, boolean stale, long staleRetryAtNanos) {
    this(wire, ttlOffsets, rcode, storedNanos, ttlNanos, expiresAtNanos, stale, staleRetryAtNanos, null, false);
  }

  private CachedAnswer(
      byte[] wire, int[] ttlOffsets, int rcode, long storedNanos, long ttlNanos, long expiresAtNanos, boolean stale, long staleRetryAtNanos,
      Throwable failure, boolean clampedTtls) {
    this.rcode = rcode;
    this.failure = failure;
    this.clampedTtls = clampedTtls;
    this.wire = wire;
    this.ttlOffsets = ttlOffsets;
    this.storedNanos = storedNanos;
    this.ttlNanos = ttlNanos;
    this.expiresAtNanos = expiresAtNanos;
    this.stale = stale;
    this.staleRetryAtNanos = staleRetryAtNanos;
  }

  /**
   * The entry for {@code reply}, received at {@code now}, for the queries of one cache key. An answer
   * that must not be cached still gets an entry, with no lifetime: queries that waited for it are
   * answered, and the cache drops it. When the key's queries did not set DO, the DNSSEC records they
   * must not get are left out of the stored bytes (RFC 4035 section 3.2.1), so that a hit can go out
   * without shaping its records one by one.
   */
  static CachedAnswer of(Message reply, long now, CacheConfig config, boolean dnssecOk) {
    return of(reply, now, config, CachePolicy.ttlSeconds(reply, config), dnssecOk);
  }

  /** An entry that answers the queries waiting for it and is then dropped. */
  static CachedAnswer once(Message reply, long now, CacheConfig config) {
    return of(reply, now, config, OptionalLong.empty(), true);
  }

  private static CachedAnswer of(Message reply, long now, CacheConfig config, OptionalLong ttl, boolean dnssecOk) {
    int rcode = reply.getRcode();
    byte[] wire = (dnssecOk ? reply : DnssecRecords.strip(reply)).toWire();
    // Canonical form: ID 0; the shaping stage gives each client its own.
    wire[0] = 0;
    wire[1] = 0;
    int[] offsets = WireTtls.offsets(wire);
    if (ttl.isEmpty()) {
      return new CachedAnswer(wire, offsets, rcode, now, 0, now, false, 0);
    }
    long min = config.minTtl().toSeconds();
    long max = config.maxTtl().toSeconds();
    boolean clamped = false;
    for (int offset : offsets) {
      long t = WireTtls.read(wire, offset);
      long c = Math.max(min, Math.min(t, max));
      if (c != t) {
        WireTtls.write(wire, offset, c);
        clamped = true;
      }
    }
    long ttlNanos = TimeUnit.SECONDS.toNanos(ttl.getAsLong());
    long window = config.serveStale() ? config.staleMaxAge().toNanos() : 0;
    return new CachedAnswer(wire, offsets, rcode, now, ttlNanos, now + ttlNanos + window, false, 0, null, clamped);
  }

  /**
   * Settles a failed exchange. Futures in the cache always complete normally: Caffeine logs a
   * warning with a stack trace for every failed one, and an unreachable upstream is not news each
   * time.
   */
  static CachedAnswer failed(Throwable failure, long now) {
    return new CachedAnswer(new byte[0], new int[0], 0, now, 0, now, false, 0, failure, false);
  }

  /** This answer, marked stale, to be served without asking upstream again before {@code retryAt}. */
  CachedAnswer asStale(long retryAtNanos) {
    return new CachedAnswer(wire, ttlOffsets, rcode, storedNanos, ttlNanos, expiresAtNanos, true, retryAtNanos);
  }

  boolean cacheable() {
    return ttlNanos > 0;
  }

  boolean fresh(long now) {
    return now - storedNanos < ttlNanos;
  }

  /** Expired, but still inside the serve-stale window. */
  boolean servableStale(long now) {
    return cacheable() && !fresh(now) && now - expiresAtNanos < 0;
  }

  long remainingNanos(long now) {
    return ttlNanos - (now - storedNanos);
  }

  /**
   * The answer's wire bytes (ID 0) with every TTL lowered by the seconds it has spent in the cache:
   * a copy, the caller's to keep.
   */
  byte[] wire(long now) {
    long age = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(now - storedNanos));
    byte[] copy = wire.clone();
    if (age > 0) {
      for (int offset : ttlOffsets) {
        WireTtls.write(copy, offset, Math.max(0, WireTtls.read(copy, offset) - age));
      }
    }
    return copy;
  }

  /** The answer's wire bytes with every TTL set to {@link #STALE_TTL_SECONDS}: a copy, the caller's to keep. */
  byte[] staleWire() {
    byte[] copy = wire.clone();
    for (int offset : ttlOffsets) {
      WireTtls.write(copy, offset, STALE_TTL_SECONDS);
    }
    return copy;
  }

  int weight() {
    return wire.length + 4 * ttlOffsets.length + OVERHEAD;
  }
}

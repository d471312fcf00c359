package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.SetSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured set: address → expiry (milliseconds since 1970, from the injected clock), at most
 * {@code maxEntries} addresses. When full, the address closest to expiry makes room: it would have
 * left first anyway.
 *
 * <p>In apply mode it also knows what the kernel holds, so that an answer waits on the kernel only
 * when it carries an address the kernel does not hold (or holds for less than {@link #USABLE_MS}):
 * a cache hit of a known address never waits, and a refresh that extends an entry's timeout goes
 * out in the background.
 */
final class ResolvedSet {

  private static final Logger log = LoggerFactory.getLogger(ResolvedSet.class);

  /** An address the kernel holds for less than this is treated as absent: the answer waits for the write. */
  static final long USABLE_MS = 2_000;

  /** Kernel timeouts are whole seconds, rounded up: a shorter difference is no reason to write. */
  static final long ROUNDING_MS = 1_000;

  /** Pinned addresses (the upstreams') never expire. */
  static final long FOREVER = Long.MAX_VALUE;

  /** At most one "max_entries reached" warning per set in this window. */
  static final long WARN_EVERY_MS = 60_000;

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** An address and when it leaves; {@link #FOREVER} for a pinned one. */
  record Entry(InetAddress address, long expiresAt) {
    boolean pinned() {
      return expiresAt == FOREVER;
    }
  }

  private static final class Slot {
    final InetAddress address;
    final byte[] bytes;
    long expiresAt;
    /** When the kernel drops it (as last written); 0: not in the kernel. */
    long kernelExpiresAt;
    /** Completes when the write that put it in the kernel has run. */
    CompletableFuture<Void> inKernel = DONE;

    Slot(InetAddress address) {
      this.address = address;
      this.bytes = address.getAddress();
    }
  }

  private static final Comparator<Slot> BY_EXPIRY =
      Comparator.<Slot>comparingLong(s -> s.expiresAt).thenComparing((a, b) -> Arrays.compareUnsigned(a.bytes, b.bytes));

  private final SetSpec spec;
  private final int maxEntries;
  private final KernelWriter kernel;
  private final IpSetListener listener;
  private final Map<InetAddress, Slot> slots = new HashMap<>();
  /** The unpinned slots, soonest expiry first: eviction and expiry take from the front. */
  private final TreeSet<Slot> byExpiry = new TreeSet<>(BY_EXPIRY);
  private long evictions;
  private long evictionsUnreported;
  private long lastWarnAt = Long.MIN_VALUE;
  private boolean changed;

  /** @param kernel null in export-only mode */
  ResolvedSet(SetSpec spec, int maxEntries, KernelWriter kernel, IpSetListener listener) {
    this.spec = spec;
    this.maxEntries = maxEntries;
    this.kernel = kernel;
    this.listener = listener;
  }

  SetSpec spec() {
    return spec;
  }

  int maxEntries() {
    return maxEntries;
  }

  /**
   * Adds {@code address} until {@code expiresAt}, or moves its expiry later. Returns a future that
   * completes once the kernel holds the address (at once outside apply mode, and when it already does).
   */
  synchronized CompletableFuture<Void> add(InetAddress address, long expiresAt, long now) {
    if (expiresAt <= now) {
      return DONE;
    }
    Slot s = slots.get(address);
    if (s == null) {
      if (slots.size() >= maxEntries && !evictOne(now)) {
        return DONE; // full of pinned addresses: nothing can make room
      }
      s = new Slot(address);
      s.expiresAt = expiresAt;
      slots.put(address, s);
      byExpiry.add(s);
      changed = true;
      listener.onAdded(spec.name());
    } else if (expiresAt > s.expiresAt && s.expiresAt != FOREVER) {
      byExpiry.remove(s);
      s.expiresAt = expiresAt;
      byExpiry.add(s);
      changed = true;
    }
    return write(s, now);
  }

  /** Puts {@code address} in for good (an upstream's: the resolver must always reach it). */
  synchronized CompletableFuture<Void> pin(InetAddress address, long now) {
    Slot s = slots.get(address);
    if (s == null) {
      s = new Slot(address);
      slots.put(address, s);
    } else {
      byExpiry.remove(s);
    }
    s.expiresAt = FOREVER;
    return write(s, now);
  }

  private CompletableFuture<Void> write(Slot s, long now) {
    if (kernel == null) {
      return DONE;
    }
    boolean forever = s.expiresAt == FOREVER;
    if (forever ? s.kernelExpiresAt != FOREVER : s.kernelExpiresAt < s.expiresAt - ROUNDING_MS) {
      boolean usable = s.kernelExpiresAt - now >= USABLE_MS;
      long seconds = forever ? 0 : Math.min(IpSetExport.MAX_TIMEOUT, Math.max(1, (s.expiresAt - now + 999) / 1000));
      long written = forever ? FOREVER : now + seconds * 1000;
      Slot slot = s;
      CompletableFuture<Void> applied = kernel.submit(KernelOp.add(spec, s.address, seconds), () -> failed(slot, written));
      s.kernelExpiresAt = written;
      if (!usable) {
        s.inKernel = applied;
      }
    }
    return s.inKernel;
  }

  /** A write did not reach the kernel: unless a newer one followed, the next answer writes again. */
  private synchronized void failed(Slot s, long written) {
    if (s.kernelExpiresAt == written) {
      s.kernelExpiresAt = 0;
    }
  }

  /** Drops the soonest-expiring unpinned address; false if every address is pinned. */
  private boolean evictOne(long now) {
    Slot victim = byExpiry.pollFirst();
    if (victim == null) {
      return false;
    }
    slots.remove(victim.address);
    changed = true;
    evictions++;
    evictionsUnreported++;
    listener.onEvicted(spec.name());
    if (kernel != null && victim.kernelExpiresAt > now) {
      // The kernel would keep it until its timeout: an evicted address must go now, or the kernel
      // set would outgrow the bound we promised (and ipset's maxelem would refuse adds).
      kernel.submit(KernelOp.delete(spec, victim.address), () -> {});
    }
    if (now - lastWarnAt >= WARN_EVERY_MS || lastWarnAt == Long.MIN_VALUE) {
      log.warn("ipset {}: max_entries ({}) reached; dropped {} address(es) closest to expiry early (raise ipset.max_entries)",
          spec.name(), maxEntries, evictionsUnreported);
      lastWarnAt = now;
      evictionsUnreported = 0;
    }
    return true;
  }

  /** Removes and returns the addresses whose expiry has passed (the kernel times them out itself). */
  synchronized List<Entry> expire(long now) {
    List<Entry> gone = new ArrayList<>();
    while (!byExpiry.isEmpty() && byExpiry.first().expiresAt <= now) {
      Slot s = byExpiry.pollFirst();
      slots.remove(s.address);
      gone.add(new Entry(s.address, s.expiresAt));
    }
    if (!gone.isEmpty()) {
      changed = true;
    }
    return gone;
  }

  /** Every address in, pinned first, then by expiry. */
  synchronized List<Entry> snapshot() {
    List<Entry> out = new ArrayList<>(slots.size());
    for (Slot s : slots.values()) {
      if (s.expiresAt == FOREVER) {
        out.add(new Entry(s.address, FOREVER));
      }
    }
    out.sort(Comparator.comparing(e -> Addresses.text(e.address())));
    for (Slot s : byExpiry) {
      out.add(new Entry(s.address, s.expiresAt));
    }
    return out;
  }

  synchronized int size() {
    return slots.size();
  }

  synchronized long evictions() {
    return evictions;
  }

  /** Whether anything changed since the last call (for the state file). */
  synchronized boolean takeChanged() {
    boolean c = changed;
    changed = false;
    return c;
  }
}

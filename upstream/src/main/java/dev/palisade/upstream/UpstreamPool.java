package dev.palisade.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * Sends each query to one upstream and, when that exchange fails (a connection that died under it,
 * a refused connection, a TLS failure, a timeout of its share of the time...), to the next, until
 * one answers or the query's deadline passes. A query is never lost because one upstream failed.
 *
 * <p>Health follows Stubby: {@code tls_connection_retries} failures in a row put an upstream into
 * backoff, 1 s at first and doubling (with jitter) up to {@code tls_backoff_time}. While it rests
 * the others take its queries; once its time is up (or when nothing else is left) exactly one
 * query at a time goes to it as a probe, and the first success brings it back. Results of
 * exchanges that started before the latest change of state do not count, so a thousand queries
 * that were in flight on a dying server put it into backoff once, not a thousand times.
 */
public final class UpstreamPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);

  /** Stubby's {@code round_robin_upstreams}: 1 spreads load, 0 uses the list in order; or fastest first. */
  public enum Selection {
    ROUND_ROBIN,
    ORDERED,
    /** Lowest moving average of RTT first, with a little exploration. */
    FASTEST
  }

  private final List<Member> members;
  private final PoolSettings settings;
  private final LongSupplier nanoTime;
  private final Random random;
  private final UpstreamListener listener;
  private final AtomicInteger next = new AtomicInteger();

  /** Stubby's defaults for retries and backoff ({@link PoolSettings#defaults}). */
  public UpstreamPool(List<? extends Upstream> upstreams, Selection selection, LongSupplier nanoTime, Random jitter) {
    this(upstreams, PoolSettings.defaults(selection), nanoTime, jitter, UpstreamListener.NONE);
  }

  /**
   * @param random jitter for backoffs and FASTEST's exploration
   */
  public UpstreamPool(
      List<? extends Upstream> upstreams, PoolSettings settings, LongSupplier nanoTime, Random random, UpstreamListener listener) {
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("no upstreams");
    }
    this.members = upstreams.stream().map(Member::new).toList();
    this.settings = settings;
    this.nanoTime = nanoTime;
    this.random = random;
    this.listener = listener;
  }

  public PoolSettings settings() {
    return settings;
  }

  /**
   * Sends a re-originated query ({@link Reorigination#query}) and completes with the first matching
   * reply, or exceptionally with the last upstream's {@link UpstreamException}.
   */
  public CompletableFuture<Reply> exchange(Message query, long deadlineNanos) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    attempt(query, order(), 0, deadlineNanos, result, null);
    return result;
  }

  /**
   * Usable members in selection order (members due for a probe keep their place), then resting
   * members, soonest due first: a last resort, one probe at a time each.
   */
  List<Member> order() {
    long now = nanoTime.getAsLong();
    int n = members.size();
    List<Member> ordered = new ArrayList<>(n);
    switch (settings.selection()) {
      case ORDERED -> ordered.addAll(members);
      case ROUND_ROBIN -> {
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
          ordered.add(members.get((start + i) % n));
        }
      }
      case FASTEST -> {
        ordered.addAll(members);
        // Unmeasured members sort first (0): each gets measured before it is judged.
        ordered.sort(Comparator.comparingDouble(m -> m.rttNanos));
      }
    }
    List<Member> usable = new ArrayList<>(n);
    List<Member> resting = new ArrayList<>(n);
    for (Member m : ordered) {
      (m.usable(now) ? usable : resting).add(m);
    }
    if (settings.selection() == Selection.FASTEST && usable.size() > 1 && random.nextDouble() < settings.explore()) {
      usable.add(0, usable.remove(1 + random.nextInt(usable.size() - 1)));
    }
    resting.sort(Comparator.comparingLong(m -> m.retryAtNanos));
    usable.addAll(resting);
    return usable;
  }

  private void attempt(
      Message query, List<Member> order, int index, long deadlineNanos, CompletableFuture<Reply> result, Throwable last) {
    long now = nanoTime.getAsLong();
    int i = index;
    Member m = null;
    long epoch = 0;
    for (; i < order.size(); i++) {
      Member candidate = order.get(i);
      epoch = candidate.claim(now);
      if (epoch >= 0) {
        m = candidate;
        break;
      }
    }
    if (m == null) {
      result.completeExceptionally(
          last != null ? last : new UpstreamException(UpstreamException.Reason.CONNECT, "every upstream is backing off and being probed"));
      return;
    }
    long remaining = deadlineNanos - now;
    int left = order.size() - i;
    // Share what is left among the upstreams still to try, so one that hangs cannot use it all.
    long budget =
        left == 1 ? remaining : Math.min(remaining, Math.max(remaining / left, settings.minAttempt().toNanos()));
    Member member = m;
    long claimed = epoch;
    int at = i;
    long start = now;
    m.upstream
        .exchange(query, now + budget)
        .whenComplete(
            (reply, error) -> {
              long end = nanoTime.getAsLong();
              if (error == null) {
                member.succeeded(claimed, end - start);
                listener.exchangeSucceeded(member.upstream.id(), end - start);
                result.complete(new Reply(reply, member.upstream.id()));
                return;
              }
              Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
              UpstreamException.Reason reason =
                  cause instanceof UpstreamException u ? u.reason() : UpstreamException.Reason.PROTOCOL;
              member.failed(claimed, end, end - start, reason, cause);
              listener.exchangeFailed(member.upstream.id(), reason);
              if (at + 1 < order.size() && end - deadlineNanos < 0) {
                log.debug("{} failed ({}), trying the next upstream", member.upstream.id(), cause.getMessage());
                attempt(query, order, at + 1, deadlineNanos, result, cause);
              } else {
                result.completeExceptionally(cause);
              }
            });
  }

  /** True while at least one upstream is not in backoff (or is due for its probe). */
  public boolean anyAvailable() {
    long now = nanoTime.getAsLong();
    return members.stream().anyMatch(m -> m.usable(now));
  }

  /**
   * True while at least one upstream is not in backoff. Unlike {@link #anyAvailable}, an upstream
   * whose rest is over but whose probe has not yet succeeded does not count: readiness must not
   * flap back on just because time passed.
   */
  public boolean anyHealthy() {
    return members.stream().anyMatch(m -> !m.resting);
  }

  /** The upstreams of this pool, in configured order. */
  public List<UpstreamId> ids() {
    return members.stream().map(m -> m.upstream.id()).toList();
  }

  /** The upstreams in backoff whose time is not up yet, for status pages and tests. */
  public List<UpstreamId> resting() {
    long now = nanoTime.getAsLong();
    return members.stream().filter(m -> !m.usable(now)).map(m -> m.upstream.id()).toList();
  }

  @Override
  public void close() {
    members.forEach(m -> m.upstream.close());
  }

  /** Failures that say something about the upstream (not our own limits, not shutdown). */
  private static boolean countsAgainst(UpstreamException.Reason reason) {
    return reason != UpstreamException.Reason.OVERLOADED && reason != UpstreamException.Reason.SHUTDOWN;
  }

  /** An upstream with its health. Updated from several event loops, hence synchronized. */
  final class Member {
    final Upstream upstream;
    /** Moving average of answered exchanges' RTT, 0 until measured. Read without the lock. */
    volatile double rttNanos;
    volatile long retryAtNanos;
    private volatile boolean resting;
    private int failures;
    private int backoffs;
    private boolean probing;
    /** Bumped on every change of state; an exchange's result counts only in the epoch it started in. */
    private long epoch;

    Member(Upstream upstream) {
      this.upstream = upstream;
    }

    /** Healthy, or resting with its time up (then one probe may go). */
    boolean usable(long now) {
      return !resting || now - retryAtNanos >= 0;
    }

    /**
     * Takes this member for one exchange: always when healthy; when resting, only if no probe is in
     * flight (then this exchange is the probe). Returns the epoch to report back with, or -1.
     */
    synchronized long claim(long now) {
      if (!resting) {
        return epoch;
      }
      if (probing) {
        return -1;
      }
      probing = true;
      log.debug("{}: probing", upstream.id());
      return epoch;
    }

    synchronized void succeeded(long claimed, long rtt) {
      double w = settings.rttWeight();
      rttNanos = rttNanos == 0 ? rtt : (1 - w) * rttNanos + w * rtt;
      if (claimed != epoch) {
        return;
      }
      failures = 0;
      if (resting) {
        log.info("{} is answering again", upstream.id());
        resting = false;
        probing = false;
        backoffs = 0;
        epoch++;
        listener.backoffEnded(upstream.id());
      }
    }

    synchronized void failed(long claimed, long now, long elapsed, UpstreamException.Reason reason, Throwable cause) {
      if (reason == UpstreamException.Reason.TIMEOUT) {
        // A timeout is at least as slow as the time it was given: FASTEST should see that.
        double w = settings.rttWeight();
        rttNanos = rttNanos == 0 ? elapsed : (1 - w) * rttNanos + w * elapsed;
      }
      if (claimed != epoch) {
        return;
      }
      if (resting) {
        if (probing) {
          probing = false;
          backOff(now, cause); // the probe failed: rest longer
        }
        return;
      }
      if (!countsAgainst(reason)) {
        return;
      }
      failures++;
      if (failures >= settings.connectionRetries()) {
        backOff(now, cause);
      }
    }

    private void backOff(long now, Throwable cause) {
      long min = settings.backoffMin().toNanos();
      long max = settings.backoffMax().toNanos();
      long base = min;
      for (int i = 0; i < backoffs && base < max; i++) {
        base = base * 2;
      }
      base = Math.min(base, max);
      backoffs++;
      // Jitter in [base/2, base]: upstreams that failed together do not come back in lockstep.
      long wait = base / 2 + (long) (random.nextDouble() * (base / 2));
      retryAtNanos = now + wait;
      if (!resting) {
        log.warn("{} failing ({}): backing off for {} ms", upstream.id(), cause.getMessage(), wait / 1_000_000);
      } else {
        log.info("{} still failing ({}): backing off for {} ms", upstream.id(), cause.getMessage(), wait / 1_000_000);
      }
      resting = true;
      epoch++;
      listener.backoffStarted(upstream.id(), Duration.ofNanos(wait), failures, cause);
    }
  }
}

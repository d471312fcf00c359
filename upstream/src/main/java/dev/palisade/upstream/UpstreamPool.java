package dev.palisade.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * Sends each query to one upstream and, when that exchange fails, to the next, until one answers or
 * the query's deadline passes. A query is never lost because one upstream failed.
 *
 * <p>Upstreams that keep failing are put into backoff (exponential, with jitter) and tried only
 * after the healthy ones, so a dead server costs a query nothing while another works.
 */
public final class UpstreamPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);

  /** Stubby's {@code round_robin_upstreams}: 1 spreads load, 0 uses the list in order. */
  public enum Selection {
    ROUND_ROBIN,
    ORDERED
  }

  /** Consecutive failures before an upstream goes into backoff (Stubby's tls_connection_retries default). */
  static final int FAILURES_BEFORE_BACKOFF = 2;

  static final long MIN_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** An attempt gets at least this much of the deadline, so the first upstream is not starved. */
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final List<Member> members;
  private final Selection selection;
  private final LongSupplier nanoTime;
  private final Random jitter;
  private final AtomicInteger next = new AtomicInteger();

  public UpstreamPool(List<? extends Upstream> upstreams, Selection selection, LongSupplier nanoTime, Random jitter) {
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("no upstreams");
    }
    this.members = upstreams.stream().map(Member::new).toList();
    this.selection = selection;
    this.nanoTime = nanoTime;
    this.jitter = jitter;
  }

  /**
   * Sends a re-originated query ({@link Reorigination#query}) and completes with the first matching
   * reply, or exceptionally with the last upstream's {@link UpstreamException}.
   */
  public CompletableFuture<Reply> exchange(Message query, long deadlineNanos) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    attempt(query, order(), 0, deadlineNanos, result);
    return result;
  }

  /** Healthy members first, in selection order; members in backoff last, soonest-due first. */
  List<Member> order() {
    long now = nanoTime.getAsLong();
    int n = members.size();
    int start = selection == Selection.ROUND_ROBIN ? Math.floorMod(next.getAndIncrement(), n) : 0;
    List<Member> healthy = new ArrayList<>(n);
    List<Member> resting = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Member m = members.get((start + i) % n);
      (m.available(now) ? healthy : resting).add(m);
    }
    resting.sort((a, b) -> Long.compare(a.retryAtNanos, b.retryAtNanos));
    healthy.addAll(resting);
    return healthy;
  }

  private void attempt(Message query, List<Member> order, int index, long deadlineNanos, CompletableFuture<Reply> result) {
    Member m = order.get(index);
    long now = nanoTime.getAsLong();
    long remaining = deadlineNanos - now;
    int left = order.size() - index;
    // Share what is left among the upstreams still to try, so one that hangs cannot use it all.
    long budget = left == 1 ? remaining : Math.min(remaining, Math.max(remaining / left, MIN_ATTEMPT_NANOS));
    m.upstream
        .exchange(query, now + budget)
        .whenComplete(
            (reply, error) -> {
              if (error == null) {
                m.succeeded();
                result.complete(new Reply(reply, m.upstream.id()));
                return;
              }
              Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
              m.failed(nanoTime.getAsLong(), cause);
              if (index + 1 < order.size() && nanoTime.getAsLong() < deadlineNanos) {
                log.debug("{} failed ({}), trying {}", m.upstream.id(), cause.getMessage(), order.get(index + 1).upstream.id());
                attempt(query, order, index + 1, deadlineNanos, result);
              } else {
                result.completeExceptionally(cause);
              }
            });
  }

  /** True while at least one upstream is not in backoff. */
  public boolean anyAvailable() {
    long now = nanoTime.getAsLong();
    return members.stream().anyMatch(m -> m.available(now));
  }

  @Override
  public void close() {
    members.forEach(m -> m.upstream.close());
  }

  /** An upstream with its health. Updated from several event loops, hence synchronized. */
  final class Member {
    final Upstream upstream;
    private int failures;
    private volatile long retryAtNanos;
    private volatile boolean resting;

    Member(Upstream upstream) {
      this.upstream = upstream;
    }

    boolean available(long now) {
      return !resting || now - retryAtNanos >= 0;
    }

    synchronized void succeeded() {
      if (resting) {
        log.info("{} is answering again", upstream.id());
      }
      failures = 0;
      resting = false;
    }

    synchronized void failed(long now, Throwable cause) {
      failures++;
      if (failures >= FAILURES_BEFORE_BACKOFF) {
        int exp = Math.min(failures - FAILURES_BEFORE_BACKOFF, 16);
        long base = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << exp);
        // Jitter in [base/2, base): upstreams that failed together do not come back in lockstep.
        long wait = base / 2 + (long) (jitter.nextDouble() * (base / 2));
        retryAtNanos = now + wait;
        if (!resting) {
          log.warn("{} failing ({}): backing off", upstream.id(), cause.getMessage());
        }
        resting = true;
      }
    }
  }
}

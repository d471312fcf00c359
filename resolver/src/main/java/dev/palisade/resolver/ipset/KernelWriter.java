package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.Backend;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects kernel changes into batches and applies them on the ipset thread: one tool run per
 * backend per batch. A batch starts when the first change arrives and runs after {@link #LINGER_MS},
 * so that the addresses of one answer (and of answers arriving together) go in one run.
 *
 * <p>The future a change gets completes when its batch has run, applied or not: a failed batch is
 * logged and counted, and its changes are reported to their {@code onFailure} so that a later
 * query tries again. Answers never wait on a kernel that does not answer beyond the runner's timeout.
 */
final class KernelWriter {

  private static final Logger log = LoggerFactory.getLogger(KernelWriter.class);

  /** How long the first change of a batch waits for company. */
  static final long LINGER_MS = 2;

  /** Bound on the lines of one tool run (a restore at start may hold a whole set). */
  static final int MAX_BATCH = 8192;

  private record Pending(KernelOp op, Runnable onFailure) {}

  private static final long ERROR_LOG_EVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

  private final Map<Backend, KernelBackend> backends;
  /** Touched on the ipset thread only. */
  private long lastErrorLogNanos;
  private final Scheduler scheduler;
  private final IpSetListener listener;
  private final LongSupplier nanoTime;

  private final Object lock = new Object();
  private List<Pending> queue = new ArrayList<>();
  private CompletableFuture<Void> batch = new CompletableFuture<>();
  private boolean scheduled;
  private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

  /** Runs a task now or later on the one ipset thread. */
  interface Scheduler extends Executor {
    void schedule(Runnable task, long delayMillis);
  }

  KernelWriter(Map<Backend, KernelBackend> backends, Scheduler scheduler, IpSetListener listener, LongSupplier nanoTime) {
    this.backends = new EnumMap<>(backends);
    this.scheduler = scheduler;
    this.listener = listener;
    this.nanoTime = nanoTime;
  }

  /** Queues {@code op}; the future completes once the batch holding it has been run. Never blocks. */
  CompletableFuture<Void> submit(KernelOp op, Runnable onFailure) {
    synchronized (lock) {
      queue.add(new Pending(op, onFailure));
      CompletableFuture<Void> mine = batch;
      if (!scheduled) {
        scheduled = true;
        scheduler.schedule(this::flush, LINGER_MS);
      }
      return mine;
    }
  }

  /** Batches that failed so far. */
  long failures() {
    return failures.get();
  }

  /** Runs what is queued now, on the calling thread (the ipset thread, or a test's). */
  void flush() {
    List<Pending> taken;
    CompletableFuture<Void> done;
    synchronized (lock) {
      taken = queue;
      done = batch;
      queue = new ArrayList<>();
      batch = new CompletableFuture<>();
      scheduled = false;
    }
    if (taken.isEmpty()) {
      done.complete(null);
      return;
    }
    try {
      for (Map.Entry<Backend, KernelBackend> b : backends.entrySet()) {
        List<Pending> mine = new ArrayList<>();
        for (Pending p : taken) {
          if (p.op().set().backend() == b.getKey()) {
            mine.add(p);
          }
        }
        for (int from = 0; from < mine.size(); from += MAX_BATCH) {
          run(b.getValue(), mine.subList(from, Math.min(mine.size(), from + MAX_BATCH)));
        }
      }
    } finally {
      done.complete(null);
    }
  }

  private void run(KernelBackend backend, List<Pending> batch) {
    List<KernelOp> ops = new ArrayList<>(batch.size());
    batch.forEach(p -> ops.add(p.op()));
    long start = nanoTime.getAsLong();
    try {
      backend.apply(ops);
      listener.onApplied(backend.name(), ops.size(), nanoTime.getAsLong() - start);
    } catch (KernelException | RuntimeException e) {
      long n = failures.incrementAndGet();
      long now = nanoTime.getAsLong();
      // A kernel that refuses every batch must not flood the log: the first, then one a minute.
      if (n == 1 || now - lastErrorLogNanos >= ERROR_LOG_EVERY_NANOS) {
        log.error("{}: {} set changes not applied, the answers carrying them went out anyway ({} failed batches so far): {}",
            backend.name(), ops.size(), n, e.getMessage());
        lastErrorLogNanos = now;
      }
      listener.onApplyFailed(backend.name(), ops.size());
      batch.forEach(p -> p.onFailure().run());
    }
  }
}

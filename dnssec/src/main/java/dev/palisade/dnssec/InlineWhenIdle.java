package dev.palisade.dnssec;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The validator's executor. A task submitted while the validator is quiet (one query in flight:
 * the one this task is for) and no validation work is queued or running runs at once on the
 * submitting thread; otherwise it goes to the pool. Either way, tasks that a task submits
 * (dnsjava's next asynchronous stage) run on the same thread right after it, not on another one.
 *
 * <p>Why: a validated cache miss used to go from the event loop that read the upstream's reply to a
 * pool thread, hop between pool threads at each asynchronous stage of dnsjava's validator, and come
 * back to the event loop with its answer. Each hop wakes a parked thread (a futex or an eventfd,
 * and a trip through the scheduler), which at a low query rate cost more than the signature check
 * itself. When nothing else is being validated the submitting thread has nothing better to do than
 * run the work. Under load, with several queries in flight, validations go to the pool and spread
 * over its threads, leaving the event loop to the I/O (all inline, the loop was the bottleneck: 13,000
 * validated misses per second instead of 20,000).
 *
 * <p>The price: while the event loop runs a validation, queries that arrive wait for it. That is
 * one validation at a time (a second query in flight sends the work to the pool), bounded by
 * {@link ValidationLimits} (KeyTrap: signatures checked per answer, NSEC3 iterations): a cached-key
 * answer takes 40-100 µs, a new zone's keys a few signatures more.
 *
 * <p>Tasks submitted from within a task are queued on the running thread, never run nested, so the
 * stack does not grow with the length of a chain of stages.
 */
final class InlineWhenIdle implements Executor {
  private final Executor pool;
  private final BooleanSupplier quiet;
  /** Runs in progress: inline ones, and pool tasks queued or running. */
  private final AtomicInteger busy = new AtomicInteger();
  /** Set while the current thread runs tasks for this executor: where the tasks they submit go. */
  private final ThreadLocal<ArrayDeque<Runnable>> running = new ThreadLocal<>();

  /**
   * @param pool where tasks go when the submitter should not run them
   * @param quiet whether the load is low enough for the submitting thread to run a task
   */
  public InlineWhenIdle(Executor pool, BooleanSupplier quiet) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.quiet = Objects.requireNonNull(quiet, "quiet");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    ArrayDeque<Runnable> here = running.get();
    if (here != null) {
      here.add(task);
      return;
    }
    if (busy.get() == 0 && quiet.getAsBoolean() && busy.compareAndSet(0, 1)) {
      try {
        run(task);
      } finally {
        busy.decrementAndGet();
      }
      return;
    }
    busy.incrementAndGet();
    try {
      pool.execute(
          () -> {
            try {
              run(task);
            } finally {
              busy.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      busy.decrementAndGet();
      throw e;
    }
  }

  /** Runs {@code first} and then what it and its successors submit, on this thread. */
  private void run(Runnable first) {
    ArrayDeque<Runnable> queue = new ArrayDeque<>();
    running.set(queue);
    try {
      for (Runnable t = first; t != null; t = queue.poll()) {
        t.run();
      }
    } finally {
      running.remove();
      // Only after a task threw: what it left queued is not lost, it goes to the pool.
      for (Runnable t; (t = queue.poll()) != null; ) {
        execute(t);
      }
    }
  }

  /** Runs in progress now (for tests). */
  int busy() {
    return busy.get();
  }
}

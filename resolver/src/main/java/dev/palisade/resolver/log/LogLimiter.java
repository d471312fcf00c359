package dev.palisade.resolver.log;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * At most {@code perSecond} lines of one kind per second, so that a flood of refusals or bogus
 * answers cannot fill the disk. Lines over the limit are counted, and the count is logged (once)
 * when the next second's first line is let through, or by {@link #flush}.
 */
public final class LogLimiter {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final Logger log;
  private final String what;
  private final int perSecond;
  private final LongSupplier nanoTime;
  private long windowStart;
  private int used;
  private long suppressed;

  /**
   * @param what the kind of line, for the "suppressed" line (e.g. {@code "refusal"})
   */
  public LogLimiter(Logger log, String what, int perSecond, LongSupplier nanoTime) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be at least 1: " + perSecond);
    }
    this.log = log;
    this.what = what;
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** Whether a line may be logged now; if not, it is counted as suppressed. */
  public boolean tryAcquire() {
    long now = nanoTime.getAsLong();
    long report = 0;
    boolean ok;
    synchronized (this) {
      if (now - windowStart >= SECOND) {
        report = suppressed;
        suppressed = 0;
        used = 0;
        windowStart = now;
      }
      ok = used < perSecond;
      if (ok) {
        used++;
      } else {
        suppressed++;
      }
    }
    if (report > 0) {
      log.warn("suppressed {} {} lines (more than {} per second)", report, what, perSecond);
    }
    return ok;
  }

  /** Logs the count of lines suppressed so far, if any (at shutdown). */
  public void flush() {
    long report;
    synchronized (this) {
      report = suppressed;
      suppressed = 0;
    }
    if (report > 0) {
      log.warn("suppressed {} {} lines (more than {} per second)", report, what, perSecond);
    }
  }
}

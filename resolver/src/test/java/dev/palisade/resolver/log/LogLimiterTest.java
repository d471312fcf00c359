package dev.palisade.resolver.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogLimiterTest {

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final LogLimiter limiter = new LogLimiter(LoggerFactory.getLogger(LogLimiterTest.class), "test", 3, now::get);

  int allowed(int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; i++) {
      if (limiter.tryAcquire()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aFloodGetsOnlyTheLimitPerSecond() {
    assertEquals(3, allowed(1000));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    assertFalse(limiter.tryAcquire(), "still the same second");
  }

  @Test
  void theNextSecondGetsItsOwnLines() {
    assertEquals(3, allowed(10));
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertEquals(3, allowed(10));
    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    assertTrue(limiter.tryAcquire());
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new LogLimiter(LoggerFactory.getLogger(LogLimiterTest.class), "x", 0, now::get));
  }
}

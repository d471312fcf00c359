package dev.palisade.resolver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.RateLimitConfig;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  final AtomicLong now = new AtomicLong(1_000_000_000L);

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void aClientMaySpendItsBurstAtOnceThenQpsPerSecond() throws Exception {
    RateLimiter r = new RateLimiter(new RateLimitConfig(10, 20, "drop", 100), now::get);
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < 20; i++) {
      assertTrue(r.tryAcquire(a), "query " + i + " is within the burst");
    }
    assertFalse(r.tryAcquire(a), "the bucket is empty");
    now.addAndGet(500_000_000L); // half a second earns 5 tokens
    int passed = 0;
    for (int i = 0; i < 20; i++) {
      passed += r.tryAcquire(a) ? 1 : 0;
    }
    assertEquals(5, passed);
    now.addAndGet(3_600_000_000_000L); // a quiet hour refills only up to the burst
    passed = 0;
    for (int i = 0; i < 100; i++) {
      passed += r.tryAcquire(a) ? 1 : 0;
    }
    assertEquals(20, passed);
  }

  @Test
  void oneClientOverItsLimitLeavesOthersUntouched() throws Exception {
    RateLimiter r = new RateLimiter(new RateLimitConfig(1, 2, "refuse", 100), now::get);
    for (int i = 0; i < 1000; i++) {
      r.tryAcquire(ip("192.0.2.1"));
    }
    assertTrue(r.tryAcquire(ip("192.0.2.2")));
    assertTrue(r.tryAcquire(ip("192.0.2.2")));
    assertTrue(r.refuses());
  }

  @Test
  void tracksAtMostMaxClientsForgettingTheLeastRecentlySeen() throws Exception {
    RateLimiter r = new RateLimiter(new RateLimitConfig(1, 1, "drop", 1000), now::get);
    InetAddress busy = ip("10.255.255.255");
    assertTrue(r.tryAcquire(busy));
    for (int i = 0; i < 100_000; i++) {
      r.tryAcquire(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
      assertTrue(r.trackedClients() <= 1000);
    }
    assertEquals(1000, r.trackedClients());
    // The busy client was forgotten long ago: it starts again with a full bucket.
    assertTrue(r.tryAcquire(busy));
  }

  @Test
  void offLetsEverythingThrough() throws Exception {
    for (int i = 0; i < 10_000; i++) {
      assertTrue(RateLimiter.OFF.tryAcquire(ip("192.0.2.1")));
    }
    assertEquals(0, RateLimiter.OFF.trackedClients());
  }
}

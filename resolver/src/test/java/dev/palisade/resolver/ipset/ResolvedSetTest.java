package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ALLOW4;
import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.IpSetConfig.Backend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResolvedSetTest {

  final Fixtures.FakeBackend backend = new Fixtures.FakeBackend("ipset");
  final Fixtures.ManualScheduler scheduler = new Fixtures.ManualScheduler();
  final AtomicInteger evicted = new AtomicInteger();
  final IpSetListener listener = new IpSetListener() {
    @Override
    public void onEvicted(String set) {
      evicted.incrementAndGet();
    }
  };
  final KernelWriter kernel = new KernelWriter(Map.of(Backend.IPSET, backend), scheduler, listener, System::nanoTime);

  @Test
  void aReAddedAddressKeepsTheLaterExpiry() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, null, IpSetListener.NONE);
    set.add(ip("10.0.0.1"), 50_000, 1_000);
    set.add(ip("10.0.0.1"), 20_000, 2_000);
    assertEquals(List.of(new ResolvedSet.Entry(ip("10.0.0.1"), 50_000)), set.snapshot());
    set.add(ip("10.0.0.1"), 90_000, 3_000);
    assertEquals(List.of(new ResolvedSet.Entry(ip("10.0.0.1"), 90_000)), set.snapshot());
  }

  @Test
  void expireRemovesAndReturnsOnlyWhatIsDue() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, null, IpSetListener.NONE);
    set.add(ip("10.0.0.1"), 5_000, 0);
    set.add(ip("10.0.0.2"), 9_000, 0);
    set.pin(ip("10.0.0.53"), 0);
    assertEquals(List.of(new ResolvedSet.Entry(ip("10.0.0.1"), 5_000)), set.expire(5_000));
    assertEquals(2, set.size());
    assertEquals(List.of(), set.expire(8_999));
    set.expire(Long.MAX_VALUE - 1);
    assertEquals(List.of(new ResolvedSet.Entry(ip("10.0.0.53"), ResolvedSet.FOREVER)), set.snapshot(), "pinned addresses never expire");
  }

  @Test
  void aFullSetDropsTheAddressClosestToExpiryAndCountsIt() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 2, kernel, listener);
    set.add(ip("10.0.0.1"), 30_000, 0);
    set.add(ip("10.0.0.2"), 10_000, 0);
    set.add(ip("10.0.0.3"), 20_000, 0);
    assertEquals(2, set.size());
    assertEquals(List.of(ip("10.0.0.3"), ip("10.0.0.1")), set.snapshot().stream().map(ResolvedSet.Entry::address).toList());
    assertEquals(1, set.evictions());
    assertEquals(1, evicted.get());
    scheduler.runAll();
    assertTrue(backend.all().contains(KernelOp.delete(ALLOW4, ip("10.0.0.2"))), "the evicted address leaves the kernel too: " + backend.all());
  }

  @Test
  void pinnedAddressesAreNeverEvicted() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 1, null, IpSetListener.NONE);
    set.pin(ip("10.0.0.53"), 0);
    set.add(ip("10.0.0.1"), 30_000, 0);
    assertEquals(List.of(new ResolvedSet.Entry(ip("10.0.0.53"), ResolvedSet.FOREVER)), set.snapshot());
  }

  @Test
  void aNewAddressWaitsForTheKernelAndAKnownOneDoesNot() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, kernel, IpSetListener.NONE);
    CompletableFuture<Void> first = set.add(ip("10.0.0.1"), 60_000, 0);
    CompletableFuture<Void> concurrent = set.add(ip("10.0.0.1"), 60_000, 10);
    assertFalse(first.isDone(), "not in the kernel yet");
    assertFalse(concurrent.isDone(), "a second answer with the same new address waits for the same write");
    scheduler.runAll();
    assertTrue(first.isDone() && concurrent.isDone());
    assertEquals(List.of(List.of(KernelOp.add(ALLOW4, ip("10.0.0.1"), 60))), backend.batches);

    // A cache hit: same expiry (the TTL aged as time passed): no write, no wait.
    assertTrue(set.add(ip("10.0.0.1"), 60_000, 20_000).isDone());
    // A fresh answer moving the expiry later: written, but the kernel already holds it, so no wait.
    CompletableFuture<Void> refresh = set.add(ip("10.0.0.1"), 120_000, 30_000);
    assertTrue(refresh.isDone());
    scheduler.runAll();
    assertEquals(KernelOp.add(ALLOW4, ip("10.0.0.1"), 90), backend.all().get(1));
  }

  @Test
  void afterAFailedWriteTheNextAnswerWritesAgainAndWaits() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, kernel, IpSetListener.NONE);
    backend.failing = true;
    CompletableFuture<Void> first = set.add(ip("10.0.0.1"), 60_000, 0);
    scheduler.runAll();
    assertTrue(first.isDone(), "a failed write still releases the answer");
    assertEquals(1, kernel.failures());
    backend.failing = false;
    CompletableFuture<Void> again = set.add(ip("10.0.0.1"), 60_000, 1_000);
    assertFalse(again.isDone());
    scheduler.runAll();
    assertEquals(List.of(KernelOp.add(ALLOW4, ip("10.0.0.1"), 59)), backend.all());
  }

  @Test
  void anAddressTheKernelIsAboutToDropCountsAsAbsent() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, kernel, IpSetListener.NONE);
    set.add(ip("10.0.0.1"), 5_000, 0);
    scheduler.runAll();
    CompletableFuture<Void> late = set.add(ip("10.0.0.1"), 64_000, 4_000);
    assertFalse(late.isDone(), "one second left in the kernel is not enough to answer before the write");
    scheduler.runAll();
    assertTrue(late.isDone());
  }

  @Test
  void pinnedAddressesGoToTheKernelWithoutTimeout() {
    ResolvedSet set = new ResolvedSet(ALLOW4, 10, kernel, IpSetListener.NONE);
    set.pin(ip("127.0.0.1"), 0);
    scheduler.runAll();
    assertEquals(List.of(KernelOp.add(ALLOW4, ip("127.0.0.1"), 0)), backend.all());
    assertTrue(set.add(ip("127.0.0.1"), 5_000, 0).isDone());
    assertEquals(1, backend.all().size(), "an answer does not put a timeout on a pinned address");
  }
}

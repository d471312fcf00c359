package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InlineWhenIdleTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final AtomicBoolean quiet = new AtomicBoolean(true);
  private final InlineWhenIdle executor = new InlineWhenIdle(pool, quiet::get);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void whenQuietAndIdleTheSubmitterRunsTheTask() throws Exception {
    assertSame(Thread.currentThread(), threadThatRuns());
    assertEquals(0, executor.busy());
  }

  @Test
  void tasksSubmittedByATaskRunAfterItOnTheSameThreadNotNested() {
    List<String> order = new CopyOnWriteArrayList<>();
    executor.execute(() -> {
      order.add("first starts");
      executor.execute(() -> {
        order.add("second on " + (Thread.currentThread() == ranOn() ? "the submitter" : "another thread"));
        executor.execute(() -> order.add("third"));
      });
      order.add("first ends");
    });
    assertEquals(List.of("first starts", "first ends", "second on the submitter", "third"), order);
    assertEquals(0, executor.busy());
  }

  private final Thread submitter = Thread.currentThread();

  private Thread ranOn() {
    return submitter;
  }

  @Test
  void underLoadTasksGoToThePool() throws Exception {
    quiet.set(false);
    assertNotSame(Thread.currentThread(), threadThatRuns());
  }

  /** Submits a task and waits for it: the thread it ran on. */
  private Thread threadThatRuns() throws InterruptedException {
    AtomicReference<Thread> ran = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    executor.execute(() -> {
      ran.set(Thread.currentThread());
      done.countDown();
    });
    assertTrue(done.await(10, TimeUnit.SECONDS));
    return ran.get();
  }

  @Test
  void whilePoolWorkRunsAQuietSubmitterHandsOverToo() throws Exception {
    quiet.set(false);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    executor.execute(() -> {
      started.countDown();
      await(release);
    });
    assertTrue(started.await(10, TimeUnit.SECONDS));
    quiet.set(true);
    assertNotSame(Thread.currentThread(), threadThatRuns(), "the pool was busy: the task is not run inline");
    release.countDown();
  }

  @Test
  void aPoolTaskKeepsWhatItSubmitsOnItsOwnThread() throws Exception {
    quiet.set(false);
    AtomicReference<Thread> first = new AtomicReference<>();
    AtomicReference<Thread> second = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    executor.execute(() -> {
      first.set(Thread.currentThread());
      executor.execute(() -> {
        second.set(Thread.currentThread());
        done.countDown();
      });
    });
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertSame(first.get(), second.get());
  }

  @Test
  void aTaskThatThrowsLosesNothingQueuedBehindIt() throws Exception {
    CountDownLatch queuedRan = new CountDownLatch(1);
    RuntimeException boom = new IllegalStateException("boom");
    RuntimeException thrown = assertThrows(IllegalStateException.class, () -> executor.execute(() -> {
      executor.execute(queuedRan::countDown);
      throw boom;
    }));
    assertSame(boom, thrown);
    assertTrue(queuedRan.await(10, TimeUnit.SECONDS), "the task it had submitted still ran (on the pool)");
    for (int i = 0; i < 100 && executor.busy() != 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(0, executor.busy());
    // And the executor is usable inline again.
    assertSame(Thread.currentThread(), threadThatRuns());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

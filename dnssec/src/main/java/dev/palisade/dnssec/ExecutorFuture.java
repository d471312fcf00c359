package dev.palisade.dnssec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A future whose {@code *Async} methods without an executor, and those of every stage made from
 * it, run on the validator's executor instead of the common pool. dnsjava 3.7.1's
 * ValidatingResolver calls {@code thenComposeAsync(fn)} with no executor on the futures our
 * upstream adapter returns (its DS and DNSKEY lookups); the JDK lets a subclass choose that
 * default (Java 9+, {@link CompletableFuture#defaultExecutor()}).
 */
final class ExecutorFuture<T> extends CompletableFuture<T> {
  private final Executor executor;

  ExecutorFuture(Executor executor) {
    this.executor = executor;
  }

  @Override
  public Executor defaultExecutor() {
    return executor;
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new ExecutorFuture<>(executor);
  }
}

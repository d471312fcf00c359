package dev.palisade.resolver.stage;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Stage;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Outermost: tells the observers what each client got and how long it took. Observers never change
 * anything, so this stage returns the very future it was given.
 */
public final class ObserveStage implements Stage {

  private final QueryObserver observer;
  private final LongSupplier nanoTime;

  public ObserveStage(QueryObserver observer, LongSupplier nanoTime) {
    this.observer = observer;
    this.nanoTime = nanoTime;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    Query query = chain.query();
    CompletableFuture<Answer> answer = chain.proceed(query);
    answer.whenComplete((a, error) -> {
      try {
        observer.answered(query, a, nanoTime.getAsLong() - query.receivedNanos());
      } catch (RuntimeException e) {
        // An observer must not cost a client its answer.
      }
    });
    return answer;
  }

  /** Several observers as one, in order. */
  public static QueryObserver all(QueryObserver... observers) {
    QueryObserver[] copy = observers.clone();
    return (q, a, n) -> {
      for (QueryObserver o : copy) {
        o.answered(q, a, n);
      }
    };
  }
}

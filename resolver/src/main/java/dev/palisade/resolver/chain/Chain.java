package dev.palisade.resolver.chain;

import java.util.concurrent.CompletableFuture;

/** What a {@link Stage} sees: the query, and the rest of the pipeline behind it. */
public interface Chain {
  Query query();

  /** Hands {@code query} (this one, or a replacement) to the next stage. Call at most once. */
  CompletableFuture<Answer> proceed(Query query);
}

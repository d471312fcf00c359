package dev.palisade.resolver.chain;

import java.util.concurrent.CompletableFuture;

/**
 * One step of answering a query. A stage either answers on its own (short-circuit) or calls
 * {@link Chain#proceed} once and may transform what comes back. Stages never block: anything slow
 * returns a future.
 */
public interface Stage {
  CompletableFuture<Answer> handle(Chain chain);
}

package dev.palisade.resolver.stage;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Query;

/**
 * Sees every client query once it is answered, for metrics and the query log. Called on whichever
 * thread completed the answer: implementations must be thread-safe, cheap, and must not throw.
 */
public interface QueryObserver {

  QueryObserver NONE = (query, answer, nanos) -> {};

  /**
   * @param answer what the client gets, shaped; null when the pipeline failed (the client gets
   *     SERVFAIL)
   * @param nanos time from receipt to answer
   */
  void answered(Query query, Answer answer, long nanos);
}

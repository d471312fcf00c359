package dev.palisade.resolver.stage;

import dev.palisade.resolver.chain.Query;

/**
 * Told about every query a stage refuses (access, policy, and any later stage that refuses, such as
 * rate limiting), for the refusal log and metrics. Called on event loops: cheap, thread-safe, never
 * throws.
 */
public interface RefusalListener {

  RefusalListener NONE = (query, layer, reason, enforced) -> {};

  /**
   * @param layer low-cardinality: {@code access}, a policy layer in lower case ({@code list},
   *     {@code lexical}, {@code budget}, {@code record_type}, {@code structure}, {@code answer}),
   *     {@code rate_limit}
   * @param reason why, for the log line
   * @param enforced false when policy runs in monitor mode: the query was forwarded anyway
   */
  void refused(Query query, String layer, String reason, boolean enforced);

  /** Several listeners as one, in order. */
  static RefusalListener all(RefusalListener... listeners) {
    RefusalListener[] copy = listeners.clone();
    return (q, l, r, e) -> {
      for (RefusalListener x : copy) {
        x.refused(q, l, r, e);
      }
    };
  }
}

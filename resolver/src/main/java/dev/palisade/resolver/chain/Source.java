package dev.palisade.resolver.chain;

/** Where an answer came from (a low-cardinality tag for logs and metrics). */
public enum Source {
  /** Decided by policy or access control, without asking anyone. */
  POLICY,
  /** Made up locally: request errors, failures. */
  LOCAL,
  CACHE,
  STALE,
  UPSTREAM
}

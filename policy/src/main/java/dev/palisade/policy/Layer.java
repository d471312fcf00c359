package dev.palisade.policy;

/** The policy layer that took a decision (a low-cardinality metric tag). */
public enum Layer {
  /** Name syntax, public suffix, special-use and reverse-zone rules. */
  STRUCTURE,
  /** Allowlist, denylist, strict mode. */
  LIST,
  /** The per-name lexical score. */
  LEXICAL,
  /** Information budgets, velocity brake, per-client total. */
  BUDGET,
  /** Refused query types. */
  RECORD_TYPE,
  /** Answer rules: rebinding, data in answers. */
  ANSWER
}

package dev.palisade.dnssec;

/**
 * The four DNSSEC security states of RFC 4033 §5 (and RFC 4035 §4.3), as the stub reports them.
 */
public enum SecurityStatus {
  /** Validated from a trust anchor down to the answer: the answer carries AD. */
  SECURE,
  /** Provably unsigned (a signed proof that a delegation on the way has no DS): answered without AD. */
  INSECURE,
  /** Should have validated and did not (forged, corrupted, expired, missing signatures): SERVFAIL, never the data. */
  BOGUS,
  /** No answer to judge: the upstream failed, timed out or answered with an error. SERVFAIL. */
  INDETERMINATE
}

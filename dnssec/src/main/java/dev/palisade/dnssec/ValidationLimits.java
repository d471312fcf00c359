package dev.palisade.dnssec;

import java.time.Duration;

/**
 * Bounds on what one validator spends: memory for its caches, work per answer (the KeyTrap limits,
 * CVE-2023-50387 and CVE-2023-50868), and time per query.
 *
 * @param keyCacheEntries validated DNSKEY sets (one per zone) kept by dnsjava's key cache
 * @param keyCacheMaxTtl longest a validated DNSKEY set is trusted without asking again, whatever its TTL
 * @param subqueryCacheEntries DS and DNSKEY replies kept for re-validation (see README "Caches")
 * @param nsec3MaxIterations NSEC3 iteration counts above this make a denial insecure (RFC 9276
 *     §3.2); 150 is what unbound 1.17, BIND 9.18 and Knot use
 * @param maxValidateRrsigs RRSIGs tried per RRset before giving up as bogus (KeyTrap)
 * @param maxDsMatchFailures DS records tried against a DNSKEY set before giving up (KeyTrap)
 * @param timeout a query whose upstream exchanges have not all finished by then is INDETERMINATE
 */
public record ValidationLimits(
    int keyCacheEntries,
    Duration keyCacheMaxTtl,
    int subqueryCacheEntries,
    int nsec3MaxIterations,
    int maxValidateRrsigs,
    int maxDsMatchFailures,
    Duration timeout) {

  public ValidationLimits {
    positive(keyCacheEntries, "keyCacheEntries");
    positive(subqueryCacheEntries, "subqueryCacheEntries");
    positive(maxValidateRrsigs, "maxValidateRrsigs");
    positive(maxDsMatchFailures, "maxDsMatchFailures");
    if (nsec3MaxIterations < 0 || nsec3MaxIterations > 65535) {
      // RFC 5155 §3.1.3: the field is 16 bits
      throw new IllegalArgumentException("nsec3MaxIterations must be 0..65535: " + nsec3MaxIterations);
    }
    if (keyCacheMaxTtl.isNegative() || keyCacheMaxTtl.isZero()) {
      throw new IllegalArgumentException("keyCacheMaxTtl must be positive: " + keyCacheMaxTtl);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** 1000 zones, 15 minutes, 150 NSEC3 iterations, 8 RRSIGs, 4 DS, 10 s: unbound's choices where it has them. */
  public static ValidationLimits defaults() {
    return new ValidationLimits(1000, Duration.ofMinutes(15), 1000, 150, 8, 4, Duration.ofSeconds(10));
  }

  public ValidationLimits withTimeout(Duration timeout) {
    return new ValidationLimits(keyCacheEntries, keyCacheMaxTtl, subqueryCacheEntries, nsec3MaxIterations,
        maxValidateRrsigs, maxDsMatchFailures, timeout);
  }

  private static void positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}

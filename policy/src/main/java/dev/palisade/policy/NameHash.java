package dev.palisade.policy;

import java.security.SecureRandom;

/**
 * Keyed polynomial hashing modulo the Mersenne prime 2^61−1, over a lower-cased host name read
 * right to left four characters at a time, so one pass yields the hash of every label-aligned
 * suffix (a suffix's hash is the running state with its last partial group flushed).
 *
 * <p>For two different strings of at most L characters, the chance that their hashes collide is
 * at most L/2^63 over the random key (a universal family), whatever strings an attacker picks, as
 * long as the key stays secret. That matters for allowlists: a collision would let a name through.
 * The key is drawn once per JVM from {@link SecureRandom}; it is immutable, not state.
 */
final class NameHash {
  static final long P = (1L << 61) - 1;
  /** The multiplier of the polynomial, in [2^32, P). */
  static final long KEY;

  static {
    SecureRandom random = new SecureRandom();
    long k;
    do {
      k = random.nextLong() & P;
    } while (k < (1L << 32) || k >= P);
    KEY = k;
  }

  private NameHash() {}

  /** (a·b) mod P for a, b in [0, P). */
  static long mulMod(long a, long b) {
    long lo = a * b;
    long hi = Math.multiplyHigh(a, b);
    long r = (lo & P) + ((lo >>> 61) | (hi << 3));
    r = (r & P) + (r >>> 61);
    return r >= P ? r - P : r;
  }

  /**
   * One step of the polynomial: {@code h·KEY + digit} mod P. A digit packs up to four
   * characters (8 bits each, the first read in the low byte); host-name characters are never 0,
   * so the digits determine the string and different strings give different polynomials.
   */
  static long step(long h, int digit) {
    long r = mulMod(h, KEY) + (digit & 0xffffffffL);
    return r >= P ? r - P : r;
  }

  /**
   * Hashes the ASCII bytes {@code lower[0, length)} right to left, four characters a step, and
   * stores for each label start {@code labelStarts[i]} the hash of the suffix starting there in
   * {@code out[i]}. Returns the hash of the whole name (= out[0]).
   */
  static long suffixes(byte[] lower, int length, int[] labelStarts, int labels, long[] out) {
    long h = 0;
    int group = 0;
    int n = 0;
    int label = labels - 1;
    for (int j = length - 1; j >= 0; j--) {
      group |= (lower[j] & 0xff) << (n << 3);
      if (++n == 4) {
        h = step(h, group);
        group = 0;
        n = 0;
      }
      if (label >= 0 && j == labelStarts[label]) {
        out[label] = n == 0 ? h : step(h, group);
        label--;
      }
    }
    return labels == 0 ? 0 : out[0];
  }

  /** Hash of a whole lower-case name (the value {@link #suffixes} gives for it). */
  static long of(CharSequence lower) {
    long h = 0;
    int group = 0;
    int n = 0;
    for (int j = lower.length() - 1; j >= 0; j--) {
      group |= (lower.charAt(j) & 0xff) << (n << 3);
      if (++n == 4) {
        h = step(h, group);
        group = 0;
        n = 0;
      }
    }
    return n == 0 ? h : step(h, group);
  }

  /** Incremental form for byte parsers: feed characters right to left, then {@link #finish}. */
  static final class Builder {
    private long h;
    private int group;
    private int n;

    void reset() {
      h = 0;
      group = 0;
      n = 0;
    }

    void add(int c) {
      group |= (c & 0xff) << (n << 3);
      if (++n == 4) {
        h = step(h, group);
        group = 0;
        n = 0;
      }
    }

    long finish() {
      return n == 0 ? h : step(h, group);
    }
  }

  /** A 64-bit mix (SplitMix64 finaliser) to spread a hash over table slots. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}

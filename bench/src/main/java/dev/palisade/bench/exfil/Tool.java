package dev.palisade.bench.exfil;

import java.util.Random;

/**
 * A simulated tunnel client: builds the queries the real tool would send for a random payload,
 * paces them, and retries a refused chunk as the tool does. Payload counts only when the query
 * carrying it was forwarded.
 */
abstract class Tool {
  static final long SECOND = 1_000_000_000L;

  final String name;
  final Random random;
  /** When the next query goes out (simulated nanos). */
  long nextAt;
  private Probe pending;
  private int consecutiveRefusals;

  Tool(String name, long seed) {
    this.name = name;
    this.random = new Random(seed);
  }

  /** The next query: the pending (refused) one again, or a new one. */
  final Probe next() {
    if (pending == null) {
      pending = build();
    }
    return pending;
  }

  /** Feedback from the resolver. */
  final void result(boolean forwarded, long now) {
    if (forwarded) {
      pending = null;
      consecutiveRefusals = 0;
      nextAt = now + interval();
    } else {
      consecutiveRefusals++;
      nextAt = now + retryDelay(consecutiveRefusals);
    }
  }

  /** A new query carrying the next chunk. */
  abstract Probe build();

  /** Time between queries when all goes well. */
  abstract long interval();

  /** Time before retrying after the n-th refusal in a row (tools retry on timeouts and errors). */
  long retryDelay(int n) {
    return SECOND;
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[Math.max(0, n)];
    random.nextBytes(b);
    return b;
  }
}

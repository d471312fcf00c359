package dev.palisade.resolver.ipset;

/**
 * What the resolved-IP sets report, for metrics. Called from event loops and the ipset thread:
 * implementations must be thread-safe and must not block.
 */
public interface IpSetListener {
  IpSetListener NONE = new IpSetListener() {};

  /** An address entered set {@code set} (not a refresh of one already in). */
  default void onAdded(String set) {}

  /** {@code max_entries} bit: the soonest-expiring address of {@code set} was dropped early. */
  default void onEvicted(String set) {}

  /** A batch of {@code ops} kernel updates was applied by {@code backend} ("ipset" or "nft"). */
  default void onApplied(String backend, int ops, long nanos) {}

  /** A batch could not be applied; the answers waiting on it went out anyway. */
  default void onApplyFailed(String backend, int ops) {}
}

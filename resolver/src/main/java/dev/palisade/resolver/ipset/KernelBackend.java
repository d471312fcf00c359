package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.SetSpec;
import java.util.List;

/** A kernel facility holding sets: ipset or nftables. Called on the ipset thread only; may block. */
interface KernelBackend {
  /** "ipset" or "nft", for logs and metrics. */
  String name();

  /** Creates {@code set} if it is missing; fails if it exists but cannot take timeouts. */
  void ensure(SetSpec set, int maxEntries) throws KernelException;

  /** Applies {@code ops} in order, as one batch. */
  void apply(List<KernelOp> ops) throws KernelException;
}

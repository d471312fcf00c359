package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.SetSpec;
import java.net.InetAddress;

/**
 * One change to a kernel set.
 *
 * @param timeoutSeconds for an add: the kernel timeout, 0 for an entry that never times out
 */
record KernelOp(SetSpec set, InetAddress address, long timeoutSeconds, boolean delete) {
  static KernelOp add(SetSpec set, InetAddress address, long timeoutSeconds) {
    return new KernelOp(set, address, timeoutSeconds, false);
  }

  static KernelOp delete(SetSpec set, InetAddress address) {
    return new KernelOp(set, address, 0, true);
  }
}

package dev.palisade.resolver.chain;

import java.net.InetSocketAddress;
import java.util.Objects;

/** Who asked, and how. */
public record Client(InetSocketAddress address, Protocol protocol) {
  public Client {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
  }
}

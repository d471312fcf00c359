package dev.palisade.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One {@code listen_addresses} entry. Stubby syntax: {@code 127.0.0.1}, {@code 0::1},
 * {@code 127.0.0.1@5353}, {@code 0::1@5353}; the port defaults to 53.
 */
public record ListenAddress(InetAddress address, int port) {
  public ListenAddress {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Stubby's notation, as accepted in the config. */
  @Override
  public String toString() {
    return address.getHostAddress() + "@" + port;
  }
}

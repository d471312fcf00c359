package dev.palisade.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One {@code listen_addresses} entry. Stubby syntax: {@code 127.0.0.1}, {@code 0::1},
 * {@code 127.0.0.1@5353}, {@code 0::1@5353}; the port defaults to 53.
 */
public record ListenAddress(InetAddress address, int port) {
  /** Stubby's default when an entry names no port. */
  static final int DEFAULT_PORT = 53;

  public ListenAddress {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * Parses Stubby's notation: an IP literal, optionally followed by {@code @port}.
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  public static ListenAddress parse(String text) {
    String s = text.trim();
    // The last '@': an IPv6 zone may not contain one, so the port is always after it.
    int at = s.lastIndexOf('@');
    InetAddress address = InetLiterals.parse(at < 0 ? s : s.substring(0, at));
    if (at < 0) {
      return new ListenAddress(address, DEFAULT_PORT);
    }
    String port = s.substring(at + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("bad port in \"" + text + "\"");
    }
    return new ListenAddress(address, Integer.parseInt(port));
  }

  /** Stubby's notation, as accepted in the config: {@code 127.0.0.1@53}, {@code ::1@53}. */
  @Override
  public String toString() {
    return InetLiterals.format(address) + "@" + port;
  }
}

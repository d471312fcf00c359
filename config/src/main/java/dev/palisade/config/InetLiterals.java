package dev.palisade.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IP literals without ever consulting a resolver (we are the resolver). */
final class InetLiterals {
  private InetLiterals() {}

  /** @throws IllegalArgumentException if {@code text} is not an IPv4 or IPv6 literal */
  static InetAddress parse(String text) {
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    boolean v6 = s.indexOf(':') >= 0;
    boolean v4 = !v6 && s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!v4 && !(v6 && s.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+"))) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal");
    }
    try {
      // With a literal, getByName parses only; it never queries DNS.
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal");
    }
  }
}

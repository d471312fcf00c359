package dev.palisade.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses and prints IP literals without ever consulting a resolver (we are the resolver). */
final class InetLiterals {
  /**
   * Dotted quad without leading zeros: inet_pton(3), which Stubby uses, rejects them, and some
   * other parsers read them as octal, so accepting them would make one file mean two things.
   */
  private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");

  /**
   * Starts with a hex digit or ':' and has a ':' before any zone. {@link InetAddress#getByName}
   * treats such text as a literal and fails rather than falling back to a DNS lookup, which it
   * does for anything else.
   */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?");

  private InetLiterals() {}

  /** @throws IllegalArgumentException if {@code text} is not an IPv4 or IPv6 literal */
  static InetAddress parse(String text) {
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    try {
      if (IPV4.matcher(s).matches()) {
        String[] parts = s.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(parts[i]);
          if (octet > 255) {
            throw new UnknownHostException(s);
          }
          b[i] = (byte) octet;
        }
        return InetAddress.getByAddress(b);
      }
      if (IPV6.matcher(s).matches()) {
        return InetAddress.getByName(s);
      }
    } catch (UnknownHostException e) {
      // fall through: not a literal we accept
    }
    throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal");
  }

  /**
   * The RFC 5952 text form ({@code ::1} rather than Java's {@code 0:0:0:0:0:0:0:1}), keeping a
   * zone if there is one; IPv4 as a dotted quad.
   */
  static String format(InetAddress address) {
    String javaForm = address.getHostAddress();
    if (address instanceof Inet4Address) {
      return javaForm;
    }
    int percent = javaForm.indexOf('%');
    String zone = percent < 0 ? "" : javaForm.substring(percent);
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // RFC 5952 section 4.2: shorten the longest run of two or more zero groups, the first if tied.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.append(zone).toString();
  }
}

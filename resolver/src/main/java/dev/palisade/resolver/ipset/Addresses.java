package dev.palisade.resolver.ipset;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses as text, the way ipset and nft print them. */
final class Addresses {
  private Addresses() {}

  /**
   * IPv4 dotted; IPv6 in RFC 5952 form (section 4: lower case, no leading zeros, the longest run
   * of two or more zero groups as "::", the first such run on a tie). Java's own form never
   * shortens, which makes exports and logs hard to compare with the tools' listings.
   */
  static String text(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(g[i]));
    }
    return out.toString();
  }
}

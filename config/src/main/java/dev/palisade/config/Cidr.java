package dev.palisade.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An address block such as {@code 127.0.0.0/8} or {@code ::1/128}. A bare address means a single
 * host. IPv4-mapped IPv6 client addresses ({@code ::ffff:a.b.c.d}) match IPv4 blocks, since a
 * dual-stack socket reports IPv4 clients that way.
 */
public record Cidr(InetAddress network, int prefixLength) {
  public Cidr {
    Objects.requireNonNull(network, "network");
    int max = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length must be 0.." + max + ", got " + prefixLength);
    }
    network = mask(network, prefixLength);
  }

  /**
   * Parses {@code addr/len} or a bare address literal (never a host name).
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress ip = InetLiterals.parse(addr);
    int max = ip.getAddress().length * 8;
    if (slash < 0) {
      return new Cidr(ip, max);
    }
    String digits = s.substring(slash + 1);
    if (!digits.matches("\\d{1,3}")) {
      throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
    }
    int len = Integer.parseInt(digits);
    if (ip instanceof Inet4Address && addr.indexOf(':') >= 0) {
      // Java turns ::ffff:a.b.c.d into an IPv4 address, so ::ffff:10.0.0.0/104 is 10.0.0.0/8;
      // contains() unmaps clients the same way, so the block still matches what it says.
      if (len < 96) {
        throw new IllegalArgumentException(
            "prefix length of an IPv4-mapped block must be 96..128, got " + len);
      }
      len -= 96;
    }
    return new Cidr(ip, len);
  }

  public boolean contains(InetAddress address) {
    byte[] a = unmap(address).getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != n[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int m = (0xff << (8 - rest)) & 0xff;
    return (a[full] & m) == (n[full] & m);
  }

  private static InetAddress unmap(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new AssertionError(e);
        }
      }
    }
    return a;
  }

  private static InetAddress mask(InetAddress a, int len) {
    byte[] b = a.getAddress();
    for (int i = 0; i < b.length; i++) {
      int bits = Math.max(0, Math.min(8, len - i * 8));
      b[i] &= (byte) ((0xff << (8 - bits)) & 0xff);
    }
    try {
      return a instanceof Inet4Address ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return InetLiterals.format(network) + "/" + prefixLength;
  }
}

package dev.palisade.upstream.testbed;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** The test bed may only ever talk to loopback addresses; every address it is given passes here. */
final class Loopback {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private Loopback() {}

  /** True for an IPv4 or IPv6 literal; checked first so that a host name is never looked up. */
  static boolean isIpLiteral(String s) {
    return IPV4.matcher(s).matches() || IPV6.matcher(s).matches();
  }

  static InetAddress require(String address) {
    if (address == null || !isIpLiteral(address)) {
      throw new IllegalArgumentException("not an IP literal: " + address + " (use e.g. 127.0.0.1 or ::1)");
    }
    InetAddress parsed;
    try {
      parsed = InetAddress.getByName(address); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + address, e);
    }
    if (!parsed.isLoopbackAddress()) {
      throw new IllegalArgumentException("not a loopback address: " + address + " (only 127.0.0.0/8 and ::1 are allowed)");
    }
    return parsed;
  }
}

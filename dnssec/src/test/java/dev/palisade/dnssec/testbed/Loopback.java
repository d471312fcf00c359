package dev.palisade.dnssec.testbed;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** The test bed only ever uses loopback addresses (127.0.0.0/8, ::1); every address passes here. */
final class Loopback {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private Loopback() {}

  static String require(String address) {
    if (address == null || !(IPV4.matcher(address).matches() || IPV6.matcher(address).matches())) {
      throw new IllegalArgumentException("not an IP literal: " + address);
    }
    try {
      if (!InetAddress.getByName(address).isLoopbackAddress()) { // a literal: no lookup happens
        throw new IllegalArgumentException("not a loopback address: " + address);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + address, e);
    }
    return address;
  }
}

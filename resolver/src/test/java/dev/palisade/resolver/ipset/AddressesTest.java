package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void writesIpv6TheRfc5952Way() {
    assertEquals("2001:db8::1", Addresses.text(ip("2001:0db8:0:0:0:0:0:1")));
    assertEquals("::1", Addresses.text(ip("::1")));
    assertEquals("::", Addresses.text(ip("::")));
    assertEquals("fe80::", Addresses.text(ip("fe80:0:0:0:0:0:0:0")));
    assertEquals("2001:db8:0:1:1:1:1:1", Addresses.text(ip("2001:db8:0:1:1:1:1:1")), "one zero group stays");
    assertEquals("2001:0:0:1::1", Addresses.text(ip("2001:0:0:1:0:0:0:1")), "the longest run shortens");
    assertEquals("2001:db8::1:0:0:1", Addresses.text(ip("2001:db8:0:0:1:0:0:1")), "the first of equal runs");
    assertEquals("192.0.2.1", Addresses.text(ip("192.0.2.1")));
  }
}

package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class CidrTest {
  private static InetAddress ip(String literal) {
    return InetLiterals.parse(literal);
  }

  @Test
  void containsAddressesInsideTheBlockOnly() {
    Cidr block = Cidr.parse("192.168.0.0/16");
    assertTrue(block.contains(ip("192.168.0.0")));
    assertTrue(block.contains(ip("192.168.255.255")));
    assertFalse(block.contains(ip("192.169.0.0")));
    assertFalse(block.contains(ip("10.0.0.1")));
  }

  @Test
  void prefixThatIsNotAWholeByteSplitsInsideTheByte() {
    Cidr block = Cidr.parse("10.0.0.64/27");
    assertTrue(block.contains(ip("10.0.0.64")));
    assertTrue(block.contains(ip("10.0.0.95")));
    assertFalse(block.contains(ip("10.0.0.96")));
    assertFalse(block.contains(ip("10.0.0.63")));
  }

  @Test
  void bareAddressIsASingleHost() {
    assertEquals(new Cidr(ip("127.0.0.1"), 32), Cidr.parse("127.0.0.1"));
    assertEquals(new Cidr(ip("::1"), 128), Cidr.parse("::1"));
  }

  @Test
  void hostBitsAreMaskedAway() {
    Cidr block = Cidr.parse("192.168.1.77/24");
    assertEquals(Cidr.parse("192.168.1.0/24"), block);
    assertEquals("192.168.1.0/24", block.toString());
    assertEquals("2001:db8::/32", Cidr.parse("2001:db8:ffff::1/32").toString());
  }

  @Test
  void zeroPrefixContainsEveryAddressOfItsFamily() {
    assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
    assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
    assertFalse(Cidr.parse("::/0").contains(ip("203.0.113.9")));
  }

  @Test
  void ipv4MappedClientMatchesAnIpv4Block() throws UnknownHostException {
    // What a dual-stack socket reports for an IPv4 client; Java would unmap a literal, so build bytes.
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 5};
    InetAddress client = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertTrue(Cidr.parse("127.0.0.0/8").contains(client));
    assertFalse(Cidr.parse("10.0.0.0/8").contains(client));
  }

  @Test
  void ipv6BlockDoesNotContainIpv4Addresses() {
    assertFalse(Cidr.parse("::/96").contains(ip("1.2.3.4")));
  }

  @Test
  void ipv4MappedBlockMeansTheIpv4Block() {
    assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
    assertEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::ffff:0:0/96"));
  }

  @Test
  void rejectsIpv4MappedBlockShorterThan96() {
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::ffff:10.0.0.0/64"));
  }

  @Test
  void rejectsPrefixLongerThanTheAddress() {
    assertEquals("prefix length must be 0..32, got 33",
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::/129"));
  }

  @Test
  void rejectsMalformedPrefix() {
    for (String bad : new String[] {"10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8", "/8"}) {
      assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
    }
  }

  @Test
  void rejectsHostNames() {
    assertEquals("\"localhost\" is not an IP address literal",
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost/8")).getMessage());
  }

  @Test
  void printsIpv6Compactly() {
    assertEquals("::1/128", Cidr.parse("0:0:0:0:0:0:0:1").toString());
    assertEquals("fe80::/10", Cidr.parse("fe80::/10").toString());
  }
}

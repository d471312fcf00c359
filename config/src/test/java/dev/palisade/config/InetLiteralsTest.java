package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.Inet4Address;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InetLiteralsTest {
  @Test
  void parsesIpv4AndIpv6Literals() {
    assertEquals("9.9.9.9", InetLiterals.parse("9.9.9.9").getHostAddress());
    assertEquals("2620:fe:0:0:0:0:0:fe", InetLiterals.parse("2620:fe::fe").getHostAddress());
    assertEquals("0:0:0:0:0:0:0:1", InetLiterals.parse(" [::1] ").getHostAddress());
  }

  @Test
  void rejectsNamesAndNearMissesWithoutLookingThemUp() {
    // Anything getByName would not take as a literal makes it query DNS; none of these may.
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      for (String bad : new String[] {"localhost", "dns.quad9.net", "999.1.1.1", "1.2.3.256", "01.2.3.4",
          "1.2.3", "1.2.3.4.5", "g::1", "localhost:53", ":", "1:2:3:4:5:6:7:8:9", "", " ", "::1%", "[::1"}) {
        assertThrows(IllegalArgumentException.class, () -> InetLiterals.parse(bad), bad);
      }
    });
  }

  @Test
  void ipv4MappedIpv6BecomesIpv4AsInJava() {
    assertEquals(Inet4Address.class, InetLiterals.parse("::ffff:192.0.2.1").getClass());
  }

  @Test
  void formatsIpv6ByRfc5952() {
    assertEquals("::", format("0:0:0:0:0:0:0:0"));
    assertEquals("::1", format("0:0:0:0:0:0:0:1"));
    assertEquals("1::", format("1:0:0:0:0:0:0:0"));
    assertEquals("2001:db8::1", format("2001:0DB8:0:0:0:0:0:1"));
    // Section 4.2.2: a single zero group is not shortened.
    assertEquals("2001:db8:0:1:1:1:1:1", format("2001:db8:0:1:1:1:1:1"));
    // Section 4.2.3: the longest run is shortened, the first of equal runs.
    assertEquals("2001:0:0:1::1", format("2001:0:0:1:0:0:0:1"));
    assertEquals("2001:db8::1:0:0:1", format("2001:db8:0:0:1:0:0:1"));
    assertEquals("192.0.2.1", format("192.0.2.1"));
  }

  private static String format(String literal) {
    return InetLiterals.format(InetLiterals.parse(literal));
  }
}

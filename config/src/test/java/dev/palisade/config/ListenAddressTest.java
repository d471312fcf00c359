package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
  private static ListenAddress at(String ip, int port) {
    return new ListenAddress(InetLiterals.parse(ip), port);
  }

  @Test
  void bareAddressesListenOnPort53() {
    assertEquals(at("127.0.0.1", 53), ListenAddress.parse("127.0.0.1"));
    assertEquals(at("::1", 53), ListenAddress.parse("0::1"));
  }

  @Test
  void portFollowsAnAtSign() {
    assertEquals(at("127.0.0.1", 5353), ListenAddress.parse("127.0.0.1@5353"));
    assertEquals(at("::1", 5353), ListenAddress.parse("0::1@5353"));
    assertEquals(at("::", 0), ListenAddress.parse("::@0"));
  }

  @Test
  void bracketedIpv6IsAccepted() {
    assertEquals(at("::1", 5353), ListenAddress.parse("[::1]@5353"));
  }

  @Test
  void rejectsBadPorts() {
    for (String bad : new String[] {"127.0.0.1@", "127.0.0.1@65536", "127.0.0.1@-1", "127.0.0.1@53a",
        "127.0.0.1@5 3", "127.0.0.1@@53", "127.0.0.1:53"}) {
      assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad), bad);
    }
  }

  @Test
  void rejectsHostNames() {
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("localhost"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("localhost@53"));
  }

  @Test
  void printsStubbyNotationThatParsesBack() {
    for (String text : new String[] {"127.0.0.1@53", "::1@53", "2001:db8::1@5353", "0.0.0.0@0"}) {
      assertEquals(text, ListenAddress.parse(text).toString());
    }
  }
}

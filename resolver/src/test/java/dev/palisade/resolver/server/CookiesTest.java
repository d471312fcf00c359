package dev.palisade.resolver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CookiesTest {

  static final HexFormat HEX = HexFormat.of();
  static final byte[] SECRET = HEX.parseHex("e5e973e5a6b2a43f48e7dc849e37bfcf");

  static Cookies at(long epochSecond) {
    return new Cookies(SECRET, Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
  }

  @Test
  void makesTheServerCookieOfRfc9018AppendixA1() throws Exception {
    byte[] cookie = at(1559731985).serverCookie(HEX.parseHex("2464c4abcf10c957"), 1559731985, InetAddress.getByName("198.51.100.100"));
    assertEquals("010000005cf79f111f8130c3eee29480", HEX.formatHex(cookie));
  }

  @Test
  void aClientCookieAloneGetsAFreshServerCookie() throws Exception {
    InetAddress client = InetAddress.getByName("198.51.100.100");
    Cookies.Check c = at(1559731985).check(HEX.parseHex("2464c4abcf10c957"), client);
    assertEquals(Cookies.Status.CLIENT_ONLY, c.status());
    assertEquals("2464c4abcf10c957010000005cf79f111f8130c3eee29480", HEX.formatHex(c.reply()));
  }

  @Test
  void ourOwnServerCookieIsValidForAnHourFromTheSameAddressOnly() throws Exception {
    InetAddress client = InetAddress.getByName("198.51.100.100");
    byte[] option = HEX.parseHex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
    Cookies.Check fresh = at(1559731985 + 10).check(option, client);
    assertEquals(Cookies.Status.VALID, fresh.status());
    assertArrayEquals(option, fresh.reply(), "a young cookie is echoed");
    Cookies.Check old = at(1559731985 + 2000).check(option, client);
    assertEquals(Cookies.Status.VALID, old.status());
    assertEquals("2464c4abcf10c957010000005cf7a6e1", HEX.formatHex(old.reply()).substring(0, 32), "after half an hour, a new timestamp");
    assertEquals(Cookies.Status.CLIENT_ONLY, at(1559731985 + 3700).check(option, client).status(), "expired");
    assertEquals(Cookies.Status.CLIENT_ONLY, at(1559731985 - 400).check(option, client).status(), "from the future");
    assertEquals(Cookies.Status.CLIENT_ONLY, at(1559731985).check(option, InetAddress.getByName("198.51.100.101")).status(), "another address");
    byte[] forged = option.clone();
    forged[23] ^= 1;
    assertEquals(Cookies.Status.CLIENT_ONLY, at(1559731985).check(forged, client).status(), "a forged hash");
    Cookies otherSecret = new Cookies(new byte[16], Clock.fixed(Instant.ofEpochSecond(1559731985), ZoneOffset.UTC));
    assertEquals(Cookies.Status.CLIENT_ONLY, otherSecret.check(option, client).status(), "another server's cookie");
  }

  @Test
  void optionLengthsOtherThan8Or16To40AreMalformed() throws Exception {
    InetAddress client = InetAddress.getByName("192.0.2.1");
    for (int n : new int[] {0, 1, 7, 9, 15, 41, 100}) {
      assertEquals(Cookies.Status.MALFORMED, at(0).check(new byte[n], client).status(), "length " + n);
    }
    assertEquals(Cookies.Status.ABSENT, at(0).check(null, client).status());
  }
}

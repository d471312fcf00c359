package dev.palisade.resolver.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

class WireTtlsTest {

  @Test
  void findsTheTtlOfEveryRecordButOpt() throws Exception {
    Message m = Answers.a("www.example.test.", 300, "192.0.2.1", "192.0.2.2");
    m.addRecord(Answers.soa(77, 60), Section.AUTHORITY);
    byte[] wire = m.toWire();
    int[] offsets = WireTtls.offsets(wire);
    assertEquals(3, offsets.length, "two A records and the SOA; OPT's TTL field is EDNS flags");
    assertEquals(300, WireTtls.read(wire, offsets[0]));
    assertEquals(300, WireTtls.read(wire, offsets[1]));
    assertEquals(77, WireTtls.read(wire, offsets[2]));
  }

  @Test
  void rewrittenTtlsParseBack() throws Exception {
    byte[] wire = Answers.a("www.example.test.", 300, "192.0.2.1").toWire();
    for (int o : WireTtls.offsets(wire)) {
      WireTtls.write(wire, o, Integer.MAX_VALUE);
    }
    Record a = new Message(wire).getSection(Section.ANSWER).get(0);
    assertEquals(Integer.MAX_VALUE, a.getTTL());
  }

  @Test
  void rejectsTruncatedAndMalformedWire() throws Exception {
    byte[] wire = Answers.negative("nope.example.test.", Rcode.NXDOMAIN, 60, 60).toWire();
    assertThrows(IllegalArgumentException.class, () -> WireTtls.offsets(Arrays.copyOf(wire, wire.length - 5)));
    assertThrows(IllegalArgumentException.class, () -> WireTtls.offsets(new byte[5]));
    byte[] badLabel = wire.clone();
    badLabel[12] = (byte) 0x80; // reserved label type
    assertThrows(IllegalArgumentException.class, () -> WireTtls.offsets(badLabel));
  }
}

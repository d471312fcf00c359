package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class EdnsPrivacyTest {

  private static Message query(String name) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  private static List<EDNSOption> options(byte[] wire) throws Exception {
    return new Message(wire).getOPT().getOptions();
  }

  /** The option's data: its wire form less the code and length. */
  private static byte[] data(EDNSOption option) {
    byte[] w = option.toWire();
    return java.util.Arrays.copyOfRange(w, 4, w.length);
  }

  @Test
  void padsQueriesToAMultipleOf128Octets() throws Exception {
    for (String name : List.of("a.", "www.example.com.", "x".repeat(63) + "." + "y".repeat(63) + "." + "z".repeat(60) + ".example.")) {
      byte[] wire = EdnsPrivacy.DEFAULT.wire(query(name), false);
      assertEquals(0, wire.length % 128, name + ": " + wire.length);
      assertTrue(wire.length >= query(name).toWire().length + 4);
    }
  }

  @Test
  void padsToTheNextBlockExactly() throws Exception {
    Message q = query("www.example.com.");
    int bare = q.toWire().length; // 12 header + 21 question... + 11 OPT
    byte[] wire = new EdnsPrivacy(128, false).wire(q, false);
    assertEquals(128, wire.length);
    GenericEDNSOption padding = (GenericEDNSOption) options(wire).get(0);
    assertEquals(EDNSOption.Code.PADDING, padding.getCode());
    assertEquals(128 - bare - 4, data(padding).length, "option header 4 octets, the rest zeros");
    assertArrayEquals(new byte[128 - bare - 4], data(padding));
  }

  @Test
  void addsAnEmptyPaddingOptionWhenTheQueryAlreadyFillsABlock() throws Exception {
    Message q = query("www.example.com.");
    int withHeader = q.toWire().length + 4;
    byte[] wire = new EdnsPrivacy(withHeader, false).wire(q, false);
    assertEquals(withHeader, wire.length);
    assertEquals(0, data(options(wire).get(0)).length);
  }

  @Test
  void blockSizeOneMeansStubbysDefaultOf128() {
    assertEquals(128, new EdnsPrivacy(1, false).paddingBlockSize());
  }

  @Test
  void sendsNothingExtraWithPaddingOffAndNoEcs() throws Exception {
    Message q = query("www.example.com.");
    assertArrayEquals(q.toWire(), EdnsPrivacy.NONE.wire(q, false));
  }

  @Test
  void sendsEcsWithSourcePrefixZeroInTheUpstreamsFamily() throws Exception {
    Message q = query("www.example.com.");
    byte[] v4 = new EdnsPrivacy(0, true).wire(q, false);
    ClientSubnetOption ecs = (ClientSubnetOption) options(v4).get(0);
    assertEquals(0, ecs.getSourcePrefixLength());
    assertEquals(0, ecs.getScopePrefixLength());
    assertEquals(1, ecs.getFamily());
    assertEquals(q.toWire().length + 8, v4.length, "option header 4 + family 2 + prefixes 2, no address octets");
    ClientSubnetOption ecs6 = (ClientSubnetOption) options(new EdnsPrivacy(0, true).wire(q, true)).get(0);
    assertEquals(2, ecs6.getFamily());
  }

  @Test
  void padsAfterTheEcsOptionSoTheWholeQueryFillsTheBlock() throws Exception {
    byte[] wire = new EdnsPrivacy(128, true).wire(query("www.example.com."), false);
    assertEquals(128, wire.length);
    List<EDNSOption> opts = options(wire);
    assertEquals(EDNSOption.Code.CLIENT_SUBNET, opts.get(0).getCode());
    assertEquals(EDNSOption.Code.PADDING, opts.get(1).getCode());
  }

  @Test
  void keepsTheDoBitAndPayloadAndDoesNotChangeTheQuery() throws Exception {
    Message client = Message.newQuery(Record.newRecord(Name.fromString("example.com."), Type.A, DClass.IN));
    client.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    Message q = Reorigination.query(client);
    String before = q.toString();
    OPTRecord opt = new Message(EdnsPrivacy.DEFAULT.wire(q, false)).getOPT();
    assertEquals(ExtendedFlags.DO, opt.getFlags() & ExtendedFlags.DO);
    assertEquals(Reorigination.EDNS_PAYLOAD, opt.getPayloadSize());
    assertEquals(before, q.toString());
  }

  @Test
  void rejectsANegativeOrHugeBlockSize() {
    assertThrows(IllegalArgumentException.class, () -> new EdnsPrivacy(-1, false));
    assertThrows(IllegalArgumentException.class, () -> new EdnsPrivacy(70000, false));
  }
}

package dev.palisade.resolver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class WireCodecTest {

  private static Message query(String name) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    m.getHeader().setID(0x1234);
    return m;
  }

  @Test
  void dropsPacketsShorterThanAHeader() {
    assertTrue(WireCodec.decode(new byte[11]).drop());
    assertTrue(WireCodec.decode(new byte[0]).drop());
  }

  @Test
  void dropsResponsesSoThatNoReflectionLoopCanStart() throws Exception {
    Message m = query("example.com.");
    m.getHeader().setFlag(Flags.QR);
    assertTrue(WireCodec.decode(m.toWire()).drop());
  }

  @Test
  void answersFormerrWithTheHeaderWhenTheRestIsUnparseable() throws Exception {
    byte[] wire = query("example.com.").toWire();
    byte[] cut = Arrays.copyOf(wire, wire.length - 3);
    WireCodec.Decoded d = WireCodec.decode(cut);
    assertNull(d.query);
    assertNotNull(d.immediateReply);
    Header h = new Header(d.immediateReply);
    assertEquals(0x1234, h.getID());
    assertEquals(Rcode.FORMERR, h.getRcode());
    assertTrue(h.getFlag(Flags.QR));
    assertTrue(h.getFlag(Flags.RD), "RD is copied from the query");
  }

  @Test
  void parsesAWellFormedQuery() throws Exception {
    WireCodec.Decoded d = WireCodec.decode(query("example.com.").toWire());
    assertFalse(d.drop());
    assertEquals("example.com.", d.query.getQuestion().getName().toString());
  }

  @Test
  void udpLimitFollowsTheClientsEdnsSizeWithinBounds() throws Exception {
    Message noEdns = query("example.com.");
    assertEquals(512, udpLimit(noEdns));
    Message big = query("example.com.");
    big.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    assertEquals(1232, udpLimit(big));
    Message small = query("example.com.");
    small.addRecord(new OPTRecord(100, 0, 0), Section.ADDITIONAL);
    assertEquals(512, udpLimit(small));
    Message mid = query("example.com.");
    mid.addRecord(new OPTRecord(800, 0, 0), Section.ADDITIONAL);
    assertEquals(800, udpLimit(mid));
  }

  /** The limit for the query read from its bytes, after checking dnsjava's parse gives the same. */
  private static int udpLimit(Message m) {
    Client from = new Client(new InetSocketAddress("127.0.0.1", 5353), Protocol.UDP);
    Query read = Query.read(m.toWire(), from, 0, 1);
    assertNotNull(read);
    int limit = WireCodec.udpLimit(read);
    assertEquals(WireCodec.udpLimit(new Query(m, from, 0, 1)), limit);
    return limit;
  }

  private static Message reply(int answers, int additionals, boolean opt) throws Exception {
    Message m = query("big.example.");
    m.getHeader().setFlag(Flags.QR);
    Name n = Name.fromString("big.example.");
    for (int i = 0; i < answers; i++) {
      m.addRecord(new TXTRecord(n, DClass.IN, 60, "answer-" + i + "-" + "x".repeat(40)), Section.ANSWER);
    }
    for (int i = 0; i < additionals; i++) {
      m.addRecord(new ARecord(Name.fromString("ns" + i + ".example."), DClass.IN, 60, InetAddress.getByName("192.0.2." + i)), Section.ADDITIONAL);
    }
    if (opt) {
      m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    return m;
  }

  @Test
  void aReplyThatFitsIsSentWhole() throws Exception {
    Message m = reply(2, 1, true);
    assertArrayEquals(m.toWire(), WireCodec.encode(m, 512));
  }

  @Test
  void dropsAdditionalRecordsFirstWithoutSettingTc() throws Exception {
    Message m = reply(5, 30, true);
    assertTrue(m.toWire().length > 512);
    Message out = new Message(WireCodec.encode(m, 512));
    assertFalse(out.getHeader().getFlag(Flags.TC));
    assertEquals(5, out.getSection(Section.ANSWER).size());
    assertEquals(1, out.getSection(Section.ADDITIONAL).size(), "only OPT stays");
    assertNotNull(out.getOPT());
  }

  @Test
  void setsTcAndKeepsQuestionAndOptWhenTheAnswerDoesNotFit() throws Exception {
    Message m = reply(40, 0, true);
    byte[] wire = WireCodec.encode(m, 512);
    assertTrue(wire.length <= 512);
    Message out = new Message(wire);
    assertTrue(out.getHeader().getFlag(Flags.TC));
    assertEquals(0, out.getSection(Section.ANSWER).size());
    assertEquals("big.example.", out.getQuestion().getName().toString());
    assertNotNull(out.getOPT(), "RFC 6891 section 7: OPT stays in a truncated reply");
    assertEquals(0x1234, out.getHeader().getID());
  }

  @Test
  void aTcpSizedLimitKeepsLargeAnswersWhole() throws Exception {
    Message m = reply(40, 0, true);
    Message out = new Message(WireCodec.encode(m, WireCodec.TCP_LIMIT));
    assertFalse(out.getHeader().getFlag(Flags.TC));
    assertEquals(40, out.getSection(Section.ANSWER).size());
  }
}

package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.resolver.chain.Responses;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ShapeStageTest {

  private static Message client(String name, boolean opt, int optFlags) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    m.getHeader().setID(777);
    if (opt) {
      m.addRecord(new OPTRecord(4096, 0, 0, optFlags), Section.ADDITIONAL);
    }
    return m;
  }

  private static Message upstreamReply(String name, boolean ad) throws Exception {
    Message m = new Message(31337);
    m.getHeader().setFlag(Flags.QR);
    if (ad) {
      m.getHeader().setFlag(Flags.AD);
    }
    Name n = Name.fromString(name);
    m.addRecord(Record.newRecord(n, Type.A, DClass.IN), Section.QUESTION);
    m.addRecord(new ARecord(n, DClass.IN, 300, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
    m.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    return m;
  }

  @Test
  void restoresTheClientIdAndTheClientsLetterCase() throws Exception {
    Message out = ShapeStage.shape(client("WwW.Example.ORG.", true, 0), upstreamReply("www.example.org.", false));
    assertEquals(777, out.getHeader().getID());
    assertEquals("WwW.Example.ORG.", out.getQuestion().getName().toString());
    Record a = out.getSection(Section.ANSWER).get(0);
    assertEquals("WwW.Example.ORG.", a.getName().toString());
    assertEquals("192.0.2.7", ((ARecord) a).getAddress().getHostAddress());
    assertTrue(out.getHeader().getFlag(Flags.QR));
    assertTrue(out.getHeader().getFlag(Flags.RA));
    assertTrue(out.getHeader().getFlag(Flags.RD));
  }

  @Test
  void sendsOptOnlyToClientsThatSentOpt() throws Exception {
    Message without = ShapeStage.shape(client("example.org.", false, 0), upstreamReply("example.org.", false));
    assertNull(without.getOPT());
    Message with = ShapeStage.shape(client("example.org.", true, 0), upstreamReply("example.org.", false));
    assertNotNull(with.getOPT());
    assertEquals(1232, with.getOPT().getPayloadSize());
    assertEquals(0, with.getOPT().getFlags() & ExtendedFlags.DO, "DO mirrors the client, not the upstream");
  }

  @Test
  void setsAdOnlyForClientsThatAskedWithDoOrAd() throws Exception {
    assertFalse(ShapeStage.shape(client("example.org.", true, 0), upstreamReply("example.org.", true)).getHeader().getFlag(Flags.AD));
    assertTrue(ShapeStage.shape(client("example.org.", true, ExtendedFlags.DO), upstreamReply("example.org.", true)).getHeader().getFlag(Flags.AD));
    Message adClient = client("example.org.", false, 0);
    adClient.getHeader().setFlag(Flags.AD);
    assertTrue(ShapeStage.shape(adClient, upstreamReply("example.org.", true)).getHeader().getFlag(Flags.AD));
    assertFalse(ShapeStage.shape(client("example.org.", true, ExtendedFlags.DO), upstreamReply("example.org.", false)).getHeader().getFlag(Flags.AD));
  }

  @Test
  void carriesExtendedRcodesInOptAndFallsBackToServfailWithoutEdns() throws Exception {
    Message edns = client("example.org.", true, 0);
    Message badvers = Responses.error(edns, Rcode.BADVERS);
    Message out = ShapeStage.shape(edns, badvers);
    assertEquals(Rcode.BADVERS, out.getRcode());
    Message noEdns = client("example.org.", false, 0);
    assertEquals(Rcode.SERVFAIL, ShapeStage.shape(noEdns, badvers).getRcode());
  }

  @Test
  void doesNotMutateTheInnerAnswer() throws Exception {
    Message inner = upstreamReply("example.org.", true);
    String before = inner.toString();
    ShapeStage.shape(client("EXAMPLE.org.", true, 0), inner);
    assertEquals(before, inner.toString());
  }

  @Test
  void shapesAFormerrForAQueryWithoutQuestion() throws Exception {
    Message noQuestion = new Message(99);
    Message out = ShapeStage.shape(noQuestion, Responses.error(noQuestion, Rcode.FORMERR));
    assertEquals(99, out.getHeader().getID());
    assertEquals(Rcode.FORMERR, out.getRcode());
    assertNull(out.getQuestion());
  }
}

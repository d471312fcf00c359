package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ReoriginationTest {

  private static Message clientQuery(String name, int type) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(4242);
    return m;
  }

  @Test
  void lowerCasesTheNameAndDropsTheClientId() throws Exception {
    Message client = clientQuery("WwW.ExAmPlE.CoM.", Type.A);
    Message q = Reorigination.query(client);
    assertEquals("www.example.com.", q.getQuestion().getName().toString());
    assertEquals(0, q.getHeader().getID());
    assertTrue(q.getHeader().getFlag(Flags.RD));
    assertEquals(Opcode.QUERY, q.getHeader().getOpcode());
  }

  @Test
  void replacesClientEdnsOptionsWithOurOwnOpt() throws Exception {
    Message client = clientQuery("example.com.", Type.AAAA);
    client.addRecord(
        new OPTRecord(4096, 0, 0, 0, List.of(new ClientSubnetOption(24, java.net.InetAddress.getByName("192.0.2.0")))),
        Section.ADDITIONAL);
    Message q = Reorigination.query(client);
    OPTRecord opt = q.getOPT();
    assertEquals(Reorigination.EDNS_PAYLOAD, opt.getPayloadSize());
    assertTrue(opt.getOptions().isEmpty(), "client options must never be forwarded");
    assertEquals(1, q.getSection(Section.ADDITIONAL).size());
  }

  @Test
  void keepsTheDoAndCdBitsBecauseTheyChangeTheAnswer() throws Exception {
    Message client = clientQuery("example.com.", Type.A);
    client.getHeader().setFlag(Flags.CD);
    client.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    Message q = Reorigination.query(client);
    assertTrue(q.getHeader().getFlag(Flags.CD));
    assertEquals(ExtendedFlags.DO, q.getOPT().getFlags() & ExtendedFlags.DO);

    Message plain = Reorigination.query(clientQuery("example.com.", Type.A));
    assertFalse(plain.getHeader().getFlag(Flags.CD));
    assertEquals(0, plain.getOPT().getFlags() & ExtendedFlags.DO);
  }

  @Test
  void doesNotMutateTheClientMessage() throws Exception {
    Message client = clientQuery("MiXeD.example.", Type.A);
    String before = client.toString();
    Reorigination.query(client);
    assertEquals(before, client.toString());
  }

  @Test
  void rejectsAMessageWithoutQuestion() {
    assertThrows(IllegalArgumentException.class, () -> Reorigination.query(new Message()));
  }

  @Test
  void acceptsOnlyRepliesToTheSameQuestion() throws Exception {
    Message q = Reorigination.query(clientQuery("example.com.", Type.A));
    Message reply = new Message(7);
    reply.getHeader().setFlag(Flags.QR);
    reply.addRecord(Record.newRecord(Name.fromString("EXAMPLE.com."), Type.A, DClass.IN), Section.QUESTION);
    reply.addRecord(new ARecord(Name.fromString("example.com."), DClass.IN, 60, java.net.InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    assertTrue(Reorigination.answers(q, reply), "case differences are not mismatches (RFC 4343)");

    Message otherType = new Message(7);
    otherType.getHeader().setFlag(Flags.QR);
    otherType.addRecord(Record.newRecord(Name.fromString("example.com."), Type.AAAA, DClass.IN), Section.QUESTION);
    assertFalse(Reorigination.answers(q, otherType));

    Message otherName = new Message(7);
    otherName.getHeader().setFlag(Flags.QR);
    otherName.addRecord(Record.newRecord(Name.fromString("evil.com."), Type.A, DClass.IN), Section.QUESTION);
    assertFalse(Reorigination.answers(q, otherName));

    Message notAResponse = new Message(7);
    notAResponse.addRecord(Record.newRecord(Name.fromString("example.com."), Type.A, DClass.IN), Section.QUESTION);
    assertFalse(Reorigination.answers(q, notAResponse));

    Message noQuestion = new Message(7);
    noQuestion.getHeader().setFlag(Flags.QR);
    assertFalse(Reorigination.answers(q, noQuestion));
  }
}

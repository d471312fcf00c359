package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class RequestCheckStageTest {

  private static Message query(int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString("example.org."), type, DClass.IN));
  }

  @Test
  void letsAStandardQueryThrough() throws Exception {
    assertEquals(Rcode.NOERROR, RequestCheckStage.check(query(Type.A)));
    Message edns = query(Type.AAAA);
    edns.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    assertEquals(Rcode.NOERROR, RequestCheckStage.check(edns));
  }

  @Test
  void answersNotimpToOtherOpcodes() throws Exception {
    Message m = query(Type.A);
    m.getHeader().setOpcode(Opcode.NOTIFY);
    assertEquals(Rcode.NOTIMP, RequestCheckStage.check(m));
  }

  @Test
  void answersFormerrUnlessThereIsExactlyOneQuestionAndNoAnswers() throws Exception {
    Message none = new Message();
    assertEquals(Rcode.FORMERR, RequestCheckStage.check(none));
    Message two = query(Type.A);
    two.addRecord(Record.newRecord(Name.fromString("example.net."), Type.A, DClass.IN), Section.QUESTION);
    assertEquals(Rcode.FORMERR, RequestCheckStage.check(two));
    Message withAnswer = query(Type.A);
    withAnswer.addRecord(new ARecord(Name.fromString("example.org."), DClass.IN, 1, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    assertEquals(Rcode.FORMERR, RequestCheckStage.check(withAnswer));
  }

  @Test
  void answersFormerrToTwoOptRecords() throws Exception {
    Message m = query(Type.A);
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    m.addRecord(new OPTRecord(512, 0, 0), Section.ADDITIONAL);
    assertEquals(Rcode.FORMERR, RequestCheckStage.check(m));
  }

  @Test
  void answersBadversToEdnsVersionsOtherThanZero() throws Exception {
    Message m = query(Type.A);
    m.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
    assertEquals(Rcode.BADVERS, RequestCheckStage.check(m));
  }

  @Test
  void refusesZoneTransfers() throws Exception {
    assertEquals(Rcode.REFUSED, RequestCheckStage.check(query(Type.AXFR)));
    assertEquals(Rcode.REFUSED, RequestCheckStage.check(query(Type.IXFR)));
  }
}

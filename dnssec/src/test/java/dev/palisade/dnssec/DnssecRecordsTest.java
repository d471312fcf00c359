package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnssecRecordsTest {
  private static final Name WWW = Name.fromConstantString("www.example.");
  private static final Name ZONE = Name.fromConstantString("example.");

  @Test
  void stripRemovesSignaturesDenialAndKeysFromEverySection() throws Exception {
    Message m = answer(Type.A);
    m.addRecord(rr(WWW, Type.A, "192.0.2.1"), Section.ANSWER);
    m.addRecord(rrsig(WWW, "A"), Section.ANSWER);
    m.addRecord(rr(ZONE, Type.NSEC, "zzz.example. A RRSIG NSEC"), Section.AUTHORITY);
    m.addRecord(rr(Name.fromString("1avvqn74sg75ukfvf25dgcethgq638ek.example."), Type.NSEC3,
        "1 0 0 - 1avvqn74sg75ukfvf25dgcethgq638el A RRSIG"), Section.AUTHORITY);
    m.addRecord(rr(ZONE, Type.DS, "12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"), Section.ADDITIONAL);
    m.addRecord(rr(ZONE, Type.DNSKEY, "256 3 13 " + "A".repeat(86) + "=="), Section.ADDITIONAL);
    m.addRecord(rr(Name.fromString("ns.example."), Type.A, "192.0.2.53"), Section.ADDITIONAL);

    Message stripped = DnssecRecords.strip(m);

    assertEquals(List.of(Type.A), types(stripped, Section.ANSWER));
    assertEquals(List.of(), types(stripped, Section.AUTHORITY));
    assertEquals(List.of(Type.OPT, Type.A), types(stripped, Section.ADDITIONAL), "order kept");
    assertEquals(1, stripped.getHeader().getCount(Section.ANSWER), "header counts follow");
  }

  @Test
  void stripKeepsWhatTheQuestionAskedFor() throws Exception {
    Message dnskey = answer(Type.DNSKEY);
    dnskey.addRecord(rr(ZONE, Type.DNSKEY, "257 3 13 " + "A".repeat(86) + "=="), Section.ANSWER);
    dnskey.addRecord(rrsig(ZONE, "DNSKEY"), Section.ANSWER);
    assertEquals(List.of(Type.DNSKEY), types(DnssecRecords.strip(dnskey), Section.ANSWER));

    Message rrsig = answer(Type.RRSIG);
    rrsig.addRecord(rrsig(WWW, "A"), Section.ANSWER);
    assertEquals(List.of(Type.RRSIG), types(DnssecRecords.strip(rrsig), Section.ANSWER));
  }

  @Test
  void stripKeepsKeysButNotSignaturesForAny() throws Exception {
    Message any = answer(Type.ANY);
    any.addRecord(rr(ZONE, Type.DNSKEY, "257 3 13 " + "A".repeat(86) + "=="), Section.ANSWER);
    any.addRecord(rrsig(ZONE, "DNSKEY"), Section.ANSWER);

    assertEquals(List.of(Type.DNSKEY), types(DnssecRecords.strip(any), Section.ANSWER));
  }

  @Test
  void stripClearsDoAndKeepsTheOtherOptions() throws Exception {
    Message m = answer(Type.A);

    OPTRecord opt = DnssecRecords.strip(m).getOPT();

    assertEquals(0, opt.getFlags() & ExtendedFlags.DO);
    assertEquals(1232, opt.getPayloadSize());
    assertEquals(1, opt.getOptions().size(), "the EDE stays");
  }

  @Test
  void stripLeavesTheOriginalAlone() throws Exception {
    Message m = answer(Type.A);
    m.addRecord(rrsig(WWW, "A"), Section.ANSWER);
    String before = m.toString();

    DnssecRecords.strip(m);

    assertEquals(before, m.toString());
    assertTrue((m.getOPT().getFlags() & ExtendedFlags.DO) != 0);
    assertFalse(m.getSection(Section.ANSWER).isEmpty());
  }

  private static Message answer(int qtype) {
    Message m = new Message(7);
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(Record.newRecord(qtype == Type.DNSKEY || qtype == Type.ANY ? ZONE : WWW, qtype, DClass.IN), Section.QUESTION);
    m.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO, List.of(new ExtendedErrorCodeOption(ExtendedErrorCodeOption.OTHER))),
        Section.ADDITIONAL);
    return m;
  }

  private static Record rr(Name name, int type, String rdata) throws Exception {
    return Record.fromString(name, type, DClass.IN, 300, rdata, Name.root);
  }

  private static Record rrsig(Name name, String covered) throws Exception {
    java.time.format.DateTimeFormatter f =
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(java.time.ZoneOffset.UTC);
    Instant now = Instant.now();
    return rr(name, Type.RRSIG, covered + " 13 2 300 " + f.format(now.plusSeconds(3600)) + " "
        + f.format(now.minusSeconds(3600)) + " 12345 example. " + "A".repeat(86) + "==");
  }

  private static List<Integer> types(Message m, int section) {
    return m.getSection(section).stream().map(Record::getType).toList();
  }
}

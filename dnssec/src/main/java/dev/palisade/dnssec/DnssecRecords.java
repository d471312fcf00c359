package dev.palisade.dnssec;

import java.util.List;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DNSSEC records in answers to clients that did not ask for them. */
public final class DnssecRecords {
  private DnssecRecords() {}

  /**
   * A copy of {@code m} for a client that did not set DO: without RRSIG, NSEC and NSEC3 records,
   * and without DNSKEY and DS records, in every section, unless the question asked for that type
   * (RFC 3225 §3, RFC 4035 §3.2.1). For an ANY question DNSKEY and DS records stay, as data the
   * name holds; signatures and denial records go. The OPT record stays, with DO cleared (RFC 3225
   * §3: DO is only set in a response to a query that set it). {@code m} is not changed.
   */
  public static Message strip(Message m) {
    Message copy = m.clone();
    Record question = m.getQuestion();
    int qtype = question == null ? -1 : question.getType();
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      List<Record> records = copy.getSection(section);
      copy.removeAllRecords(section);
      for (Record record : records) {
        if (record instanceof OPTRecord opt) {
          copy.addRecord(withoutDo(opt), section);
        } else if (!isDnssec(record.getType(), qtype)) {
          copy.addRecord(record, section);
        }
      }
    }
    return copy;
  }

  /** Whether a record of {@code type} is DNSSEC material that a non-DO client must not get. */
  public static boolean isDnssec(int type, int qtype) {
    if (type == qtype) {
      return false;
    }
    return switch (type) {
      case Type.RRSIG, Type.NSEC, Type.NSEC3 -> true;
      case Type.DNSKEY, Type.DS -> qtype != Type.ANY;
      default -> false;
    };
  }

  private static OPTRecord withoutDo(OPTRecord opt) {
    return new OPTRecord(opt.getPayloadSize(), opt.getExtendedRcode(), opt.getVersion(),
        opt.getFlags() & ~ExtendedFlags.DO, opt.getOptions());
  }
}

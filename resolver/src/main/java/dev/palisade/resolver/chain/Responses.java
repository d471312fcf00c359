package dev.palisade.resolver.chain;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** Answers made up locally, before shaping fits them to the client. */
public final class Responses {
  private Responses() {}

  /**
   * An empty answer to {@code query} with {@code rcode}. Extended rcodes (above 15, such as BADVERS)
   * are carried in an OPT record, the only place they fit (RFC 6891 section 6.1.3).
   */
  public static Message error(Message query, int rcode) {
    Message m = new Message(query.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setOpcode(query.getHeader().getOpcode());
    m.getHeader().setRcode(rcode & 0xF);
    if (query.getQuestion() != null) {
      m.addRecord(query.getQuestion(), Section.QUESTION);
    }
    if (rcode > 0xF) {
      m.addRecord(new OPTRecord(0, rcode >>> 4, 0), Section.ADDITIONAL);
    }
    return m;
  }

  public static Message servfail(Message query) {
    return error(query, Rcode.SERVFAIL);
  }
}

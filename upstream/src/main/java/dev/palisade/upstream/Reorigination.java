package dev.palisade.upstream;

import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Builds the query we send upstream from the one a client sent, instead of forwarding the client's
 * bytes: a client (or malware on it) must not be able to carry data out through the message ID, the
 * name's letter case, or EDNS options (DESIGN section 7, layer 0). Also checks that a reply answers
 * the query we sent (RFC 5452 section 9.1: match ID and question).
 */
public final class Reorigination {

  /**
   * The EDNS(0) UDP payload size we advertise, the DNS Flag Day 2020 value that avoids IP
   * fragmentation on common paths.
   */
  public static final int EDNS_PAYLOAD = 1232;

  private Reorigination() {}

  /**
   * A fresh query for the client's single question: lower-cased name, RD set, our own OPT with no
   * options. ID 0: the transport assigns a random ID when it sends. The client's DO and CD bits are
   * kept, because they change what answer the client is owed (RFC 3225, RFC 4035 section 3.2.2).
   *
   * @throws IllegalArgumentException if the client message has no question
   */
  public static Message query(Message client) {
    Record question = client.getQuestion();
    if (question == null) {
      throw new IllegalArgumentException("query has no question");
    }
    Message m = new Message(0);
    m.getHeader().setOpcode(Opcode.QUERY);
    m.getHeader().setFlag(Flags.RD);
    if (client.getHeader().getFlag(Flags.CD)) {
      m.getHeader().setFlag(Flags.CD);
    }
    m.addRecord(
        Record.newRecord(question.getName().canonicalize(), question.getType(), question.getDClass()),
        Section.QUESTION);
    OPTRecord opt = client.getOPT();
    int flags = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0 ? ExtendedFlags.DO : 0;
    m.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0, flags), Section.ADDITIONAL);
    return m;
  }

  /**
   * True when {@code reply} is a response to {@code query}'s question. Names compare without regard
   * to case (RFC 4343); IDs are matched by the transport.
   */
  public static boolean answers(Message query, Message reply) {
    if (!reply.getHeader().getFlag(Flags.QR)
        || reply.getHeader().getOpcode() != query.getHeader().getOpcode()) {
      return false;
    }
    Record q = query.getQuestion();
    Record r = reply.getQuestion();
    return r != null
        && reply.getHeader().getCount(Section.QUESTION) == 1
        && r.getType() == q.getType()
        && r.getDClass() == q.getDClass()
        && r.getName().equals(q.getName());
  }
}

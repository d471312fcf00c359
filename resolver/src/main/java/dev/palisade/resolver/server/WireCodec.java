package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Query;
import dev.palisade.upstream.Reorigination;
import java.io.IOException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Client-facing wire format: parsing what clients send, and fitting replies to their transport. */
final class WireCodec {

  /** RFC 1035 section 4.2.1: the UDP limit for clients that did not send OPT. */
  static final int CLASSIC_UDP_LIMIT = 512;

  static final int TCP_LIMIT = 65535;

  private WireCodec() {}

  /** What to do with bytes a client sent. Exactly one of the fields is set, or neither (drop). */
  static final class Decoded {
    final Message query;
    final byte[] immediateReply;

    private Decoded(Message query, byte[] immediateReply) {
      this.query = query;
      this.immediateReply = immediateReply;
    }

    boolean drop() {
      return query == null && immediateReply == null;
    }
  }

  private static final Decoded DROP = new Decoded(null, null);

  /**
   * Parses a client message. Shorter than a header, or a response rather than a query: dropped
   * (answering responses invites reflection loops). A readable header with an unparseable rest:
   * FORMERR carrying just the header (RFC 1035 section 4.1.1).
   */
  static Decoded decode(byte[] bytes) {
    if (bytes.length < Header.LENGTH) {
      return DROP;
    }
    Header header;
    try {
      header = new Header(bytes);
    } catch (IOException | RuntimeException e) {
      return DROP;
    }
    if (header.getFlag(Flags.QR)) {
      return DROP;
    }
    try {
      return new Decoded(new Message(bytes), null);
    } catch (IOException | RuntimeException e) {
      return new Decoded(null, formerr(header));
    }
  }

  private static byte[] formerr(Header query) {
    Header h = new Header(query.getID());
    h.setFlag(Flags.QR);
    h.setOpcode(query.getOpcode());
    if (query.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setRcode(Rcode.FORMERR);
    return h.toWire();
  }

  /**
   * The most a UDP reply to {@code query} may carry: the client's advertised EDNS size, never less
   * than 512 and never more than we advertise ourselves (RFC 6891 section 6.2.5; DNS Flag Day 2020).
   */
  static int udpLimit(Query query) {
    if (!query.hasOpt()) {
      return CLASSIC_UDP_LIMIT;
    }
    return Math.max(CLASSIC_UDP_LIMIT, Math.min(query.udpPayload(), Reorigination.EDNS_PAYLOAD));
  }

  /**
   * Encodes {@code reply} in at most {@code limit} bytes. If it does not fit, the additional section
   * goes first, without TC (RFC 2181 section 9: TC is only for data the client needs); if it still
   * does not fit, the client gets the header, question and OPT with TC set, and retries over TCP
   * (RFC 7766 section 5). OPT stays, as RFC 6891 section 7 requires.
   */
  static byte[] encode(Message reply, int limit) {
    byte[] wire = reply.toWire();
    if (wire.length <= limit) {
      return wire;
    }
    Message lean = skeleton(reply);
    copySection(reply, lean, Section.ANSWER);
    copySection(reply, lean, Section.AUTHORITY);
    wire = lean.toWire();
    if (wire.length <= limit) {
      return wire;
    }
    Message truncated = skeleton(reply);
    truncated.getHeader().setFlag(Flags.TC);
    return truncated.toWire();
  }

  /** Header, question and OPT of {@code m}. */
  private static Message skeleton(Message m) {
    Message s = new Message();
    s.setHeader(m.getHeader().clone());
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      s.removeAllRecords(section);
    }
    copySection(m, s, Section.QUESTION);
    for (Record r : m.getSection(Section.ADDITIONAL)) {
      if (r.getType() == Type.OPT) {
        s.addRecord(r, Section.ADDITIONAL);
      }
    }
    return s;
  }

  private static void copySection(Message from, Message to, int section) {
    for (Record r : from.getSection(section)) {
      to.addRecord(r, section);
    }
  }
}

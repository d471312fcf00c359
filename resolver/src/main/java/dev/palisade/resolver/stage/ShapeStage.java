package dev.palisade.resolver.stage;

import dev.palisade.dnssec.DnssecRecords;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.upstream.Reorigination;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns whatever the inner stages produced into the reply this client is owed: its message ID, its
 * question exactly as sent (letter case included, which 0x20-randomising clients check), OPT only if
 * it sent OPT (RFC 6891 section 7), AD only if it asked for it. A failure anywhere inside becomes
 * SERVFAIL, never silence.
 */
public final class ShapeStage implements Stage {

  private static final Logger log = LoggerFactory.getLogger(ShapeStage.class);

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    Query client = chain.query();
    return chain
        .proceed(client)
        .handle(
            (answer, error) -> {
              if (error != null) {
                log.debug("query failed inside the pipeline", error);
                answer = Answer.local(Responses.servfail(client.message()), Source.LOCAL);
              }
              byte[] wire = answer.wire();
              if (wire != null) {
                byte[] reply = WireShape.shape(client, wire, answer.rcode());
                if (reply != null) {
                  return answer.withWire(reply);
                }
              }
              return answer.withMessage(shape(client.message(), answer.message()));
            });
  }

  /** Builds a new message: neither the client's query nor the inner answer is mutated. */
  static Message shape(Message client, Message inner) {
    int rcode = inner.getRcode();
    OPTRecord clientOpt = client.getOPT();
    boolean dnssecOk = clientOpt != null && (clientOpt.getFlags() & ExtendedFlags.DO) != 0;
    if (!dnssecOk) {
      // RFC 3225 section 3 and RFC 4035 section 3.2.1: no RRSIG, NSEC or NSEC3 for clients that
      // did not ask for DNSSEC records.
      inner = DnssecRecords.strip(inner);
    }
    if (clientOpt == null && rcode > 0xF) {
      // An extended rcode cannot be told to a client without EDNS.
      rcode = Rcode.SERVFAIL;
    }
    Message out = new Message(client.getHeader().getID());
    var h = out.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(client.getHeader().getOpcode());
    h.setRcode(rcode & 0xF);
    // We offer recursion to every client we answer at all.
    h.setFlag(Flags.RA);
    if (client.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (client.getHeader().getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    boolean wantsAd = client.getHeader().getFlag(Flags.AD) || dnssecOk;
    // RFC 6840 section 5.8: set AD only for clients that signal they understand it.
    if (wantsAd && inner.getHeader().getFlag(Flags.AD)) {
      h.setFlag(Flags.AD);
    }
    // A query without a question (answered FORMERR inside) has no name to echo.
    Record question = client.getQuestion();
    Name asked = null;
    if (question != null) {
      out.addRecord(question, Section.QUESTION);
      asked = question.getName();
    }
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : inner.getSection(section)) {
        if (r.getType() == Type.OPT) {
          continue;
        }
        // Name.equals ignores case: give records owned by the asked name the client's spelling.
        out.addRecord(asked != null && r.getName().equals(asked) ? r.withName(asked) : r, section);
      }
    }
    if (clientOpt != null) {
      int doBit = clientOpt.getFlags() & ExtendedFlags.DO;
      // Of the inner answer's EDNS options only Extended DNS Errors (RFC 8914) are for the client.
      OPTRecord innerOpt = inner.getOPT();
      List<EDNSOption> errors = innerOpt == null ? List.of() : innerOpt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
      out.addRecord(
          new OPTRecord(Reorigination.EDNS_PAYLOAD, rcode >>> 4, 0, doBit, errors), Section.ADDITIONAL);
    }
    return out;
  }
}

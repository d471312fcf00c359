package dev.palisade.resolver.stage;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Rejects parseable messages that are not a well-formed standard query, so that nothing after this
 * stage has to wonder: exactly one question, no answer or authority records, at most one OPT, EDNS
 * version 0, opcode QUERY, no zone transfer.
 */
public final class RequestCheckStage implements Stage {

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    Query query = chain.query();
    int rcode = query.fromWire() ? check(query) : check(query.message());
    if (rcode == Rcode.NOERROR) {
      return chain.proceed(query);
    }
    return CompletableFuture.completedFuture(Answer.local(Responses.error(query.message(), rcode), Source.LOCAL));
  }

  /**
   * {@link #check(Message)} for a query read from its bytes, whose shape {@link Query#read} already
   * checked: opcode QUERY, one question, no answer or authority records, at most one OPT.
   */
  static int check(Query q) {
    if (q.hasOpt() && q.ednsVersion() != 0) {
      return Rcode.BADVERS;
    }
    return q.type() == Type.AXFR || q.type() == Type.IXFR ? Rcode.REFUSED : Rcode.NOERROR;
  }

  /** {@link Rcode#NOERROR} when the query may proceed, else the rcode to answer with. */
  static int check(Message m) {
    var h = m.getHeader();
    if (h.getOpcode() != Opcode.QUERY) {
      return Rcode.NOTIMP;
    }
    if (h.getCount(Section.QUESTION) != 1
        || h.getCount(Section.ANSWER) != 0
        || h.getCount(Section.AUTHORITY) != 0) {
      return Rcode.FORMERR;
    }
    int opts = 0;
    for (Record r : m.getSection(Section.ADDITIONAL)) {
      if (r.getType() == Type.OPT) {
        opts++;
      }
    }
    // RFC 6891 section 6.1.1: more than one OPT is a format error.
    if (opts > 1) {
      return Rcode.FORMERR;
    }
    OPTRecord opt = m.getOPT();
    if (opt != null && opt.getVersion() != 0) {
      // RFC 6891 section 6.1.3: we implement version 0 only.
      return Rcode.BADVERS;
    }
    int type = m.getQuestion().getType();
    if (type == Type.AXFR || type == Type.IXFR) {
      // A stub has no zones to transfer, and a multi-message transfer does not fit re-origination.
      return Rcode.REFUSED;
    }
    return Rcode.NOERROR;
  }
}

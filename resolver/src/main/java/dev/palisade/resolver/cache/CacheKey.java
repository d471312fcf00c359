package dev.palisade.resolver.cache;

import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/**
 * What makes two queries share an answer: the name (dnsjava's {@link Name#equals} and hash ignore
 * case, RFC 4343), type and class, and the DO and CD bits, which change what the answer holds
 * (DNSSEC records; unvalidated data).
 */
record CacheKey(Name name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {

  static CacheKey of(Message query) {
    Record q = query.getQuestion();
    OPTRecord opt = query.getOPT();
    return new CacheKey(
        q.getName(),
        q.getType(),
        q.getDClass(),
        opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0,
        query.getHeader().getFlag(Flags.CD));
  }

  /** Rough heap bytes of a key: the record, the name's bytes and its object. */
  int weight() {
    return 64 + name.length();
  }
}

package dev.palisade.resolver.cache;

import dev.palisade.resolver.chain.Query;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Name;

/**
 * What makes two queries share an answer: the name (dnsjava's {@link Name#equals} and hash ignore
 * case, RFC 4343), type and class, and the DO and CD bits, which change what the answer holds
 * (DNSSEC records; unvalidated data).
 */
record CacheKey(Name name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {

  static CacheKey of(Query query) {
    return new CacheKey(query.name(), query.type(), query.dclass(), query.dnssecOk(), query.flag(Flags.CD));
  }

  /** Rough heap bytes of a key: the record, the name's bytes and its object. */
  int weight() {
    return 64 + name.length();
  }
}

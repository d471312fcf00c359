package dev.palisade.resolver.cache;

import dev.palisade.config.CacheConfig;
import java.util.OptionalLong;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Decides whether an answer may be cached and for how long. Pure: no clock, no cache, so every rule
 * is a unit test.
 */
final class CachePolicy {

  /** RFC 9520 section 3.2: a resolution failure is cached for a short while (at least 1 s). */
  static final long SERVFAIL_SECONDS = 5;

  /** RFC 2308 section 5: negative answers are not worth keeping longer than a few hours. */
  static final long MAX_NEGATIVE_SECONDS = 3 * 3600;

  private CachePolicy() {}

  /** The TTL to cache {@code reply} for, in seconds; empty when it must not be cached. */
  static OptionalLong ttlSeconds(Message reply, CacheConfig config) {
    if (reply.getHeader().getFlag(Flags.TC)) {
      // A truncated answer is incomplete by definition.
      return OptionalLong.empty();
    }
    long ttl;
    switch (reply.getRcode()) {
      case Rcode.NOERROR:
        if (answersQuestion(reply)) {
          ttl = Math.min(minTtl(reply, Section.ANSWER), minTtl(reply, Section.AUTHORITY));
          return clamp(ttl, config.minTtl().toSeconds(), config.maxTtl().toSeconds());
        }
        return negative(reply, config); // NODATA, RFC 2308 section 2.2
      case Rcode.NXDOMAIN:
        return negative(reply, config);
      case Rcode.SERVFAIL:
        return OptionalLong.of(SERVFAIL_SECONDS);
      default:
        // REFUSED, NOTIMP, FORMERR: about the upstream or the query, not the name.
        return OptionalLong.empty();
    }
  }

  /**
   * RFC 2308 section 5: a negative answer is cached for the lower of the SOA's TTL and its MINIMUM
   * field; without an SOA it is not cached at all.
   */
  private static OptionalLong negative(Message reply, CacheConfig config) {
    for (Record r : reply.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord) {
        SOARecord soa = (SOARecord) r;
        long ttl = Math.min(soa.getTTL(), soa.getMinimum());
        return clamp(ttl, config.minTtl().toSeconds(), Math.min(config.maxTtl().toSeconds(), MAX_NEGATIVE_SECONDS));
      }
    }
    return OptionalLong.empty();
  }

  /** True if the answer section holds the asked type or a CNAME chain toward it. */
  private static boolean answersQuestion(Message reply) {
    Record q = reply.getQuestion();
    for (Record r : reply.getSection(Section.ANSWER)) {
      if (r.getType() == q.getType() || r.getType() == Type.CNAME || r.getType() == Type.DNAME) {
        return true;
      }
    }
    return false;
  }

  private static long minTtl(Message m, int section) {
    long min = Long.MAX_VALUE;
    for (Record r : m.getSection(section)) {
      if (r.getType() != Type.OPT) {
        min = Math.min(min, r.getTTL());
      }
    }
    return min;
  }

  /** A TTL of 0 means "use once" (RFC 1035 section 3.2.1) unless min_ttl says otherwise. */
  static OptionalLong clamp(long ttl, long min, long max) {
    long t = Math.max(min, Math.min(ttl, max));
    return t <= 0 ? OptionalLong.empty() : OptionalLong.of(t);
  }
}

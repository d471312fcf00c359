package dev.palisade.dnssec;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Upstream replies to the validator's own DS and DNSKEY lookups, kept for their TTL.
 *
 * <p>Why, beside dnsjava's key cache: that cache keeps the validated DNSKEY set of each zone, so
 * a warm zone costs no lookup at all. But when a zone's keys are not cached, dnsjava walks the
 * chain again from the trust anchor (DNSKEY ., DS tld., DNSKEY tld., DS zone., DNSKEY zone.), and
 * the upper levels are the same for every zone. Keeping these replies makes a new zone under a
 * known TLD cost two upstream queries instead of five.
 *
 * <p>Safe because nothing here is trusted: a reply taken from this cache is validated again by
 * dnsjava exactly as a fresh one, signatures included. Lookups for the client's own question are
 * never cached here (that is the resolver's answer cache, which holds validated answers only).
 */
final class SubqueryCache {
  private final Clock clock;
  private final Duration maxTtl;
  private final Map<String, Entry> entries;

  private record Entry(Message reply, Instant expires) {}

  SubqueryCache(Clock clock, int maxEntries, Duration maxTtl) {
    this.clock = clock;
    this.maxTtl = maxTtl;
    // access order: least recently used first, evicted when full
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  static boolean cacheable(Record question) {
    return question.getType() == Type.DS || question.getType() == Type.DNSKEY;
  }

  /** A copy of the cached reply to this question, or null. */
  synchronized Message get(Record question) {
    String key = key(question);
    Entry entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (!clock.instant().isBefore(entry.expires())) {
      entries.remove(key);
      return null;
    }
    return entry.reply().clone();
  }

  /** Keeps {@code reply} for the smallest TTL in it (negative: RFC 2308 §5), at most maxTtl. */
  void put(Record question, Message reply) {
    int rcode = reply.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN || reply.getHeader().getFlag(org.xbill.DNS.Flags.TC)) {
      return;
    }
    long ttl = maxTtl.toSeconds();
    boolean any = false;
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record r : reply.getSection(section)) {
        any = true;
        ttl = Math.min(ttl, r instanceof SOARecord soa ? Math.min(soa.getTTL(), soa.getMinimum()) : r.getTTL());
      }
    }
    if (!any || ttl <= 0) {
      return;
    }
    Entry entry = new Entry(reply.clone(), clock.instant().plusSeconds(ttl));
    synchronized (this) {
      entries.put(key(question), entry);
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized void clear() {
    entries.clear();
  }

  private static String key(Record question) {
    Name name = question.getName().canonicalize();
    return question.getDClass() + "/" + question.getType() + "/" + name;
  }
}

package dev.palisade.dnssec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * What signature validity windows mean for an answer: the TTL validated data may keep, and
 * whether a bogus answer is bogus because its signatures are out of date.
 *
 * <p>The second is for the Extended DNS Error only (the verdict is bogus either way).
 *
 * <p>Why: dnsjava 3.7.1 knows when a signature has expired but, when that signature is the one
 * over a zone's DNSKEY set, reports the generic "Keyset not secured by DNSKEY that matches DS"
 * with EDE 6, where unbound reports 7 (Signature Expired). RFC 8914 §4.8/§4.9: 7 means no
 * signature is presently valid and some have expired; 8 (Signature Not Yet Valid) that none is
 * valid yet. This looks at the signatures the upstream gave us (the answer, and the DNSKEY sets of
 * its signers as the subquery cache holds them) and applies exactly that definition.
 */
final class SignatureTimes {
  private SignatureTimes() {}

  /** 7 or 8 when some RRset's signatures are all out of their validity window at {@code now}; else empty. */
  static OptionalInt outOfDate(Message reply, SubqueryCache keys, Instant now) {
    List<RRSIGRecord> sigs = new ArrayList<>(signatures(reply));
    for (Name signer : sigs.stream().map(RRSIGRecord::getSigner).distinct().toList()) {
      Message dnskey = keys.get(Record.newRecord(signer, Type.DNSKEY, DClass.IN));
      if (dnskey != null) {
        sigs.addAll(signatures(dnskey));
      }
    }
    // per covered RRset: is any signature valid now, and were the others expired or early?
    Map<String, int[]> byRrset = new LinkedHashMap<>(); // {valid, expired, early}
    for (RRSIGRecord sig : sigs) {
      int[] counts = byRrset.computeIfAbsent(sig.getName().canonicalize() + "/" + sig.getTypeCovered(), k -> new int[3]);
      if (now.isAfter(sig.getExpire())) {
        counts[1]++;
      } else if (now.isBefore(sig.getTimeSigned())) {
        counts[2]++;
      } else {
        counts[0]++;
      }
    }
    for (int[] counts : byRrset.values()) {
      if (counts[0] == 0 && counts[1] > 0) {
        return OptionalInt.of(ExtendedErrorCodeOption.SIGNATURE_EXPIRED);
      }
    }
    for (int[] counts : byRrset.values()) {
      if (counts[0] == 0 && counts[2] > 0) {
        return OptionalInt.of(ExtendedErrorCodeOption.SIGNATURE_NOT_YET_VALID);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The TTL a validated record may keep (RFC 4035 §5.3.3): no more than its RRset's TTL, the
   * covering signature's Original TTL, and the time until that signature expires; with several
   * signatures, the most generous one. Records without a covering signature keep their TTL.
   */
  static List<Record> cappedTtls(List<Record> records, Instant now) {
    Map<String, Long> caps = new LinkedHashMap<>();
    for (Record r : records) {
      if (r instanceof RRSIGRecord sig) {
        long untilExpiry = Math.max(0, sig.getExpire().getEpochSecond() - now.getEpochSecond());
        long cap = Math.min(sig.getOrigTTL(), untilExpiry);
        caps.merge(key(sig.getName(), sig.getTypeCovered(), sig.getDClass()), cap, Math::max);
      }
    }
    List<Record> capped = new ArrayList<>(records.size());
    for (Record r : records) {
      int type = r instanceof RRSIGRecord sig ? sig.getTypeCovered() : r.getType();
      Long cap = caps.get(key(r.getName(), type, r.getDClass()));
      capped.add(cap != null && r.getTTL() > cap ? withTtl(r, cap) : r);
    }
    return capped;
  }

  /** A copy of {@code r} with another TTL, its rdata byte for byte (dnsjava has no public setter). */
  static Record withTtl(Record r, long ttl) {
    byte[] wire = r.toWire(Section.ANSWER); // owner name uncompressed, type (2), class (2), TTL (4), rdata
    ByteBuffer.wrap(wire).putInt(r.getName().length() + 4, (int) ttl);
    try {
      return Record.fromWire(wire, Section.ANSWER);
    } catch (IOException e) {
      throw new IllegalStateException("a record's own wire form does not parse: " + r, e);
    }
  }

  private static String key(Name name, int type, int dclass) {
    return name.canonicalize() + "/" + type + "/" + dclass;
  }

  private static List<RRSIGRecord> signatures(Message m) {
    List<RRSIGRecord> sigs = new ArrayList<>();
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
      for (Record r : m.getSection(section)) {
        if (r instanceof RRSIGRecord sig) {
          sigs.add(sig);
        }
      }
    }
    return sigs;
  }
}

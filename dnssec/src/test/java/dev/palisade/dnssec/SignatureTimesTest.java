package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class SignatureTimesTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
  private static final Name WWW = Name.fromConstantString("www.example.");

  @Test
  void validatedTtlIsCappedByTheOriginalTtl() throws Exception {
    List<Record> capped = SignatureTimes.cappedTtls(List.of(a(3600), sig("A", 300, NOW.plus(Duration.ofDays(10)))), NOW);

    assertEquals(List.of(300L, 300L), capped.stream().map(Record::getTTL).toList());
    assertEquals(a(3600).rdataToString(), capped.get(0).rdataToString());
  }

  @Test
  void validatedTtlIsCappedByTheSignaturesExpiry() throws Exception {
    List<Record> capped = SignatureTimes.cappedTtls(List.of(a(3600), sig("A", 3600, NOW.plusSeconds(100))), NOW);

    assertEquals(List.of(100L, 100L), capped.stream().map(Record::getTTL).toList());
  }

  @Test
  void theMostGenerousSignatureCountsAndUnsignedRecordsKeepTheirTtl() throws Exception {
    Record ns = Record.fromString(Name.fromString("example."), Type.NS, DClass.IN, 7200, "ns.example.", Name.root);
    List<Record> capped = SignatureTimes.cappedTtls(List.of(a(3600), sig("A", 3600, NOW.plusSeconds(100)),
        sig("A", 3600, NOW.plusSeconds(1000)), ns), NOW);

    // one TTL for the RRset and its signatures (RFC 2181 §5.2)
    assertEquals(List.of(1000L, 1000L, 1000L, 7200L), capped.stream().map(Record::getTTL).toList());
  }

  @Test
  void allSignaturesExpiredMeansEde7() throws Exception {
    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.SIGNATURE_EXPIRED), SignatureTimes.outOfDate(
        reply(a(300), sig("A", 300, NOW.minusSeconds(1))), emptyCache(), NOW));
  }

  @Test
  void allSignaturesInTheFutureMeansEde8() throws Exception {
    Record early = Record.fromString(WWW, Type.RRSIG, DClass.IN, 300, "A 13 2 300 " + TIME.format(NOW.plusSeconds(7200))
        + " " + TIME.format(NOW.plusSeconds(3600)) + " 12345 example. " + "A".repeat(86) + "==", Name.root);

    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.SIGNATURE_NOT_YET_VALID),
        SignatureTimes.outOfDate(reply(a(300), early), emptyCache(), NOW));
  }

  @Test
  void oneValidSignatureMeansTheTimesAreNotTheProblem() throws Exception {
    assertEquals(OptionalInt.empty(), SignatureTimes.outOfDate(
        reply(a(300), sig("A", 300, NOW.minusSeconds(1)), sig("A", 300, NOW.plusSeconds(60))), emptyCache(), NOW));
  }

  private static SubqueryCache emptyCache() {
    return new SubqueryCache(Clock.fixed(NOW, ZoneOffset.UTC), 10, Duration.ofMinutes(15));
  }

  private static Record a(long ttl) throws Exception {
    return Record.fromString(WWW, Type.A, DClass.IN, ttl, "192.0.2.1", Name.root);
  }

  private static Record sig(String covered, long originalTtl, Instant expires) throws Exception {
    return Record.fromString(WWW, Type.RRSIG, DClass.IN, 3600, covered + " 13 2 " + originalTtl + " "
        + TIME.format(expires) + " " + TIME.format(NOW.minus(Duration.ofDays(1))) + " 12345 example. "
        + "A".repeat(86) + "==", Name.root);
  }

  private static Message reply(Record... answers) {
    Message m = new Message(1);
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(Record.newRecord(WWW, Type.A, DClass.IN), Section.QUESTION);
    for (Record r : answers) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }
}

package dev.palisade.resolver.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.config.CacheConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

class CachePolicyTest {

  private final CacheConfig config = CacheConfig.DEFAULTS;

  private static CacheConfig clamped(long min, long max) {
    return new CacheConfig(1 << 20, Duration.ofSeconds(min), Duration.ofSeconds(max), true, true, Duration.ofSeconds(3600));
  }

  @Test
  void aPositiveAnswerLivesAsLongAsItsShortestTtl() throws Exception {
    Message m = Answers.a("www.example.test.", 300, "192.0.2.1");
    m.addRecord(new ARecord(Answers.name("www.example.test."), DClass.IN, 120, InetAddress.getByName("192.0.2.2")), Section.ANSWER);
    m.addRecord(new NSRecord(Answers.name("example.test."), DClass.IN, 60, Answers.name("ns.example.test.")), Section.AUTHORITY);
    assertEquals(OptionalLong.of(60), CachePolicy.ttlSeconds(m, config));
  }

  @Test
  void minAndMaxTtlClampIt() throws Exception {
    assertEquals(OptionalLong.of(30), CachePolicy.ttlSeconds(Answers.a("a.test.", 5, "192.0.2.1"), clamped(30, 600)));
    assertEquals(OptionalLong.of(600), CachePolicy.ttlSeconds(Answers.a("a.test.", 86400, "192.0.2.1"), clamped(30, 600)));
  }

  @Test
  void aZeroTtlIsNotCachedUnlessMinTtlRaisesIt() throws Exception {
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(Answers.a("a.test.", 0, "192.0.2.1"), config));
    assertEquals(OptionalLong.of(10), CachePolicy.ttlSeconds(Answers.a("a.test.", 0, "192.0.2.1"), clamped(10, 600)));
  }

  @Test
  void aCnameChainCountsAsAnAnswer() {
    Message m = Answers.reply("alias.example.test.", Rcode.NOERROR);
    m.addRecord(new CNAMERecord(Answers.name("alias.example.test."), DClass.IN, 90, Answers.name("elsewhere.test.")), Section.ANSWER);
    assertEquals(OptionalLong.of(90), CachePolicy.ttlSeconds(m, config));
  }

  @Test
  void negativeAnswersUseTheLowerOfSoaTtlAndMinimum() {
    // RFC 2308 section 5.
    assertEquals(OptionalLong.of(300), CachePolicy.ttlSeconds(Answers.negative("nope.example.test.", Rcode.NXDOMAIN, 3600, 300), config));
    assertEquals(OptionalLong.of(60), CachePolicy.ttlSeconds(Answers.negative("nope.example.test.", Rcode.NXDOMAIN, 60, 300), config));
    // NODATA: NOERROR, no answer of the type, SOA in authority.
    assertEquals(OptionalLong.of(120), CachePolicy.ttlSeconds(Answers.negative("www.example.test.", Rcode.NOERROR, 120, 900), config));
  }

  @Test
  void negativeAnswersAreKeptAtMostThreeHours() {
    assertEquals(OptionalLong.of(CachePolicy.MAX_NEGATIVE_SECONDS), CachePolicy.ttlSeconds(Answers.negative("nope.test.", Rcode.NXDOMAIN, 86400, 86400), config));
  }

  @Test
  void negativeAnswersWithoutSoaAreNotCached() {
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(Answers.reply("nope.example.test.", Rcode.NXDOMAIN), config));
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(Answers.reply("www.example.test.", Rcode.NOERROR), config));
  }

  @Test
  void truncatedAnswersAreNeverCached() throws Exception {
    Message m = Answers.a("a.test.", 300, "192.0.2.1");
    m.getHeader().setFlag(Flags.TC);
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(m, config));
  }

  @Test
  void servfailIsCachedBrieflyAndRefusedNotAtAll() {
    assertEquals(OptionalLong.of(CachePolicy.SERVFAIL_SECONDS), CachePolicy.ttlSeconds(Answers.reply("a.test.", Rcode.SERVFAIL), config));
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(Answers.reply("a.test.", Rcode.REFUSED), config));
    assertEquals(OptionalLong.empty(), CachePolicy.ttlSeconds(Answers.reply("a.test.", Rcode.FORMERR), config));
  }
}

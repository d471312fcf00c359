package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.palisade.dnssec.testbed.Case;
import dev.palisade.dnssec.testbed.SignedHierarchy;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DnssecValidator against real peers: the signed hierarchy (nsd) behind a NON-validating unbound,
 * so that everything judged is judged by Palisade; every verdict compared with a validating
 * unbound's for the same name over the same recursive.
 */
class DnssecValidatorSignedHierarchyTest {
  private static final Pattern UNBOUND_EDE = Pattern.compile("EDE: (\\d+)");

  private static SignedHierarchy hierarchy;
  private static ExecutorService crypto;
  private static DnssecValidator validator;

  @BeforeAll
  static void startHierarchy() throws Exception {
    CryptoProviders.install(); // as production does at start-up
    hierarchy = SignedHierarchy.start();
    crypto = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "dnssec-crypto");
      t.setDaemon(true);
      return t;
    });
    validator = newValidator(hierarchy.trustAnchors());
  }

  @AfterAll
  static void stopHierarchy() throws Exception {
    if (validator != null) {
      validator.close();
    }
    if (crypto != null) {
      crypto.shutdownNow();
      crypto.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (hierarchy != null) {
      hierarchy.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCaseGetsTheVerdictOfAValidatingUnbound() {
    return hierarchy.cases().stream().map(c -> dynamicTest(c.toString(), () -> {
      Verdict verdict = validator.resolve(c.query()).get(20, TimeUnit.SECONDS);
      DigResult unbound = Dig.query(hierarchy.validating().address(), hierarchy.validating().plainPort(), c.name(),
          c.typeName(), "+dnssec");
      String context = "\nverdict: " + verdict + "\nunbound:\n" + unbound;
      assertEquals(c.expected(), unboundVerdict(unbound), "the validating unbound's verdict" + context);
      assertEquals(c.expected(), verdict.status(), "Palisade's verdict" + context);
      assertEquals(c.rcode(), verdict.message().getRcode(), "rcode" + context);
      assertEquals(Rcode.string(c.rcode()), unbound.status(), "unbound's rcode" + context);
      assertShaped(c, verdict, context);
    }));
  }

  @Test
  void bogusAnswersCarryTheSameExtendedErrorAsUnbound() throws Exception {
    // unbound 1.17 with ede: yes: corrupted 6, expired 7, DS matching no key 9, forged unsigned 10
    for (Case c : hierarchy.cases()) {
      if (c.expected() != SecurityStatus.BOGUS) {
        continue;
      }
      Verdict verdict = validator.resolve(c.query()).get(20, TimeUnit.SECONDS);
      DigResult unbound = Dig.query(hierarchy.validating().address(), hierarchy.validating().plainPort(), c.name(),
          c.typeName(), "+dnssec");
      OptionalInt unboundEde = unboundEde(unbound);
      assertTrue(unboundEde.isPresent(), "unbound gave no EDE for " + c + "\n" + unbound);
      assertEquals(unboundEde, verdict.extendedError(), c + ": " + verdict.reason() + "\n" + unbound);
      assertEquals(unboundEde, ede(verdict.message()), "the EDE in the SERVFAIL's OPT for " + c);
    }
  }

  @Test
  void denialWithTooManyNsec3IterationsIsInsecureWithEde27() throws Exception {
    Verdict verdict = validator.resolve(query("nothere.iter.test.", Type.A)).get(20, TimeUnit.SECONDS);

    assertEquals(SecurityStatus.INSECURE, verdict.status(), verdict.toString());
    assertEquals(Rcode.NXDOMAIN, verdict.message().getRcode());
    assertFalse(verdict.message().getHeader().getFlag(Flags.AD));
    // RFC 9276 §3.2: say why with EDE 27
    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.UNSUPPORTED_NSEC3_ITERATIONS_VALUE), verdict.extendedError());
    assertEquals(verdict.extendedError(), ede(verdict.message()));
  }

  @Test
  void forgedAnswerNeverReachesTheClient() throws Exception {
    SimpleResolver direct = plainResolver();
    Message lie = direct.send(query("forged.ecdsa.test.", Type.A));
    assertEquals(SignedHierarchy.FORGED_ADDRESS,
        ((ARecord) lie.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress(),
        "the recursive does lie (else this test proves nothing)");

    Verdict verdict = validator.resolve(query("forged.ecdsa.test.", Type.A)).get(20, TimeUnit.SECONDS);

    assertEquals(SecurityStatus.BOGUS, verdict.status());
    assertEquals(Rcode.SERVFAIL, verdict.message().getRcode());
    assertFalse(verdict.message().toString().contains(SignedHierarchy.FORGED_ADDRESS), verdict.message().toString());
  }

  @Test
  void warmZoneCostsOneUpstreamQueryAndANewSiblingTwoMore() throws Exception {
    try (DnssecValidator fresh = newValidator(hierarchy.trustAnchors())) {
      long before = fresh.upstreamQueries();
      assertEquals(SecurityStatus.SECURE, fresh.resolve(query("www.rsa.test.", Type.A)).get(20, TimeUnit.SECONDS).status());
      long cold = fresh.upstreamQueries() - before;

      long warmStart = fresh.upstreamQueries();
      assertEquals(SecurityStatus.SECURE, fresh.resolve(query("alias.rsa.test.", Type.CNAME)).get(20, TimeUnit.SECONDS).status());
      long warm = fresh.upstreamQueries() - warmStart;

      long siblingStart = fresh.upstreamQueries();
      assertEquals(SecurityStatus.SECURE, fresh.resolve(query("www.ed.test.", Type.A)).get(20, TimeUnit.SECONDS).status());
      long sibling = fresh.upstreamQueries() - siblingStart;

      // cold: the answer, DNSKEY ., DS test., DNSKEY test., DS rsa.test., DNSKEY rsa.test.
      assertEquals(6, cold, "cold");
      // warm: only the question itself; the rsa.test. keys are in the key cache
      assertEquals(1, warm, "warm");
      // a new zone under a known TLD: the question, DS ed.test., DNSKEY ed.test. (the rest from the subquery cache)
      assertEquals(3, sibling, "sibling");
    }
  }

  @Test
  void builtInIanaAnchorFailsLoudlyAgainstAPrivateRoot() throws Exception {
    try (DnssecValidator wrongAnchor = newValidator(TrustAnchors.builtIn())) {
      Verdict root = wrongAnchor.checkRoot().get(20, TimeUnit.SECONDS);

      assertEquals(SecurityStatus.BOGUS, root.status(), root.toString());
      assertEquals(Rcode.SERVFAIL, root.message().getRcode());
      Verdict answer = wrongAnchor.resolve(query("www.rsa.test.", Type.A)).get(20, TimeUnit.SECONDS);
      assertEquals(SecurityStatus.BOGUS, answer.status(), "nothing validates without the right anchor");
    }
  }

  @Test
  void rootCheckPassesWithTheRightAnchor() throws Exception {
    Verdict root = validator.checkRoot().get(20, TimeUnit.SECONDS);

    assertEquals(SecurityStatus.SECURE, root.status(), root.toString());
  }

  @Test
  void anchorFileOfDsLinesFromTheHierarchyValidatesToo() throws Exception {
    TrustAnchors fromFile = TrustAnchors.load(hierarchy.trustAnchorFile(), Clock.systemUTC());
    try (DnssecValidator v = newValidator(fromFile)) {
      assertEquals(SecurityStatus.SECURE, v.resolve(query("www.ecdsa.test.", Type.A)).get(20, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void manyConcurrentQueriesAllGetTheirVerdict() throws Exception {
    List<Case> cases = hierarchy.cases();
    try (DnssecValidator v = newValidator(hierarchy.trustAnchors())) {
      var futures = Stream.iterate(0, i -> i + 1).limit(200)
          .map(i -> cases.get(i % cases.size()))
          .map(c -> v.resolve(c.query()).thenApply(verdict -> c.expected() == verdict.status() ? null : c + " → " + verdict))
          .toList();
      for (var f : futures) {
        String wrong = f.get(30, TimeUnit.SECONDS);
        assertEquals(null, wrong);
      }
    }
  }

  private static void assertShaped(Case c, Verdict verdict, String context) {
    Message m = verdict.message();
    assertEquals(c.query().getQuestion(), m.getQuestion(), "question" + context);
    assertEquals(verdict.status() == SecurityStatus.SECURE, m.getHeader().getFlag(Flags.AD), "AD" + context);
    assertFalse(m.getHeader().getFlag(Flags.CD), "CD" + context);
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : m.getSection(section)) {
        assertTrue(r.getDClass() != ValidatingResolver.VALIDATION_REASON_QCLASS, "reason TXT leaked" + context);
      }
    }
    switch (verdict.status()) {
      case SECURE -> {
        assertTrue(m.getSection(Section.ANSWER).stream().anyMatch(r -> r.getType() == Type.RRSIG)
            || m.getSection(Section.AUTHORITY).stream().anyMatch(r -> r.getType() == Type.RRSIG),
            "signatures kept for DO clients" + context);
        assertTrue(verdict.extendedError().isEmpty(), context);
      }
      case BOGUS -> {
        assertTrue(m.getSection(Section.ANSWER).isEmpty() && m.getSection(Section.AUTHORITY).isEmpty(),
            "no data in a bogus answer" + context);
        assertTrue(verdict.extendedError().isPresent(), "bogus has an EDE" + context);
      }
      case INSECURE -> assertTrue(verdict.extendedError().isEmpty()
          || verdict.extendedError().getAsInt() == ExtendedErrorCodeOption.UNSUPPORTED_NSEC3_ITERATIONS_VALUE, context);
      case INDETERMINATE -> { }
    }
  }

  private static SecurityStatus unboundVerdict(DigResult result) {
    if ("SERVFAIL".equals(result.status())) {
      return SecurityStatus.BOGUS;
    }
    if (result.hasFlag("ad")) {
      return SecurityStatus.SECURE;
    }
    if ("NOERROR".equals(result.status()) || "NXDOMAIN".equals(result.status())) {
      return SecurityStatus.INSECURE;
    }
    return SecurityStatus.INDETERMINATE;
  }

  private static OptionalInt unboundEde(DigResult result) {
    for (String option : result.ednsOptions()) {
      Matcher m = UNBOUND_EDE.matcher(option);
      if (m.find()) {
        return OptionalInt.of(Integer.parseInt(m.group(1)));
      }
    }
    return OptionalInt.empty();
  }

  static OptionalInt ede(Message m) {
    OPTRecord opt = m.getOPT();
    if (opt == null) {
      return OptionalInt.empty();
    }
    for (EDNSOption o : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
      return OptionalInt.of(((ExtendedErrorCodeOption) o).getErrorCode());
    }
    return OptionalInt.empty();
  }

  private static DnssecValidator newValidator(TrustAnchors anchors) throws Exception {
    return new DnssecValidator(anchors, plainResolver(), crypto, Clock.systemUTC());
  }

  private static SimpleResolver plainResolver() throws Exception {
    SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(
        InetAddress.getByName(hierarchy.recursive().address()), hierarchy.recursive().plainPort()));
    resolver.setTimeout(Duration.ofSeconds(5));
    return resolver;
  }

  static Message query(String name, int type) {
    return new Case(name, type, SecurityStatus.SECURE, Rcode.NOERROR, "").query();
  }

  static boolean hasDo(Message m) {
    return m.getOPT() != null && (m.getOPT().getFlags() & ExtendedFlags.DO) != 0;
  }
}

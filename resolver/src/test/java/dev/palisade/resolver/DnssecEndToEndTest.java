package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.DnssecConfig;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.UpstreamServer;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.dnssec.testbed.Case;
import dev.palisade.dnssec.testbed.SignedHierarchy;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Palisade validating DNSSEC itself, over DoT to a non-validating recursive unbound that resolves a
 * private signed hierarchy (its own root: the trust anchor is the test's). For every case its
 * verdict must equal a validating unbound's for the same name, asked with dig.
 */
class DnssecEndToEndTest {

  static SignedHierarchy hierarchy;
  static Palisade palisade;
  static int port;

  static PalisadeConfig validating(SignedHierarchy h) throws Exception {
    UpstreamServer recursive =
        new UpstreamServer(InetAddress.getByName(h.recursive().address()), h.recursive().dotPort(), Optional.of(SignedHierarchy.TLS_NAME));
    return EndToEndTest.config(
        List.of(recursive), h.ca().caFile(), false, EndToEndTest.LOOPBACK_ONLY, Duration.ofSeconds(10), 100,
        new DnssecConfig(true, List.of(h.trustAnchorFile())));
  }

  @BeforeAll
  static void start() throws Exception {
    hierarchy = SignedHierarchy.start();
    palisade = Palisade.start(validating(hierarchy));
    port = palisade.udpAddresses().get(0).getPort();
  }

  @AfterAll
  static void stop() {
    if (palisade != null) {
      palisade.close();
    }
    if (hierarchy != null) {
      hierarchy.close();
    }
  }

  /** JUnit asks for the arguments after {@code @BeforeAll}: the hierarchy is up. */
  static Stream<Case> cases() {
    return hierarchy.cases().stream();
  }

  /** What a validating resolver's answer says: SERVFAIL = bogus, AD = secure, else insecure. */
  static SecurityStatus verdictOf(DigResult r) {
    if ("SERVFAIL".equals(r.status())) {
      return SecurityStatus.BOGUS;
    }
    return r.hasFlag("ad") ? SecurityStatus.SECURE : SecurityStatus.INSECURE;
  }

  static DigResult askUnbound(Case c) {
    return Dig.query(hierarchy.validating().address(), hierarchy.validating().plainPort(), c.name(), c.typeName(), "+dnssec");
  }

  static DigResult askPalisade(Case c, String... options) {
    List<String> o = new ArrayList<>(List.of("+dnssec"));
    o.addAll(List.of(options));
    return Dig.query("127.0.0.1", port, c.name(), c.typeName(), o.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reachesTheSameVerdictAsAValidatingUnbound(Case c) {
    DigResult reference = askUnbound(c);
    DigResult ours = askPalisade(c);
    assertEquals(c.expected() == SecurityStatus.BOGUS ? SecurityStatus.BOGUS : c.expected(), verdictOf(reference), "unbound on " + c + "\n" + reference.output());
    assertEquals(verdictOf(reference), verdictOf(ours), c + "\n" + ours.output());
    assertEquals(reference.status(), ours.status(), c + "\n" + ours.output());
    if (verdictOf(ours) == SecurityStatus.BOGUS) {
      assertTrue(ours.answers().isEmpty(), "never the data of a bogus answer: " + ours.output());
      assertFalse(ours.ednsOptions().stream().noneMatch(o -> o.startsWith("EDE")), "a bogus answer carries an Extended DNS Error: " + ours.output());
    } else {
      assertEquals(sorted(reference.answersOf(c.typeName())), sorted(ours.answersOf(c.typeName())), c + "\n" + ours.output());
    }
    // Asked again: now from the cache, same verdict.
    assertEquals(verdictOf(ours), verdictOf(askPalisade(c)), "cached: " + c);
  }

  static List<String> sorted(List<String> l) {
    return l.stream().sorted().toList();
  }

  Case find(SecurityStatus status, String part) {
    return hierarchy.cases().stream().filter(c -> c.expected() == status && c.name().contains(part)).findFirst().orElseThrow();
  }

  @Test
  void neverHandsOutTheForgedAddressForASignedName() {
    DigResult r = Dig.query("127.0.0.1", port, "forged.ecdsa.test", "A");
    assertEquals("SERVFAIL", r.status(), r.output());
    assertFalse(r.output().contains(SignedHierarchy.FORGED_ADDRESS), r.output());
  }

  @Test
  void setsAdOnlyForClientsThatAskWithDoOrAd() {
    Case secure = find(SecurityStatus.SECURE, "www.ecdsa");
    assertTrue(askPalisade(secure).hasFlag("ad"));
    assertTrue(Dig.query("127.0.0.1", port, secure.name(), secure.typeName(), "+adflag").hasFlag("ad"));
    assertFalse(Dig.query("127.0.0.1", port, secure.name(), secure.typeName(), "+noadflag").hasFlag("ad"), "RFC 6840 section 5.8");
  }

  @Test
  void stripsDnssecRecordsForClientsWithoutDo() {
    Case secure = find(SecurityStatus.SECURE, "www.ecdsa");
    DigResult withDo = askPalisade(secure);
    assertFalse(withDo.answersOf("RRSIG").isEmpty(), withDo.output());
    DigResult without = Dig.query("127.0.0.1", port, secure.name(), secure.typeName());
    assertEquals("NOERROR", without.status());
    assertTrue(without.answersOf("RRSIG").isEmpty(), without.output());
    assertFalse(without.answersOf(secure.typeName()).isEmpty());
  }

  @Test
  void aClientThatSetsCdGetsTheDataUnvalidated() {
    DigResult r = Dig.query("127.0.0.1", port, "forged.ecdsa.test", "A", "+cd");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of(SignedHierarchy.FORGED_ADDRESS), r.answersOf("A"), "it validates itself");
    assertFalse(r.hasFlag("ad"));
  }

  @Test
  void noValidationReasonRecordReachesAClient() {
    for (Case c : hierarchy.cases()) {
      DigResult r = askPalisade(c);
      assertFalse(r.output().contains("CLASS65280"), r.output());
    }
  }
}

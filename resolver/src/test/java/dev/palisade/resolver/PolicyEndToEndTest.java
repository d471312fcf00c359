package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.PolicyConfig;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy in the running resolver: refusals happen before forwarding (the real upstream logs
 * every query it gets, and must never see a refused one), carry the right rcode and Extended DNS
 * Error, and normal names keep working. Names are under example.com, served by the loopback test
 * upstream: no query leaves the machine.
 */
class PolicyEndToEndTest {

  @TempDir static Path dir;
  static UnboundServer unbound;

  @BeforeAll
  static void start() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    unbound = UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))
        .localZone("example.com.", "redirect")
        .localData("example.com. 300 IN A 192.0.2.80")
        .localZone("example.org.", "redirect")
        .localData("example.org. 300 IN A 192.0.2.81")
        .localZone("rebind.example.net.", "static")
        .localData("rebind.example.net. 300 IN A 10.1.2.3")
        .extraConfig("log-queries: yes", "verbosity: 1")
        .build().start();
  }

  @AfterAll
  static void stop() {
    unbound.close();
  }

  static Palisade start(PolicyConfig policy) throws Exception {
    PalisadeConfig c = EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY);
    return Palisade.start(c.withPolicy(policy));
  }

  static PolicyConfig policy(String mode, List<String> allow, List<String> deny) {
    PolicyConfig p = PolicyConfig.DEFAULTS;
    return new PolicyConfig(mode, p.refuseWith(), List.of("test"), allow, p.allowFiles(), deny, p.denyFiles(), p.builtinAllow(),
        p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), p.state());
  }

  static DigResult ask(Palisade p, String name, String type) {
    return Dig.query("127.0.0.1", p.udpAddresses().get(0).getPort(), name, type);
  }

  /** A label as iodine or dnscat2 would send: random data in base32. */
  static String base32(Random r, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  static boolean upstreamSaw(String name) {
    return unbound.log().toLowerCase().contains(name.toLowerCase());
  }

  /** How many lines of the upstream's log name {@code name}. */
  static int upstreamCount(String name) {
    return (int) unbound.log().toLowerCase().lines().filter(l -> l.contains(name.toLowerCase())).count();
  }

  @Test
  void refusesATunnelNameBeforeItIsForwardedAndKeepsNormalNamesWorking() throws Exception {
    try (Palisade p = start(policy("guarded", List.of(), List.of()))) {
      DigResult normal = ask(p, "www.example.com", "A");
      assertEquals("NOERROR", normal.status(), normal.output());
      assertEquals(List.of("192.0.2.80"), normal.answersOf("A"));

      Random r = new Random(7);
      String secret = base32(r, 60) + "." + base32(r, 60);
      String tunnel = secret + ".t.example.com";
      DigResult refused = ask(p, tunnel, "A");
      assertEquals("REFUSED", refused.status(), refused.output());
      assertTrue(refused.ednsOptions().stream().anyMatch(o -> o.contains("17")), "EDE 17 (Filtered): " + refused.output());
      assertFalse(upstreamSaw(secret.substring(0, 30)), "the upstream never saw the data");
    }
  }

  @Test
  void refusesDenylistedNamesWithEdeBlockedAndNullQueries() throws Exception {
    try (Palisade p = start(policy("guarded", List.of(), List.of("*.ads.example.com")))) {
      DigResult denied = ask(p, "tracker.ads.example.com", "A");
      assertEquals("REFUSED", denied.status(), denied.output());
      assertTrue(denied.ednsOptions().stream().anyMatch(o -> o.contains("15")), "EDE 15 (Blocked): " + denied.output());
      assertFalse(upstreamSaw("tracker.ads.example.com"));
      assertEquals("REFUSED", ask(p, "null.example.com", "NULL").status(), "NULL is a tunnel's favourite type");
      assertEquals("NOERROR", ask(p, "fine.example.com", "A").status());
    }
  }

  @Test
  void strictModeForwardsOnlyTheAllowlist() throws Exception {
    try (Palisade p = start(policy("strict", List.of("*.example.com"), List.of()))) {
      assertEquals("NOERROR", ask(p, "www.example.com", "A").status());
      DigResult other = ask(p, "www.rebind.example.net", "A");
      assertEquals("REFUSED", other.status(), other.output());
    }
  }

  @Test
  void monitorModeRefusesNothing() throws Exception {
    try (Palisade p = start(policy("monitor", List.of(), List.of()))) {
      Random r = new Random(8);
      DigResult tunnel = ask(p, base32(r, 62) + "." + base32(r, 62) + ".m.example.com", "A");
      assertEquals("NOERROR", tunnel.status(), tunnel.output());
    }
  }

  @Test
  void anHourlyBudgetBlocksTheDomainForThatClientOnceSpent() throws Exception {
    PolicyConfig d = policy("guarded", List.of(), List.of());
    // A small budget and no velocity brake, so that the hourly budget is what trips.
    PolicyConfig small = new PolicyConfig(d.mode(), d.refuseWith(), d.localZones(), d.allow(), d.allowFiles(), d.deny(), d.denyFiles(),
        d.builtinAllow(), d.refuseTypes(), d.lexicalRules(),
        new PolicyConfig.Budgets(600, 32768, 262144, 100_000, 1_000_000, d.budgets().blockFor(), 2, true), d.answers(), d.state());
    try (Palisade p = start(small)) {
      Random r = new Random(9);
      int answered = 0;
      boolean refused = false;
      // Short labels stay under the lexical thresholds; only the budget can stop them.
      for (int i = 0; i < 200 && !refused; i++) {
        DigResult d1 = ask(p, base32(r, 12) + ".slow.example.com", "A");
        refused = "REFUSED".equals(d1.status());
        answered += refused ? 0 : 1;
      }
      assertTrue(refused, "the budget tripped");
      // 12 base32 characters carry 60 bits: 600 bits is about ten names.
      assertTrue(answered <= 12, "the budget let through no more than its bits: " + answered + " names");
      DigResult again = ask(p, "www.slow.example.com", "A");
      assertEquals("REFUSED", again.status(), "the domain stays blocked for this client: " + again.output());
      assertEquals("NOERROR", ask(p, base32(r, 12) + ".example.org", "A").status(), "other domains are unaffected");
    }
  }

  @Test
  void aVelocityBrakeStopsABurstOfNewNames() throws Exception {
    try (Palisade p = start(policy("guarded", List.of(), List.of()))) {
      Random r = new Random(10);
      int refused = 0;
      // 150 names: over the per-minute brake (120) however slowly this machine sends them.
      for (int i = 0; i < 150; i++) {
        refused += "REFUSED".equals(ask(p, base32(r, 8) + ".burst.example.com", "A").status()) ? 1 : 0;
      }
      assertTrue(refused > 0, "a burst of 150 new names under one domain is braked");
    }
  }

  @Test
  void refusesPrivateAddressesForPublicNames() throws Exception {
    try (Palisade p = start(policy("guarded", List.of(), List.of()))) {
      DigResult rebind = ask(p, "rebind.example.net", "A");
      assertEquals("REFUSED", rebind.status(), "DNS rebinding: " + rebind.output());
      // Asked again, the answer comes from the cache as bytes, and is checked as bytes.
      int asked = upstreamCount("rebind.example.net");
      assertTrue(asked > 0, "the upstream logs the queries it gets");
      DigResult again = ask(p, "Rebind.Example.NET", "A");
      assertEquals("REFUSED", again.status(), "DNS rebinding from the cache: " + again.output());
      assertEquals(asked, upstreamCount("rebind.example.net"), "the second answer came from the cache");
    }
  }

  @Test
  void answersSingleLabelNamesLocally() throws Exception {
    try (Palisade p = start(policy("guarded", List.of(), List.of()))) {
      DigResult single = ask(p, "printer", "A");
      assertEquals("NXDOMAIN", single.status(), single.output());
      assertFalse(upstreamSaw("printer"));
    }
  }
}

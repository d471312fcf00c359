package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

class StructureTest {
  private final PolicyEngine engine = new PolicyEngine(PolicySettings.defaults(), () -> 0L);

  private Decision query(String name) {
    return engine.onQuery("10.0.0.1", Names.of(name), Type.A);
  }

  @ParameterizedTest
  @ValueSource(strings = {"www.example.com", "_dmarc.example.com", "a-b_c.example.org", "WWW.EXAMPLE.COM",
      "4.3.2.1.in-addr.arpa", "0-25.2.0.192.in-addr.arpa", "10.in-addr.arpa",
      "b._dns-sd._udp.0.1.168.192.in-addr.arpa",
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "ipv4only.arpa",
      "printer.lan", "nas.home.arpa", "com", "co.uk"})
  void wellFormedNamesPass(String name) {
    assertTrue(query(name).forward(), name + ": " + query(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\032b.example.com", "a*b.example.com", "caf\\195\\169.example.com", "a\\.b.example.com"})
  void charactersOutsideHostNameSyntaxAreRefused(String name) {
    Decision d = query(name);
    assertTrue(d.refuse(), name);
    assertEquals(Layer.STRUCTURE, d.layer());
    assertEquals(Decision.EDE_FILTERED, d.extendedError());
    assertEquals(Rcode.REFUSED, d.rcode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"www.example.corp", "host.invalidtld", "a.b.dnscat"})
  void aTopLevelDomainOutsideThePublicSuffixListIsRefused(String name) {
    Decision d = query(name);
    assertTrue(d.refuse(), name);
    assertTrue(d.reason().contains("public suffix"), d.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"printer", "wpad", "localhost", "x.localhost", "foo.invalid", "printer.local", "abc.onion", "x.test"})
  void singleLabelAndSpecialUseNamesAreAnsweredLocally(String name) {
    Decision d = query(name);
    assertTrue(d.answerLocally(), name + ": " + d);
    assertEquals(Rcode.NXDOMAIN, d.rcode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5.in-addr.arpa", "01.2.3.4.in-addr.arpa", "256.2.3.4.in-addr.arpa", "a.2.3.4.in-addr.arpa",
      "10.0-25.0.10.in-addr.arpa", "ab.8.b.d.0.1.0.0.2.ip6.arpa", "g.8.b.d.0.1.0.0.2.ip6.arpa", "x._dns-sd._udp.1.168.192.in-addr.arpa"})
  void malformedReverseNamesAreRefused(String name) {
    Decision d = query(name);
    assertTrue(d.refuse(), name + ": " + d);
    assertEquals(Layer.STRUCTURE, d.layer());
  }

  @Test
  void aConfiguredLocalZoneNeedsNoPublicSuffix() {
    PolicyEngine e = new PolicyEngine(PolicySettings.builder().localZones(java.util.List.of("corp", "Lab.Example.")).build(), () -> 0L);
    Decision d = e.onQuery("c", Names.of("a.very.long.internal.host.corp"), Type.A);
    assertTrue(d.forward());
    assertEquals("host.corp", d.registrableDomain());
    assertTrue(e.onQuery("c", Names.of("x.lab.example"), Type.A).forward());
  }

  @Test
  void theRootAndReverseZonesHaveTheirRegistrableDomains() {
    assertNull(engine.onQuery("c", org.xbill.DNS.Name.root, Type.NS).registrableDomain());
    assertEquals("3.2.1.in-addr.arpa", query("4.3.2.1.in-addr.arpa").registrableDomain());
    assertEquals("8.b.d.0.1.0.0.2.0.0.0.0.ip6.arpa",
        query("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.0.0.0.0.ip6.arpa").registrableDomain());
  }
}

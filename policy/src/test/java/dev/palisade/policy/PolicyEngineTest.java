package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

class PolicyEngineTest {
  private static final List<String> BENIGN = List.of(
      "www.google.com", "mail.example.org", "static.xx.fbcdn.net", "d2c8v52ll5s99u.cloudfront.net",
      "e673.dscb.akamaiedge.net", "ec2-52-1-2-3.compute-1.amazonaws.com", "_dmarc.example.com",
      "google._domainkey.example.com", "selector1._domainkey.example.net", "s1024._domainkey.yahoo.com",
      "ug7nbtf4gccmlpwj322ax3p6ow2yfsug._domainkey.example.com", "_acme-challenge.www.example.org",
      "_xmpp-server._tcp.jabber.org", "_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.contoso.com",
      "_25._tcp.mail.example.net", "lb._dns-sd._udp.example.com", "_ipp._tcp.example.com",
      "34.216.184.93.in-addr.arpa", "2.0.0.127.zen.spamhaus.org", "example.com.dbl.spamhaus.org",
      "733a48a9cb49651d72fe824ca91e8d00.malware.hash.cymru.com", "rr3---sn-4g5e6nze.googlevideo.com",
      "my-loadbalancer-1234567890.us-west-2.elb.amazonaws.com", "o1.ingest.sentry.io", "r3.o.lencr.org",
      "0.pool.ntp.org", "ipv4only.arpa", "www.bbc.co.uk", "x1.c.lencr.org", "api.github.com");

  private static Decision query(PolicyEngine e, String name, int type) {
    return e.onQuery("10.0.0.1", Names.of(name), type);
  }

  @Test
  void theEngineRefusesEveryClassicToolsDataQuery() {
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L);
    for (Map.Entry<String, String> t : TunnelNames.all(1).entrySet()) {
      Decision d = query(e, t.getValue(), Type.TXT);
      assertTrue(d.refuse(), t.getKey() + " was not refused: " + d);
      assertEquals(Layer.LEXICAL, d.layer(), t.getKey());
      assertEquals("tunnel-example", d.registrableDomain().substring(0, 14), t.getKey());
    }
  }

  @Test
  void theEngineAllowsBenignNamesIncludingDataLikeServices() {
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L);
    for (String n : BENIGN) {
      Decision d = query(e, n, Type.A);
      assertTrue(d.forward() && d.verdict() == Decision.Verdict.ALLOW, n + ": " + d);
    }
  }

  @Test
  void strictModeForwardsOnlyAllowlistedNamesAndLocalZones() {
    PolicySettings s = PolicySettings.builder().mode(Mode.STRICT)
        .allow(DomainList.of("*.example.com", "exact.example.org")).build();
    PolicyEngine e = new PolicyEngine(s, () -> 0L);
    assertTrue(query(e, "www.example.com", Type.A).forward());
    assertTrue(query(e, "exact.example.org", Type.A).forward());
    assertTrue(query(e, "printer.lan", Type.A).forward());
    Decision d = query(e, "www.example.org", Type.A);
    assertTrue(d.refuse());
    assertEquals(Layer.LIST, d.layer());
    assertEquals(Decision.EDE_BLOCKED, d.extendedError());
    // The built-in allowlist never counts in strict mode.
    assertTrue(query(e, "www.google.com", Type.A).refuse());
  }

  @Test
  void monitorModeRefusesNothingButFlagsWhatItWouldRefuse() {
    PolicyEngine e = new PolicyEngine(PolicySettings.builder().mode(Mode.MONITOR).deny(DomainList.of("bad.example")).build(), () -> 0L);
    for (String tunnel : TunnelNames.all(2).values()) {
      Decision d = query(e, tunnel, Type.A);
      assertTrue(d.forward());
      assertEquals(Decision.Verdict.WOULD_REFUSE, d.verdict());
      assertEquals(Layer.LEXICAL, d.layer());
      assertEquals(0, d.extendedError());
    }
    assertEquals(Decision.Verdict.WOULD_REFUSE, query(e, "bad.example", Type.A).verdict());
    assertEquals(Decision.Verdict.ALLOW, query(e, "www.example.com", Type.A).verdict());
  }

  @Test
  void theDenylistWinsOverTheAllowlistAndUsesBlocked() {
    PolicySettings s = PolicySettings.builder().allow(DomainList.of("*.example.com"))
        .deny(DomainList.of("*.ads.example.com")).build();
    PolicyEngine e = new PolicyEngine(s, () -> 0L);
    Decision d = query(e, "x.ads.example.com", Type.A);
    assertTrue(d.refuse());
    assertEquals(Layer.LIST, d.layer());
    assertEquals(Decision.EDE_BLOCKED, d.extendedError());
    assertTrue(query(e, "www.example.com", Type.A).forward());
  }

  @Test
  void allowlistedNamesSkipTheLexicalLayer() {
    String tunnel = TunnelNames.all(3).get("dnscat2 domain mode");
    PolicyEngine e = new PolicyEngine(PolicySettings.builder().allow(DomainList.of("*.tunnel-example.net")).build(), () -> 0L);
    assertTrue(query(e, tunnel, Type.TXT).forward());
  }

  @ParameterizedTest
  @ValueSource(ints = {Type.NULL, Type.KEY, Type.ANY, 65280, 65399, 65534})
  void refusedRecordTypesAreRefused(int type) {
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L);
    Decision d = query(e, "www.example.com", type);
    assertTrue(d.refuse());
    assertEquals(Layer.RECORD_TYPE, d.layer());
  }

  @Test
  void recordTypeRulesAreConfigurable() {
    PolicyEngine e = new PolicyEngine(PolicySettings.builder().refusedTypes(Set.of(Type.NULL)).build(), () -> 0L);
    assertTrue(query(e, "www.example.com", Type.ANY).forward());
    assertTrue(query(e, "www.example.com", 65399).forward());
    assertTrue(query(e, "www.example.com", Type.NULL).refuse());
    assertTrue(query(e, "www.example.com", Type.A).forward());
  }

  @Test
  void refusalsUseTheConfiguredResponseCode() {
    PolicyEngine e = new PolicyEngine(PolicySettings.builder().refuseWith(RefuseWith.NXDOMAIN).build(), () -> 0L);
    assertEquals(Rcode.NXDOMAIN, query(e, "www.example.com", Type.NULL).rcode());
  }

  @Test
  void theListenerSeesEveryDecision() {
    int[] seen = new int[2];
    PolicyListener l = new PolicyListener() {
      @Override
      public void onDecision(String client, Decision d, boolean answer) {
        seen[d.refuse() ? 1 : 0]++;
      }
    };
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L, l, LexicalModel.bundled(), 1);
    query(e, "www.example.com", Type.A);
    query(e, "www.example.com", Type.NULL);
    assertEquals(1, seen[0]);
    assertEquals(1, seen[1]);
  }

  @Test
  void scoreMeasuresOnlyThePartLeftOfTheRegistrableDomain() {
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L);
    assertEquals(0, e.score(Names.of("example.com")).length());
    LexicalScore s = e.score(Names.of("abc.def.example.co.uk"));
    assertEquals(7, s.length());
    assertFalse(s.mixedCase());
  }
}

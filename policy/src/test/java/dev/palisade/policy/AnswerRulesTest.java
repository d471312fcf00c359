package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class AnswerRulesTest {
  private final long[] clock = {0};

  private PolicyEngine engine(PolicySettings s) {
    return new PolicyEngine(s, () -> clock[0], PolicyListener.NONE, LexicalModel.bundled(), 5);
  }

  private static Message answer(String qname, int type, Record... records) {
    Message m = new Message();
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(Record.newRecord(Names.of(qname), type, DClass.IN), Section.QUESTION);
    for (Record r : records) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }

  private static Record a(String name, String address) throws Exception {
    InetAddress ip = InetAddress.getByName(address);
    return ip.getAddress().length == 4 ? new ARecord(Names.of(name), DClass.IN, 60, ip)
        : new AAAARecord(Names.of(name), DClass.IN, 60, ip);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "169.254.1.1", "100.64.0.1", "0.0.0.0",
      "::1", "fd00::1", "fe80::1", "::ffff:192.168.0.1"})
  void privateAddressesForPublicNamesAreRefused(String address) throws Exception {
    Decision d = engine(PolicySettings.defaults()).onAnswer("c", Names.of("evil.example.com"), Type.A,
        answer("evil.example.com", Type.A, a("evil.example.com", address)), true);
    assertTrue(d.refuse(), address);
    assertEquals(Layer.ANSWER, d.layer());
  }

  @Test
  void publicAddressesLocalZonesAndExemptNamesPass() throws Exception {
    PolicySettings s = PolicySettings.builder().answers(new PolicySettings.Answers(true,
        DomainList.of("*.plex.direct"), 128, 100)).build();
    PolicyEngine e = engine(s);
    assertFalse(e.onAnswer("c", Names.of("www.example.com"), Type.A,
        answer("www.example.com", Type.A, a("www.example.com", "93.184.216.34")), true).refuse());
    assertFalse(e.onAnswer("c", Names.of("nas.lan"), Type.A, answer("nas.lan", Type.A, a("nas.lan", "192.168.1.2")), true).refuse());
    assertFalse(e.onAnswer("c", Names.of("x.plex.direct"), Type.A,
        answer("x.plex.direct", Type.A, a("x.plex.direct", "192.168.1.2")), true).refuse());
  }

  @Test
  void rebindingProtectionCanBeTurnedOff() throws Exception {
    PolicySettings s = PolicySettings.builder().answers(new PolicySettings.Answers(false, DomainList.empty(), 128, 100)).build();
    assertFalse(engine(s).onAnswer("c", Names.of("www.example.com"), Type.A,
        answer("www.example.com", Type.A, a("www.example.com", "10.0.0.1")), true).refuse());
  }

  private static PolicySettings small() {
    return PolicySettings.builder().budgets(new PolicySettings.Budgets(1000, 32768, 1e6, 100, 1000,
        Duration.ofHours(1), 2, true)).build();
  }

  @Test
  void largeUnrecognisedTxtPayloadsAreChargedUntilTheDomainIsBlocked() {
    PolicyEngine e = engine(small());
    String payload = "x".repeat(200);
    int delivered = 0;
    for (int i = 0; i < 100; i++) {
      String q = "q" + i + ".c2-example.com";
      clock[0] += 1_000_000_000L;
      if (e.onQuery("c", Names.of(q), Type.TXT).refuse()) {
        break;
      }
      Decision d = e.onAnswer("c", Names.of(q), Type.TXT,
          answer(q, Type.TXT, new TXTRecord(Names.of(q), DClass.IN, 0, List.of(payload))), true);
      if (d.refuse()) {
        break;
      }
      delivered++;
    }
    assertTrue(delivered < 2, "delivered " + delivered);
  }

  @Test
  void recognisedTxtRecordsAreFree() {
    PolicyEngine e = engine(small());
    String spf = "v=spf1 include:_spf.google.com include:mailgun.org ip4:192.0.2.0/24 ip4:198.51.100.0/24 "
        + "ip6:2001:db8::/32 include:servers.mcsv.net ~all";
    for (int i = 0; i < 50; i++) {
      clock[0] += 60_000_000_000L;
      Name q = Names.of("example.com");
      assertTrue(e.onQuery("c", q, Type.TXT).forward());
      assertFalse(e.onAnswer("c", q, Type.TXT, answer("example.com", Type.TXT,
          new TXTRecord(q, DClass.IN, 0, List.of(spf, "google-site-verification=" + "a".repeat(43)))), true).refuse());
    }
  }

  @Test
  void dataLookingCnameTargetsAreCharged() {
    PolicyEngine e = engine(small());
    String target = "mzxw6ytboi2dcmrtgq3tkmzwgu4tgnbugi3dm.nzxha4dsobqgeydemzuguytonzxgq.example.net";
    int delivered = 0;
    for (int i = 0; i < 50; i++) {
      String q = "w" + i + ".c2-example.com";
      clock[0] += 1_000_000_000L;
      if (e.onQuery("c", Names.of(q), Type.CNAME).refuse()) {
        break;
      }
      if (e.onAnswer("c", Names.of(q), Type.CNAME, answer(q, Type.CNAME,
          new CNAMERecord(Names.of(q), DClass.IN, 0, Names.of(target))), true).refuse()) {
        break;
      }
      delivered++;
    }
    assertTrue(delivered < 5, "delivered " + delivered);
  }

  @Test
  void repeatsThatReachUpstreamPayForTheChoiceAmongKnownNames() throws Exception {
    PolicyEngine e = engine(small());
    String[] names = new String[16];
    for (int i = 0; i < names.length; i++) {
      names[i] = "n" + i + ".choice-example.com";
      assertTrue(e.onQuery("c", Names.of(names[i]), Type.A).forward());
      e.onAnswer("c", Names.of(names[i]), Type.A, answer(names[i], Type.A, a(names[i], "203.0.113.1")), true);
    }
    int delivered = 0;
    for (int i = 0; i < 2000; i++) {
      clock[0] += 1_000_000_000L;
      String n = names[(i * 7) % 16];
      if (e.onQuery("c", Names.of(n), Type.A).refuse()) {
        break;
      }
      e.onAnswer("c", Names.of(n), Type.A, answer(n, Type.A, a(n, "203.0.113.1")), true);
      delivered++;
    }
    assertTrue(delivered > 100 && delivered < 400, "4 bits a repeat against 1000 bits: " + delivered);
  }

  @Test
  void repeatsAnsweredFromTheCacheAreFree() throws Exception {
    PolicyEngine e = engine(small());
    for (int i = 0; i < 16; i++) {
      String n = "n" + i + ".cached-example.com";
      e.onQuery("c", Names.of(n), Type.A);
      e.onAnswer("c", Names.of(n), Type.A, answer(n, Type.A, a(n, "203.0.113.1")), true);
    }
    for (int i = 0; i < 5000; i++) {
      clock[0] += 1_000_000_000L;
      String n = "n" + (i % 16) + ".cached-example.com";
      assertTrue(e.onQuery("c", Names.of(n), Type.A).forward());
      assertFalse(e.onAnswer("c", Names.of(n), Type.A, answer(n, Type.A, a(n, "203.0.113.1")), false).refuse());
    }
  }
}

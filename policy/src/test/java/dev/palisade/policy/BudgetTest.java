package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class BudgetTest {
  private static final long SECOND = 1_000_000_000L;
  private final long[] clock = {0};
  private final List<String> alerts = new ArrayList<>();
  private final PolicyListener listener = new PolicyListener() {
    @Override
    public void onBudgetExceeded(String client, String domain, String budget, double spent, double limit) {
      alerts.add(client + " " + domain + " " + budget);
    }
  };
  private final Random random = new Random(8);

  private PolicyEngine engine(PolicySettings s) {
    return new PolicyEngine(s, () -> clock[0], listener, LexicalModel.bundled(), 3);
  }

  private static PolicySettings.Budgets budgets(double hour, double day, double client, int perSecond, int perMinute) {
    return new PolicySettings.Budgets(hour, day, client, perSecond, perMinute, Duration.ofHours(1), 2, true);
  }

  /** A short random label (~45 bits under the model) under {@code domain}. */
  private String fresh(String domain) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz234567".charAt(random.nextInt(32)));
    }
    return sb + "." + domain;
  }

  private Decision ask(PolicyEngine e, String client, String name) {
    return e.onQuery(client, Names.of(name), Type.A);
  }

  /** Sends new names, one every {@code gapSeconds}, until one is refused; returns how many passed. */
  private int untilRefused(PolicyEngine e, String client, String domain, int gapSeconds) {
    for (int n = 0; n < 100_000; n++) {
      clock[0] += gapSeconds * SECOND;
      if (ask(e, client, fresh(domain)).refuse()) {
        return n;
      }
    }
    throw new AssertionError("never refused");
  }

  @Test
  void newNamesAreChargedUntilTheHourBudgetBlocksTheDomainForThatClient() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(1000, 32768, 1e6, 100, 1000)).build());
    int passed = untilRefused(e, "c1", "exfil-example.com", 1);
    assertTrue(passed >= 10 && passed <= 40, "passed " + passed);
    Decision blocked = ask(e, "c1", "www.exfil-example.com");
    assertTrue(blocked.refuse());
    assertEquals(Layer.BUDGET, blocked.layer());
    assertTrue(ask(e, "c2", fresh("exfil-example.com")).forward(), "another client keeps its own budget");
    assertTrue(ask(e, "c1", fresh("other-example.com")).forward(), "another domain keeps its own budget");
    assertEquals(List.of("c1 exfil-example.com hour"), alerts);
  }

  @Test
  void theBlockLastsTheConfiguredTimeAndTheWindowSlides() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(1000, 32768, 1e6, 100, 1000)).build());
    untilRefused(e, "c1", "exfil-example.com", 1);
    clock[0] += 59 * 60 * SECOND;
    assertTrue(ask(e, "c1", "www.exfil-example.com").refuse(), "still blocked");
    clock[0] += 15 * 60 * SECOND;
    assertTrue(ask(e, "c1", fresh("exfil-example.com")).forward(), "block over and the hour window has room again");
  }

  @Test
  void noSixtyMinuteWindowIsChargedMoreThanTheHourBudget() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(2000, 1e6, 1e7, 100, 1000)).build());
    // A patient sender: one name a minute for 10 hours, waiting out blocks.
    List<long[]> charged = new ArrayList<>();
    for (int minute = 0; minute < 600; minute++) {
      clock[0] = minute * 60 * SECOND;
      String n = fresh("slow-example.com");
      Decision d = ask(e, "c", n);
      if (d.forward()) {
        charged.add(new long[] {clock[0], Math.round(d.score())});
      }
    }
    for (long[] start : charged) {
      long sum = 0;
      for (long[] c : charged) {
        if (c[0] >= start[0] && c[0] < start[0] + 3600 * SECOND) {
          sum += c[1];
        }
      }
      assertTrue(sum <= 2000 + charged.size(), "window from " + start[0] / SECOND + " s charged " + sum);
    }
  }

  @Test
  void repeatedNamesAreFreeButOnlyNewNamesPay() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(300, 32768, 1e6, 100, 1000)).build());
    List<String> names = List.of(fresh("repeat-example.com"), fresh("repeat-example.com"), fresh("repeat-example.com"));
    for (String n : names) {
      assertTrue(ask(e, "c", n).forward());
    }
    for (int i = 0; i < 10_000; i++) {
      clock[0] += SECOND;
      assertTrue(ask(e, "c", names.get(i % 3)).forward(), "repeat " + i);
    }
  }

  @Test
  void theDayBudgetBindsAPatientSender() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(4096, 8192, 1e6, 100, 1000)).build());
    int passed = untilRefused(e, "c", "patient-example.com", 120);
    assertTrue(clock[0] > 2 * 3600 * SECOND, "needed more than two hours");
    assertTrue(alerts.get(0).endsWith("day"), alerts.toString());
    assertTrue(passed > 100, "passed " + passed);
  }

  @Test
  void thePerClientDailyTotalRefusesNewNamesAcrossDomains() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(4096, 32768, 3000, 100, 1000)).build());
    int passed = 0;
    for (int d = 0; d < 200; d++) {
      clock[0] += SECOND;
      if (ask(e, "c", fresh("rot" + d + "-example.com")).refuse()) {
        break;
      }
      passed++;
    }
    assertTrue(passed > 20 && passed < 200, "passed " + passed);
    assertEquals("c * client day", alerts.get(0));
    assertTrue(ask(e, "other", fresh("rot1-example.com")).forward(), "other clients unaffected");
  }

  @Test
  void theVelocityBrakeRefusesBurstsOfNewNames() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(1e6, 1e7, 1e8, 5, 1000)).build());
    int refused = 0;
    for (int i = 0; i < 20; i++) {
      Decision d = ask(e, "c", fresh("burst-example.com"));
      if (d.refuse()) {
        refused++;
        assertTrue(d.reason().startsWith("velocity"), d.reason());
      }
    }
    assertEquals(15, refused);
    clock[0] += 2 * SECOND;
    assertTrue(ask(e, "c", fresh("burst-example.com")).forward(), "the brake releases");
  }

  @Test
  void txtQueriesAreChargedDouble() {
    PolicySettings s = PolicySettings.builder().budgets(budgets(2000, 1e6, 1e7, 100, 1000)).build();
    int a = untilRefused(engine(s), "c", "a-example.com", 1);
    PolicyEngine e = engine(s);
    int txt = 0;
    for (; txt < 1000; txt++) {
      clock[0] += SECOND;
      if (e.onQuery("c", Names.of(fresh("t-example.com")), Type.TXT).refuse()) {
        break;
      }
    }
    assertTrue(txt < a * 0.7, "A " + a + ", TXT " + txt);
  }

  @Test
  void allowlistedDomainsSkipBudgets() {
    PolicyEngine e = engine(PolicySettings.builder().budgets(budgets(100, 200, 300, 1, 1))
        .allow(DomainList.of("*.trusted-example.com")).build());
    for (int i = 0; i < 500; i++) {
      assertTrue(ask(e, "c", fresh("trusted-example.com")).forward());
    }
  }

  @Test
  void stateStaysBoundedWhateverTheTraffic() {
    PolicySettings s = PolicySettings.builder().limits(new PolicySettings.Limits(1024, 4096, 128)).build();
    PolicyEngine e = engine(s);
    long bytes = e.stateBytes();
    for (int i = 0; i < 50_000; i++) {
      clock[0] += SECOND / 100;
      ask(e, "client" + (i % 500), fresh("flood" + i + "-example.com"));
    }
    assertTrue(e.trackedKeys() <= 1024, "keys " + e.trackedKeys());
    assertTrue(e.trackedClients() <= 128, "clients " + e.trackedClients());
    assertEquals(bytes, e.stateBytes());
  }

  @Test
  void aFloodOfCleanKeysDoesNotEvictABlockedOne() {
    PolicySettings s = PolicySettings.builder().budgets(budgets(1000, 32768, 1e9, 100, 1000))
        .limits(new PolicySettings.Limits(128, 4096, 128)).build();
    PolicyEngine e = engine(s);
    untilRefused(e, "attacker", "exfil-example.com", 1);
    for (int i = 0; i < 20_000; i++) {
      clock[0] += SECOND / 1000;
      ask(e, "attacker", "flood" + i + "-example.com");
    }
    assertTrue(ask(e, "attacker", fresh("exfil-example.com")).refuse(), "the block survived the flood");
  }

  @Test
  void reconfigureKeepsTheBudgetState() {
    PolicySettings s = PolicySettings.builder().budgets(budgets(1000, 32768, 1e6, 100, 1000)).build();
    PolicyEngine e = engine(s);
    untilRefused(e, "c", "exfil-example.com", 1);
    e.reconfigure(s.toBuilder().deny(DomainList.of("other-example.com")).build());
    assertTrue(ask(e, "c", fresh("exfil-example.com")).refuse());
    assertTrue(ask(e, "c", "other-example.com").refuse());
    assertFalse(ask(e, "c", "www.example.org").refuse());
  }
}

package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    PolicySettings s = PolicySettings.defaults();
    assertEquals(Mode.GUARDED, s.mode());
    assertEquals(RefuseWith.REFUSED, s.refuseWith());
    assertEquals(List.of("lan", "home.arpa"), s.localZones());
    assertEquals(4096, s.budgets().hourBits());
    assertEquals(32768, s.budgets().dayBits());
    assertTrue(s.refusesType(65300));
    assertTrue(s.answers().rebinding());
  }

  @Test
  void badValuesAreRejectedNamingTheirKey() {
    assertMessage("hour_bits", () -> new PolicySettings.Budgets(-1, 10, 10, 1, 1, Duration.ofHours(1), 2, true));
    assertMessage("day_bits", () -> new PolicySettings.Budgets(100, 10, 10, 1, 1, Duration.ofHours(1), 2, true));
    assertMessage("block_for", () -> new PolicySettings.Budgets(10, 10, 10, 1, 1, Duration.ZERO, 2, true));
    assertMessage("txt_factor", () -> new PolicySettings.Budgets(10, 10, 10, 1, 1, Duration.ofHours(1), 0.5, true));
    assertMessage("max_keys", () -> new PolicySettings.Limits(1, 1024, 128));
    assertMessage("local_zones", () -> PolicySettings.builder().localZones(List.of("bad zone")).build());
    assertMessage("refuse_types", () -> PolicySettings.builder().refusedTypes(Set.of(70000)).build());
    assertMessage("lexical rule", () -> new PolicySettings.LexicalRule(0, 0, 0));
  }

  private static void assertMessage(String key, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().contains(key), x.getMessage());
  }

  @Test
  void theBuilderRoundTrips() {
    PolicySettings s = PolicySettings.defaults().toBuilder().mode(Mode.STRICT).refuseWith(RefuseWith.NXDOMAIN).build();
    assertEquals(s, s.toBuilder().build());
    assertEquals(Mode.STRICT, s.mode());
  }
}

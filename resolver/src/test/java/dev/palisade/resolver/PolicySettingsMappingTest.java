package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.PolicyConfig;
import dev.palisade.policy.PolicySettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySettingsMappingTest {

  /** The config module repeats the policy module's defaults (it may not depend on it): keep them equal. */
  @Test
  void theConfigDefaultsAreThePolicyModulesDefaults() throws Exception {
    PolicySettings mapped = PolicySettingsMapping.settings(PolicyConfig.DEFAULTS);
    PolicySettings d = PolicySettings.defaults();
    assertEquals(d.mode(), mapped.mode());
    assertEquals(d.refuseWith(), mapped.refuseWith());
    assertEquals(d.localZones(), mapped.localZones());
    assertEquals(d.builtinAllow(), mapped.builtinAllow());
    assertEquals(d.lexical(), mapped.lexical());
    assertEquals(d.budgets(), mapped.budgets());
    assertEquals(d.refusedTypes(), mapped.refusedTypes());
    assertEquals(d.limits(), mapped.limits());
    assertEquals(d.answers().rebinding(), mapped.answers().rebinding());
    assertEquals(d.answers().txtFreeBytes(), mapped.answers().txtFreeBytes());
    assertEquals(d.answers().dataTargetBits(), mapped.answers().dataTargetBits());
    assertEquals(d.allow().size(), mapped.allow().size());
    assertEquals(d.deny().size(), mapped.deny().size());
  }

  @Test
  void contradictionsFailWithTheKeyPath() {
    PolicyConfig p = PolicyConfig.DEFAULTS;
    PolicyConfig bad = new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), p.allowFiles(), p.deny(), p.denyFiles(),
        p.builtinAllow(), p.refuseTypes(), p.lexicalRules(),
        new PolicyConfig.Budgets(4096, 100, 262144, 16, 120, p.budgets().blockFor(), 2, true), p.answers(), p.state());
    Palisade.StartFailure e = assertThrows(Palisade.StartFailure.class, () -> PolicySettingsMapping.settings(bad));
    assertTrue(e.getMessage().startsWith("policy: budgets: day_bits"), e.getMessage());
  }

  @Test
  void unknownTypeNamesAndUnreadableListsFailAtStart() {
    PolicyConfig p = PolicyConfig.DEFAULTS;
    PolicyConfig badType = new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), p.allowFiles(), p.deny(), p.denyFiles(),
        p.builtinAllow(), List.of("NOSUCHTYPE"), p.lexicalRules(), p.budgets(), p.answers(), p.state());
    assertTrue(assertThrows(Palisade.StartFailure.class, () -> PolicySettingsMapping.settings(badType)).getMessage().contains("NOSUCHTYPE"));
    PolicyConfig missing = new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), List.of(Path.of("/nonexistent/allow.txt")),
        p.deny(), p.denyFiles(), p.builtinAllow(), p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), p.state());
    assertTrue(assertThrows(Palisade.StartFailure.class, () -> PolicySettingsMapping.settings(missing)).getMessage().startsWith("policy: cannot read"));
  }
}

package dev.palisade.resolver;

import dev.palisade.config.PolicyConfig;
import dev.palisade.policy.DomainList;
import dev.palisade.policy.Mode;
import dev.palisade.policy.PolicySettings;
import dev.palisade.policy.RefuseWith;
import java.io.IOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Type;

/**
 * The {@code policy:} section as the policy module's settings. Types and ranges were checked when
 * the config was read; what is left to fail here (lists that cannot be read, values that contradict
 * each other) fails with the key path.
 */
final class PolicySettingsMapping {
  private PolicySettingsMapping() {}

  static PolicySettings settings(PolicyConfig c) throws Palisade.StartFailure {
    try {
      return PolicySettings.builder()
          .mode(Mode.valueOf(c.mode().toUpperCase(Locale.ROOT)))
          .refuseWith(RefuseWith.valueOf(c.refuseWith().toUpperCase(Locale.ROOT)))
          .localZones(c.localZones())
          .allow(DomainList.parse(c.allow()).union(DomainList.load(c.allowFiles())))
          .deny(DomainList.parse(c.deny()).union(DomainList.load(c.denyFiles())))
          .builtinAllow(c.builtinAllow())
          .refusedTypes(types(c))
          .lexical(new PolicySettings.Lexical(c.lexicalRules().stream()
              .map(r -> new PolicySettings.LexicalRule(r.length(), r.bits(), r.bitsPerChar())).toList()))
          .budgets(new PolicySettings.Budgets(
              c.budgets().hourBits(), c.budgets().dayBits(), c.budgets().clientDayBits(),
              c.budgets().newNamesPerSecond(), c.budgets().newNamesPerMinute(), c.budgets().blockFor(),
              c.budgets().txtFactor(), c.budgets().chargeRepeats()))
          .answers(new PolicySettings.Answers(
              c.answers().rebinding(), DomainList.parse(c.answers().rebindingAllow()),
              c.answers().txtFreeBytes(), c.answers().dataTargetBits()))
          .limits(new PolicySettings.Limits(c.state().maxKeys(), c.state().maxNames(), c.state().maxClients()))
          .build();
    } catch (IOException e) {
      throw new Palisade.StartFailure("policy: cannot read a list file: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new Palisade.StartFailure("policy: " + e.getMessage(), e);
    }
  }

  private static Set<Integer> types(PolicyConfig c) {
    Set<Integer> out = new HashSet<>();
    for (String t : c.refuseTypes()) {
      if (t.equals("PRIVATE")) {
        out.add(PolicySettings.PRIVATE_USE);
        continue;
      }
      int value = t.chars().allMatch(Character::isDigit) ? Integer.parseInt(t) : Type.value(t);
      if (value < 0) {
        throw new IllegalArgumentException("refuse_types: unknown record type \"" + t + "\"");
      }
      out.add(value);
    }
    return out;
  }
}

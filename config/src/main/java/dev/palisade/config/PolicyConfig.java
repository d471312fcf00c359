package dev.palisade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code policy:} section, as written: checked for types and ranges here, with the file and
 * line of each value; the policy module checks how values relate to each other when the resolver
 * builds its settings from this. The defaults are the policy module's (a resolver test keeps the
 * two equal).
 *
 * @param mode {@code strict}, {@code guarded} or {@code monitor}
 * @param refuseWith {@code REFUSED} or {@code NXDOMAIN}
 * @param refuseTypes query types refused: names ({@code NULL}), numbers, or {@code PRIVATE} (65280-65534)
 */
public record PolicyConfig(
    String mode,
    String refuseWith,
    List<String> localZones,
    List<String> allow,
    List<Path> allowFiles,
    List<String> deny,
    List<Path> denyFiles,
    boolean builtinAllow,
    List<String> refuseTypes,
    List<LexicalRule> lexicalRules,
    Budgets budgets,
    Answers answers,
    State state) {

  /** {@code length}, {@code bits}, {@code bits_per_char}: 0 means no condition; any matching rule refuses. */
  public record LexicalRule(int length, double bits, double bitsPerChar) {}

  public record Budgets(
      double hourBits,
      double dayBits,
      double clientDayBits,
      int newNamesPerSecond,
      int newNamesPerMinute,
      Duration blockFor,
      double txtFactor,
      boolean chargeRepeats) {
    public Budgets {
      Objects.requireNonNull(blockFor, "blockFor");
    }
  }

  public record Answers(boolean rebinding, List<String> rebindingAllow, int txtFreeBytes, double dataTargetBits) {
    public Answers {
      rebindingAllow = List.copyOf(rebindingAllow);
    }
  }

  public record State(int maxKeys, int maxNames, int maxClients) {}

  public static final PolicyConfig DEFAULTS =
      new PolicyConfig(
          "guarded",
          "REFUSED",
          List.of("lan", "home.arpa"),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          true,
          List.of("NULL", "KEY", "ANY", "PRIVATE"),
          List.of(new LexicalRule(64, 0, 5.0), new LexicalRule(0, 400, 4.5), new LexicalRule(100, 0, 0)),
          new Budgets(4096, 32768, 262144, 16, 120, Duration.ofHours(1), 2, true),
          new Answers(true, List.of(), 128, 100),
          new State(65536, 524288, 4096));

  public PolicyConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(refuseWith, "refuseWith");
    localZones = List.copyOf(localZones);
    allow = List.copyOf(allow);
    allowFiles = List.copyOf(allowFiles);
    deny = List.copyOf(deny);
    denyFiles = List.copyOf(denyFiles);
    refuseTypes = List.copyOf(refuseTypes);
    lexicalRules = List.copyOf(lexicalRules);
    Objects.requireNonNull(budgets, "budgets");
    Objects.requireNonNull(answers, "answers");
    Objects.requireNonNull(state, "state");
  }
}

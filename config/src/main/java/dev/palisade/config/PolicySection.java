package dev.palisade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and prints the {@code policy:} section (keys in policy/README.md). */
final class PolicySection {
  private static final Set<String> KEYS = Set.of(
      "mode", "refuse_with", "local_zones", "allow", "allow_files", "deny", "deny_files", "builtin_allow",
      "refuse_types", "lexical", "budgets", "answers", "state");
  private static final Set<String> LEXICAL_KEYS = Set.of("rules");
  private static final Set<String> RULE_KEYS = Set.of("length", "bits", "bits_per_char");
  private static final Set<String> BUDGET_KEYS = Set.of(
      "hour_bits", "day_bits", "client_day_bits", "new_names_per_second", "new_names_per_minute", "block_for",
      "txt_factor", "charge_repeats");
  private static final Set<String> ANSWER_KEYS = Set.of("rebinding", "rebinding_allow", "txt_free_bytes", "data_target_bits");
  private static final Set<String> STATE_KEYS = Set.of("max_keys", "max_names", "max_clients");

  /** A name or `*.suffix` entry: letters, digits, '-', '_' in labels, as DNS names are written. */
  private static final Pattern DOMAIN_ENTRY = Pattern.compile("(\\*\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?");
  private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,15}|\\d{1,5}");
  private static final String BITS = "a number of bits 1..1e12";
  private static final String DOMAIN = "a domain name such as example.org or *.example.com";

  private PolicySection() {}

  static PolicyConfig read(Value value, ConfigReader.Read<Path> file) throws ConfigException {
    PolicyConfig d = PolicyConfig.DEFAULTS;
    Map<String, Value> keys = value.mapping("a mapping with mode, allow, deny, budgets, …");
    ConfigReader.warnIgnored(keys, KEYS, Set.of());
    return new PolicyConfig(
        ConfigReader.get(keys, "mode", v -> oneOf(v, "strict, guarded or monitor", "strict", "guarded", "monitor"), d.mode()),
        ConfigReader.get(keys, "refuse_with", v -> oneOf(v, "REFUSED or NXDOMAIN", "REFUSED", "NXDOMAIN"), d.refuseWith()),
        ConfigReader.get(keys, "local_zones", PolicySection::domains, d.localZones()),
        ConfigReader.get(keys, "allow", PolicySection::domains, d.allow()),
        ConfigReader.get(keys, "allow_files", v -> files(v, file), d.allowFiles()),
        ConfigReader.get(keys, "deny", PolicySection::domains, d.deny()),
        ConfigReader.get(keys, "deny_files", v -> files(v, file), d.denyFiles()),
        ConfigReader.get(keys, "builtin_allow", v -> v.flag("true or false"), d.builtinAllow()),
        ConfigReader.get(keys, "refuse_types", PolicySection::types, d.refuseTypes()),
        ConfigReader.get(keys, "lexical", PolicySection::lexical, d.lexicalRules()),
        ConfigReader.get(keys, "budgets", PolicySection::budgets, d.budgets()),
        ConfigReader.get(keys, "answers", PolicySection::answers, d.answers()),
        ConfigReader.get(keys, "state", PolicySection::state, d.state()));
  }

  private static String oneOf(Value v, String expected, String... allowed) throws ConfigException {
    String text = v.text(expected).trim();
    for (String a : allowed) {
      if (a.equalsIgnoreCase(text)) {
        return a;
      }
    }
    throw v.fail(expected);
  }

  private static List<String> domains(Value value) throws ConfigException {
    List<String> out = new ArrayList<>();
    for (Value item : value.listOrEmpty("a list of domain names such as example.org or *.example.com")) {
      String text = item.text(DOMAIN).trim();
      if (text.length() > 255 || !DOMAIN_ENTRY.matcher(text).matches()) {
        throw item.fail(DOMAIN);
      }
      out.add(text);
    }
    return out;
  }

  private static List<Path> files(Value value, ConfigReader.Read<Path> file) throws ConfigException {
    List<Path> out = new ArrayList<>();
    for (Value item : value.listOrEmpty("a list of files of domain names")) {
      out.add(file.from(item));
    }
    return out;
  }

  private static List<String> types(Value value) throws ConfigException {
    String expected = "a record type name such as NULL, a number 0..65535, or PRIVATE";
    List<String> out = new ArrayList<>();
    for (Value item : value.listOrEmpty("a list of record types")) {
      String text = item.text(expected).trim().toUpperCase(java.util.Locale.ROOT);
      if (!TYPE.matcher(text).matches() || (text.matches("\\d+") && Integer.parseInt(text) > 65535)) {
        throw item.fail(expected);
      }
      out.add(text);
    }
    return out;
  }

  private static List<PolicyConfig.LexicalRule> lexical(Value value) throws ConfigException {
    Map<String, Value> keys = value.mapping("a mapping with rules");
    ConfigReader.warnIgnored(keys, LEXICAL_KEYS, Set.of());
    Value rules = keys.get("rules");
    if (rules == null) {
      return PolicyConfig.DEFAULTS.lexicalRules();
    }
    List<PolicyConfig.LexicalRule> out = new ArrayList<>();
    for (Value item : rules.list("a list of rules such as {length: 64, bits_per_char: 5.0}")) {
      Map<String, Value> r = item.mapping("a rule: a mapping with length, bits and/or bits_per_char");
      ConfigReader.warnIgnored(r, RULE_KEYS, Set.of());
      if (r.isEmpty()) {
        throw item.fail("at least one of length, bits, bits_per_char", "an empty rule");
      }
      out.add(new PolicyConfig.LexicalRule(
          ConfigReader.get(r, "length", v -> (int) v.integer(0, 253, "a length 0..253"), 0),
          ConfigReader.get(r, "bits", v -> v.number(0, 2100, "a number of bits 0..2100"), 0.0),
          ConfigReader.get(r, "bits_per_char", v -> v.number(0, 8, "bits per character 0..8"), 0.0)));
    }
    return out;
  }

  private static PolicyConfig.Budgets budgets(Value value) throws ConfigException {
    PolicyConfig.Budgets d = PolicyConfig.DEFAULTS.budgets();
    Map<String, Value> k = value.mapping("a mapping with hour_bits, day_bits, …");
    ConfigReader.warnIgnored(k, BUDGET_KEYS, Set.of());
    return new PolicyConfig.Budgets(
        ConfigReader.get(k, "hour_bits", v -> v.number(1, 1e12, BITS), d.hourBits()),
        ConfigReader.get(k, "day_bits", v -> v.number(1, 1e12, BITS), d.dayBits()),
        ConfigReader.get(k, "client_day_bits", v -> v.number(1, 1e12, BITS), d.clientDayBits()),
        ConfigReader.get(k, "new_names_per_second", v -> (int) v.integer(1, 1_000_000, "an integer 1..1000000"), d.newNamesPerSecond()),
        ConfigReader.get(k, "new_names_per_minute", v -> (int) v.integer(1, 60_000_000, "an integer 1..60000000"), d.newNamesPerMinute()),
        ConfigReader.get(k, "block_for", v -> Duration.ofSeconds(v.integer(1, 7 * 86_400, "a number of seconds 1..604800")), d.blockFor()),
        ConfigReader.get(k, "txt_factor", v -> v.number(1, 16, "a factor 1..16"), d.txtFactor()),
        ConfigReader.get(k, "charge_repeats", v -> v.flag("true or false"), d.chargeRepeats()));
  }

  private static PolicyConfig.Answers answers(Value value) throws ConfigException {
    PolicyConfig.Answers d = PolicyConfig.DEFAULTS.answers();
    Map<String, Value> k = value.mapping("a mapping with rebinding, rebinding_allow, …");
    ConfigReader.warnIgnored(k, ANSWER_KEYS, Set.of());
    return new PolicyConfig.Answers(
        ConfigReader.get(k, "rebinding", v -> v.flag("true or false"), d.rebinding()),
        ConfigReader.get(k, "rebinding_allow", PolicySection::domains, d.rebindingAllow()),
        ConfigReader.get(k, "txt_free_bytes", v -> (int) v.integer(0, 65535, "a number of bytes 0..65535"), d.txtFreeBytes()),
        ConfigReader.get(k, "data_target_bits", v -> v.number(1, 2100, "a number of bits 1..2100"), d.dataTargetBits()));
  }

  private static PolicyConfig.State state(Value value) throws ConfigException {
    PolicyConfig.State d = PolicyConfig.DEFAULTS.state();
    Map<String, Value> k = value.mapping("a mapping with max_keys, max_names, max_clients");
    ConfigReader.warnIgnored(k, STATE_KEYS, Set.of());
    return new PolicyConfig.State(
        ConfigReader.get(k, "max_keys", v -> (int) v.integer(128, 1 << 24, "an integer 128..16777216"), d.maxKeys()),
        ConfigReader.get(k, "max_names", v -> (int) v.integer(256, 1 << 26, "an integer 256..67108864"), d.maxNames()),
        ConfigReader.get(k, "max_clients", v -> (int) v.integer(128, 1 << 22, "an integer 128..4194304"), d.maxClients()));
  }

  static Map<String, Object> print(PolicyConfig p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", p.mode());
    out.put("refuse_with", p.refuseWith());
    out.put("local_zones", p.localZones());
    out.put("allow", p.allow());
    out.put("allow_files", p.allowFiles().stream().map(Path::toString).toList());
    out.put("deny", p.deny());
    out.put("deny_files", p.denyFiles().stream().map(Path::toString).toList());
    out.put("builtin_allow", p.builtinAllow());
    out.put("refuse_types", p.refuseTypes());
    List<Map<String, Object>> rules = new ArrayList<>();
    for (PolicyConfig.LexicalRule r : p.lexicalRules()) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (r.length() != 0) {
        m.put("length", r.length());
      }
      if (r.bits() != 0) {
        m.put("bits", r.bits());
      }
      if (r.bitsPerChar() != 0) {
        m.put("bits_per_char", r.bitsPerChar());
      }
      rules.add(m);
    }
    out.put("lexical", Map.of("rules", rules));
    PolicyConfig.Budgets b = p.budgets();
    Map<String, Object> budgets = new LinkedHashMap<>();
    budgets.put("hour_bits", b.hourBits());
    budgets.put("day_bits", b.dayBits());
    budgets.put("client_day_bits", b.clientDayBits());
    budgets.put("new_names_per_second", b.newNamesPerSecond());
    budgets.put("new_names_per_minute", b.newNamesPerMinute());
    budgets.put("block_for", b.blockFor().toSeconds());
    budgets.put("txt_factor", b.txtFactor());
    budgets.put("charge_repeats", b.chargeRepeats());
    out.put("budgets", budgets);
    PolicyConfig.Answers a = p.answers();
    Map<String, Object> answers = new LinkedHashMap<>();
    answers.put("rebinding", a.rebinding());
    answers.put("rebinding_allow", a.rebindingAllow());
    answers.put("txt_free_bytes", a.txtFreeBytes());
    answers.put("data_target_bits", a.dataTargetBits());
    out.put("answers", answers);
    PolicyConfig.State s = p.state();
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("max_keys", s.maxKeys());
    state.put("max_names", s.maxNames());
    state.put("max_clients", s.maxClients());
    out.put("state", state);
    return out;
  }
}

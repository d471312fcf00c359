package dev.palisade.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.Type;

/**
 * Everything the {@link PolicyEngine} needs, immutable and checked when built. Start from
 * {@link #defaults()} and change with {@link #toBuilder()}. The module README maps each field to
 * its config key under {@code policy:}.
 *
 * @param mode strict, guarded or monitor ({@code policy.mode})
 * @param refuseWith REFUSED or NXDOMAIN ({@code policy.refuse_with})
 * @param localZones suffixes that need no public TLD and are neither scored nor budgeted
 *     ({@code policy.local_zones}), lower case, no trailing dot
 * @param allow allowlist, inline and files joined ({@code policy.allow}, {@code allow_files})
 * @param deny denylist ({@code policy.deny}, {@code deny_files})
 * @param builtinAllow also allow the bundled list of services whose names carry data by design
 *     (anti-virus, DNSBL) or whose DNS is run by a platform, not its customers
 *     ({@code policy.builtin_allow})
 * @param lexical per-name refusal rules ({@code policy.lexical})
 * @param budgets information budgets ({@code policy.budgets})
 * @param refusedTypes query types refused ({@code policy.refuse_types})
 * @param answers answer rules ({@code policy.answers})
 * @param limits memory bounds of the budget state ({@code policy.state})
 */
public record PolicySettings(
    Mode mode,
    RefuseWith refuseWith,
    List<String> localZones,
    DomainList allow,
    DomainList deny,
    boolean builtinAllow,
    Lexical lexical,
    Budgets budgets,
    Set<Integer> refusedTypes,
    Answers answers,
    Limits limits) {

  /** Type codes RFC 6895 §3.1 reserves for private use. */
  public static final int PRIVATE_USE_FIRST = 65280;
  public static final int PRIVATE_USE_LAST = 65534;
  /** Stands for the whole private-use range in {@link #refusedTypes()} (not a real type). */
  public static final int PRIVATE_USE = -1;

  public PolicySettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(refuseWith, "refuse_with");
    Objects.requireNonNull(allow, "allow");
    Objects.requireNonNull(deny, "deny");
    Objects.requireNonNull(lexical, "lexical");
    Objects.requireNonNull(budgets, "budgets");
    Objects.requireNonNull(answers, "answers");
    Objects.requireNonNull(limits, "limits");
    List<String> zones = new ArrayList<>();
    for (String z : Objects.requireNonNull(localZones, "local_zones")) {
      String zone = z == null ? "" : z.strip().toLowerCase(Locale.ROOT);
      if (zone.endsWith(".")) {
        zone = zone.substring(0, zone.length() - 1);
      }
      if (!DomainList.validName(zone)) {
        throw new IllegalArgumentException("local_zones: not a domain name: \"" + z + "\"");
      }
      zones.add(zone);
    }
    localZones = List.copyOf(zones);
    for (Integer t : Objects.requireNonNull(refusedTypes, "refuse_types")) {
      if (t == null || (t != PRIVATE_USE && (t < 0 || t > 65535))) {
        throw new IllegalArgumentException("refuse_types: not a record type: " + t);
      }
    }
    refusedTypes = Set.copyOf(refusedTypes);
  }

  /**
   * One lexical rule: a name is refused when the part left of its registrable domain has at least
   * {@code length} characters, {@code bits} bits and {@code bitsPerChar} bits per character (0
   * means no condition on that measure).
   */
  public record LexicalRule(int length, double bits, double bitsPerChar) {
    public LexicalRule {
      if (length < 0 || length > 253 || !(bits >= 0) || !(bitsPerChar >= 0)) {
        throw new IllegalArgumentException("lexical rule: length 0..253, bits and bits_per_char >= 0; got "
            + length + ", " + bits + ", " + bitsPerChar);
      }
      if (length == 0 && bits == 0 && bitsPerChar == 0) {
        throw new IllegalArgumentException("lexical rule: at least one of length, bits, bits_per_char must be set");
      }
    }

    boolean matches(int len, double b) {
      return len >= length && b >= bits && (bitsPerChar == 0 || (len > 0 && b / len >= bitsPerChar));
    }
  }

  /** @param rules any rule that matches refuses the name */
  public record Lexical(List<LexicalRule> rules) {
    public Lexical {
      rules = List.copyOf(rules);
    }

    /**
     * Tuned on the bench tuning corpus (bench/EXFILTRATION.md) from the starting points
     * (refuse at ≥ 64 characters, or ≥ 400 bits at ≥ 4.5 bits/char): at 64 characters regardless
     * of density, 48 of 190,444 tuning names were refused (0.025%, Microsoft 365 DKIM targets,
     * Amazon SES DKIM tokens on long domains); requiring ≥ 5.0 bits/char as well leaves one, and
     * every classic tunnel encoding is far denser (hex 6.3, base32 7.0, base64 7.5 bits/char).
     * The longest tuning left part has 75 characters, so 100 characters is refused whatever its
     * density (dictionary-word encodings).
     */
    public static Lexical defaults() {
      return new Lexical(List.of(
          new LexicalRule(64, 0, 5.0),
          new LexicalRule(0, 400, 4.5),
          new LexicalRule(100, 0, 0)));
    }
  }

  /**
   * Information budgets per (client, registrable domain) and per client.
   *
   * @param hourBits bits of new names per domain in any 60-minute window ({@code hour_bits})
   * @param dayBits bits of new names per domain in any 24-hour window ({@code day_bits})
   * @param clientDayBits bits of new names per client across domains in any 24 hours
   *     ({@code client_day_bits}); past it the client's new names that carry information are refused
   * @param newNamesPerSecond velocity brake: new names per domain per second ({@code new_names_per_second})
   * @param newNamesPerMinute velocity brake: new names per domain per minute ({@code new_names_per_minute})
   * @param blockFor how long a domain stays refused for a client once over budget ({@code block_for})
   * @param txtFactor TXT queries are charged this many times their bits ({@code txt_factor})
   * @param chargeRepeats charge a repeated name that reaches upstream (a cache miss) log2 of the
   *     number of distinct names the client asked under that domain: choosing among known names
   *     is a channel too ({@code charge_repeats})
   */
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
      positive(hourBits, "hour_bits");
      positive(dayBits, "day_bits");
      positive(clientDayBits, "client_day_bits");
      if (dayBits < hourBits) {
        throw new IllegalArgumentException("budgets: day_bits (" + dayBits + ") below hour_bits (" + hourBits + ")");
      }
      if (newNamesPerSecond < 1 || newNamesPerMinute < 1) {
        throw new IllegalArgumentException("budgets: new_names_per_second and new_names_per_minute must be >= 1");
      }
      Objects.requireNonNull(blockFor, "block_for");
      if (blockFor.isNegative() || blockFor.isZero() || blockFor.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("budgets: block_for must be in (0, 7 days], got " + blockFor);
      }
      if (!(txtFactor >= 1 && txtFactor <= 16)) {
        throw new IllegalArgumentException("budgets: txt_factor must be in [1, 16], got " + txtFactor);
      }
    }

    public static Budgets defaults() {
      return new Budgets(4096, 32768, 262144, 16, 120, Duration.ofHours(1), 2, true);
    }
  }

  /**
   * Answer rules.
   *
   * @param rebinding refuse private, loopback, link-local and unspecified addresses in answers for
   *     public names ({@code rebinding})
   * @param rebindingAllow names allowed to resolve to private addresses ({@code rebinding_allow})
   * @param txtFreeBytes unrecognised TXT bytes an answer may carry free; above, all are charged at
   *     8 bits a byte ({@code txt_free_bytes})
   * @param dataTargetBits a CNAME/MX/SRV/PTR target whose part left of its registrable domain
   *     scores at least this many bits is charged them ({@code data_target_bits})
   */
  public record Answers(boolean rebinding, DomainList rebindingAllow, int txtFreeBytes, double dataTargetBits) {
    public Answers {
      Objects.requireNonNull(rebindingAllow, "rebinding_allow");
      if (txtFreeBytes < 0) {
        throw new IllegalArgumentException("answers: txt_free_bytes must be >= 0");
      }
      positive(dataTargetBits, "data_target_bits");
    }

    public static Answers defaults() {
      return new Answers(true, DomainList.empty(), 128, 100);
    }
  }

  /**
   * Bounds of the budget state; memory is allocated once, up front (see the module README). Each
   * count is split over 16 shards and rounded up to a power of two per shard (so a limit may grow
   * by up to half; {@link PolicyEngine#stateBytes()} reports the exact size).
   *
   * @param maxKeys (client, registrable domain) pairs tracked ({@code max_keys}); about 130 bytes each
   * @param maxNames recently seen names remembered to charge only new ones ({@code max_names});
   *     12 bytes each
   * @param maxClients clients tracked for the per-client total ({@code max_clients}); about 70 bytes each
   */
  public record Limits(int maxKeys, int maxNames, int maxClients) {
    public Limits {
      if (maxKeys < 128 || maxKeys > (1 << 24)) {
        throw new IllegalArgumentException("state: max_keys must be in [128, 16777216], got " + maxKeys);
      }
      if (maxNames < 256 || maxNames > (1 << 26)) {
        throw new IllegalArgumentException("state: max_names must be in [256, 67108864], got " + maxNames);
      }
      if (maxClients < 128 || maxClients > (1 << 22)) {
        throw new IllegalArgumentException("state: max_clients must be in [128, 4194304], got " + maxClients);
      }
    }

    public static Limits defaults() {
      return new Limits(65536, 524288, 4096);
    }
  }

  private static void positive(double v, String key) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("budgets: " + key + " must be a positive number, got " + v);
    }
  }

  /** Query types refused by default: NULL, KEY, ANY and the private-use range. */
  public static Set<Integer> defaultRefusedTypes() {
    return Set.of(Type.NULL, Type.KEY, Type.ANY, PRIVATE_USE);
  }

  /** The defaults: guarded, REFUSED, local zones lan and home.arpa, empty lists, built-ins on. */
  public static PolicySettings defaults() {
    return new PolicySettings(Mode.GUARDED, RefuseWith.REFUSED, List.of("lan", "home.arpa"),
        DomainList.empty(), DomainList.empty(), true, Lexical.defaults(), Budgets.defaults(),
        defaultRefusedTypes(), Answers.defaults(), Limits.defaults());
  }

  /** Whether query type {@code type} is refused. */
  public boolean refusesType(int type) {
    return refusedTypes.contains(type)
        || (type >= PRIVATE_USE_FIRST && type <= PRIVATE_USE_LAST && refusedTypes.contains(PRIVATE_USE));
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return defaults().toBuilder();
  }

  /** Mutable builder; {@link #build()} checks everything. */
  public static final class Builder {
    private Mode mode;
    private RefuseWith refuseWith;
    private List<String> localZones;
    private DomainList allow;
    private DomainList deny;
    private boolean builtinAllow;
    private Lexical lexical;
    private Budgets budgets;
    private Set<Integer> refusedTypes;
    private Answers answers;
    private Limits limits;

    private Builder(PolicySettings s) {
      mode = s.mode;
      refuseWith = s.refuseWith;
      localZones = s.localZones;
      allow = s.allow;
      deny = s.deny;
      builtinAllow = s.builtinAllow;
      lexical = s.lexical;
      budgets = s.budgets;
      refusedTypes = new TreeSet<>(s.refusedTypes);
      answers = s.answers;
      limits = s.limits;
    }

    public Builder mode(Mode v) { mode = v; return this; }
    public Builder refuseWith(RefuseWith v) { refuseWith = v; return this; }
    public Builder localZones(List<String> v) { localZones = v; return this; }
    public Builder allow(DomainList v) { allow = v; return this; }
    public Builder deny(DomainList v) { deny = v; return this; }
    public Builder builtinAllow(boolean v) { builtinAllow = v; return this; }
    public Builder lexical(Lexical v) { lexical = v; return this; }
    public Builder budgets(Budgets v) { budgets = v; return this; }
    public Builder refusedTypes(Set<Integer> v) { refusedTypes = v; return this; }
    public Builder answers(Answers v) { answers = v; return this; }
    public Builder limits(Limits v) { limits = v; return this; }

    public PolicySettings build() {
      return new PolicySettings(mode, refuseWith, localZones, allow, deny, builtinAllow, lexical,
          budgets, refusedTypes, answers, limits);
    }
  }
}

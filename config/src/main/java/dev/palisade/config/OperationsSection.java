package dev.palisade.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and prints the sections that run the service: {@code ipset:}, {@code metrics:}, {@code rate_limit:}. */
final class OperationsSection {
  static final String IPSET = "ipset";
  static final String METRICS = "metrics";
  static final String RATE_LIMIT = "rate_limit";
  static final String QUERY_LOG = "query_log";

  private static final Set<String> IPSET_KEYS = Set.of("grace", "apply", "state_file", "max_entries", "sets");
  private static final Set<String> SET_KEYS = Set.of("name", "backend", "family", "nft_table", "match");
  private static final Set<String> METRICS_KEYS = Set.of("enabled", "listen");
  private static final Set<String> RATE_KEYS = Set.of("qps", "burst", "action", "max_clients");

  /** ipset names are at most 31 characters; nft names follow the same rule here, to fit both. */
  private static final Pattern SET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,30}");
  private static final Pattern NFT_TABLE = Pattern.compile("(ip|ip6|inet|bridge|netdev|arp) [A-Za-z_][A-Za-z0-9_.-]{0,63}");
  private static final Pattern SUFFIX = Pattern.compile("\\*|(\\*\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?");

  private OperationsSection() {}

  static IpSetConfig ipset(Value value, Path dir) throws ConfigException {
    IpSetConfig d = IpSetConfig.DEFAULTS;
    Map<String, Value> keys = value.mapping("a mapping with grace, apply, state_file, max_entries, sets");
    ConfigReader.warnIgnored(keys, IPSET_KEYS, Set.of());
    Duration grace = ConfigReader.get(keys, "grace",
        v -> Duration.ofSeconds(v.integer(0, 604_800, "a number of seconds 0..604800")), d.grace());
    boolean apply = ConfigReader.get(keys, "apply", v -> v.flag("true or false"), d.apply());
    Optional<Path> state = ConfigReader.get(keys, "state_file", v -> stateFile(v, dir), d.stateFile());
    int max = ConfigReader.get(keys, "max_entries", v -> (int) v.integer(1, 16_777_216, "an integer 1..16777216"), d.maxEntries());
    List<IpSetConfig.SetSpec> sets = ConfigReader.get(keys, "sets", OperationsSection::sets, d.sets());
    return new IpSetConfig(grace, apply, state, max, sets);
  }

  private static Optional<Path> stateFile(Value v, Path dir) throws ConfigException {
    String expected = "a file path (\"\" keeps the set in memory only)";
    String text = v.text(expected).trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(dir.resolve(text).normalize());
    } catch (InvalidPathException e) {
      throw v.fail(expected);
    }
  }

  private static List<IpSetConfig.SetSpec> sets(Value value) throws ConfigException {
    List<IpSetConfig.SetSpec> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Value item : value.listOrEmpty("a list of sets, each a mapping with name, backend, family, nft_table, match")) {
      Map<String, Value> keys = item.mapping("a mapping with name, backend, family, nft_table, match");
      ConfigReader.warnIgnored(keys, SET_KEYS, Set.of());
      Value nameValue = keys.get("name");
      if (nameValue == null) {
        throw item.fail("name in this entry", null);
      }
      String name = nameValue.text("a set name").trim();
      if (!SET_NAME.matcher(name).matches()) {
        throw nameValue.fail("a set name of 1..31 letters, digits, '_', '.', '-', starting with a letter or '_'");
      }
      IpSetConfig.Backend backend = ConfigReader.get(keys, "backend",
          v -> IpSetConfig.Backend.valueOf(oneOf(v, "ipset or nft", "ipset", "nft").toUpperCase(Locale.ROOT)),
          IpSetConfig.Backend.IPSET);
      IpSetConfig.Family family = ConfigReader.get(keys, "family",
          v -> IpSetConfig.Family.valueOf(oneOf(v, "inet or inet6", "inet", "inet6").toUpperCase(Locale.ROOT)),
          IpSetConfig.Family.INET);
      String table = ConfigReader.get(keys, "nft_table", v -> {
        String t = v.text("a table such as \"inet filter\"").trim().replaceAll("\\s+", " ");
        if (!NFT_TABLE.matcher(t).matches()) {
          throw v.fail("an nft table as \"<family> <name>\", such as \"inet filter\"");
        }
        return t;
      }, IpSetConfig.SetSpec.DEFAULT_NFT_TABLE);
      List<String> match = ConfigReader.get(keys, "match", OperationsSection::suffixes, List.of("*"));
      if (match.isEmpty()) {
        throw keys.get("match").fail("at least one name suffix, or \"*\" for every name", "an empty list");
      }
      if (!seen.add(backend + " " + table + " " + name)) {
        throw nameValue.fail("each set once", name + " a second time");
      }
      out.add(new IpSetConfig.SetSpec(name, backend, family, table, match));
    }
    return out;
  }

  private static List<String> suffixes(Value value) throws ConfigException {
    String expected = "a name suffix such as example.org, or \"*\" for every name";
    List<String> out = new ArrayList<>();
    for (Value item : value.isList() ? value.listOrEmpty(expected) : List.of(value)) {
      String text = item.text(expected).trim().toLowerCase(Locale.ROOT);
      if (!SUFFIX.matcher(text).matches()) {
        throw item.fail(expected);
      }
      // "*.example.org" and "example.org." mean what "example.org" means here: the name and below.
      String s = text.startsWith("*.") ? text.substring(2) : text;
      out.add(s.length() > 1 && s.endsWith(".") ? s.substring(0, s.length() - 1) : s);
    }
    return List.copyOf(new java.util.LinkedHashSet<>(out));
  }

  static MetricsConfig metrics(Value value) throws ConfigException {
    MetricsConfig d = MetricsConfig.DEFAULTS;
    Map<String, Value> keys = value.mapping("a mapping with enabled, listen");
    ConfigReader.warnIgnored(keys, METRICS_KEYS, Set.of());
    boolean enabled = ConfigReader.get(keys, "enabled", v -> v.flag("true or false"), d.enabled());
    ListenAddress listen = ConfigReader.get(keys, "listen", v -> {
      String expected = "an IP address with an optional @port 0..65535, such as 127.0.0.1@9153";
      String text = v.text(expected).trim();
      try {
        // Without @port, the metrics port (not DNS's 53) is meant.
        return text.contains("@")
            ? ListenAddress.parse(text)
            : new ListenAddress(InetLiterals.parse(text), MetricsConfig.DEFAULT_PORT);
      } catch (IllegalArgumentException e) {
        throw v.fail(expected);
      }
    }, d.listen());
    return new MetricsConfig(enabled, listen);
  }

  static RateLimitConfig rateLimit(Value value) throws ConfigException {
    RateLimitConfig d = RateLimitConfig.DEFAULTS;
    Map<String, Value> keys = value.mapping("a mapping with qps, burst, action, max_clients");
    ConfigReader.warnIgnored(keys, RATE_KEYS, Set.of());
    int qps = ConfigReader.get(keys, "qps", v -> (int) v.integer(0, 1_000_000, "queries per second 0..1000000 (0 is off)"), d.qps());
    // Unbound and dnsdist allow a burst of about twice the rate; so do we unless told.
    int burst = ConfigReader.get(keys, "burst", v -> (int) v.integer(1, 10_000_000, "an integer 1..10000000"),
        qps == 0 ? 0 : (int) Math.min(10_000_000L, 2L * qps));
    String action = ConfigReader.get(keys, "action", v -> oneOf(v, "drop or refuse", "drop", "refuse"), d.action());
    int maxClients = ConfigReader.get(keys, "max_clients", v -> (int) v.integer(1, 16_777_216, "an integer 1..16777216"), d.maxClients());
    if (qps == 0 && keys.containsKey("burst")) {
      keys.get("burst").warn("no effect while qps is 0 (rate limiting off)");
      burst = 0;
    }
    return new RateLimitConfig(qps, burst, action, maxClients);
  }

  static void print(PalisadeConfig c, Map<String, Object> out) {
    out.put(QUERY_LOG, c.queryLog());
    Map<String, Object> rate = new LinkedHashMap<>();
    rate.put("qps", c.rateLimit().qps());
    if (c.rateLimit().enabled()) {
      rate.put("burst", c.rateLimit().burst());
    }
    rate.put("action", c.rateLimit().action());
    rate.put("max_clients", c.rateLimit().maxClients());
    out.put(RATE_LIMIT, rate);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("enabled", c.metrics().enabled());
    metrics.put("listen", c.metrics().listen().toString());
    out.put(METRICS, metrics);
    IpSetConfig ip = c.ipset();
    Map<String, Object> ipset = new LinkedHashMap<>();
    ipset.put("grace", ip.grace().toSeconds());
    ipset.put("apply", ip.apply());
    ipset.put("state_file", ip.stateFile().map(Path::toString).orElse(""));
    ipset.put("max_entries", ip.maxEntries());
    List<Object> sets = new ArrayList<>();
    for (IpSetConfig.SetSpec s : ip.sets()) {
      Map<String, Object> set = new LinkedHashMap<>();
      set.put("name", s.name());
      set.put("backend", s.backend().name().toLowerCase(Locale.ROOT));
      set.put("family", s.family().name().toLowerCase(Locale.ROOT));
      set.put("nft_table", s.nftTable());
      set.put("match", s.match());
      sets.add(set);
    }
    ipset.put("sets", sets);
    out.put(IPSET, ipset);
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
}

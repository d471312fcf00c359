package dev.palisade.bench.exfil;

import dev.palisade.bench.exfil.ServiceNames.Entry;
import dev.palisade.policy.Decision;
import dev.palisade.policy.LexicalModel;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicyListener;
import dev.palisade.policy.PolicySettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The exfiltration evaluation: every tool of {@link Tools} for 24 simulated hours against the
 * default policy, then the benign corpus, and prints the figures as Markdown (see
 * bench/EXFILTRATION.md).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.palisade.bench.exfil.Evaluate [--hours N]</pre>
 */
public final class Evaluate {
  private Evaluate() {}

  public static void main(String[] args) throws IOException {
    int hours = 24;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--hours")) {
        hours = Integer.parseInt(args[++i]);
      }
    }
    PolicySettings settings = PolicySettings.defaults();
    System.out.println("# Exfiltration evaluation");
    System.out.println();
    System.out.printf(Locale.ROOT, "Default policy (guarded), %d simulated hours per tool, one client, fresh state per tool. "
        + "Budget state at the default limits: %.1f MiB.%n%n", hours,
        new PolicyEngine(settings, () -> 0L).stateBytes() / 1048576.0);
    tools(settings, hours);
    benign(settings);
  }

  static void tools(PolicySettings settings, int hours) {
    System.out.println("## Tunnel and exfiltration tools");
    System.out.println();
    System.out.println("| tool | queries | data queries | refused | B through, max any 60 min (per domain) | B through in "
        + hours + " h (per domain) | all domains, max 60 min | refused by | alerts | goal |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---|---:|---|");
    for (Tool t : Tools.all(1)) {
      Simulation.Result r = Simulation.run(t, settings, hours * 3600L * Tool.SECOND);
      double hourB = r.maxHourBitsPerDomain() / 8;
      double dayB = r.maxDayBitsPerDomain() / 8;
      String goal;
      if (Tools.classic(t)) {
        goal = r.bitsThrough() == 0 ? "met (0 B)" : "MISSED (goal 0 B)";
      } else {
        goal = hourB <= 512 && dayB <= 4096 ? "met (≤ 512 B/h, ≤ 4 KiB/day)" : "MISSED (≤ 512 B/h, ≤ 4 KiB/day)";
      }
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f%% | %.0f | %.0f | %.0f | %s | %d | %s |%n", r.tool(), r.queries(),
          r.dataQueries(), 100.0 * r.refusedShare(), hourB, dayB, r.maxHourBitsAllDomains() / 8,
          layers(r.refusalsByLayer()), r.alerts(), goal);
    }
    System.out.println();
  }

  private static String layers(Map<dev.palisade.policy.Layer, Long> m) {
    if (m.isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    m.entrySet().stream().sorted(Map.Entry.<dev.palisade.policy.Layer, Long>comparingByValue().reversed())
        .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey().name().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue()));
    return sb.toString();
  }

  static void benign(PolicySettings settings) throws IOException {
    List<String> sources = new ArrayList<>();
    List<Entry> corpus = BenignCorpus.evaluation(sources);
    System.out.println("## Benign corpus");
    System.out.println();
    for (String s : sources) {
      System.out.println("- " + s);
    }
    System.out.println();
    for (boolean builtin : new boolean[] {true, false}) {
      PolicySettings s = settings.toBuilder().builtinAllow(builtin).build();
      perName(corpus, s, builtin ? "built-in allowlist on, the default" : "built-in allowlist off");
    }
    perName(corpus, settings.toBuilder().lexical(new PolicySettings.Lexical(List.of(
        new PolicySettings.LexicalRule(64, 0, 0), new PolicySettings.LexicalRule(0, 400, 4.5)))).build(),
        "the issue's untuned starting thresholds: >= 64 characters, or >= 400 bits at >= 4.5 bits/char");
    clientDays(corpus, settings);
  }

  /** Each name once, each from its own client: structure, lists, record type and lexical layers. */
  static void perName(List<Entry> corpus, PolicySettings s, String title) {
    PolicyEngine engine = new PolicyEngine(s, () -> 0L, PolicyListener.NONE, LexicalModel.bundled(), 42);
    Map<String, int[]> byCategory = new TreeMap<>();
    List<String> refused = new ArrayList<>();
    int local = 0;
    int noTld = 0;
    int i = 0;
    for (Entry e : corpus) {
      Decision d = engine.onQuery("198.51.100." + (i++ % 250) + "/" + i, name(e.name()), e.type());
      int[] c = byCategory.computeIfAbsent(e.category(), k -> new int[2]);
      c[0]++;
      if (d.refuse()) {
        c[1]++;
        noTld += d.reason().contains("public suffix list") ? 1 : 0;
        refused.add(String.format(Locale.ROOT, "%s %s: %s %s", Type.string(e.type()), e.name(), d.layer(), d.reason()));
      }
      local += d.answerLocally() ? 1 : 0;
    }
    int total = corpus.size();
    int bad = refused.size();
    System.out.printf(Locale.ROOT, "### Per name (%s)%n%n", title);
    System.out.printf(Locale.ROOT, "%d names, %d refused (%.4f%%), %d answered locally; of the refused, %d are under top-level "
        + "domains that do not exist (typos in the lists, such as .cim or .nett: NXDOMAIN anyway).%n%n", total, bad, 100.0 * bad / total,
        local, noTld);
    System.out.println("| category | names | refused | share |");
    System.out.println("|---|---:|---:|---:|");
    for (Map.Entry<String, int[]> c : byCategory.entrySet()) {
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.4f%% |%n", c.getKey(), c.getValue()[0], c.getValue()[1],
          100.0 * c.getValue()[1] / c.getValue()[0]);
    }
    System.out.println();
    if (!refused.isEmpty()) {
      System.out.println("Refused (first 40):");
      System.out.println();
      for (String r : refused.subList(0, Math.min(40, refused.size()))) {
        System.out.println("- `" + r + "`");
      }
      System.out.println();
    }
  }

  /**
   * Budgets on benign traffic: the corpus shuffled and cut into heavy client days of 3,000 new
   * names each; a client visits each registrable domain at random times within 16 hours, asking
   * up to {@link #VISIT} of that domain's names within 20 seconds per visit; every name is asked again from upstream when a
   * 300-second TTL runs out, twice (repeats that reach upstream are charged too). Every answer
   * comes from upstream.
   */
  /** Names of one registrable domain asked in one visit (a page load touches a few). */
  static final int VISIT = 8;

  static void clientDays(List<Entry> corpus, PolicySettings s) {
    List<Entry> shuffled = new ArrayList<>(corpus);
    Collections.shuffle(shuffled, new Random(3));
    long[] clock = {0};
    PolicyEngine engine = new PolicyEngine(s, () -> clock[0], PolicyListener.NONE, LexicalModel.bundled(), 42);
    int perDay = 3000;
    int days = 0;
    int refused = 0;
    int queries = 0;
    Map<String, Integer> byLayer = new LinkedHashMap<>();
    List<String> examples = new ArrayList<>();
    Random r = new Random(5);
    for (int start = 0; start + perDay <= shuffled.size(); start += perDay) {
      days++;
      String client = "203.0.113." + days;
      Map<String, List<Entry>> byDomain = new LinkedHashMap<>();
      for (Entry e : shuffled.subList(start, start + perDay)) {
        String base = BenignCorpus.naiveBase(e.name());
        byDomain.computeIfAbsent(base == null ? e.name() : base, k -> new ArrayList<>()).add(e);
      }
      TreeMap<Long, Entry> at = new TreeMap<>();
      long dayStart = (long) days * 48 * 3600 * Tool.SECOND;
      for (List<Entry> group : byDomain.values()) {
        long t0 = 0;
        for (int j = 0; j < group.size(); j++) {
          Entry e = group.get(j);
          if (j % VISIT == 0) {
            t0 = dayStart + (long) (r.nextDouble() * 16 * 3600 * Tool.SECOND);
          }
          long t = t0 + (long) (r.nextDouble() * 20 * Tool.SECOND);
          for (int k = 0; k < 3; k++) {
            long tk = t + k * 300 * Tool.SECOND;
            while (at.containsKey(tk)) {
              tk++;
            }
            at.put(tk, e);
          }
        }
      }
      for (Map.Entry<Long, Entry> q : at.entrySet()) {
        Entry e = q.getValue();
        clock[0] = q.getKey();
        Name n = name(e.name());
        Decision d = engine.onQuery(client, n, e.type());
        queries++;
        if (d.refuse()) {
          refused++;
          byLayer.merge(String.valueOf(d.layer()), 1, Integer::sum);
          if (examples.size() < 20) {
            examples.add(e.name() + ": " + d.reason());
          }
        } else if (d.forward()) {
          Decision a = engine.onAnswer(client, n, e.type(), Simulation.answer(n, new Probe(e.name(), e.type(), 0, "", 0), r), true);
          if (a.refuse()) {
            refused++;
            byLayer.merge("ANSWER", 1, Integer::sum);
          }
        }
      }
    }
    System.out.println("### Budgets on benign client days");
    System.out.println();
    System.out.printf(Locale.ROOT, "%d client days of %d new names (domains visited at random times over 16 h, up to %d names of a domain "
        + "within 20 s a visit, each name asked again from upstream after 5 and 10 minutes): %d of %d queries refused (%.4f%%)%s.%n%n",
        days, perDay, VISIT, refused, queries, 100.0 * refused / Math.max(1, queries), byLayer.isEmpty() ? "" : ", by layer " + byLayer);
    for (String e : examples) {
      System.out.println("- `" + e + "`");
    }
    if (!examples.isEmpty()) {
      System.out.println();
    }
  }

  static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}

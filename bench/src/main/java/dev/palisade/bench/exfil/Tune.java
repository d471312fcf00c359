package dev.palisade.bench.exfil;

import dev.palisade.bench.exfil.ServiceNames.Entry;
import dev.palisade.policy.Decision;
import dev.palisade.policy.LexicalModel;
import dev.palisade.policy.LexicalScore;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicyListener;
import dev.palisade.policy.PolicySettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Tunes the lexical rules on a tuning corpus (host-name files given as arguments, never the
 * evaluation corpus): prints the left parts that score highest and, for candidate rules, how many
 * tuning names each would refuse.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.palisade.bench.exfil.Tune hosts1.txt hosts2.txt</pre>
 */
public final class Tune {
  private Tune() {}

  record Scored(Entry entry, LexicalScore score) {}

  public static void main(String[] args) throws Exception {
    List<String> sources = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String a : args) {
      files.add(Path.of(a));
    }
    List<Entry> corpus = BenignCorpus.tuning(files, sources);
    sources.forEach(s -> System.out.println("source: " + s));
    // Only the rules, not the default rules: which names are exposed to lexical refusal at all.
    PolicySettings noLexical = PolicySettings.defaults().toBuilder()
        .lexical(new PolicySettings.Lexical(List.of(new PolicySettings.LexicalRule(253, 0, 0)))).build();
    PolicyEngine engine = new PolicyEngine(noLexical, () -> 0L, PolicyListener.NONE, LexicalModel.bundled(), 1);
    List<Scored> scored = new ArrayList<>();
    int i = 0;
    int structure = 0;
    for (Entry e : corpus) {
      var n = Evaluate.name(e.name());
      Decision d = engine.onQuery("t" + (i++), n, e.type());
      if (d.refuse()) {
        structure++;
        if (structure <= 20) {
          System.out.println("refused before lexical: " + e.name() + " " + d.reason());
        }
        continue;
      }
      if (d.layer() == null && d.verdict() == Decision.Verdict.ALLOW && isBuiltin(e.name())) {
        continue;
      }
      scored.add(new Scored(e, engine.score(n)));
    }
    System.out.printf(Locale.ROOT, "%d names, %d refused by other layers, %d scored (built-in allowlist excluded)%n",
        corpus.size(), structure, scored.size());
    scored.sort(Comparator.comparingDouble((Scored s) -> s.score().bits()).reversed());
    System.out.println("top by bits:");
    for (Scored s : scored.subList(0, Math.min(40, scored.size()))) {
      System.out.printf(Locale.ROOT, "  %6.1f bits %3d chars %.2f b/c  %s%n", s.score().bits(), s.score().length(),
          s.score().bitsPerChar(), s.entry().name());
    }
    scored.sort(Comparator.comparingInt((Scored s) -> s.score().length()).reversed());
    System.out.println("top by length:");
    for (Scored s : scored.subList(0, Math.min(25, scored.size()))) {
      System.out.printf(Locale.ROOT, "  %6.1f bits %3d chars %.2f b/c  %s%n", s.score().bits(), s.score().length(),
          s.score().bitsPerChar(), s.entry().name());
    }
    System.out.println("rule (bits>=B, bits/char>=R): names refused");
    for (int b = 120; b <= 400; b += 20) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  B=%3d:", b));
      for (double r = 4.0; r <= 7.01; r += 0.25) {
        int n = 0;
        for (Scored s : scored) {
          if (s.score().bits() >= b && s.score().bitsPerChar() >= r) {
            n++;
          }
        }
        row.append(String.format(Locale.ROOT, " R%.2f:%d", r, n));
      }
      System.out.println(row);
    }
    System.out.println("rule (length>=L, bits/char>=R): names refused");
    if (System.getProperty("defaults") != null) {
      withDefaults(corpus);
      return;
    }
    for (int l = 24; l <= 64; l += 4) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  L=%2d:", l));
      for (double r = 0; r <= 7.01; r += 0.5) {
        int n = 0;
        for (Scored s : scored) {
          if (s.score().length() >= l && s.score().bitsPerChar() >= r) {
            n++;
          }
        }
        row.append(String.format(Locale.ROOT, " R%.1f:%d", r, n));
      }
      System.out.println(row);
    }
  }

  static void withDefaults(List<Entry> corpus) {
    Evaluate.perName(corpus, PolicySettings.defaults(), "tuning corpus, default policy");
    Evaluate.clientDays(corpus, PolicySettings.defaults());
  }

  private static boolean isBuiltin(String name) {
    return PolicyEngine.builtinAllow().matches(name);
  }
}

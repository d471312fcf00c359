package dev.palisade.policy;

import com.google.common.collect.ImmutableMap;
import com.google.thirdparty.publicsuffix.PublicSuffixPatterns;
import com.google.thirdparty.publicsuffix.PublicSuffixType;

/**
 * The public suffix list, as Guava ships it, looked up right to left.
 *
 * <p>Guava's {@code InternetDomainName} scans a name left to right, building one string per
 * label; a tunnel name has many labels, and it rejects some names we must handle (labels with
 * {@code _}, such as {@code _dmarc}). Here we look up only the last few labels: no public suffix
 * rule is deeper than {@link #MAX_DEPTH} labels. The rules and their precedence are Guava's
 * (exact, then exception {@code !rule}, then wildcard {@code *.rule}); both the ICANN and the
 * private sections count, as in {@code InternetDomainName.topPrivateDomain()}: an attacker
 * cannot read the queries for {@code x.github.io}, so each such name is its own registrable domain.
 * A test checks agreement with {@code InternetDomainName} on a corpus.
 */
final class PublicSuffixes {
  private static final ImmutableMap<String, PublicSuffixType> EXACT = PublicSuffixPatterns.EXACT;
  private static final ImmutableMap<String, PublicSuffixType> UNDER = PublicSuffixPatterns.UNDER;
  private static final ImmutableMap<String, PublicSuffixType> EXCLUDED = PublicSuffixPatterns.EXCLUDED;
  static final int MAX_DEPTH = maxDepth();
  /**
   * Every label-aligned suffix of every rule ("uk", "co.uk", …). When a name's suffix is not in
   * here, no rule can match it or anything longer, so the lookup stops: a tunnel name's long
   * labels are never hashed or copied.
   */
  private static final java.util.Set<String> INTERIOR = interior();

  private PublicSuffixes() {}

  private static java.util.Set<String> interior() {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (ImmutableMap<String, PublicSuffixType> m : java.util.List.of(EXACT, UNDER, EXCLUDED)) {
      for (String k : m.keySet()) {
        out.add(k);
        for (int i = 0; i < k.length(); i++) {
          if (k.charAt(i) == '.') {
            out.add(k.substring(i + 1));
          }
        }
      }
    }
    return java.util.Set.copyOf(out);
  }

  private static int maxDepth() {
    int max = 1;
    for (ImmutableMap<String, PublicSuffixType> m : java.util.List.of(EXACT, UNDER, EXCLUDED)) {
      for (String k : m.keySet()) {
        int labels = 1;
        for (int i = 0; i < k.length(); i++) {
          if (k.charAt(i) == '.') {
            labels++;
          }
        }
        max = Math.max(max, labels);
      }
    }
    return max + 1;
  }

  /**
   * The number of labels of the public suffix of {@code lower} (labels start at
   * {@code starts[0..labels)}), or 0 when no rule matches (the TLD is not in the list).
   */
  static int suffixLabels(String lower, int[] starts, int labels) {
    int best = 0;
    String shorter = null;
    int deepest = Math.min(labels, MAX_DEPTH);
    for (int k = 1; k <= deepest; k++) {
      String ancestor = lower.substring(starts[labels - k]);
      if (EXACT.containsKey(ancestor)) {
        best = k;
      } else if (EXCLUDED.containsKey(ancestor)) {
        best = k - 1;
      } else if (shorter != null && UNDER.containsKey(shorter)) {
        best = k;
      }
      if (!INTERIOR.contains(ancestor)) {
        break;
      }
      shorter = ancestor;
    }
    return best;
  }

  /** Whether {@code label} is a top-level domain in the list. */
  static boolean isTld(String label) {
    return EXACT.containsKey(label) || UNDER.containsKey(label);
  }
}

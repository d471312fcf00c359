package dev.palisade.resolver.ipset;

import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Feeds the resolved-IP sets from answers on their way to the client. It sits outside the policy
 * stage, so it sees the final answer: what policy refused or made up never enters a set.
 *
 * <p>Taken: NOERROR answers from the upstream, the cache or serve-stale that validated (or were
 * not validated); each A/AAAA record owned by the query name or a name its CNAME chain leads to,
 * until the record's remaining TTL plus the grace. A cache hit carries aged TTLs, so it keeps the
 * expiry where it was and only a fresh answer moves it later.
 *
 * <p>Ordering: in apply mode, the answer completes only once the kernel holds every address it
 * carries, so a client that connects at once is not dropped.
 */
final class IpSetStage implements Stage {

  private final List<ResolvedSet> sets;
  private final long graceMillis;
  private final Clock clock;

  IpSetStage(List<ResolvedSet> sets, long graceMillis, Clock clock) {
    this.sets = List.copyOf(sets);
    this.graceMillis = graceMillis;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    return chain.proceed(chain.query()).thenCompose(this::record);
  }

  CompletableFuture<Answer> record(Answer answer) {
    if (!eligible(answer)) {
      return CompletableFuture.completedFuture(answer);
    }
    Message m = answer.message();
    Record question = m.getQuestion();
    if (question == null) {
      return CompletableFuture.completedFuture(answer);
    }
    List<Record> records = m.getSection(Section.ANSWER);
    Set<Name> names = chain(question.getName(), records);
    List<String> texts = new ArrayList<>(names.size());
    for (Name n : names) {
      texts.add(text(n));
    }
    long now = clock.millis();
    List<CompletableFuture<Void>> waits = null;
    for (Record r : records) {
      InetAddress address;
      if (r instanceof ARecord a) {
        address = a.getAddress();
      } else if (r instanceof AAAARecord aaaa) {
        address = aaaa.getAddress();
      } else {
        continue;
      }
      if (!names.contains(r.getName())) {
        continue; // not on the chain from the question: nothing the client asked for
      }
      long expiresAt = now + r.getTTL() * 1000 + graceMillis;
      boolean v4 = r instanceof ARecord;
      for (ResolvedSet set : sets) {
        if (fits(set, v4) && matches(set, texts)) {
          CompletableFuture<Void> f = set.add(address, expiresAt, now);
          if (!f.isDone()) {
            if (waits == null) {
              waits = new ArrayList<>();
            }
            waits.add(f);
          }
        }
      }
    }
    if (waits == null) {
      return CompletableFuture.completedFuture(answer);
    }
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).handle((ok, error) -> answer);
  }

  /** Allowed answers only: not made up by policy or locally, not an error, never bogus. */
  static boolean eligible(Answer answer) {
    Source s = answer.source();
    if (s != Source.UPSTREAM && s != Source.CACHE && s != Source.STALE) {
      return false;
    }
    if (answer.message().getRcode() != Rcode.NOERROR) {
      return false;
    }
    return answer.security().map(v -> v == SecurityStatus.SECURE || v == SecurityStatus.INSECURE).orElse(true);
  }

  /** The question's name and every name its CNAME records lead to, in the answer section (any order). */
  static Set<Name> chain(Name start, List<Record> records) {
    Set<Name> names = new LinkedHashSet<>();
    names.add(start);
    // Each pass follows one more link; a chain longer than the answer is a loop.
    for (int pass = 0; pass <= records.size(); pass++) {
      boolean grew = false;
      for (Record r : records) {
        if (r instanceof CNAMERecord c && names.contains(c.getName()) && names.add(c.getTarget())) {
          grew = true;
        }
      }
      if (!grew) {
        break;
      }
    }
    return names;
  }

  private static boolean fits(ResolvedSet set, boolean v4) {
    return (set.spec().family() == dev.palisade.config.IpSetConfig.Family.INET) == v4;
  }

  /** Whether a name of the chain equals one of the set's suffixes or lies under it. */
  static boolean matches(ResolvedSet set, List<String> names) {
    if (set.spec().matchesAll()) {
      return true;
    }
    for (String suffix : set.spec().match()) {
      for (String n : names) {
        if (n.equals(suffix) || n.endsWith("." + suffix)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Lower case, without the final dot: how the config writes suffixes. */
  static String text(Name n) {
    String s = n.toString(true).toLowerCase(Locale.ROOT);
    return s;
  }
}

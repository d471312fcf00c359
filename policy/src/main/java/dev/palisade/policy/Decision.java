package dev.palisade.policy;

import java.util.Objects;
import org.xbill.DNS.Rcode;

/**
 * What to do with one query or answer.
 *
 * @param verdict what the resolver does
 * @param layer the layer that decided a refusal, a local answer or a monitor-mode flag; null for
 *     a plain allow
 * @param reason why, for the log line (never contains the full query name)
 * @param score information in the name, in bits (the lexical score of the part left of the
 *     registrable domain); 0 when not scored
 * @param registrableDomain the registrable domain (public suffix plus one label, or a local zone
 *     plus one label, or the /24 or /48 zone of a reverse name); null for the root, a TLD or a
 *     malformed name
 * @param rcode the response code to answer with when not forwarding: {@link RefuseWith} for
 *     refusals, NXDOMAIN for local answers, NOERROR otherwise
 * @param extendedError the RFC 8914 Extended DNS Error to attach: 15 (Blocked) for list
 *     decisions, 17 (Filtered) for the exfiltration layers; 0 for none
 */
public record Decision(
    Verdict verdict,
    Layer layer,
    String reason,
    double score,
    String registrableDomain,
    int rcode,
    int extendedError) {

  /** RFC 8914 §4.16: blocked by the operator's policy (a list). */
  public static final int EDE_BLOCKED = 15;
  /** RFC 8914 §4.18: filtered (here: by the exfiltration filter the user asked for). */
  public static final int EDE_FILTERED = 17;

  /** The outcome. */
  public enum Verdict {
    /** Forward (or answer from cache) as usual. */
    ALLOW,
    /** Do not forward: answer {@link #rcode()} with {@link #extendedError()}. */
    REFUSE,
    /** Do not forward: answer NXDOMAIN locally (single-label and special-use names). */
    ANSWER_LOCALLY,
    /** Monitor mode: forward, but this would have been refused (logged). */
    WOULD_REFUSE
  }

  public Decision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
  }

  /** An allow with the name's score and registrable domain. */
  public static Decision allow(double score, String registrableDomain) {
    return new Decision(Verdict.ALLOW, null, "allowed", score, registrableDomain, Rcode.NOERROR, 0);
  }

  /** Whether the query must not be forwarded and gets a refusal. */
  public boolean refuse() {
    return verdict == Verdict.REFUSE;
  }

  /** Whether the query must not be forwarded and is answered locally. */
  public boolean answerLocally() {
    return verdict == Verdict.ANSWER_LOCALLY;
  }

  /** Whether the query goes on to the cache and upstream. */
  public boolean forward() {
    return verdict == Verdict.ALLOW || verdict == Verdict.WOULD_REFUSE;
  }
}

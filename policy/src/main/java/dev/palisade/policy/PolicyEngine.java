package dev.palisade.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Decides, before anything is forwarded, whether a query may leave, and after the answer, whether
 * it may be delivered. Pure: no I/O, no threads, no global state; time comes from the injected
 * clock. Thread-safe: call it from any number of event loops at once; a decision takes a few
 * microseconds and never blocks on anything but short, uncontended-in-practice shard locks.
 *
 * <p>Layers, in order (the module README describes each): structure, denylist, record type, strict
 * mode, allowlist, lexical score, budgets. A refusal is one INFO line on logger
 * {@code dev.palisade.policy} (client, registrable domain, layer, reason, score; never the full
 * name); a budget that trips is one WARN alert line.
 */
public final class PolicyEngine {
  private static final Logger LOG = LoggerFactory.getLogger("dev.palisade.policy");
  private static final DomainList BUILTIN_ALLOW = loadBuiltin();

  private final LongSupplier nanoTime;
  private final long origin;
  private final PolicyListener listener;
  private final LexicalModel model;
  private final long clientKey;
  private volatile Config config;

  /** Settings with what is derived from them; swapped whole on reconfigure. */
  private record Config(PolicySettings s, LongSet localZones, BudgetBook book) {}

  /** An engine with the bundled model, no listener and a random hash key. */
  public PolicyEngine(PolicySettings settings, LongSupplier nanoTime) {
    this(settings, nanoTime, PolicyListener.NONE, LexicalModel.bundled(), new SecureRandom().nextLong());
  }

  /**
   * @param nanoTime monotonic clock in nanoseconds ({@code System::nanoTime} in production)
   * @param listener events for metrics
   * @param model the lexical model
   * @param hashKey key of the client fingerprints (random in production; fixed in tests)
   */
  public PolicyEngine(PolicySettings settings, LongSupplier nanoTime, PolicyListener listener,
      LexicalModel model, long hashKey) {
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.origin = nanoTime.getAsLong();
    this.listener = Objects.requireNonNull(listener, "listener");
    this.model = Objects.requireNonNull(model, "model");
    this.clientKey = hashKey;
    this.config = configure(settings, null);
  }

  private static Config configure(PolicySettings s, BudgetBook previous) {
    long[] zones = new long[s.localZones().size()];
    for (int i = 0; i < zones.length; i++) {
      zones[i] = NameHash.of(s.localZones().get(i));
    }
    BudgetBook book = previous != null && previous.keyCapacity == new Sizes(s.limits()).keys
        && previous.nameCapacity == new Sizes(s.limits()).names
        && previous.clientCapacity == new Sizes(s.limits()).clients
        ? previous : new BudgetBook(s.limits());
    return new Config(s, LongSet.of(zones, zones.length), book);
  }

  /** The capacities a BudgetBook would get, to keep state across reloads when they match. */
  private static final class Sizes {
    final int keys;
    final int names;
    final int clients;

    Sizes(PolicySettings.Limits l) {
      int k = roundUp(l.maxKeys() / (BudgetBook.SHARDS * BudgetBook.WAYS)) * BudgetBook.WAYS * BudgetBook.SHARDS;
      int n = roundUp(l.maxNames() / (BudgetBook.SHARDS * BudgetBook.NAME_WAYS)) * BudgetBook.NAME_WAYS * BudgetBook.SHARDS;
      int c = roundUp(l.maxClients() / (BudgetBook.SHARDS * BudgetBook.WAYS)) * BudgetBook.WAYS * BudgetBook.SHARDS;
      keys = k;
      names = n;
      clients = c;
    }

    private static int roundUp(int n) {
      int p = 1;
      while (p < Math.max(1, n)) {
        p <<= 1;
      }
      return p;
    }
  }

  /**
   * Applies new settings (for example reloaded lists; load them off the event loop first). Budget
   * state is kept unless the state limits changed.
   */
  public void reconfigure(PolicySettings settings) {
    Objects.requireNonNull(settings, "settings");
    synchronized (this) {
      config = configure(settings, config.book);
    }
  }

  /** The settings in force. */
  public PolicySettings settings() {
    return config.s;
  }

  /** Bytes held by the budget state (fixed at construction). */
  public long stateBytes() {
    return config.book.memoryBytes();
  }

  /** Keys and clients currently tracked (for reports; takes every shard lock briefly). */
  public int trackedKeys() {
    return config.book.trackedKeys();
  }

  public int trackedClients() {
    return config.book.trackedClients();
  }

  /** The lexical score of the part of {@code name} left of its registrable domain. */
  public LexicalScore score(Name name) {
    NameView v = NameView.parse(name, config.localZones);
    int end = v.leftEnd();
    return end == 0 ? new LexicalScore(0, 0, 0, false) : model.score(v.text.substring(0, end));
  }

  /** Decides on a query before it is forwarded, and charges its budget when allowed. */
  public Decision onQuery(String client, Name name, int type) {
    Config c = config;
    return onQuery(c, client, view(name, c.localZones), type);
  }

  /**
   * As {@link #onQuery(String, Name, int)}, for the question name in wire form: {@code length}
   * bytes (root label included, no compression) at {@code offset} of {@code wire}, as a query
   * datagram carries it. The array must not change while the query is judged.
   */
  public Decision onQuery(String client, byte[] wire, int offset, int length, int type) {
    Config c = config;
    return onQuery(c, client, view(wire, offset, length, c.localZones), type);
  }

  private Decision onQuery(Config c, String client, NameView v, int type) {
    PolicySettings s = c.s;
    String domain = null;
    if (v.answerLocally) {
      return finish(client, s, new Decision(Decision.Verdict.ANSWER_LOCALLY, Layer.STRUCTURE, v.problem,
          0, null, Rcode.NXDOMAIN, 0), false, false);
    }
    if (v.problem != null) {
      return refuse(client, s, Layer.STRUCTURE, v.problem, 0, v.registrable(), Decision.EDE_FILTERED);
    }
    if (v.labels == 0) {
      return finish(client, s, Decision.allow(0, null), false, false);
    }
    domain = v.registrable();
    if (s.deny().size() > 0 && s.deny().matches(v.hashes, v.labels)) {
      return refuse(client, s, Layer.LIST, "denylisted", 0, domain, Decision.EDE_BLOCKED);
    }
    if (v.kind != NameView.Kind.LOCAL_ZONE && s.refusesType(type)) {
      return refuse(client, s, Layer.RECORD_TYPE, "query type " + Type.string(type) + " refused", 0,
          domain, Decision.EDE_FILTERED);
    }
    if (v.kind == NameView.Kind.LOCAL_ZONE) {
      return finish(client, s, Decision.allow(0, domain), false, false);
    }
    boolean userAllowed = s.allow().size() > 0 && s.allow().matches(v.hashes, v.labels);
    boolean allowed = userAllowed || (s.builtinAllow() && BUILTIN_ALLOW.matches(v.hashes, v.labels));
    if (s.mode() == Mode.STRICT && !userAllowed) {
      return refuse(client, s, Layer.LIST, "not allowlisted (strict mode)", 0, domain, Decision.EDE_BLOCKED);
    }
    if (domain == null) {
      // The root, a TLD or another public suffix: no part an attacker's server would see.
      return finish(client, s, Decision.allow(0, null), false, false);
    }
    // Lexical layer.
    int leftEnd = v.leftEnd();
    double bits;
    if (v.kind == NameView.Kind.REVERSE) {
      bits = v.reverseBits;
    } else {
      bits = leftEnd == 0 ? 0 : model.bits(v.textBytes, 0, leftEnd);
      if (!allowed && leftEnd > 0) {
        for (PolicySettings.LexicalRule rule : s.lexical().rules()) {
          if (rule.matches(leftEnd, bits)) {
            return refuse(client, s, Layer.LEXICAL, lexicalReason(rule, leftEnd, bits), bits, domain,
                Decision.EDE_FILTERED);
          }
        }
      }
    }
    if (allowed) {
      return finish(client, s, Decision.allow(bits, domain), false, false);
    }
    // Budget layer.
    double charge = type == Type.TXT ? bits * s.budgets().txtFactor() : bits;
    long now = nanoTime.getAsLong() - origin;
    long clientFp = clientFp(client);
    long keyFp = keyFp(clientFp, v.registrableHash());
    BudgetBook.Spend[] spend = new BudgetBook.Spend[1];
    int outcome = c.book.admit(keyFp, nameFp(clientFp, v), clientFp, charge, now, s.budgets(), spend);
    switch (outcome) {
      case BudgetBook.NEW:
      case BudgetBook.REPEAT:
        return finish(client, s, Decision.allow(bits, domain), false, false);
      case BudgetBook.BLOCKED:
        return refuse(client, s, Layer.BUDGET, "over budget: domain blocked for this client", bits, domain,
            Decision.EDE_FILTERED);
      default:
        return budgetRefusal(client, s, outcome, spend[0], charge, bits, domain);
    }
  }

  private Decision budgetRefusal(String client, PolicySettings s, int outcome, BudgetBook.Spend spend,
      double charge, double bits, String domain) {
    String what;
    switch (outcome) {
      case BudgetBook.VELOCITY:
        what = "velocity";
        break;
      case BudgetBook.OVER_HOUR:
        what = "hour";
        break;
      case BudgetBook.OVER_DAY:
        what = "day";
        break;
      case BudgetBook.OVER_CLIENT:
        what = "client day";
        break;
      default:
        what = "repeat";
    }
    String reason = outcome == BudgetBook.VELOCITY
        ? String.format(Locale.ROOT, "velocity brake: over %.0f new names", spend.limit())
        : String.format(Locale.ROOT, "%s budget: %.0f spent + %.0f > %.0f bits", what, spend.spent(),
            charge, spend.limit());
    if (spend.tripped()) {
      alert(client, outcome == BudgetBook.OVER_CLIENT ? "*" : domain, what, spend.spent() + charge, spend.limit(), s);
    }
    return refuse(client, s, Layer.BUDGET, reason, bits, domain, Decision.EDE_FILTERED);
  }

  private void alert(String client, String domain, String what, double spent, double limit, PolicySettings s) {
    LOG.warn("policy alert: client={} domain={} budget={} spent={} limit={} blocked_for={}s", client,
        domain, what.replace(' ', '_'), Math.round(spent), Math.round(limit), s.budgets().blockFor().toSeconds());
    listener.onBudgetExceeded(client, domain, what, spent, limit);
  }

  /**
   * The last view each thread made. A query answered on the spot (a cache hit) is judged twice on
   * one thread with the same {@link Name} object, once as a query and once as an answer: the second
   * judgement reuses the view instead of reading the name again. Keyed by identity (name and zones
   * table), so a reload or another name simply parses anew.
   */
  private static final ThreadLocal<NameView[]> LAST_VIEW = ThreadLocal.withInitial(() -> new NameView[1]);

  private static NameView view(Name name, LongSet zones) {
    NameView[] last = LAST_VIEW.get();
    NameView v = last[0];
    if (v == null || v.source != name || v.zones != zones) {
      v = NameView.parse(name, zones);
      last[0] = v;
    }
    return v;
  }

  /** {@link #view(Name, LongSet)} for a name in wire form, reused by the array's identity and offset. */
  private static NameView view(byte[] wire, int offset, int length, LongSet zones) {
    NameView[] last = LAST_VIEW.get();
    NameView v = last[0];
    if (v == null || v.sourceWire != wire || v.sourceOffset != offset || v.zones != zones) {
      v = NameView.parse(wire, offset, length, zones);
      last[0] = v;
    }
    return v;
  }

  /**
   * Decides on an answer before it is delivered: rebinding protection, and charging data the
   * answer reveals to the query's budget.
   *
   * @param fromUpstream whether the answer came from upstream now (a cache miss): only those
   *     tell the authoritative server anything, so only those are charged
   */
  public Decision onAnswer(String client, Name qname, int qtype, Message answer, boolean fromUpstream) {
    return onAnswer(client, qname, qtype, () -> answer, fromUpstream);
  }

  /**
   * As {@link #onAnswer(String, Name, int, Message, boolean)}, with the answer asked for only when
   * its records are looked at: a cache hit for a local zone or a name whose answers are not checked
   * then goes out without being parsed.
   */
  public Decision onAnswer(String client, Name qname, int qtype, Supplier<Message> answer, boolean fromUpstream) {
    Config c = config;
    return onAnswer(c, client, view(qname, c.localZones), null, answer, fromUpstream);
  }

  /**
   * As {@link #onAnswer(String, Name, int, Supplier, boolean)}, for the question name in wire form
   * (see {@link #onQuery(String, byte[], int, int, int)}), and with the answer's own bytes when it
   * has them ({@code answerWire}, else null): the rebinding check then reads its addresses from
   * them, and {@code answer} is parsed only if the other checks need its records.
   */
  public Decision onAnswer(String client, byte[] wire, int offset, int length, int qtype, byte[] answerWire, Supplier<Message> answer,
      boolean fromUpstream) {
    Config c = config;
    return onAnswer(c, client, view(wire, offset, length, c.localZones), answerWire, answer, fromUpstream);
  }

  private Decision onAnswer(Config c, String client, NameView v, byte[] answerWire, Supplier<Message> answer, boolean fromUpstream) {
    PolicySettings s = c.s;
    if (v.problem != null || v.labels == 0) {
      return finish(client, s, Decision.allow(0, null), true, false);
    }
    String domain = v.registrable();
    boolean local = v.kind != NameView.Kind.NORMAL;
    if (s.answers().rebinding() && !local && !s.answers().rebindingAllow().matches(v.hashes, v.labels)) {
      int fromWire = answerWire == null ? WireAnswer.UNREADABLE : WireAnswer.privateAddress(answerWire);
      if (fromWire == WireAnswer.UNREADABLE ? anyPrivate(answer.get()) : fromWire == WireAnswer.PRIVATE) {
        return refuse(client, s, Layer.ANSWER, "private address for a public name (rebinding)", 0, domain,
            Decision.EDE_BLOCKED, true);
      }
    }
    if (local || domain == null || !fromUpstream || isAllowed(s, v)) {
      return finish(client, s, Decision.allow(0, domain), true, false);
    }
    double extra = answerBits(answer.get().getSection(Section.ANSWER), s, c.localZones);
    long now = nanoTime.getAsLong() - origin;
    long clientFp = clientFp(client);
    BudgetBook.Spend[] spend = new BudgetBook.Spend[1];
    int outcome = c.book.chargeAnswer(keyFp(clientFp, v.registrableHash()), nameFp(clientFp, v), clientFp,
        extra, now, s.budgets(), spend);
    if (outcome == BudgetBook.OVER_HOUR || outcome == BudgetBook.OVER_DAY) {
      String what = outcome == BudgetBook.OVER_HOUR ? "hour" : "day";
      if (spend[0].tripped()) {
        alert(client, domain, what, spend[0].spent(), spend[0].limit(), s);
      }
      return refuse(client, s, Layer.ANSWER, String.format(Locale.ROOT,
          "%s budget exceeded by answer data (%.0f bits)", what, extra), extra, domain, Decision.EDE_FILTERED, true);
    }
    return finish(client, s, Decision.allow(extra, domain), true, false);
  }

  private static boolean isAllowed(PolicySettings s, NameView v) {
    return (s.allow().size() > 0 && s.allow().matches(v.hashes, v.labels))
        || (s.builtinAllow() && BUILTIN_ALLOW.matches(v.hashes, v.labels));
  }

  /** Bits of data an answer carries: large unrecognised TXT, data-looking targets. */
  private double answerBits(List<Record> records, PolicySettings s, LongSet zones) {
    double bits = 0;
    long txtBytes = 0;
    for (Record r : records) {
      if (r instanceof TXTRecord) {
        for (byte[] str : ((TXTRecord) r).getStringsAsByteArrays()) {
          if (!recognisedTxt(str)) {
            txtBytes += str.length;
          }
        }
        continue;
      }
      Name target = r instanceof CNAMERecord ? ((CNAMERecord) r).getTarget()
          : r instanceof DNAMERecord ? ((DNAMERecord) r).getTarget()
          : r instanceof MXRecord ? ((MXRecord) r).getTarget()
          : r instanceof SRVRecord ? ((SRVRecord) r).getTarget()
          : r instanceof PTRRecord ? ((PTRRecord) r).getTarget() : null;
      if (target != null) {
        NameView t = NameView.parse(target, zones);
        int end = t.problem == null ? t.leftEnd() : t.text.length();
        double b = end == 0 ? 0 : model.bits(t.text, 0, end);
        if (b >= s.answers().dataTargetBits()) {
          bits += b;
        }
      }
    }
    if (txtBytes > s.answers().txtFreeBytes()) {
      bits += txtBytes * 8.0;
    }
    return bits;
  }

  private static final String[] TXT_PREFIXES = {
    "v=spf1", "v=dkim1", "v=dmarc1", "v=stsv1", "v=tlsrptv1", "v=bimi1", "k=rsa", "k=ed25519",
    "google-site-verification=", "ms=", "facebook-domain-verification=", "apple-domain-verification=",
    "atlassian-domain-verification=", "docusign=", "globalsign-domain-verification=",
    "_globalsign-domain-verification=", "adobe-idp-site-verification=", "stripe-verification=",
    "zoom-domain-verification=", "dropbox-domain-verification=", "yandex-verification:",
    "keybase-site-verification=", "amazonses:", "hubspot-developer-verification=",
    "onetrust-domain-verification=", "cisco-ci-domain-verification=", "teamviewer-sso-verification=",
    "webexdomainverification.", "miro-verification=", "slack-domain-verification=",
  };

  /** SPF, DKIM, DMARC, MTA-STS, TLS-RPT, BIMI and common site-verification records. */
  static boolean recognisedTxt(byte[] s) {
    outer:
    for (String p : TXT_PREFIXES) {
      if (s.length < p.length()) {
        continue;
      }
      for (int i = 0; i < p.length(); i++) {
        int b = s[i];
        if (b >= 'A' && b <= 'Z') {
          b += 32;
        }
        if (b != p.charAt(i)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether an A or AAAA record of {@code answer}'s answer section holds a private address. */
  private static boolean anyPrivate(Message answer) {
    for (Record r : answer.getSection(Section.ANSWER)) {
      InetAddress a = r instanceof ARecord ? ((ARecord) r).getAddress()
          : r instanceof AAAARecord ? ((AAAARecord) r).getAddress() : null;
      if (a != null && isPrivate(a.getAddress())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Loopback, RFC 1918, CGNAT (RFC 6598), link-local, unspecified and "this network" IPv4;
   * loopback, unspecified, ULA (fc00::/7), link-local (fe80::/10) IPv6 and IPv4-mapped private
   * addresses.
   */
  static boolean isPrivate(byte[] a) {
    return isPrivate(a, 0, a.length);
  }

  /** {@link #isPrivate(byte[])} for the {@code length} (4 or 16) address bytes at {@code at}. */
  static boolean isPrivate(byte[] a, int at, int length) {
    if (length == 16) {
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= a[at + i] == 0;
      }
      if (mapped && a[at + 10] == (byte) 0xff && a[at + 11] == (byte) 0xff) {
        return isPrivate(a, at + 12, 4);
      }
      boolean zeroPrefix = true;
      for (int i = 0; i < 15; i++) {
        zeroPrefix &= a[at + i] == 0;
      }
      if (zeroPrefix && (a[at + 15] == 0 || a[at + 15] == 1)) {
        return true;
      }
      int b0 = a[at] & 0xff;
      int b1 = a[at + 1] & 0xff;
      return (b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0x80);
    }
    int b0 = a[at] & 0xff;
    int b1 = a[at + 1] & 0xff;
    return b0 == 0 || b0 == 10 || b0 == 127
        || (b0 == 172 && (b1 & 0xf0) == 16)
        || (b0 == 192 && b1 == 168)
        || (b0 == 169 && b1 == 254)
        || (b0 == 100 && (b1 & 0xc0) == 64);
  }

  private long clientFp(String client) {
    long h = clientKey;
    for (int i = 0; i < client.length(); i++) {
      h = (h ^ client.charAt(i)) * 0x100000001b3L;
    }
    return NameHash.mix(h ^ clientKey);
  }

  private static long keyFp(long clientFp, long domainHash) {
    return NameHash.mix(clientFp + NameHash.mix(domainHash ^ 0x9e3779b97f4a7c15L));
  }

  /** Case matters: a name that differs only in case carries different bits. */
  private static long nameFp(long clientFp, NameView v) {
    long h = v.hashes[0];
    if (v.text != v.lower) {
      h = NameHash.of(v.text);
    }
    return NameHash.mix(clientFp ^ NameHash.mix(h));
  }

  /** Built by hand: String.format would cost microseconds on a path a tunnel takes every query. */
  private static String lexicalReason(PolicySettings.LexicalRule rule, int length, double bits) {
    StringBuilder sb = new StringBuilder(96).append("lexical: ").append(length).append(" chars, ")
        .append(Math.round(bits)).append(" bits, ");
    hundredths(sb, bits / length).append(" bits/char (rule: length>=").append(rule.length())
        .append(" bits>=").append(Math.round(rule.bits())).append(" bits/char>=");
    return hundredths(sb, rule.bitsPerChar()).append(')').toString();
  }

  private static StringBuilder hundredths(StringBuilder sb, double v) {
    long c = Math.round(v * 100);
    sb.append(c / 100).append('.');
    long f = c % 100;
    return sb.append(f < 10 ? "0" : "").append(f);
  }

  private Decision refuse(String client, PolicySettings s, Layer layer, String reason, double score,
      String domain, int ede) {
    return refuse(client, s, layer, reason, score, domain, ede, false);
  }

  private Decision refuse(String client, PolicySettings s, Layer layer, String reason, double score,
      String domain, int ede, boolean answer) {
    boolean monitor = s.mode() == Mode.MONITOR;
    Decision d = new Decision(monitor ? Decision.Verdict.WOULD_REFUSE : Decision.Verdict.REFUSE, layer,
        reason, score, domain, monitor ? Rcode.NOERROR : s.refuseWith().rcode(), monitor ? 0 : ede);
    return finish(client, s, d, answer, true);
  }

  private Decision finish(String client, PolicySettings s, Decision d, boolean answer, boolean log) {
    // DEBUG: the resolver logs each refusal at INFO with the query name (rate-limited); this line
    // adds the score and registrable domain for whoever tunes the policy.
    if (log && LOG.isDebugEnabled()) {
      LOG.debug("policy {}: client={} domain={} layer={} reason=\"{}\" score={}",
          d.verdict() == Decision.Verdict.WOULD_REFUSE ? "would refuse" : answer ? "refuse answer" : "refuse",
          client, d.registrableDomain() == null ? "-" : d.registrableDomain(), d.layer(), d.reason(),
          Math.round(d.score()));
    }
    listener.onDecision(client, d, answer);
    return d;
  }

  private static DomainList loadBuiltin() {
    try (InputStream in = PolicyEngine.class.getResourceAsStream("builtin-allow.txt")) {
      if (in == null) {
        throw new IllegalStateException("missing resource builtin-allow.txt");
      }
      return DomainList.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bundled allowlist (for reports and tests). */
  public static DomainList builtinAllow() {
    return BUILTIN_ALLOW;
  }

}

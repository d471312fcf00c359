package dev.palisade.dnssec;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.TrustAnchorStore;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * DNSSEC validation in the stub (RFC 4033–4035): resolves a question through the caller's upstream
 * and judges the answer from the trust anchors down, with dnsjava's {@link ValidatingResolver}.
 *
 * <p>The upstream is asked with DO and CD set (see {@link UpstreamAdapter}), so a validating
 * upstream hands over even data it considers bogus and we decide ourselves; a non-validating or
 * lying upstream cannot make us accept anything that does not verify. SECURE answers carry AD;
 * INSECURE (provably unsigned) answers come as they are without AD; BOGUS answers become SERVFAIL
 * with an Extended DNS Error (RFC 8914) and none of the data.
 *
 * <p>All of dnsjava's work runs on the {@code crypto} executor given here, which this class does
 * not own or shut down; when only one query is being validated, it runs on the thread that hands
 * it over instead (an event loop), which saves two thread wake-ups per query ({@link InlineWhenIdle}). One instance serves any number of concurrent queries and keeps the
 * validated DNSKEY sets of the zones it has seen (see README "Caches"), so a query in a known
 * zone costs one upstream query.
 */
public final class DnssecValidator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnssecValidator.class);
  /** dnsjava's messages.properties, key failed.nsec3_ignored: the iteration limit made the denial insecure. */
  private static final String NSEC3_IGNORED = "All NSEC3s were validated but ignored";
  /** RFC 8914 §3: EXTRA-TEXT is for humans; keep it short enough for any UDP answer. */
  private static final int MAX_EXTRA_TEXT = 200;

  private final TrustAnchors anchors;
  private final Executor crypto;
  private final ValidationLimits limits;
  private final Clock clock;
  private final SubqueryCache subqueries;
  private final UpstreamAdapter adapter;
  private final ValidatingResolver validating;
  /** The client questions being validated, by the token their upstream query carries (see {@link UpstreamAdapter#marker}). */
  private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();
  private volatile ScheduledFuture<?> sweeps;
  private volatile boolean closed;

  /**
   * @param anchors where validation starts
   * @param upstream any dnsjava resolver; only {@code sendAsync(Message, Executor)} is used, and
   *     it should time out on its own (the validator also gives up after {@link ValidationLimits#timeout()})
   * @param crypto a bounded executor for all validation work, passed to every {@code sendAsync};
   *     never the common pool. Tasks never block, so two threads are plenty; it must not reject.
   * @param clock the time signatures and trust anchor windows are checked against
   */
  public DnssecValidator(TrustAnchors anchors, Resolver upstream, Executor crypto, Clock clock) {
    this(anchors, upstream, crypto, clock, ValidationLimits.defaults());
  }

  public DnssecValidator(TrustAnchors anchors, Resolver upstream, Executor pool, Clock clock,
      ValidationLimits limits) {
    this.anchors = Objects.requireNonNull(anchors, "anchors");
    // The submitting thread runs the work itself when this is the only query being validated.
    this.crypto = new InlineWhenIdle(Objects.requireNonNull(pool, "crypto"), () -> inFlight.size() <= 1);
    this.limits = Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(upstream, "upstream");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.subqueries = new SubqueryCache(clock, limits.subqueryCacheEntries(), limits.keyCacheMaxTtl());
    this.adapter = new UpstreamAdapter(upstream, this.crypto, subqueries, inFlight::get);
    this.validating = new ValidatingResolver(adapter, clock);
    try {
      // The constructor above has read System properties; every setting we rely on is set here
      // again, so the JVM's properties cannot weaken it.
      validating.init(properties(limits));
    } catch (IOException e) {
      throw new IllegalStateException("cannot configure dnsjava's validator", e);
    }
    // The reason TXT record is where dnsjava says why an answer is insecure or bogus; we read it
    // and always remove it (class 65280 at "."), so it never reaches a client.
    validating.setAddReasonToAdditional(true);
    TrustAnchorStore store = validating.getTrustAnchors();
    store.clear(); // dnsjava.dnssec.trust_anchor_file in the System properties must not add anchors
    for (RRset set : rrsets(anchors.records())) {
      store.store(set);
    }
    long period = sweepPeriodNanos(limits.timeout());
    this.sweeps = Sweeper.TIMER.scheduleWithFixedDelay(this::sweep, period, period, NANOSECONDS);
    log.info("DNSSEC validation from {}", anchors.source());
  }

  /**
   * Resolves and validates {@code query}'s question. Only the question is used: the upstream
   * query is our own (RD, DO, CD). Never throws and always completes, within the timeout:
   * failures are INDETERMINATE (upstream) or BOGUS (validation) verdicts with reasons.
   */
  public CompletableFuture<Verdict> resolve(Message query) {
    Record question;
    try {
      question = question(query);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(formerr(query, e.getMessage()));
    }
    if (closed) {
      return CompletableFuture.completedFuture(
          failure(query, question, SecurityStatus.INDETERMINATE, OptionalInt.empty(), "the validator is closed"));
    }
    long token = tokens.incrementAndGet();
    InFlight flight = new InFlight(System.nanoTime() + limits.timeout().toNanos(), query, question);
    inFlight.put(token, flight);
    try {
      Message ours = Message.newQuery(Record.newRecord(question.getName(), question.getType(), question.getDClass()));
      ours.addRecord(UpstreamAdapter.marker(token), Section.ADDITIONAL);
      CompletionStage<Message> validated = validating.sendAsync(ours, crypto);
      validated.whenComplete((answer, failure) -> finish(token, flight, answer, failure));
    } catch (RuntimeException e) {
      finish(token, flight, null, e);
    }
    return flight.verdict;
  }

  private void finish(long token, InFlight flight, Message answer, Throwable failure) {
    inFlight.remove(token);
    flight.verdict.complete(judge(flight.query, flight.question, flight, answer, failure));
  }

  /** A query being validated, until its verdict or its deadline; the upstream's reply to it is recorded here. */
  private static final class InFlight extends UpstreamAdapter.Exchange {
    final long deadlineNanos;
    final Message query;
    final Record question;
    final CompletableFuture<Verdict> verdict = new CompletableFuture<>();

    InFlight(long deadlineNanos, Message query, Record question) {
      this.deadlineNanos = deadlineNanos;
      this.query = query;
      this.question = question;
    }
  }

  /**
   * Gives INDETERMINATE to the queries past their deadline. A sweep over the few queries in flight
   * instead of a timer per query ({@code CompletableFuture.orTimeout}): that timer's thread is
   * woken each time a query finds no other pending, which at a low query rate is every query, and
   * cost more CPU than the rest of a cached-key validation. The timeout is a safety net behind
   * the upstream's own (a chain of slow subqueries, a validator bug); firing up to a sweep period
   * late is fine.
   */
  private void sweep() {
    if (closed && inFlight.isEmpty() && sweeps != null) {
      sweeps.cancel(false); // what was in flight at close has had its verdict
      return;
    }
    long now = System.nanoTime();
    for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
      InFlight flight = e.getValue();
      if (now - flight.deadlineNanos >= 0 && inFlight.remove(e.getKey(), flight)) {
        flight.verdict.complete(failure(flight.query, flight.question, SecurityStatus.INDETERMINATE,
            OptionalInt.of(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY),
            "no answer within " + limits.timeout().toMillis() + " ms"));
      }
    }
  }

  /** A quarter of the timeout, between 10 ms and 1 s: a deadline is missed by at most that much. */
  static long sweepPeriodNanos(Duration timeout) {
    return Math.max(MILLISECONDS.toNanos(10), Math.min(SECONDS.toNanos(1), timeout.toNanos() / 4));
  }

  /** One daemon thread for the sweeps of every validator in the JVM; it wakes once per period. */
  private static final class Sweeper {
    static final ScheduledThreadPoolExecutor TIMER = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "palisade-dnssec-deadlines");
        t.setDaemon(true);
        return t;
      });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }

  /**
   * Validates the root zone's DNSKEY set against the trust anchors, and logs an error if it does
   * not validate: with anchors that do not match the root (e.g. the IANA anchor against a private
   * root, or a stale file) every signed answer would be SERVFAIL. Call it once at start-up.
   */
  public CompletableFuture<Verdict> checkRoot() {
    return resolve(Message.newQuery(Record.newRecord(Name.root, Type.DNSKEY, DClass.IN))).thenApply(v -> {
      switch (v.status()) {
        case SECURE -> log.info("the root DNSKEY set validates against {}", anchors.source());
        case BOGUS -> log.error("THE TRUST ANCHORS DO NOT VALIDATE THE ROOT: {} does not validate the root zone's"
            + " DNSKEY set ({}); every signed answer will be SERVFAIL. Check dnssec_trust_anchors.",
            anchors.source(), v.reason());
        default -> log.warn("could not check the root DNSKEY set against {}: {}", anchors.source(), v.reason());
      }
      return v;
    });
  }

  /** Stops taking queries (they get INDETERMINATE) and drops the caches. The upstream and executor are the caller's. */
  @Override
  public void close() {
    closed = true;
    subqueries.clear();
  }

  /** Queries sent to the upstream so far: how tests see what the caches save. */
  long upstreamQueries() {
    return adapter.sentCount();
  }

  private Verdict judge(Message query, Record question, UpstreamAdapter.Exchange exchange, Message answer,
      Throwable failure) {
    try {
      Throwable upstreamFailure = exchange.failure();
      Message reply = exchange.reply();
      if (upstreamFailure != null) {
        return failure(query, question, SecurityStatus.INDETERMINATE, OptionalInt.of(ExtendedErrorCodeOption.NETWORK_ERROR),
            "upstream failed: " + describe(upstreamFailure));
      }
      if (reply != null && reply.getRcode() != Rcode.NOERROR && reply.getRcode() != Rcode.NXDOMAIN) {
        // Nothing to validate: dnsjava would call it bogus, but it is the upstream's failure.
        return failure(query, question, SecurityStatus.INDETERMINATE, ede(reply),
            "upstream answered " + Rcode.string(reply.getRcode()));
      }
      if (failure != null || answer == null) {
        Throwable cause = unwrap(failure);
        int code = isNetwork(cause) ? ExtendedErrorCodeOption.NETWORK_ERROR : ExtendedErrorCodeOption.OTHER;
        return failure(query, question, SecurityStatus.INDETERMINATE, OptionalInt.of(code),
            "validation could not finish: " + describe(cause));
      }
      String reason = reason(answer);
      if (answer.getHeader().getFlag(Flags.AD)) {
        return new Verdict(answer(query, question, answer, true, OptionalInt.empty(), clock.instant()), SecurityStatus.SECURE,
            OptionalInt.empty(), reason != null ? reason : "validated from the trust anchor");
      }
      if (answer.getRcode() != Rcode.NOERROR && answer.getRcode() != Rcode.NXDOMAIN) {
        int code = ede(answer).orElse(ExtendedErrorCodeOption.DNSSEC_BOGUS);
        if (code == ExtendedErrorCodeOption.DNSSEC_BOGUS && reply != null) {
          code = SignatureTimes.outOfDate(reply, subqueries, clock.instant()).orElse(code);
        }
        Verdict bogus = failure(query, question, SecurityStatus.BOGUS, OptionalInt.of(code),
            reason != null ? reason : "bogus");
        log.debug("bogus: {} {}: {}", question.getName(), Type.string(question.getType()), bogus.reason());
        return bogus;
      }
      // RFC 9276 §3.2: an insecure answer because of the NSEC3 iteration limit says so with EDE 27
      OptionalInt code = reason != null && reason.startsWith(NSEC3_IGNORED)
          ? OptionalInt.of(ExtendedErrorCodeOption.UNSUPPORTED_NSEC3_ITERATIONS_VALUE) : OptionalInt.empty();
      return new Verdict(answer(query, question, answer, false, code, clock.instant()), SecurityStatus.INSECURE, code,
          reason != null ? reason : "provably unsigned");
    } catch (RuntimeException e) {
      log.warn("validating {} {} failed unexpectedly", question.getName(), Type.string(question.getType()), e);
      return failure(query, question, SecurityStatus.INDETERMINATE, OptionalInt.of(ExtendedErrorCodeOption.OTHER),
          "internal error: " + e);
    }
  }

  /** The validated answer for the client: their ID and question, our flags and OPT, no reason TXT. */
  private static Message answer(Message query, Record question, Message answer, boolean secure, OptionalInt ede,
      Instant now) {
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    copyRd(query, h);
    if (answer.getHeader().getFlag(Flags.RA)) {
      h.setFlag(Flags.RA);
    }
    if (secure) {
      h.setFlag(Flags.AD);
    }
    h.setRcode(answer.getRcode());
    m.addRecord(question, Section.QUESTION);
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      List<Record> records = new ArrayList<>();
      for (Record r : answer.getSection(section)) {
        if (r.getType() != Type.OPT && r.getDClass() != ValidatingResolver.VALIDATION_REASON_QCLASS) {
          records.add(r);
        }
      }
      // RFC 4035 §5.3.3: validated data lives no longer than its signatures allow
      for (Record r : secure ? SignatureTimes.cappedTtls(records, now) : records) {
        m.addRecord(r, section);
      }
    }
    // DO: the RRSIGs and proofs are still in; DnssecRecords.strip clears it with them
    m.addRecord(opt(ExtendedFlags.DO, ede, null), Section.ADDITIONAL);
    return m;
  }

  /** SERVFAIL to the question, no data, the EDE (with the reason as EXTRA-TEXT) in the OPT. */
  private static Verdict failure(Message query, Record question, SecurityStatus status, OptionalInt ede, String reason) {
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.RA);
    copyRd(query, h);
    h.setRcode(Rcode.SERVFAIL);
    m.addRecord(question, Section.QUESTION);
    m.addRecord(opt(0, ede, reason), Section.ADDITIONAL);
    return new Verdict(m, status, ede, reason);
  }

  private static Verdict formerr(Message query, String reason) {
    Message m = new Message(query == null ? 0 : query.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(Rcode.FORMERR);
    return new Verdict(m, SecurityStatus.INDETERMINATE, OptionalInt.empty(), reason);
  }

  private static OPTRecord opt(int flags, OptionalInt ede, String text) {
    List<EDNSOption> options = new ArrayList<>();
    if (ede.isPresent()) {
      String extra = text == null ? "" : text.length() > MAX_EXTRA_TEXT ? text.substring(0, MAX_EXTRA_TEXT) : text;
      options.add(new ExtendedErrorCodeOption(ede.getAsInt(), extra));
    }
    return new OPTRecord(UpstreamAdapter.PAYLOAD_SIZE, 0, 0, flags, options);
  }

  private static void copyRd(Message query, Header h) {
    if (query.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
  }

  private static Record question(Message query) {
    if (query == null) {
      throw new IllegalArgumentException("no query");
    }
    if (query.getHeader().getOpcode() != Opcode.QUERY) {
      throw new IllegalArgumentException("not a QUERY: opcode " + Opcode.string(query.getHeader().getOpcode()));
    }
    List<Record> questions = query.getSection(Section.QUESTION);
    if (questions.size() != 1) {
      throw new IllegalArgumentException("a query has exactly one question, this one " + questions.size());
    }
    return questions.get(0);
  }

  /** The reason dnsjava gave, from its TXT record (or the EDE text), or null. */
  private static String reason(Message answer) {
    for (Record r : answer.getSection(Section.ADDITIONAL)) {
      if (r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS && r instanceof TXTRecord txt) {
        return String.join("", txt.getStrings());
      }
    }
    OPTRecord opt = answer.getOPT();
    if (opt != null) {
      for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
        String text = ((ExtendedErrorCodeOption) option).getText();
        if (text != null && !text.isEmpty()) {
          return text;
        }
      }
    }
    return null;
  }

  private static OptionalInt ede(Message message) {
    OPTRecord opt = message.getOPT();
    if (opt != null) {
      for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
        return OptionalInt.of(((ExtendedErrorCodeOption) option).getErrorCode());
      }
    }
    return OptionalInt.empty();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean isNetwork(Throwable t) {
    return t instanceof IOException || t instanceof TimeoutException || t instanceof ClosedChannelException;
  }

  private static String describe(Throwable t) {
    Throwable cause = unwrap(t);
    return cause == null ? "no answer" : cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  /** dnsjava's store takes one RRset per owner name and type. */
  private static List<RRset> rrsets(List<Record> records) {
    Map<String, RRset> sets = new LinkedHashMap<>();
    for (Record r : records) {
      sets.computeIfAbsent(r.getName().canonicalize() + "/" + r.getType(), k -> new RRset()).addRR(r);
    }
    return List.copyOf(sets.values());
  }

  /** Every dnsjava setting we depend on, stated rather than defaulted. */
  private static Properties properties(ValidationLimits limits) {
    Properties p = new Properties();
    p.setProperty("dnsjava.dnssec.keycache.max_ttl", Long.toString(limits.keyCacheMaxTtl().toSeconds()));
    p.setProperty("dnsjava.dnssec.keycache.max_size", Integer.toString(limits.keyCacheEntries()));
    // RFC 9276 §3.2: one limit whatever the key size (dnsjava's default scales with RSA key sizes,
    // RFC 5155 §10.3, which RFC 9276 replaces)
    for (int keySize : new int[] {0, 1024, 2048, 4096}) {
      p.setProperty("dnsjava.dnssec.nsec3.iterations." + keySize, Integer.toString(limits.nsec3MaxIterations()));
    }
    // KeyTrap (CVE-2023-50387): bound the signature and DS checks one answer can cause
    p.setProperty("dnsjava.dnssec.max_validate_rrsigs", Integer.toString(limits.maxValidateRrsigs()));
    p.setProperty("dnsjava.dnssec.max_ds_match_failures", Integer.toString(limits.maxDsMatchFailures()));
    // RFC 4509 §3: prefer SHA-256 DS digests over SHA-1 when both are present
    p.setProperty("dnsjava.dnssec.harden_algo_downgrade", "true");
    return p;
  }
}

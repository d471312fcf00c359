package dev.palisade.resolver.metrics;

import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.stage.QueryObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Per answered query: {@code palisade_queries_total{protocol,type,rcode}},
 * {@code palisade_answers_total{source}}, {@code palisade_query_duration_seconds{source}} and, for
 * answers the validator judged, {@code palisade_dnssec_verdicts_total{verdict}}.
 *
 * <p>Every label is bounded: types outside {@link #TYPES} count as {@code other}, rcodes above 23
 * as {@code other}. The hot path allocates nothing once a combination has been seen: counters are
 * looked up by array index and created on first use (racing creators get the registry's one
 * instance).
 */
final class QueryMetrics implements QueryObserver {

  /** Query types with their own label value; the rest are {@code other}. */
  static final int[] TYPES = {
    Type.A, Type.AAAA, Type.CNAME, Type.MX, Type.TXT, Type.NS, Type.PTR, Type.SRV, Type.SOA,
    Type.HTTPS, Type.SVCB, Type.DS, Type.DNSKEY, Type.CAA, Type.NAPTR, Type.ANY
  };

  private static final int RCODES = 24;
  private static final int OTHER_RCODE = RCODES;

  /** Buckets from 50 µs (a cache hit) to 5 s (a slow upstream with failover). */
  static final Duration[] BUCKETS = {
    Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5)
  };

  private final MeterRegistry registry;
  /** [protocol][type index][rcode index], filled on first use. */
  private final AtomicReferenceArray<Counter> queries;
  private final Counter[] answers = new Counter[Source.values().length];
  private final Timer[] durations = new Timer[Source.values().length];
  private final Counter failures;
  private final Timer failureDuration;
  private final Counter[] verdicts = new Counter[SecurityStatus.values().length];

  QueryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.queries = new AtomicReferenceArray<>(Protocol.values().length * (TYPES.length + 1) * (RCODES + 1));
    for (Source s : Source.values()) {
      String source = s.name().toLowerCase(Locale.ROOT);
      answers[s.ordinal()] = Counter.builder("palisade.answers").description("Answers by where they came from")
          .tag("source", source).register(registry);
      durations[s.ordinal()] = timer(registry, source);
    }
    failures = Counter.builder("palisade.answers").description("Answers by where they came from")
        .tag("source", "failure").register(registry);
    failureDuration = timer(registry, "failure");
    for (SecurityStatus v : SecurityStatus.values()) {
      verdicts[v.ordinal()] = Counter.builder("palisade.dnssec.verdicts")
          .description("DNSSEC verdicts on validated answers").tag("verdict", v.name().toLowerCase(Locale.ROOT)).register(registry);
    }
  }

  private static Timer timer(MeterRegistry registry, String source) {
    return Timer.builder("palisade.query.duration").description("Time from receiving a query to its answer")
        .tag("source", source)
        .serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(BUCKETS[0])
        .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
        .register(registry);
  }

  @Override
  public void answered(Query query, Answer answer, long nanos) {
    int type = typeIndex(query.type());
    int rcode = answer == null ? Rcode.SERVFAIL : answer.rcode();
    int r = rcode >= 0 && rcode < RCODES ? rcode : OTHER_RCODE;
    int p = query.client().protocol().ordinal();
    int i = (p * (TYPES.length + 1) + type) * (RCODES + 1) + r;
    Counter c = queries.get(i);
    if (c == null) {
      c = Counter.builder("palisade.queries").description("Client queries answered, by protocol, query type and response code")
          .tag("protocol", query.client().protocol().name().toLowerCase(Locale.ROOT))
          .tag("type", type == TYPES.length ? "other" : Type.string(TYPES[type]))
          .tag("rcode", r == OTHER_RCODE ? "other" : Rcode.string(r))
          .register(registry);
      queries.set(i, c);
    }
    c.increment();
    if (answer == null) {
      failures.increment();
      failureDuration.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    int s = answer.source().ordinal();
    answers[s].increment();
    durations[s].record(nanos, TimeUnit.NANOSECONDS);
    if (answer.source() == Source.UPSTREAM && answer.security().isPresent()) {
      verdicts[answer.security().get().ordinal()].increment();
    }
  }

  static int typeIndex(int type) {
    for (int i = 0; i < TYPES.length; i++) {
      if (TYPES[i] == type) {
        return i;
      }
    }
    return TYPES.length;
  }
}

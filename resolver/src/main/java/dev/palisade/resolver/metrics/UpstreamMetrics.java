package dev.palisade.resolver.metrics;

import dev.palisade.upstream.UpstreamException;
import dev.palisade.upstream.UpstreamId;
import dev.palisade.upstream.UpstreamListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstream pool and transports, per configured upstream (the {@code upstream} label is the
 * upstream's id, bounded by the config): {@code palisade_upstream_rtt_seconds},
 * {@code palisade_upstream_failures_total{reason}}, {@code palisade_upstream_state} (0 up, 1 backing
 * off), {@code palisade_upstream_connections}, {@code palisade_upstream_connection_failures_total}
 * and {@code palisade_upstream_backoffs_total}.
 */
final class UpstreamMetrics implements UpstreamListener {

  private static final Duration[] RTT_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2)
  };

  private final MeterRegistry registry;
  private final ConcurrentMap<UpstreamId, PerUpstream> upstreams = new ConcurrentHashMap<>();

  UpstreamMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of one upstream; all made when the upstream is first seen. */
  private final class PerUpstream {
    final String label;
    final List<Meter> meters = new ArrayList<>();
    final Timer rtt;
    final Counter connectionFailures;
    final Counter backoffs;
    final AtomicInteger state = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final Counter[] failures = new Counter[UpstreamException.Reason.values().length];

    PerUpstream(UpstreamId id) {
      this.label = id.label();
      rtt = add(Timer.builder("palisade.upstream.rtt").description("Round-trip time of answered upstream exchanges")
          .tag("upstream", label).serviceLevelObjectives(RTT_BUCKETS)
          .minimumExpectedValue(RTT_BUCKETS[0]).maximumExpectedValue(RTT_BUCKETS[RTT_BUCKETS.length - 1]).register(registry));
      connectionFailures = add(Counter.builder("palisade.upstream.connection.failures")
          .description("Connections that could not be set up (refused, timed out, TLS)").tag("upstream", label).register(registry));
      backoffs = add(Counter.builder("palisade.upstream.backoffs").description("Times the pool put this upstream into backoff")
          .tag("upstream", label).register(registry));
      add(Gauge.builder("palisade.upstream.state", state, AtomicInteger::get)
          .description("0: in use; 1: backing off after failures").tag("upstream", label).register(registry));
      for (UpstreamException.Reason r : UpstreamException.Reason.values()) {
        // Made at zero up front: rate() sees the first failure (Prometheus' advice for known labels).
        failures[r.ordinal()] = add(Counter.builder("palisade.upstream.failures").description("Failed upstream exchanges, by reason")
            .tag("upstream", label).tag("reason", r.name().toLowerCase(Locale.ROOT)).register(registry));
      }
      add(Gauge.builder("palisade.upstream.connections", connections, AtomicInteger::get)
          .description("Open connections to this upstream").tag("upstream", label).register(registry));
    }

    private <M extends Meter> M add(M m) {
      meters.add(m);
      return m;
    }

    Counter failures(UpstreamException.Reason reason) {
      return failures[reason.ordinal()];
    }
  }

  private PerUpstream of(UpstreamId id) {
    PerUpstream p = upstreams.get(id);
    return p != null ? p : upstreams.computeIfAbsent(id, PerUpstream::new);
  }

  /**
   * Makes the meters of these upstreams (so they show before the first query). Events from
   * upstreams not registered here (a retired pool closing its connections after a reload) are
   * ignored, so that meters once dropped do not come back.
   */
  void register(Collection<UpstreamId> ids) {
    ids.forEach(this::of);
  }

  /** Drops the meters of upstreams no longer configured (after a reload). */
  void retain(Set<UpstreamId> ids) {
    for (UpstreamId id : List.copyOf(upstreams.keySet())) {
      if (!ids.contains(id)) {
        PerUpstream p = upstreams.remove(id);
        if (p != null) {
          synchronized (p) {
            p.meters.forEach(registry::remove);
          }
        }
      }
    }
  }

  @Override
  public void connectionOpened(UpstreamId upstream, String protocol, boolean resumed) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.connections.incrementAndGet();
    }
  }

  @Override
  public void connectionClosed(UpstreamId upstream) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.connections.decrementAndGet();
    }
  }

  @Override
  public void connectionFailed(UpstreamId upstream, UpstreamException cause) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.connectionFailures.increment();
    }
  }

  @Override
  public void backoffStarted(UpstreamId upstream, Duration wait, int failures, Throwable cause) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.state.set(1);
      p.backoffs.increment();
    }
  }

  @Override
  public void backoffEnded(UpstreamId upstream) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.state.set(0);
    }
  }

  @Override
  public void exchangeSucceeded(UpstreamId upstream, long rttNanos) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.rtt.record(rttNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void exchangeFailed(UpstreamId upstream, UpstreamException.Reason reason) {
    PerUpstream p = upstreams.get(upstream);
    if (p != null) {
      p.failures(reason).increment();
    }
  }
}

package dev.palisade.resolver.metrics;

import dev.palisade.resolver.ipset.IpSetListener;
import dev.palisade.resolver.ipset.IpSets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The resolved-IP sets: {@code palisade_ipset_entries{set}} (addresses held, bounded by
 * {@code max_entries}), {@code palisade_ipset_added_total{set}}, {@code palisade_ipset_evictions_total{set}}
 * (the bound bit), {@code palisade_ipset_kernel_updates_total{backend,result}} (batches written to
 * ipset or nft, applied or failed) and {@code palisade_ipset_kernel_update_seconds{backend}} (how
 * long a batch took: what an answer carrying a new address waits in apply mode). Set names come
 * from the config, so the label sets are small.
 */
public final class IpSetMetrics implements IpSetListener {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> added = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> evicted = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> batches = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

  IpSetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The sets' sizes, read at each scrape; counters shown from the start at 0. */
  public void bind(IpSets sets) {
    for (String name : sets.sizes().keySet()) {
      Gauge.builder("palisade.ipset.entries", sets, s -> s.sizes().getOrDefault(name, 0))
          .description("Addresses held in the resolved-IP set").tag("set", name).register(registry);
      added(name);
      evicted(name);
    }
  }

  private Counter added(String set) {
    return added.computeIfAbsent(set, s -> Counter.builder("palisade.ipset.added")
        .description("Addresses that entered the resolved-IP set").tag("set", s).register(registry));
  }

  private Counter evicted(String set) {
    return evicted.computeIfAbsent(set, s -> Counter.builder("palisade.ipset.evictions")
        .description("Addresses dropped early because the set reached ipset.max_entries").tag("set", s).register(registry));
  }

  private Counter batch(String backend, String result) {
    return batches.computeIfAbsent(backend + "/" + result, k -> Counter.builder("palisade.ipset.kernel.updates")
        .description("Batches of changes written to the kernel sets").tags("backend", backend, "result", result).register(registry));
  }

  @Override
  public void onAdded(String set) {
    added(set).increment();
  }

  @Override
  public void onEvicted(String set) {
    evicted(set).increment();
  }

  @Override
  public void onApplied(String backend, int ops, long nanos) {
    batch(backend, "applied").increment();
    timers.computeIfAbsent(backend, b -> Timer.builder("palisade.ipset.kernel.update")
            .description("Time to write one batch to the kernel sets (what a new address waits in apply mode)")
            .tag("backend", b).publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5)).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onApplyFailed(String backend, int ops) {
    batch(backend, "failed").increment();
  }
}

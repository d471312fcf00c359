package dev.palisade.resolver.metrics;

import dev.palisade.policy.PolicyListener;
import dev.palisade.resolver.cache.CacheCounters;
import dev.palisade.resolver.cache.DnsCache;
import dev.palisade.resolver.server.ServerListener;
import dev.palisade.resolver.stage.QueryObserver;
import dev.palisade.resolver.stage.RefusalListener;
import dev.palisade.upstream.UpstreamId;
import dev.palisade.upstream.UpstreamListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Palisade's meters in one Prometheus registry, and the listeners that feed them. Library modules
 * report through their listener interfaces; this is the only place that knows Micrometer. Names
 * follow Prometheus conventions: {@code palisade_} prefix, base units (seconds, bytes),
 * {@code _total} on counters, and only low-cardinality labels (never a query name or a client).
 *
 * <p>Other parts attach their own meters through {@link #registry()} (e.g. the IP set's size).
 */
public final class Metrics implements AutoCloseable {

  /** Prometheus text exposition 0.0.4. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** OpenMetrics 1.0 text, for scrapers that ask for it. */
  public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final QueryMetrics queries;
  private final UpstreamMetrics upstreams;
  private final RefusalMetrics refusals;
  private final ServerMetrics server;
  private final IpSetMetrics ipsets;

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    queries = new QueryMetrics(registry);
    upstreams = new UpstreamMetrics(registry);
    refusals = new RefusalMetrics(registry);
    server = new ServerMetrics(registry);
    ipsets = new IpSetMetrics(registry);
  }

  /** The registry, for meters that other parts add (IP set, rate limiter). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Adds the meters of another part (the IP set, the rate limiter): a {@code MeterBinder} that
   * registers its gauges and counters, following the naming rules above.
   */
  public void bind(io.micrometer.core.instrument.binder.MeterBinder binder) {
    binder.bindTo(registry);
  }

  public QueryObserver queries() {
    return queries;
  }

  public UpstreamListener upstreams() {
    return upstreams;
  }

  public RefusalListener refusals() {
    return refusals;
  }

  public PolicyListener policy() {
    return refusals;
  }

  /** The listeners' rate limiting, cookies and unexpected errors. */
  public ServerListener server() {
    return server;
  }

  /** The resolved-IP sets' listener; {@link IpSetMetrics#bind} adds their sizes once they exist. */
  public IpSetMetrics ipsets() {
    return ipsets;
  }

  /** Shows these upstreams' meters from the start (state 0, no connections). */
  public void upstreamsConfigured(Collection<UpstreamId> ids) {
    upstreams.register(ids);
  }

  /** Drops the meters of upstreams a reload removed, once their pool is closed. */
  public void upstreamsRetained(Set<UpstreamId> ids) {
    upstreams.retain(ids);
  }

  /**
   * The cache's counters and size. {@code cache} is asked at each scrape, so a reload that turns the
   * cache on, off or makes a new one is followed.
   */
  public void bindCache(CacheCounters counters, Supplier<Optional<DnsCache>> cache) {
    FunctionCounter.builder("palisade.cache.hits", counters, CacheCounters::hits)
        .description("Fresh answers served from the cache").register(registry);
    FunctionCounter.builder("palisade.cache.misses", counters, CacheCounters::misses)
        .description("Queries the cache could not answer (sent on)").register(registry);
    FunctionCounter.builder("palisade.cache.coalesced", counters, CacheCounters::coalesced)
        .description("Queries that joined an exchange already under way for the same key").register(registry);
    FunctionCounter.builder("palisade.cache.stale.served", counters, CacheCounters::staleServed)
        .description("Expired answers served because every upstream failed (RFC 8767)").register(registry);
    FunctionCounter.builder("palisade.cache.prefetches", counters, CacheCounters::prefetches)
        .description("Popular entries refreshed before they expired").register(registry);
    FunctionCounter.builder("palisade.cache.evictions", counters, CacheCounters::evictions)
        .description("Entries removed to stay within cache.size").register(registry);
    // Strong references: Micrometer holds a gauge's object weakly, and nothing else holds this
    // supplier, so the first GC would turn both gauges into NaN.
    Gauge.builder("palisade.cache.size", cache, c -> c.get().map(DnsCache::bytes).orElse(0L))
        .description("Bytes held by the cache (bounded by cache.size)").baseUnit("bytes").strongReference(true).register(registry);
    Gauge.builder("palisade.cache.entries", cache, c -> c.get().map(DnsCache::entries).orElse(0L))
        .description("Entries held by the cache").strongReference(true).register(registry);
  }

  /**
   * The exposition for a scraper's {@code Accept} header: OpenMetrics if it asks for it, else the
   * Prometheus text format.
   */
  public Scrape scrape(String accept) {
    if (accept != null && accept.contains("application/openmetrics-text")) {
      return new Scrape(OPENMETRICS_TEXT, registry.scrape(OPENMETRICS_TEXT));
    }
    return new Scrape(PROMETHEUS_TEXT, registry.scrape(PROMETHEUS_TEXT));
  }

  /** One scrape: its content type and body. */
  public record Scrape(String contentType, String body) {}

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

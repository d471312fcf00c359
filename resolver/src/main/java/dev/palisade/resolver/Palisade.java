package dev.palisade.resolver;

import dev.palisade.config.ListenAddress;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.TlsAuthentication;
import dev.palisade.config.UpstreamServer;
import dev.palisade.resolver.cache.CacheCounters;
import dev.palisade.resolver.cache.CacheStage;
import dev.palisade.resolver.cache.DnsCache;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.resolver.server.DnsServer;
import dev.palisade.resolver.server.EventLoops;
import dev.palisade.resolver.stage.AccessStage;
import dev.palisade.resolver.stage.RequestCheckStage;
import dev.palisade.resolver.stage.ShapeStage;
import dev.palisade.resolver.stage.UpstreamStage;
import dev.palisade.upstream.DotSettings;
import dev.palisade.upstream.DotUpstream;
import dev.palisade.upstream.UpstreamPool;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that wires Palisade together: event loops, upstreams, the pipeline and the listeners.
 * Time and randomness come in from here ({@link LongSupplier} ticker, {@link SecureRandom}).
 */
public final class Palisade implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Palisade.class);

  /** Per-upstream cap on queries waiting or in flight; beyond it queries fail over at once. */
  private static final int MAX_OUTSTANDING_PER_UPSTREAM = 4096;

  /** TCP connect plus TLS handshake; longer than this and the next upstream is a better bet. */
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  private final EventLoops loops;
  private final UpstreamPool pool;
  private final DnsServer server;
  private final Optional<DnsCache> cache;
  private final CacheCounters cacheCounters;

  private Palisade(EventLoops loops, UpstreamPool pool, DnsServer server, Optional<DnsCache> cache, CacheCounters cacheCounters) {
    this.loops = loops;
    this.pool = pool;
    this.server = server;
    this.cache = cache;
    this.cacheCounters = cacheCounters;
  }

  /** Starts with the system ticker and a fresh {@link SecureRandom}. */
  public static Palisade start(PalisadeConfig config) throws DnsServer.BindFailure {
    return start(config, System::nanoTime, new SecureRandom());
  }

  public static Palisade start(PalisadeConfig config, LongSupplier nanoTime, SecureRandom random)
      throws DnsServer.BindFailure {
    if (config.tlsAuthentication() == TlsAuthentication.NONE) {
      log.warn("tls_authentication is GETDNS_AUTHENTICATION_NONE: upstream traffic is encrypted, but anyone on the path can pose as the upstream");
    }
    EventLoops loops = new EventLoops(Runtime.getRuntime().availableProcessors());
    UpstreamPool pool = null;
    DnsServer server = null;
    try {
      pool = pool(config, loops, nanoTime, random);
      CacheCounters counters = new CacheCounters();
      Optional<DnsCache> cache =
          config.cache().enabled() ? Optional.of(new DnsCache(config.cache(), nanoTime, counters)) : Optional.empty();
      server =
          new DnsServer(
              loops, pipeline(config, pool, cache, nanoTime, counters), nanoTime, config.timeout(), config.tcpIdleTimeout(), config.tcpMaxConnections());
      for (ListenAddress a : config.listenAddresses()) {
        server.listen(a);
      }
      return new Palisade(loops, pool, server, cache, counters);
    } catch (DnsServer.BindFailure | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      if (pool != null) {
        pool.close();
      }
      loops.close();
      throw e;
    }
  }

  /**
   * The stages, outermost first. The order is the design: change it here only, and say why.
   */
  static Pipeline pipeline(
      PalisadeConfig config, UpstreamPool pool, Optional<DnsCache> cache, LongSupplier nanoTime, CacheCounters counters) {
    List<Stage> stages = new ArrayList<>();
    // 1. Shape outermost, so that every answer, including refusals and failures made by the
    //    stages below, reaches the client with its ID, its question and the right EDNS.
    stages.add(new ShapeStage());
    // 2. Access before anything else is spent on a client we do not serve.
    stages.add(new AccessStage(config.access()));
    // 3. Only well-formed standard queries go further (and into the cache).
    stages.add(new RequestCheckStage());
    // 4. The cache, after every check that can refuse a query (a refused query must not be
    //    answered from it) and before anything that costs an upstream exchange.
    cache.ifPresent(c -> stages.add(new CacheStage(c, config.cache(), nanoTime, counters)));
    // 5. Last: re-originate and forward over TLS, failing over between upstreams.
    stages.add(new UpstreamStage(pool));
    return new Pipeline(stages);
  }

  private static UpstreamPool pool(PalisadeConfig config, EventLoops loops, LongSupplier nanoTime, SecureRandom random) {
    Duration connectTimeout = config.timeout().compareTo(MAX_CONNECT_TIMEOUT) < 0 ? config.timeout() : MAX_CONNECT_TIMEOUT;
    List<DotUpstream> upstreams =
        config.upstreams().stream()
            .map(u -> new DotUpstream(settings(config, u, connectTimeout), loops.group(), loops.socketChannel(), random, nanoTime))
            .toList();
    upstreams.forEach(u -> log.info("upstream {} over TLS", u.id()));
    return new UpstreamPool(
        upstreams,
        config.roundRobin() ? UpstreamPool.Selection.ROUND_ROBIN : UpstreamPool.Selection.ORDERED,
        nanoTime,
        random);
  }

  private static DotSettings settings(PalisadeConfig config, UpstreamServer u, Duration connectTimeout) {
    return new DotSettings(
        new InetSocketAddress(u.address(), u.tlsPort()),
        u.tlsAuthName(),
        config.tlsAuthentication() == TlsAuthentication.REQUIRED,
        config.tlsCaFile(),
        config.idleTimeout(),
        connectTimeout,
        MAX_OUTSTANDING_PER_UPSTREAM);
  }

  /** Where UDP listeners are bound (ports resolved, for a configured port 0). */
  public List<InetSocketAddress> udpAddresses() {
    return server.udpAddresses();
  }

  public List<InetSocketAddress> tcpAddresses() {
    return server.tcpAddresses();
  }

  /** The cache's counters (all zero when the cache is off). */
  public CacheCounters cacheCounters() {
    return cacheCounters;
  }

  public Optional<DnsCache> cache() {
    return cache;
  }

  public int openTcpConnections() {
    return server.openTcpConnections();
  }

  /** Stops listening, then closes upstream connections and the event loops. */
  @Override
  public void close() {
    server.close();
    pool.close();
    loops.close();
  }
}

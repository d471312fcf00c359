package dev.palisade.resolver;

import dev.palisade.config.DnssecConfig;
import dev.palisade.config.ListenAddress;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.TlsAuthentication;
import dev.palisade.config.UpstreamServer;
import dev.palisade.dnssec.CryptoProviders;
import dev.palisade.dnssec.DnssecValidator;
import dev.palisade.dnssec.TrustAnchorException;
import dev.palisade.dnssec.TrustAnchors;
import dev.palisade.resolver.cache.CacheCounters;
import dev.palisade.resolver.cache.CacheStage;
import dev.palisade.config.CacheConfig;
import dev.palisade.resolver.http.HttpEndpoint;
import dev.palisade.resolver.log.LogLimiter;
import dev.palisade.resolver.log.QueryLog;
import dev.palisade.resolver.log.RefusalLog;
import dev.palisade.resolver.metrics.Metrics;
import dev.palisade.resolver.stage.ObserveStage;
import dev.palisade.resolver.stage.QueryObserver;
import dev.palisade.resolver.stage.RefusalListener;
import dev.palisade.resolver.cache.DnsCache;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.resolver.ipset.IpSetListener;
import dev.palisade.resolver.ipset.IpSets;
import dev.palisade.resolver.ipset.KernelException;
import dev.palisade.resolver.server.Cookies;
import dev.palisade.resolver.server.DnsServer;
import dev.palisade.resolver.server.RateLimiter;
import dev.palisade.resolver.server.ServerCounters;
import dev.palisade.resolver.server.ServerListener;
import dev.palisade.resolver.server.EventLoops;
import dev.palisade.resolver.stage.AccessStage;
import dev.palisade.resolver.stage.RequestCheckStage;
import dev.palisade.resolver.stage.ShapeStage;
import dev.palisade.resolver.stage.UpstreamStage;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.resolver.stage.PolicyStage;
import dev.palisade.resolver.stage.PoolResolver;
import dev.palisade.resolver.stage.ValidateStage;
import dev.palisade.config.Transport;
import dev.palisade.config.UpstreamOptions;
import dev.palisade.upstream.DohSettings;
import dev.palisade.upstream.DohUpstream;
import dev.palisade.upstream.DotSettings;
import dev.palisade.upstream.DotUpstream;
import dev.palisade.upstream.EdnsPrivacy;
import dev.palisade.upstream.PinSet;
import dev.palisade.upstream.PlainSettings;
import dev.palisade.upstream.PlainUpstream;
import dev.palisade.upstream.PoolSettings;
import dev.palisade.upstream.TlsEngine;
import dev.palisade.upstream.TlsSettings;
import dev.palisade.upstream.TlsVersion;
import dev.palisade.upstream.Upstream;
import dev.palisade.upstream.UpstreamListener;
import dev.palisade.upstream.UpstreamPool;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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

  /** Beyond a query's timeout, what a retired pool or a stopping server waits for late replies. */
  private static final Duration GRACE = Duration.ofMillis(500);

  private final LongSupplier nanoTime;
  private final SecureRandom random;
  private final EventLoops loops;
  private final CacheCounters cacheCounters = new CacheCounters();
  private final Optional<Metrics> metrics;
  private final RefusalLog refusalLog;
  /** What the listeners count: rate-limited queries, bad cookies, unexpected errors. */
  private final ServerCounters serverCounters = new ServerCounters();
  private final LogLimiter validationFailures;
  /** The config the listeners, metrics, DNSSEC and IP-set parts were started with. */
  private final PalisadeConfig started;
  private final Object reloadLock = new Object();
  private final List<UpstreamPool> retiring = new ArrayList<>();

  // Set once during start (before the instance is returned), then read-only.
  private DnsServer server;
  private Optional<HttpEndpoint> http = Optional.empty();
  private Optional<Validation> validation = Optional.empty();
  private PoolResolver poolResolver;
  private PolicyEngine policy;
  private Optional<IpSets> ipsets = Optional.empty();

  // Replaced whole on reload, under reloadLock.
  private volatile PalisadeConfig config;
  private volatile UpstreamPool pool;
  private volatile Optional<DnsCache> cache = Optional.empty();
  private volatile boolean closed;

  /**
   * One event loop for the listeners and the upstream connections, as unbound's and Stubby's
   * defaults; DNSSEC's cryptography has threads of its own (one per core). Measured on 2 cores
   * (bench/README.md): with one loop per core, a cache hit cost 30% more user CPU (two loops
   * contend for the cache and the counters, and batch fewer datagrams per system call) and a
   * validated miss crossed from the loop that read it to the one holding the upstream connection.
   * One loop answers about 150,000 cache hits a second on this machine, far beyond what a host or a
   * home router asks of its stub.
   */
  static final int IO_THREADS = 1;

  private Palisade(PalisadeConfig config, LongSupplier nanoTime, SecureRandom random) {
    this.started = config;
    this.config = config;
    this.nanoTime = nanoTime;
    this.random = random;
    this.loops = new EventLoops(IO_THREADS);
    this.metrics = config.metrics().enabled() ? Optional.of(new Metrics()) : Optional.empty();
    this.refusalLog = new RefusalLog(nanoTime);
    this.validationFailures = new LogLimiter(LoggerFactory.getLogger(ValidateStage.class), "validation failure", 20, nanoTime);
  }

  /** The validator and the threads its cryptography runs on. */
  private record Validation(DnssecValidator validator, ExecutorService crypto) implements AutoCloseable {
    @Override
    public void close() {
      validator.close();
      crypto.shutdown();
    }
  }

  /** A start that cannot go on: bad trust anchors, or a listener that cannot bind. */
  public static final class StartFailure extends Exception {
    StartFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Starts with the system ticker and a fresh {@link SecureRandom}. */
  public static Palisade start(PalisadeConfig config) throws StartFailure {
    return start(config, System::nanoTime, Clock.systemUTC(), new SecureRandom());
  }

  public static Palisade start(PalisadeConfig config, LongSupplier nanoTime, Clock clock, SecureRandom random)
      throws StartFailure {
    if (config.tlsAuthentication() == TlsAuthentication.NONE) {
      log.warn("tls_authentication is GETDNS_AUTHENTICATION_NONE: upstream traffic is encrypted, but anyone on the path can pose as the upstream");
    }
    Palisade p = new Palisade(config, nanoTime, random);
    try {
      p.init(clock);
      return p;
    } catch (DnsServer.BindFailure | TrustAnchorException | StartFailure | RuntimeException e) {
      p.close();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw e instanceof StartFailure ? (StartFailure) e : new StartFailure(e.getMessage(), e);
    }
  }

  private void init(Clock clock) throws DnsServer.BindFailure, TrustAnchorException, StartFailure {
    // In apply mode the kernel sets are created and loaded before anything listens.
    ipsets = ipsets(config, clock, metrics);
    pool = pool(config);
    poolResolver = new PoolResolver(() -> pool, nanoTime, config.timeout());
    validation = validation(config.dnssec(), poolResolver, clock);
    policy = new PolicyEngine(PolicySettingsMapping.settings(config.policy()), nanoTime,
        metrics.<dev.palisade.policy.PolicyListener>map(Metrics::policy).orElse(dev.palisade.policy.PolicyListener.NONE),
        dev.palisade.policy.LexicalModel.bundled(), random.nextLong());
    log.info("policy: {} mode", config.policy().mode());
    cache = config.cache().enabled() ? Optional.of(new DnsCache(config.cache(), nanoTime, cacheCounters)) : Optional.empty();
    metrics.ifPresent(m -> m.bindCache(cacheCounters, () -> cache));
    server = new DnsServer(loops, pipeline(config), nanoTime, config.timeout(), config.tcpIdleTimeout(), config.tcpMaxConnections(),
        // Abuse protections at the listener (resolver/README.md "Abuse and faults"): rate_limit
        // per client address before parsing, DNS cookies (RFC 7873/9018), counted in serverCounters.
        new RateLimiter(config.rateLimit(), nanoTime),
        new Cookies(random, clock),
        metrics.<ServerListener>map(m -> ServerListener.all(serverCounters, m.server())).orElse(serverCounters));
    for (ListenAddress a : config.listenAddresses()) {
      server.listen(a);
    }
    if (metrics.isPresent()) {
      http = Optional.of(http(metrics.get()));
    }
    validation.ifPresent(v -> checkRoot(v.validator()));
  }

  /** The operators' HTTP endpoint on {@code metrics.listen}. */
  private HttpEndpoint http(Metrics m) throws StartFailure {
    HttpEndpoint h = new HttpEndpoint();
    h.route("/metrics", accept -> {
      Metrics.Scrape s = m.scrape(accept);
      return new HttpEndpoint.Response(200, s.contentType(), s.body());
    });
    h.register("/health", "text/plain; charset=utf-8", () -> "ok\n");
    // The resolved-IP sets as JSON (resolver/README.md "Resolved-IP sets"), when configured.
    ipsets.ifPresent(sets -> h.register("/ipset", "application/json", sets::json));
    h.route("/ready", accept -> notReady()
        .map(reason -> HttpEndpoint.Response.text(503, "not ready: " + reason + "\n"))
        .orElse(HttpEndpoint.Response.text(200, "ready\n")));
    try {
      h.bind(config.metrics().listen());
    } catch (IllegalStateException e) {
      h.close();
      throw new StartFailure("cannot listen on metrics.listen " + config.metrics().listen() + ": " + e.getMessage()
          + " - choose another address or port, or set metrics: {enabled: false}", e);
    }
    return h;
  }

  /**
   * Why Palisade should not be sent queries now, or empty when it is ready: every listener bound,
   * at least one upstream not backing off, and (with validation on) the trust anchors loaded.
   */
  public Optional<String> notReady() {
    if (closed || server == null || !server.listening()) {
      return Optional.of("not listening");
    }
    if (!pool.anyHealthy()) {
      return Optional.of("every upstream is backing off: " + pool.resting());
    }
    if (config.dnssec().validate() && validation.isEmpty()) {
      return Optional.of("no trust anchor loaded");
    }
    return Optional.empty();
  }

  private static Optional<Validation> validation(DnssecConfig config, PoolResolver resolver, Clock clock)
      throws TrustAnchorException {
    if (!config.validate()) {
      log.warn("DNSSEC validation is off (dnssec: GETDNS_EXTENSION_FALSE): answers are only as honest as the upstream and the path to it");
      return Optional.empty();
    }
    TrustAnchors anchors = anchors(config.trustAnchorFiles(), clock);
    // ECDSA and EdDSA verification through BouncyCastle: about ten times the JDK's (dnssec/README.md).
    CryptoProviders.install();
    if (!(new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool)) {
      // See Main.boundDefaultAsyncPool: too late here when CompletableFuture was used first.
      log.warn("CompletableFuture starts a thread per task on this machine (common pool parallelism {}): NXDOMAIN and NODATA"
          + " validation will be slow; run with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2", ForkJoinPool.getCommonPoolParallelism());
    }
    // Bounded: one thread per core. Validation tasks never block, so the queue stays short. Our
    // executor goes to every dnsjava call that takes one; the common pool only gets the steps
    // dnsjava continues without (Main.boundDefaultAsyncPool).
    ExecutorService crypto = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("palisade-dnssec", true));
    DnssecValidator validator = new DnssecValidator(anchors, resolver, crypto, clock);
    log.info("validating DNSSEC from {}", anchors.source());
    return Optional.of(new Validation(validator, crypto));
  }

  private static TrustAnchors anchors(List<Path> files, Clock clock) throws TrustAnchorException {
    if (files.isEmpty()) {
      return TrustAnchors.builtIn();
    }
    List<org.xbill.DNS.Record> records = new ArrayList<>();
    for (Path f : files) {
      records.addAll(TrustAnchors.load(f, clock).records());
    }
    return TrustAnchors.of(records);
  }

  /** No anchor that validates the root is a configuration error: say so loudly, once, at start. */
  private static void checkRoot(DnssecValidator validator) {
    validator.checkRoot().whenComplete((verdict, error) -> {
      if (error != null) {
        log.error("could not check the trust anchors against the root's keys: {}", error.toString());
      }
    });
  }

  // --- ipset (issue 7): the resolved-IP sets -------------------------------------------------

  /** The resolved-IP sets, when {@code ipset.sets} names any; in apply mode the kernel sets are loaded before we listen. */
  private static Optional<IpSets> ipsets(PalisadeConfig config, Clock clock, Optional<Metrics> metrics) throws StartFailure {
    if (!config.ipset().enabled()) {
      return Optional.empty();
    }
    List<java.net.InetAddress> upstreams = config.upstreams().stream().map(UpstreamServer::address).distinct().toList();
    try {
      IpSets sets = IpSets.start(config.ipset(), upstreams, clock, metrics.<IpSetListener>map(Metrics::ipsets).orElse(IpSetListener.NONE));
      metrics.ifPresent(m -> m.ipsets().bind(sets));
      return Optional.of(sets);
    } catch (KernelException e) {
      throw new StartFailure("ipset.apply: " + e.getMessage() + " (set apply: false to only export)", e);
    }
  }

  /** The resolved-IP sets, if configured: exports ({@code /ipset} JSON) and sizes. */
  public Optional<IpSets> ipsets() {
    return ipsets;
  }

  // --- end ipset ------------------------------------------------------------------------------

  /**
   * The stages, outermost first. The order is the design: change it here only, and say why.
   * Built again on every reload, around the same policy engine, cache store, validator and pool.
   */
  private Pipeline pipeline(PalisadeConfig config) {
    List<Stage> stages = new ArrayList<>();
    // 0. Observers outermost, so that they see what the client gets and the whole time it took.
    List<QueryObserver> observers = new ArrayList<>();
    metrics.ifPresent(m -> observers.add(m.queries()));
    if (config.queryLog()) {
      observers.add(new QueryLog());
    }
    if (!observers.isEmpty()) {
      stages.add(new ObserveStage(observers.size() == 1 ? observers.get(0) : ObserveStage.all(observers.toArray(QueryObserver[]::new)), nanoTime));
    }
    RefusalListener refusals = metrics.map(m -> RefusalListener.all(refusalLog, m.refusals())).orElse(refusalLog);
    // 1. Shape next, so that every answer, including refusals and failures made by the
    //    stages below, reaches the client with its ID, its question and the right EDNS.
    stages.add(new ShapeStage());
    // 2. Access before anything else is spent on a client we do not serve.
    stages.add(new AccessStage(config.access(), refusals));
    // 3. Only well-formed standard queries go further (and into the cache).
    stages.add(new RequestCheckStage());
    // 3b. The resolved-IP sets, outside policy so that they see the final answer (answers policy
    //     refused never enter), and before the answer reaches the client, so that in apply mode
    //     the kernel holds an address before anyone can connect to it.
    ipsets.map(IpSets::stage).ifPresent(stages::add);
    // 4. Policy: refuse exfiltration and listed names before anything is spent, cached or sent,
    //    and check answers on their way back. Before the cache, so a name denied now is denied
    //    even if an answer for it is cached.
    stages.add(new PolicyStage(policy, refusals));
    // 5. The cache, after every check that can refuse a query (a refused query must not be
    //    answered from it) and before anything that costs an upstream exchange.
    //    It holds validated answers only, so a hit needs no validation.
    cache.ifPresent(c -> stages.add(new CacheStage(c, config.cache(), nanoTime, cacheCounters)));
    // 6. Validation: resolves through the pool itself and judges the answer; bogus never passes.
    //    Queries with CD go on to the upstream stage unvalidated.
    validation.ifPresent(v -> stages.add(new ValidateStage(v.validator(), validationFailures)));
    // 7. Last: re-originate and forward over TLS, failing over between upstreams.
    stages.add(new UpstreamStage(pool));
    return new Pipeline(stages);
  }

  private UpstreamPool pool(PalisadeConfig config) {
    UpstreamListener listener = metrics.map(Metrics::upstreams).orElse(UpstreamListener.NONE);
    Duration connectTimeout = config.timeout().compareTo(MAX_CONNECT_TIMEOUT) < 0 ? config.timeout() : MAX_CONNECT_TIMEOUT;
    UpstreamOptions o = config.upstreamOptions();
    boolean tls = config.transports().contains(Transport.TLS);
    if (!tls) {
      log.warn("dns_transport_list has no GETDNS_TRANSPORT_TLS: queries go to the upstreams IN PLAINTEXT ({}); "
          + "anyone on the path can read and forge them", config.transports());
    }
    EdnsPrivacy privacy = new EdnsPrivacy(o.paddingBlockSize(), o.ecsPrivate());
    List<Upstream> upstreams = new ArrayList<>();
    for (UpstreamServer u : config.upstreams()) {
      Upstream upstream;
      if (!tls) {
        upstream = new PlainUpstream(
            new PlainSettings(new InetSocketAddress(u.address(), u.port()), config.transports().contains(Transport.UDP),
                config.transports().contains(Transport.TCP), connectTimeout, MAX_OUTSTANDING_PER_UPSTREAM, o.ecsPrivate()),
            loops.group(), loops.datagramChannel(), loops.socketChannel(), random, nanoTime);
      } else if (u.dohUrl().isPresent()) {
        URI uri = u.dohUrl().get();
        // Without tls_auth_name the certificate is checked against the URL's host (DohSettings).
        upstream = new DohUpstream(
            new DohSettings(uri, new InetSocketAddress(u.address(), DohSettings.port(uri)), tls(config, u),
                config.idleTimeout(), connectTimeout, MAX_OUTSTANDING_PER_UPSTREAM, o.limitOutstandingQueries(), u.dohGet(), privacy),
            loops.group(), loops.socketChannel(), nanoTime, listener);
      } else {
        upstream = new DotUpstream(
            new DotSettings(new InetSocketAddress(u.address(), u.tlsPort()), tls(config, u), config.idleTimeout(), connectTimeout,
                MAX_OUTSTANDING_PER_UPSTREAM, o.limitOutstandingQueries(), privacy),
            loops.group(), loops.socketChannel(), random, nanoTime, listener);
      }
      log.info("upstream {}", upstream.id());
      upstreams.add(upstream);
    }
    UpstreamPool.Selection selection = o.selection()
        .map(s -> UpstreamPool.Selection.valueOf(s.toUpperCase(java.util.Locale.ROOT)))
        .orElse(config.roundRobin() ? UpstreamPool.Selection.ROUND_ROBIN : UpstreamPool.Selection.ORDERED);
    PoolSettings pool = PoolSettings.defaults(selection)
        .withConnectionRetries(o.connectionRetries())
        .withBackoff(Duration.ofSeconds(1), o.backoffTime());
    UpstreamPool p = new UpstreamPool(upstreams, pool, nanoTime, random, listener);
    metrics.ifPresent(m -> m.upstreamsConfigured(p.ids()));
    return p;
  }

  /** Stubby's TLS keys as the upstream module's settings for one server. */
  private static TlsSettings tls(PalisadeConfig config, UpstreamServer u) {
    UpstreamOptions o = config.upstreamOptions();
    List<String> suites = new ArrayList<>();
    if (!o.tlsCiphersuites().isEmpty()) {
      suites.addAll(TlsSettings.cipherSuitesFromOpenSsl(o.tlsCiphersuites()));
    }
    if (!o.tlsCipherList().isEmpty()) {
      suites.addAll(TlsSettings.cipherSuitesFromOpenSsl(o.tlsCipherList()));
    }
    TlsEngine engine = switch (o.tlsEngine()) {
      case "jdk" -> TlsEngine.JDK;
      case "boringssl" -> TlsEngine.OPENSSL;
      default -> TlsEngine.defaultEngine();
    };
    return new TlsSettings(
        config.tlsAuthentication() == TlsAuthentication.REQUIRED,
        u.tlsAuthName(),
        config.tlsCaFile(),
        u.pins().isEmpty() ? PinSet.NONE : PinSet.ofBase64(u.pins()),
        TlsVersion.valueOf(o.tlsMinVersion()),
        TlsVersion.valueOf(o.tlsMaxVersion()),
        suites,
        engine);
  }

  /**
   * Applies a new {@code policy:} section (lists re-read from their files) without dropping a
   * query or the budgets spent so far.
   *
   * @throws StartFailure if the new section cannot be applied; the old one stays in force
   */
  public void reloadPolicy(dev.palisade.config.PolicyConfig policyConfig) throws StartFailure {
    reload(config.withPolicy(policyConfig));
  }

  /**
   * Applies a new config while queries keep flowing: policy (and its list files), access, cache
   * settings, upstreams (a new pool takes new queries; the old one is closed once its queries are
   * done), timeout, rate limit and query log. Everything new is built before anything is switched,
   * so a failure leaves the running config whole. What needs a restart (listen addresses, metrics,
   * DNSSEC, ipset, log level, TCP limits) is kept as it was and named in the returned list.
   *
   * @return the keys that changed but need a restart to take effect
   * @throws StartFailure if the new config cannot be applied; the old one stays in force
   */
  public List<String> reload(PalisadeConfig next) throws StartFailure {
    synchronized (reloadLock) {
      if (closed) {
        throw new StartFailure("shutting down", null);
      }
      PalisadeConfig old = config;
      List<String> restart = new ArrayList<>();
      if (!next.listenAddresses().equals(started.listenAddresses())) {
        restart.add("listen_addresses");
      }
      if (!next.metrics().equals(started.metrics())) {
        restart.add("metrics");
      }
      if (!next.dnssec().equals(started.dnssec())) {
        restart.add("dnssec");
      }
      if (!next.ipset().equals(started.ipset())) {
        restart.add("ipset");
      }
      if (next.logLevel() != started.logLevel()) {
        restart.add("log_level");
      }
      // The token buckets live in the listeners, built once: a reload must not reset them.
      if (!next.rateLimit().equals(started.rateLimit())) {
        restart.add("rate_limit");
      }
      if (!next.tcpIdleTimeout().equals(started.tcpIdleTimeout()) || next.tcpMaxConnections() != started.tcpMaxConnections()) {
        restart.add("tcp_idle_timeout/tcp_max_connections");
      }
      // Build first: nothing below may fail once the switch has begun.
      dev.palisade.policy.PolicySettings policySettings = PolicySettingsMapping.settings(next.policy());
      UpstreamPool newPool = null;
      if (upstreamsChanged(old, next)) {
        try {
          newPool = pool(next);
        } catch (RuntimeException e) {
          throw new StartFailure("upstreams: " + e.getMessage(), e);
        }
      }
      // Switch.
      policy.reconfigure(policySettings);
      log.info("policy reloaded: {} mode, {} allow and {} deny entries", next.policy().mode(),
          policy.settings().allow().size(), policy.settings().deny().size());
      reconfigureCache(old.cache(), next.cache());
      if (newPool != null) {
        UpstreamPool retired = pool;
        pool = newPool;
        retire(retired, old.timeout());
        log.info("upstreams reloaded: {}", newPool.ids());
      }
      poolResolver.setTimeout(next.timeout());
      config = next;
      server.swap(pipeline(next), next.timeout());
      return restart;
    }
  }

  private static boolean upstreamsChanged(PalisadeConfig a, PalisadeConfig b) {
    return !a.upstreams().equals(b.upstreams())
        || !a.transports().equals(b.transports())
        || !a.upstreamOptions().equals(b.upstreamOptions())
        || a.tlsAuthentication() != b.tlsAuthentication()
        || !a.tlsCaFile().equals(b.tlsCaFile())
        || !a.idleTimeout().equals(b.idleTimeout())
        || !a.timeout().equals(b.timeout())
        || a.roundRobin() != b.roundRobin();
  }

  /** Live: size (Caffeine resizes in place), TTL bounds, prefetch, stale; on and off. */
  private void reconfigureCache(CacheConfig before, CacheConfig after) {
    if (before.equals(after)) {
      return;
    }
    if (!after.enabled()) {
      cache = Optional.empty();
    } else if (cache.isEmpty()) {
      cache = Optional.of(new DnsCache(after, nanoTime, cacheCounters));
    } else if (before.sizeBytes() != after.sizeBytes()) {
      cache.get().resize(after.sizeBytes());
    }
    log.info("cache reloaded: {}", after.enabled() ? after.sizeBytes() + " bytes" : "off");
  }

  /**
   * The old pool keeps the queries it has: it is closed once the longest of them must be over
   * (their deadline is at most {@code timeout} away).
   */
  private void retire(UpstreamPool old, Duration timeout) {
    synchronized (retiring) {
      retiring.add(old);
    }
    loops.group().schedule(() -> {
      boolean mine;
      synchronized (retiring) {
        mine = retiring.remove(old);
      }
      if (mine) {
        old.close();
        metrics.ifPresent(m -> m.upstreamsRetained(java.util.Set.copyOf(pool.ids())));
      }
    }, timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The config in force (the last one reloaded). */
  public PalisadeConfig config() {
    return config;
  }

  /** The metrics, when {@code metrics.enabled}: add meters through {@link Metrics#registry()}. */
  public Optional<Metrics> metrics() {
    return metrics;
  }

  /** The operators' HTTP endpoint, when {@code metrics.enabled}: add routes with {@link HttpEndpoint#register}. */
  public Optional<HttpEndpoint> http() {
    return http;
  }

  /** Where the HTTP endpoint listens (its port resolved, for a configured port 0). */
  public Optional<InetSocketAddress> httpAddress() {
    return http.map(HttpEndpoint::address);
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

  /** What the listeners counted: rate-limited queries, bad cookies, unexpected errors. */
  public ServerCounters serverCounters() {
    return serverCounters;
  }

  /** The policy engine, for its bounded state's figures (trackedKeys, trackedClients, stateBytes). */
  public PolicyEngine policyEngine() {
    return policy;
  }

  public int openTcpConnections() {
    return server.openTcpConnections();
  }

  /**
   * Stops gracefully: listeners stop taking queries, the queries already taken in are answered
   * (waiting at most the query timeout), then upstream connections and the event loops close.
   */
  @Override
  public void close() {
    synchronized (reloadLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (server != null) {
      server.stopAccepting();
      int waiting = server.inFlight();
      if (waiting > 0) {
        log.info("waiting for {} queries in flight", waiting);
        if (!server.awaitIdle(config.timeout().plus(GRACE))) {
          log.warn("{} queries still unanswered after {} ms: closing anyway", server.inFlight(), config.timeout().plus(GRACE).toMillis());
        }
      }
      server.close();
    }
    ipsets.ifPresent(IpSets::close); // after the listeners: no answer adds to a set that was saved
    http.ifPresent(HttpEndpoint::close);
    validation.ifPresent(Validation::close);
    if (pool != null) {
      pool.close();
    }
    synchronized (retiring) {
      retiring.forEach(UpstreamPool::close);
      retiring.clear();
    }
    loops.close();
    refusalLog.flush();
    validationFailures.flush();
    metrics.ifPresent(Metrics::close);
  }
}

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

  private final EventLoops loops;
  private final UpstreamPool pool;
  private final DnsServer server;
  private final Optional<DnsCache> cache;
  private final CacheCounters cacheCounters;
  private final Optional<Validation> validation;
  private final PolicyEngine policy;
  private final ServerCounters serverCounters;
  private final Optional<IpSets> ipsets;

  private Palisade(
      EventLoops loops,
      UpstreamPool pool,
      DnsServer server,
      Optional<DnsCache> cache,
      CacheCounters cacheCounters,
      Optional<Validation> validation,
      PolicyEngine policy,
      ServerCounters serverCounters,
      Optional<IpSets> ipsets) {
    this.serverCounters = serverCounters;
    this.ipsets = ipsets;
    this.policy = policy;
    this.loops = loops;
    this.pool = pool;
    this.server = server;
    this.cache = cache;
    this.cacheCounters = cacheCounters;
    this.validation = validation;
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
    EventLoops loops = new EventLoops(Runtime.getRuntime().availableProcessors());
    UpstreamPool pool = null;
    DnsServer server = null;
    Optional<Validation> validation = Optional.empty();
    Optional<IpSets> ipsets = Optional.empty();
    try {
      ipsets = ipsets(config, clock);
      pool = pool(config, loops, nanoTime, random);
      validation = validation(config.dnssec(), pool, nanoTime, clock, config.timeout());
      PolicyEngine policy = new PolicyEngine(PolicySettingsMapping.settings(config.policy()), nanoTime);
      log.info("policy: {} mode", config.policy().mode());
      CacheCounters counters = new CacheCounters();
      ServerCounters serverCounters = new ServerCounters();
      Optional<DnsCache> cache =
          config.cache().enabled() ? Optional.of(new DnsCache(config.cache(), nanoTime, counters)) : Optional.empty();
      server =
          new DnsServer(
              loops,
              pipeline(config, pool, policy, cache, validation.map(Validation::validator), nanoTime, counters, ipsets.map(IpSets::stage)),
              nanoTime,
              config.timeout(),
              config.tcpIdleTimeout(),
              config.tcpMaxConnections(),
              // Abuse protections at the listener (resolver/README.md "Abuse and faults"): rate_limit
              // per client address before parsing, DNS cookies (RFC 7873/9018), counted in serverCounters.
              new RateLimiter(config.rateLimit(), nanoTime),
              new Cookies(random, clock),
              serverCounters);
      for (ListenAddress a : config.listenAddresses()) {
        server.listen(a);
      }
      validation.ifPresent(v -> checkRoot(v.validator()));
      return new Palisade(loops, pool, server, cache, counters, validation, policy, serverCounters, ipsets);
    } catch (DnsServer.BindFailure | TrustAnchorException | StartFailure | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      ipsets.ifPresent(IpSets::close);
      validation.ifPresent(Validation::close);
      if (pool != null) {
        pool.close();
      }
      loops.close();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw e instanceof StartFailure ? (StartFailure) e : new StartFailure(e.getMessage(), e);
    }
  }

  private static Optional<Validation> validation(
      DnssecConfig config, UpstreamPool pool, LongSupplier nanoTime, Clock clock, Duration timeout) throws TrustAnchorException {
    if (!config.validate()) {
      log.warn("DNSSEC validation is off (dnssec: GETDNS_EXTENSION_FALSE): answers are only as honest as the upstream and the path to it");
      return Optional.empty();
    }
    TrustAnchors anchors = anchors(config.trustAnchorFiles(), clock);
    // ECDSA and EdDSA verification through BouncyCastle: about ten times the JDK's (dnssec/README.md).
    CryptoProviders.install();
    // Bounded: one thread per core. Validation tasks never block, so the queue stays short; the
    // common pool is never used (dnsjava would starve it).
    ExecutorService crypto = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("palisade-dnssec", true));
    DnssecValidator validator = new DnssecValidator(anchors, new PoolResolver(pool, nanoTime, timeout), crypto, clock);
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
  private static Optional<IpSets> ipsets(PalisadeConfig config, Clock clock) throws StartFailure {
    if (!config.ipset().enabled()) {
      return Optional.empty();
    }
    List<java.net.InetAddress> upstreams = config.upstreams().stream().map(UpstreamServer::address).distinct().toList();
    try {
      return Optional.of(IpSets.start(config.ipset(), upstreams, clock, IpSetListener.NONE));
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
   */
  static Pipeline pipeline(
      PalisadeConfig config,
      UpstreamPool pool,
      PolicyEngine policy,
      Optional<DnsCache> cache,
      Optional<DnssecValidator> validator,
      LongSupplier nanoTime,
      CacheCounters counters,
      Optional<Stage> ipset) {
    List<Stage> stages = new ArrayList<>();
    // 1. Shape outermost, so that every answer, including refusals and failures made by the
    //    stages below, reaches the client with its ID, its question and the right EDNS.
    stages.add(new ShapeStage());
    // 2. Access before anything else is spent on a client we do not serve.
    stages.add(new AccessStage(config.access()));
    // 3. Only well-formed standard queries go further (and into the cache).
    stages.add(new RequestCheckStage());
    // 3b. The resolved-IP sets, outside policy so that they see the final answer (answers policy
    //     refused never enter), and before the answer reaches the client, so that in apply mode
    //     the kernel holds an address before anyone can connect to it.
    ipset.ifPresent(stages::add);
    // 4. Policy: refuse exfiltration and listed names before anything is spent, cached or sent,
    //    and check answers on their way back. Before the cache, so a name denied now is denied
    //    even if an answer for it is cached.
    stages.add(new PolicyStage(policy));
    // 5. The cache, after every check that can refuse a query (a refused query must not be
    //    answered from it) and before anything that costs an upstream exchange.
    //    It holds validated answers only, so a hit needs no validation.
    cache.ifPresent(c -> stages.add(new CacheStage(c, config.cache(), nanoTime, counters)));
    // 6. Validation: resolves through the pool itself and judges the answer; bogus never passes.
    //    Queries with CD go on to the upstream stage unvalidated.
    validator.ifPresent(v -> stages.add(new ValidateStage(v)));
    // 7. Last: re-originate and forward over TLS, failing over between upstreams.
    stages.add(new UpstreamStage(pool));
    return new Pipeline(stages);
  }

  private static UpstreamPool pool(PalisadeConfig config, EventLoops loops, LongSupplier nanoTime, SecureRandom random) {
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
            loops.group(), loops.socketChannel(), nanoTime);
      } else {
        upstream = new DotUpstream(
            new DotSettings(new InetSocketAddress(u.address(), u.tlsPort()), tls(config, u), config.idleTimeout(), connectTimeout,
                MAX_OUTSTANDING_PER_UPSTREAM, o.limitOutstandingQueries(), privacy),
            loops.group(), loops.socketChannel(), random, nanoTime);
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
    return new UpstreamPool(upstreams, pool, nanoTime, random, UpstreamListener.NONE);
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

  /** Where UDP listeners are bound (ports resolved, for a configured port 0). */
  public List<InetSocketAddress> udpAddresses() {
    return server.udpAddresses();
  }

  public List<InetSocketAddress> tcpAddresses() {
    return server.tcpAddresses();
  }

  /**
   * Applies a new {@code policy:} section (lists re-read from their files) without dropping a
   * query or the budgets spent so far.
   *
   * @throws StartFailure if the new section cannot be applied; the old one stays in force
   */
  public void reloadPolicy(dev.palisade.config.PolicyConfig config) throws StartFailure {
    policy.reconfigure(PolicySettingsMapping.settings(config));
    log.info("policy reloaded: {} mode, {} allow and {} deny entries", config.mode(),
        policy.settings().allow().size(), policy.settings().deny().size());
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

  /** Stops listening, then closes upstream connections and the event loops. */
  @Override
  public void close() {
    server.close();
    ipsets.ifPresent(IpSets::close); // after the listeners: no answer adds to a set that was saved
    validation.ifPresent(Validation::close);
    pool.close();
    loops.close();
  }
}

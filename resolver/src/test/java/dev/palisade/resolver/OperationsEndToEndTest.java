package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.CacheConfig;
import dev.palisade.config.DnssecConfig;
import dev.palisade.config.ListenAddress;
import dev.palisade.config.MetricsConfig;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.PolicyConfig;
import dev.palisade.config.UpstreamServer;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.ScriptedDohPeer;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * What operators rely on, against real unbound upstreams: the metrics endpoint (scraped with a real
 * HTTP client), readiness following the upstreams, reloads under a steady stream of queries, and a
 * stop that still answers the queries in flight.
 */
class OperationsEndToEndTest {

  static final String LOOPBACK = "127.0.0.1";
  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "palisade.json");

  @TempDir static Path dir;
  static TestCa ca;
  static UnboundServer first;
  static UnboundServer second;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    ca = TestCa.create(dir.resolve("ca"));
    TestCa.ServerCert cert = ca.issue("dot", "dot.test");
    first = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("first")).tls(cert)).build().start();
    second = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("second")).tls(cert)).build().start();
  }

  @AfterAll
  static void stop() {
    first.close();
    second.close();
  }

  static final MetricsConfig METRICS_ANY_PORT = new MetricsConfig(true, new ListenAddress(loopback(), 0));

  static InetAddress loopback() {
    try {
      return InetAddress.getByName(LOOPBACK);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static PalisadeConfig config(UnboundServer... upstreams) throws Exception {
    List<UpstreamServer> servers = new ArrayList<>();
    for (UnboundServer u : upstreams) {
      servers.add(EndToEndTest.upstream(u.dotPort(), "dot.test"));
    }
    return EndToEndTest.config(servers, ca.caFile(), false, EndToEndTest.LOOPBACK_ONLY, Duration.ofSeconds(10), 100,
            new DnssecConfig(false, List.of()))
        .withPolicy(withDeny(EndToEndTest.TEST_IS_LOCAL, List.of("denied.example.test")))
        .withMetrics(METRICS_ANY_PORT);
  }

  static PolicyConfig withDeny(PolicyConfig p, List<String> deny) {
    return new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), p.allowFiles(), deny, p.denyFiles(), p.builtinAllow(),
        p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), p.state());
  }

  static PolicyConfig withDenyFiles(PolicyConfig p, List<Path> files) {
    return new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), p.allowFiles(), p.deny(), files, p.builtinAllow(),
        p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), p.state());
  }

  static int port(Palisade p) {
    return p.udpAddresses().get(0).getPort();
  }

  static HttpResponse<String> get(Palisade p, String path, String... headers) throws Exception {
    InetSocketAddress at = p.httpAddress().orElseThrow();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + at.getPort() + path)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the one sample of {@code name} whose labels include all of {@code labels}, or -1. */
  static double sample(String scrape, String name, String... labels) {
    double found = -1;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        found = Math.max(found, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return found;
  }

  @Test
  void metricsEndpointCountsQueriesAnswersRefusalsAndTheCacheWithoutQueryNames() throws Exception {
    try (Palisade p = Palisade.start(config(first))) {
      assertEquals("NOERROR", Dig.query(LOOPBACK, port(p), "www.example.test", "A").status());
      assertEquals("NOERROR", Dig.query(LOOPBACK, port(p), "www.example.test", "A").status());
      assertEquals("NOERROR", Dig.query(LOOPBACK, port(p), "www.example.test", "AAAA", "+tcp").status());
      assertEquals("REFUSED", Dig.query(LOOPBACK, port(p), "denied.example.test", "A").status());
      assertEquals("REFUSED", Dig.query(LOOPBACK, port(p), "www.example.com", "NULL").status(),
          "NULL is refused by default (outside local zones)");

      HttpResponse<String> r = get(p, "/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"), r.headers().toString());
      String m = r.body();
      assertEquals(2, sample(m, "palisade_queries_total", "protocol=\"udp\"", "type=\"A\"", "rcode=\"NOERROR\""), m);
      assertEquals(1, sample(m, "palisade_queries_total", "protocol=\"tcp\"", "type=\"AAAA\"", "rcode=\"NOERROR\""), m);
      assertEquals(2, sample(m, "palisade_queries_total", "rcode=\"REFUSED\""), m);
      assertEquals(1, sample(m, "palisade_queries_total", "type=\"other\""), "NULL is not a labelled type: " + m);
      assertEquals(2, sample(m, "palisade_answers_total", "source=\"upstream\""), m);
      assertEquals(1, sample(m, "palisade_answers_total", "source=\"cache\""), m);
      assertEquals(2, sample(m, "palisade_answers_total", "source=\"policy\""), m);
      assertEquals(1, sample(m, "palisade_policy_refusals_total", "layer=\"list\""), m);
      assertEquals(1, sample(m, "palisade_policy_refusals_total", "layer=\"record_type\""), m);
      assertEquals(1, sample(m, "palisade_cache_hits_total"), m);
      assertEquals(2, sample(m, "palisade_cache_misses_total"), m);
      assertTrue(sample(m, "palisade_cache_size_bytes") > 0, m);
      assertEquals(5, sample(m, "palisade_query_duration_seconds_count"), m);
      assertEquals(5, sample(m, "palisade_query_duration_seconds_bucket", "le=\"5.0\""), m);
      String upstream = "upstream=\"127.0.0.1@" + first.dotPort() + "#dot.test\"";
      assertEquals(2, sample(m, "palisade_upstream_rtt_seconds_count", upstream), m);
      assertEquals(0, sample(m, "palisade_upstream_state", upstream), m);
      assertEquals(1, sample(m, "palisade_upstream_connections", upstream), m);
      assertEquals(0, sample(m, "palisade_upstream_failures_total", upstream, "reason=\"timeout\""), m);
      assertTrue(sample(m, "jvm_memory_used_bytes") > 0, m);
      assertTrue(sample(m, "process_uptime_seconds") > 0, m);
      assertFalse(m.contains("www.example") || m.contains("denied.example"), "no query name in any label");
    }
  }

  @Test
  void metricsAreOpenMetricsForAScraperThatAsks() throws Exception {
    try (Palisade p = Palisade.start(config(first))) {
      HttpResponse<String> r = get(p, "/metrics", "Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"), r.headers().toString());
      assertTrue(r.body().strip().endsWith("# EOF"), r.body());
      assertTrue(r.body().contains("palisade_answers_total{source=\"upstream\"} 0"), r.body());
    }
  }

  @Test
  void healthAnswersOkAndOtherPathsMethodsAndOversizedRequestsAreRefused() throws Exception {
    try (Palisade p = Palisade.start(config(first))) {
      HttpResponse<String> health = get(p, "/health");
      assertEquals(200, health.statusCode());
      assertEquals("ok\n", health.body());
      assertEquals(404, get(p, "/nothing-here").statusCode());
      InetSocketAddress at = p.httpAddress().orElseThrow();
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + at.getPort() + "/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertEquals("GET", post.headers().firstValue("allow").orElse(""));
      String status = rawRequest(at, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      assertTrue(status.startsWith("HTTP/1.1 4"), "an oversized request is refused: " + status);
      assertEquals(200, get(p, "/health").statusCode(), "and the endpoint goes on serving");
    }
  }

  @Test
  void otherPartsAddRoutesAndMeters() throws Exception {
    try (Palisade p = Palisade.start(config(first))) {
      p.http().orElseThrow().register("/ipset", "application/json", () -> "{\"entries\": 3}");
      java.util.concurrent.atomic.AtomicLong size = new java.util.concurrent.atomic.AtomicLong(3);
      p.metrics().orElseThrow().bind(r -> io.micrometer.core.instrument.Gauge.builder("palisade.ipset.entries", size, Number::doubleValue)
          .description("Addresses in the resolved-IP set").register(r));
      HttpResponse<String> r = get(p, "/ipset");
      assertEquals(200, r.statusCode());
      assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
      assertEquals("{\"entries\": 3}", r.body());
      assertEquals(3, sample(get(p, "/metrics").body(), "palisade_ipset_entries"));
    }
  }

  static String rawRequest(InetSocketAddress at, String request) throws Exception {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
        line.append((char) c);
      }
      return line.toString().strip();
    }
  }

  @Test
  void aTakenMetricsPortFailsTheStartNamingMetricsListen() throws Exception {
    try (Palisade p = Palisade.start(config(first))) {
      int taken = p.httpAddress().orElseThrow().getPort();
      PalisadeConfig clash = config(first).withMetrics(new MetricsConfig(true, new ListenAddress(loopback(), taken)));
      Palisade.StartFailure f = assertThrows(Palisade.StartFailure.class, () -> Palisade.start(clash));
      assertTrue(f.getMessage().contains("metrics.listen 127.0.0.1@" + taken), f.getMessage());
    }
  }

  @Test
  void readyOnlyWhileAnUpstreamIsUsableAndAgainOnceItIsBack() throws Exception {
    UnboundServer own = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("own")).tls(ca.issue("own", "dot.test"))).build().start();
    try (Palisade p = Palisade.start(config(own))) {
      HttpResponse<String> ready = get(p, "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
      assertEquals("ready\n", ready.body());

      own.stop();
      HttpResponse<String> r = ready;
      for (int i = 0; i < 100 && r.statusCode() == 200; i++) {
        Dig.query(LOOPBACK, port(p), "n" + i + ".any.example.test", "A", "+time=1", "+tries=1");
        r = get(p, "/ready");
      }
      assertEquals(503, r.statusCode(), "not ready once the only upstream backs off: " + r.body());
      assertTrue(r.body().startsWith("not ready: every upstream is backing off"), r.body());
      String upstream = "upstream=\"127.0.0.1@" + own.dotPort() + "#dot.test\"";
      String m = get(p, "/metrics").body();
      assertEquals(1, sample(m, "palisade_upstream_state", upstream), m);
      assertTrue(sample(m, "palisade_upstream_failures_total", upstream) >= 1, m);
      assertEquals(200, get(p, "/health").statusCode(), "alive all the same");

      own.start();
      for (int i = 0; i < 200 && r.statusCode() != 200; i++) {
        Thread.sleep(50);
        Dig.query(LOOPBACK, port(p), "back" + i + ".any.example.test", "A", "+time=1", "+tries=1");
        r = get(p, "/ready");
      }
      assertEquals(200, r.statusCode(), "ready again once a probe succeeds: " + r.body());
      assertEquals(0, sample(get(p, "/metrics").body(), "palisade_upstream_state", upstream));
    } finally {
      own.close();
    }
  }

  @Test
  void everyMetricTheDashboardUsesIsInARealScrape() throws Exception {
    String json = Files.readString(DASHBOARD);
    JsonCheck.parse(json);
    Set<String> used = new TreeSet<>();
    Matcher expr = Pattern.compile("\"(?:expr|definition)\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    while (expr.find()) {
      Matcher name = Pattern.compile("\\b((?:palisade|jvm|process)_[a-z0-9_]+)").matcher(expr.group(1));
      while (name.find()) {
        used.add(name.group(1));
      }
    }
    assertTrue(used.size() >= 15, "the dashboard uses the metrics: " + used);
    try (Palisade p = Palisade.start(config(first))) {
      Dig.query(LOOPBACK, port(p), "www.example.test", "A");
      String m = get(p, "/metrics").body();
      Set<String> exposed = new TreeSet<>();
      for (String line : m.split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          exposed.add(line.split("[{ ]", 2)[0]);
        }
      }
      Set<String> missing = new TreeSet<>(used);
      missing.removeAll(exposed);
      assertTrue(missing.isEmpty(), "the dashboard uses metrics that do not exist: " + missing);
    }
  }

  /** One UDP query, one answer or none: no retries, so a dropped query shows. */
  static Optional<Message> ask(DatagramSocket socket, int port, String name) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
    byte[] wire = q.toWire();
    socket.send(new DatagramPacket(wire, wire.length, loopback(), port));
    byte[] buf = new byte[1500];
    while (true) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
      } catch (SocketTimeoutException e) {
        return Optional.empty();
      }
      Message reply = new Message(java.util.Arrays.copyOf(buf, in.getLength()));
      if (reply.getHeader().getID() == q.getHeader().getID()) {
        return Optional.of(reply);
      }
    }
  }

  @Test
  void reloadsUnderASteadyStreamOfQueriesAnswerEveryQuery() throws Exception {
    PalisadeConfig a = config(first);
    PalisadeConfig b = config(second).withCache(new CacheConfig(1 << 20, CacheConfig.DEFAULTS.minTtl(), CacheConfig.DEFAULTS.maxTtl(),
        false, true, CacheConfig.DEFAULTS.staleMaxAge())).withQueryLog(true);
    try (Palisade p = Palisade.start(a)) {
      int port = port(p);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      CountDownLatch warm = new CountDownLatch(4);
      for (int c = 0; c < 4; c++) {
        int client = c;
        clients.add(CompletableFuture.runAsync(() -> {
          try (DatagramSocket s = new DatagramSocket(0, loopback())) {
            s.setSoTimeout(5000);
            for (int i = 0; running.get(); i++) {
              // Fresh names go upstream (through whichever pool is in force); repeats hit the cache.
              String name = i % 3 == 0 ? "www.example.test" : "c" + client + "-" + i + ".any.example.test";
              Optional<Message> reply = ask(s, port, name);
              if (reply.isEmpty()) {
                problems.add("no answer to " + name);
              } else if (reply.get().getRcode() != Rcode.NOERROR) {
                problems.add(name + ": " + Rcode.string(reply.get().getRcode()));
              } else {
                answered.incrementAndGet();
              }
              if (i == 20) {
                warm.countDown();
              }
            }
          } catch (Exception e) {
            problems.add(e.toString());
          }
        }));
      }
      assertTrue(warm.await(30, TimeUnit.SECONDS), "queries flow: " + problems);
      for (int round = 0; round < 6; round++) {
        int before = answered.get();
        List<String> restart = p.reload(round % 2 == 0 ? b : a);
        assertEquals(List.of(), restart, "nothing here needs a restart");
        for (int i = 0; i < 200 && answered.get() < before + 40; i++) {
          Thread.sleep(10);
        }
      }
      running.set(false);
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertEquals(List.of(), problems, "every query answered, " + answered.get() + " in all");
      assertTrue(answered.get() >= 6 * 40, "queries flowed across every reload: " + answered.get());
      assertEquals(a, p.config(), "the last config is in force");
      // The pool switched back and forth: both upstreams saw queries.
      String m = get(p, "/metrics").body();
      assertTrue(sample(m, "palisade_upstream_rtt_seconds_count", "upstream=\"127.0.0.1@" + first.dotPort() + "#") > 0, m);
    }
  }

  @Test
  void aReloadThatCannotBeAppliedKeepsTheRunningConfig() throws Exception {
    PalisadeConfig running = config(first);
    try (Palisade p = Palisade.start(running)) {
      PalisadeConfig broken = config(second).withPolicy(withDenyFiles(running.policy(), List.of(dir.resolve("no-such-list.txt"))));
      Palisade.StartFailure f = assertThrows(Palisade.StartFailure.class, () -> p.reload(broken));
      assertTrue(f.getMessage().contains("no-such-list.txt"), f.getMessage());
      assertEquals(running, p.config());
      assertEquals("NOERROR", Dig.query(LOOPBACK, port(p), "www.example.test", "A").status());
      assertEquals("REFUSED", Dig.query(LOOPBACK, port(p), "denied.example.test", "A").status(), "the old policy still holds");
      String m = get(p, "/metrics").body();
      assertEquals(-1, sample(m, "palisade_upstream_state", "upstream=\"127.0.0.1@" + second.dotPort() + "#"), "the new pool was never used: " + m);
    }
  }

  @Test
  void aReloadNamesWhatNeedsARestartAndAppliesTheRest() throws Exception {
    PalisadeConfig running = config(first);
    try (Palisade p = Palisade.start(running)) {
      PalisadeConfig moved = running.withListenAddresses(List.of(new ListenAddress(loopback(), 1)))
          .withMetrics(MetricsConfig.OFF)
          .withPolicy(withDeny(running.policy(), List.of()));
      List<String> restart = p.reload(moved);
      assertTrue(restart.containsAll(List.of("listen_addresses", "metrics")), restart.toString());
      assertEquals("NXDOMAIN", Dig.query(LOOPBACK, port(p), "denied.example.test", "A").status(),
          "the policy change applied: the upstream answers for the name no longer denied");
      assertEquals(200, get(p, "/health").statusCode(), "the endpoint stays where it was");
    }
  }

  @Test
  void closeStopsListeningButAnswersTheQueriesAlreadyInFlight() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    try (ScriptedDohPeer slow = ScriptedDohPeer.start(LOOPBACK, ca.issue("slow", "dot.test"), 0, (request, exchange) -> {
      asked.countDown();
      exchange.answerAfter(Duration.ofMillis(1500));
    })) {
      UpstreamServer doh = new UpstreamServer(loopback(), 853, Optional.of("dot.test"), List.of(), Optional.of(slow.url("dot.test")), false, 53);
      PalisadeConfig c = config(first);
      Palisade p = Palisade.start(c.withUpstreams(List.of(doh), c.transports(), c.upstreamOptions()));
      int port = port(p);
      CompletableFuture<Optional<Message>> inFlight = CompletableFuture.supplyAsync(() -> {
        try (DatagramSocket s = new DatagramSocket(0, loopback())) {
          s.setSoTimeout(8000);
          return ask(s, port, "slow.example.test");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertTrue(asked.await(10, TimeUnit.SECONDS), "the query reached the upstream");
      p.close();
      Optional<Message> reply = inFlight.get(10, TimeUnit.SECONDS);
      assertTrue(reply.isPresent(), "the query in flight was answered");
      assertEquals(Rcode.NOERROR, reply.get().getRcode());
      assertEquals("192.0.2.1", ((org.xbill.DNS.ARecord) reply.get().getSection(org.xbill.DNS.Section.ANSWER).get(0)).getAddress().getHostAddress());
      DigResult after = Dig.query(LOOPBACK, port, "www.example.test", "A", "+time=1", "+tries=1");
      assertFalse(after.replied(), "no longer listening: " + after.output());
      assertNotNull(p.notReady().orElse(null));
    }
  }
}

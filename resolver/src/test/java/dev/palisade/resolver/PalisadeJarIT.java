package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Palisade started the way a user starts it: {@code java -jar resolver/target/palisade.jar -C FILE},
 * a real unbound as its DoT upstream, dig and dnsperf as clients.
 */
class PalisadeJarIT {

  static final Path JAR = Path.of("target", "palisade.jar").toAbsolutePath();

  @TempDir static Path dir;
  static TestCa ca;
  static UnboundServer unbound;

  @BeforeAll
  static void startUpstream() {
    assertTrue(Files.exists(JAR), "package the jar first: " + JAR);
    ca = TestCa.create(dir.resolve("ca"));
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test")))
        .localZone("example.com.", "redirect")
        .localData("example.com. 300 IN A 192.0.2.80")
        .build().start();
  }

  @AfterAll
  static void stopUpstream() {
    unbound.close();
  }

  static Path writeConfig(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  static String stubbyStyleConfig(int port) {
    return String.join(
        "\n",
        "# A stubby.yml as a Stubby user would have it, pointed at the local test upstream.",
        "resolution_type: GETDNS_RESOLUTION_STUB",
        "dns_transport_list:",
        "  - GETDNS_TRANSPORT_TLS",
        "tls_authentication: GETDNS_AUTHENTICATION_REQUIRED",
        "tls_query_padding_blocksize: 128",
        "appdata_dir: /var/cache/stubby",
        "edns_client_subnet_private: 1",
        "round_robin_upstreams: 1",
        "idle_timeout: 10000",
        "# The test zone is unsigned: validation has its own test below.",
        "dnssec: GETDNS_EXTENSION_FALSE",
        "# test. is special-use, not a public suffix: the policy forwards it only as a local zone.",
        "policy:",
        "  local_zones: [test]",
        "# Tests run side by side: the metrics endpoint on a port of its own.",
        "metrics: {listen: 127.0.0.1@0}",
        "listen_addresses:",
        "  - 127.0.0.1@" + port,
        "tls_ca_file: " + ca.caFile(),
        "upstream_recursive_servers:",
        "  - address_data: 127.0.0.1",
        "    tls_port: " + unbound.dotPort(),
        "    tls_auth_name: \"dot.test\"",
        "");
  }

  /** Runs the jar to completion (for -i, -h, bad configs). */
  static Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), out, err);
  }

  record Result(int exit, String out, String err) {}

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** java with these JVM options, the jar, -C config. */
  static List<String> jarCommand(List<String> jvmOptions, Path config) {
    List<String> cmd = new ArrayList<>(List.of(javaBin()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString(), "-C", config.toString()));
    return cmd;
  }

  @Test
  void runsAsADaemonWithAStubbyConfigAndAnswersDigUntilTerminated() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    Path cfg = writeConfig("stubby.yml", stubbyStyleConfig(port));
    Process p = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "-C", cfg.toString(), "-l").redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      StringBuilder log = new StringBuilder();
      boolean ready = false;
      for (String l; !ready && (l = lines.poll(60, TimeUnit.SECONDS)) != null; ) {
        log.append(l).append('\n');
        ready = l.contains("ready");
      }
      assertTrue(ready, "no ready line:\n" + log);
      assertTrue(log.toString().contains("appdata_dir: not implemented yet"), "unimplemented Stubby keys are warned about:\n" + log);

      DigResult udp = Dig.query("127.0.0.1", port, "www.example.test", "A");
      assertEquals("NOERROR", udp.status(), udp.output());
      assertEquals(List.of("192.0.2.1"), udp.answersOf("A"));
      DigResult tcp = Dig.query("127.0.0.1", port, "www.example.test", "AAAA", "+tcp");
      assertEquals(List.of("2001:db8::1"), tcp.answersOf("AAAA"));
      DigResult big = Dig.query("127.0.0.1", port, "big.example.test", "TXT");
      assertEquals(EndToEndTest.BIG_TXT_RECORDS, big.answersOf("TXT").size(), big.output());

      assertPipelinedTcpWithDnsperf(port);
    } finally {
      p.toHandle().destroy(); // SIGTERM, leaving our end of the output pipe open
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits on SIGTERM");
    }
    StringBuilder rest = new StringBuilder();
    for (String l; (l = lines.poll(1, TimeUnit.SECONDS)) != null; ) {
      rest.append(l).append('\n');
    }
    assertTrue(rest.toString().contains("shutting down"), "exit " + p.exitValue() + ":\n" + rest);
  }

  /** dnsperf over TCP keeps many queries outstanding on one connection: real pipelining. */
  static void assertPipelinedTcpWithDnsperf(int port) throws Exception {
    Path queries = dir.resolve("queries.txt");
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      q.append(i % 2 == 0 ? "www.example.test A\n" : "n" + i + ".example.test A\n");
    }
    Files.writeString(queries, q);
    Process perf =
        new ProcessBuilder("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port), "-m", "tcp", "-c", "1", "-q", "50", "-n", "20", "-d", queries.toString(), "-t", "5")
            .redirectErrorStream(true)
            .start();
    String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(perf.waitFor(60, TimeUnit.SECONDS));
    assertTrue(out.contains("Queries sent:         1000"), out);
    assertTrue(out.contains("Queries completed:    1000"), out);
    assertTrue(out.contains("Queries lost:         0"), out);
    assertTrue(out.contains("NOERROR 500") && out.contains("NXDOMAIN 500"), out);
  }

  @Test
  void dashIPrintsTheEffectiveConfigAndItLoadsBack() throws Exception {
    Path cfg = writeConfig("print.yml", stubbyStyleConfig(5353));
    Result r = run("-C", cfg.toString(), "-i");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("127.0.0.1@5353"), r.out());
    assertTrue(r.out().contains("dot.test"), r.out());
    Path printed = writeConfig("printed.yml", r.out());
    Result again = run("-C", printed.toString(), "-i");
    assertEquals(0, again.exit(), again.err());
    assertEquals(withoutComments(r.out()), withoutComments(again.out()), "the printed config is a config that means the same");
  }

  static String withoutComments(String yaml) {
    return yaml.lines().filter(l -> !l.startsWith("#")).collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  void withoutDashCTheBuiltInConfigIsStubbysQuad9Default() throws Exception {
    Result r = run("-i");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("9.9.9.9"), r.out());
    assertTrue(r.out().contains("149.112.112.112"), r.out());
    assertTrue(r.out().contains("dns.quad9.net"), r.out());
  }

  @Test
  void aBadConfigFailsAtStartWithFileLineKeyAndExpectation() throws Exception {
    Path cfg = writeConfig("bad.yml", "listen_addresses:\n  - 127.0.0.1@5353\nupstream_recursive_servers:\n  - address_data: 127.0.0.1\n    tls_port: abc\n    tls_auth_name: dot.test\n");
    for (String[] args : new String[][] {{"-C", cfg.toString(), "-i"}, {"-C", cfg.toString()}}) {
      Result r = run(args);
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("bad.yml:5"), r.err());
      assertTrue(r.err().contains("upstream_recursive_servers[0].tls_port"), r.err());
    }
  }

  @Test
  void aPortThatCannotBeBoundFailsWithAdvice() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(port, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path cfg = writeConfig("taken.yml", stubbyStyleConfig(port));
      Result r = run("-C", cfg.toString());
      assertNotEquals(0, r.exit());
      String all = r.out() + r.err();
      assertTrue(all.contains("cannot listen on UDP 127.0.0.1@" + port), all);
      assertTrue(all.contains("another DNS server"), all);
    }
  }

  @Test
  void dashHPrintsUsage() throws Exception {
    Result r = run("-h");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("-C FILE"), r.out());
    Result bad = run("-x");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("unknown option"), bad.err());
  }

  @Test
  void port53WithoutPrivilegeFailsWithAdviceOnCapabilities() throws Exception {
    // As root, drop to nobody, the way an unprivileged user would run it.
    // Read procfs as a stream: Files.readString trusts the file size procfs reports and truncates.
    String unprivileged;
    try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"))) {
      unprivileged = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(Integer.parseInt(unprivileged) > 53, "this kernel lets anyone bind port 53");
    Path cfg = writeConfig("port53.yml", "listen_addresses: [127.0.0.1]\nmetrics: {enabled: false}\nupstream_recursive_servers:\n  - address_data: 127.0.0.1\n    tls_auth_name: dot.test\n");
    cfg.toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"));
    }
    cmd.addAll(List.of(javaBin(), "-jar", JAR.toString(), "-C", cfg.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("cannot listen on UDP 127.0.0.1@53"), out);
    assertTrue(out.contains("CAP_NET_BIND_SERVICE"), out);
  }

  @Test
  void validatesDnssecFromTheConfiguredTrustAnchor() throws Exception {
    try (dev.palisade.dnssec.testbed.SignedHierarchy h = dev.palisade.dnssec.testbed.SignedHierarchy.start()) {
      int port = FreePorts.find("127.0.0.1");
      int metricsPort = FreePorts.find("127.0.0.1");
      Path cfg = writeConfig("validating.yml", String.join("\n",
          "listen_addresses: [127.0.0.1@" + port + "]",
          "metrics: {listen: 127.0.0.1@" + metricsPort + "}",
          "dnssec: GETDNS_EXTENSION_TRUE",
          "dnssec_trust_anchors: " + h.trustAnchorFile(),
          "policy: {local_zones: [test]}",
          "tls_ca_file: " + h.ca().caFile(),
          "upstream_recursive_servers:",
          "  - address_data: " + h.recursive().address(),
          "    tls_port: " + h.recursive().dotPort(),
          "    tls_auth_name: " + dev.palisade.dnssec.testbed.SignedHierarchy.TLS_NAME,
          ""));
      Process p = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "-C", cfg.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("validating.log").toFile()).start();
      try {
        DigResult secure = null;
        for (int i = 0; i < 100 && (secure == null || !secure.replied()); i++) {
          Thread.sleep(100);
          secure = Dig.query("127.0.0.1", port, "www.ecdsa.test", "A", "+dnssec", "+time=2");
        }
        assertEquals("NOERROR", secure.status(), secure.output() + Files.readString(dir.resolve("validating.log")));
        assertTrue(secure.hasFlag("ad"), secure.output());
        DigResult forged = Dig.query("127.0.0.1", port, "forged.ecdsa.test", "A", "+dnssec");
        assertEquals("SERVFAIL", forged.status(), forged.output());
        assertTrue(forged.ednsOptions().stream().anyMatch(o -> o.startsWith("EDE")), forged.output());
        assertTrue(forged.answers().isEmpty());
        String log = Files.readString(dir.resolve("validating.log"));
        assertTrue(log.lines().anyMatch(l -> l.contains("validation failed: forged.ecdsa.test. A is bogus: ") && l.contains("(EDE ")),
            "one line per validation failure, with the reason:\n" + log);

        // NXDOMAIN proofs in zones whose keys are known: dnsjava runs some of their steps on
        // CompletableFuture's default executor, which on a machine of fewer than three cores
        // starts a thread per task unless Main bounds it (Main.boundDefaultAsyncPool).
        double before = threadsStarted(metricsPort);
        for (int i = 0; i < 40; i++) {
          DigResult nx = Dig.query("127.0.0.1", port, "nothere" + i + (i % 2 == 0 ? ".ecdsa.test" : ".rsa.test"), "A", "+dnssec");
          assertEquals("NXDOMAIN", nx.status(), nx.output());
          assertTrue(nx.hasFlag("ad"), nx.output());
        }
        double started = threadsStarted(metricsPort) - before;
        assertTrue(started < 10, started + " threads started for 40 validated NXDOMAIN answers");
      } finally {
        p.toHandle().destroy();
        p.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static double threadsStarted(int metricsPort) throws Exception {
    String scrape = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    return scrape.lines().filter(l -> l.startsWith("jvm_threads_started_threads_total ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
        .findFirst().orElseThrow(() -> new AssertionError("no jvm_threads_started_threads_total in\n" + scrape));
  }

  @Test
  void startedWithSighupIgnoredItSaysReloadWillNotWork() throws Exception {
    // nohup leaves SIGHUP ignored, and the JVM will not handle a signal it inherited as ignored.
    int port = FreePorts.find("127.0.0.1");
    Path cfg = writeConfig("nohup.yml", stubbyStyleConfig(port));
    List<String> cmd = new ArrayList<>(List.of("nohup"));
    cmd.addAll(jarCommand(List.of(), cfg));
    try (Running r = new Running(cmd)) {
      r.await("SIGHUP is ignored in this process (started under nohup?): kill -HUP will not reload " + cfg);
      r.await("Main - ready");
      r.signal("HUP");
      Thread.sleep(300);
      assertTrue(r.process.isAlive(), "SIGHUP, ignored, must not stop it");
    }
  }

  /** deploy/jvm.options as scripts/palisade and the runtime image read it: one option a line, # comments. */
  static List<String> deployJvmOptions() throws IOException {
    return Files.readAllLines(Path.of("..", "deploy", "jvm.options")).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  @Test
  void withTheRecommendedJvmOptionsItAnswersAndKeepsNoPerfDataFile() throws Exception {
    // -XX:-UsePerfData: no /tmp/hsperfdata_USER/PID (HotSpot writes it to /tmp whatever
    // java.io.tmpdir says), and no sampler thread waking every 50 ms to fill it.
    int port = FreePorts.find("127.0.0.1");
    Path cfg = writeConfig("recommended-options.yml", stubbyStyleConfig(port));
    try (Running r = new Running(jarCommand(deployJvmOptions(), cfg))) {
      r.await("Main - ready");
      DigResult udp = Dig.query("127.0.0.1", port, "www.example.test", "A");
      assertEquals(List.of("192.0.2.1"), udp.answersOf("A"), udp.output());
      Path perfData = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), Long.toString(r.process.pid()));
      assertFalse(Files.exists(perfData), perfData + " exists: deploy/jvm.options should turn UsePerfData off");
    }
  }

  @Test
  void sighupReloadsThePolicyListsWithoutARestart() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    Path deny = dir.resolve("deny.txt");
    Files.writeString(deny, "# nothing denied yet\n");
    Path cfg = writeConfig("reload.yml", stubbyStyleConfig(port).replace("  local_zones: [test]", "  local_zones: [test]\n  deny_files: [" + deny + "]"));
    Process p = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "-C", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("reload.log").toFile()).start();
    try {
      DigResult before = null;
      for (int i = 0; i < 100 && (before == null || !before.replied()); i++) {
        Thread.sleep(100);
        before = Dig.query("127.0.0.1", port, "www.example.com", "A", "+time=2");
      }
      assertEquals("NOERROR", before.status(), before.output() + Files.readString(dir.resolve("reload.log")));
      Files.writeString(deny, "*.example.com\n");
      new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
      DigResult after = null;
      for (int i = 0; i < 50 && (after == null || !"REFUSED".equals(after.status())); i++) {
        Thread.sleep(100);
        after = Dig.query("127.0.0.1", port, "www.example.com", "A");
      }
      assertEquals("REFUSED", after.status(), "denied after the reload, though the answer is cached: " + after.output());
      assertTrue(p.isAlive(), "no restart");
      assertTrue(Files.readString(dir.resolve("reload.log")).contains("policy reloaded"));
    } finally {
      p.toHandle().destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** A running jar with its output collected line by line. */
  static final class Running implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final StringBuffer all = new StringBuffer();

    Running(Path config) throws IOException {
      this(jarCommand(List.of(), config));
    }

    Running(List<String> command) throws IOException {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            all.append(l).append('\n');
            lines.add(l);
          }
        } catch (IOException ignored) {
          // process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for a line containing {@code text} (bounded) and returns it. */
    String await(String text) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < end) {
        String l = lines.poll(1, TimeUnit.SECONDS);
        if (l != null && l.contains(text)) {
          return l;
        }
        if (l == null && !process.isAlive()) {
          break;
        }
      }
      throw new AssertionError("no line with \"" + text + "\" in:\n" + all);
    }

    void signal(String name) throws Exception {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      process.toHandle().destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void sighupAppliesTheWholeFileAndABadFileKeepsTheRunningConfig() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    try (UnboundServer other = UnboundServer.builder().directory(dir.resolve("other")).tls(ca.issue("other", "dot.test"))
        .localZone("example.test.", "static").localData("www.example.test. 300 IN A 192.0.2.99").build().start()) {
      String base = stubbyStyleConfig(port);
      Path cfg = writeConfig("whole-reload.yml", base);
      try (Running p = new Running(cfg)) {
        p.await(" - ready");
        assertEquals(List.of("192.0.2.1"), Dig.query("127.0.0.1", port, "www.example.test", "A").answersOf("A"));

        // Another upstream, no cache (so the new upstream's data shows at once), the query log on.
        Files.writeString(cfg, base.replace("tls_port: " + unbound.dotPort(), "tls_port: " + other.dotPort())
            + "cache: {size: 0}\nquery_log: true\n");
        p.signal("HUP");
        p.await("reloaded " + cfg);
        DigResult moved = Dig.query("127.0.0.1", port, "www.example.test", "A");
        assertEquals(List.of("192.0.2.99"), moved.answersOf("A"), moved.output());
        String q = p.await("query client=127.0.0.1");
        assertTrue(q.contains("name=www.example.test.") && q.contains("type=A") && q.contains("rcode=NOERROR")
            && q.contains("source=upstream") && q.contains("us="), q);

        // A file that no longer loads: the running config stays, and the log says where and why.
        Files.writeString(cfg, base.replace("tls_port: " + unbound.dotPort(), "tls_port: abc"));
        p.signal("HUP");
        String error = p.await("reload failed, keeping the running config");
        assertTrue(error.contains("whole-reload.yml:") && error.contains("upstream_recursive_servers[0].tls_port"), error);
        assertEquals(List.of("192.0.2.99"), Dig.query("127.0.0.1", port, "www.example.test", "A").answersOf("A"));

        // What needs a restart is named, and the rest still applies.
        Files.writeString(cfg, base.replace("  - 127.0.0.1@" + port, "  - 127.0.0.1@" + (port == 65535 ? port - 1 : port + 1)));
        p.signal("HUP");
        p.await("listen_addresses changed: restart to apply");
        p.await("reloaded " + cfg);
        assertEquals(List.of("192.0.2.1"), Dig.query("127.0.0.1", port, "www.example.test", "A").answersOf("A"), "back on the first upstream");
        assertTrue(p.process.isAlive());
      }
    }
  }

  @Test
  void sigtermAnswersTheQueryInFlightThenExitsZero() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
    try (dev.palisade.upstream.testbed.ScriptedDohPeer slow = dev.palisade.upstream.testbed.ScriptedDohPeer.start(
        "127.0.0.1", ca.issue("slow", "dot.test"), 0, (request, exchange) -> {
          if (request.query().getQuestion().getName().toString().startsWith("slow.")) {
            asked.countDown();
            exchange.answerAfter(java.time.Duration.ofSeconds(2));
          } else {
            exchange.answer();
          }
        })) {
      Path cfg = writeConfig("drain.yml", stubbyStyleConfig(port).replace(
          "    tls_port: " + unbound.dotPort() + "\n", "    doh_url: " + slow.url("dot.test") + "\n"));
      try (Running p = new Running(cfg)) {
        p.await(" - ready");
        java.util.concurrent.CompletableFuture<DigResult> inFlight = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> Dig.query("127.0.0.1", port, "slow.example.test", "A", "+time=8", "+tries=1"));
        assertTrue(asked.await(20, TimeUnit.SECONDS), "the query reached the upstream:\n" + p.all);
        p.process.toHandle().destroy(); // SIGTERM
        DigResult answered = inFlight.get(20, TimeUnit.SECONDS);
        assertEquals(List.of("192.0.2.1"), answered.answersOf("A"), "answered though SIGTERM came first: " + answered.output() + p.all);
        assertTrue(p.process.waitFor(20, TimeUnit.SECONDS), "exits");
        assertEquals(0, p.process.exitValue(), p.all.toString());
        p.await("waiting for 1 queries in flight");
      }
    }
  }

  @Test
  void logsEachRefusalAndEachUpstreamStateChangeWithTheReason() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    try (UnboundServer flaky = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("flaky")).tls(ca.issue("flaky", "dot.test")))
        .build().start()) {
      Path cfg = writeConfig("logs.yml", stubbyStyleConfig(port)
          .replace("tls_port: " + unbound.dotPort(), "tls_port: " + flaky.dotPort())
          .replace("  local_zones: [test]", "  local_zones: [test]\n  deny: [denied.example.test]"));
      try (Running p = new Running(cfg)) {
        p.await(" - ready");
        assertEquals("REFUSED", Dig.query("127.0.0.1", port, "denied.example.test", "AAAA").status());
        String refusal = p.await("refused client=127.0.0.1");
        assertTrue(refusal.contains("name=denied.example.test.") && refusal.contains("type=AAAA") && refusal.contains("layer=list")
            && refusal.contains("reason="), refusal);

        flaky.stop();
        String down = null;
        for (int i = 0; i < 50 && down == null; i++) {
          Dig.query("127.0.0.1", port, "d" + i + ".any.example.test", "A", "+time=1", "+tries=1");
          down = p.all.toString().lines().filter(l -> l.contains("failing (")).findFirst().orElse(null);
        }
        assertTrue(down != null && down.contains("backing off") && down.contains("Connection refused"), "up -> backoff with the reason:\n" + p.all);
        flaky.start();
        String up = null;
        for (int i = 0; i < 100 && up == null; i++) {
          Thread.sleep(50);
          Dig.query("127.0.0.1", port, "u" + i + ".any.example.test", "A", "+time=1", "+tries=1");
          up = p.all.toString().lines().filter(l -> l.contains("is answering again")).findFirst().orElse(null);
        }
        assertTrue(up != null, "backoff -> up:\n" + p.all);
      }
    }
  }

  @Test
  void dnsperfLosesNoQueryAcrossSighupReloadsThatSwitchUpstreams() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    try (UnboundServer other = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("perf-other")).tls(ca.issue("perf", "dot.test")))
        .build().start()) {
      String a = stubbyStyleConfig(port);
      String b = a.replace("tls_port: " + unbound.dotPort(), "tls_port: " + other.dotPort()) + "cache: {size: 1MiB}\n";
      Path cfg = writeConfig("perf-reload.yml", a);
      Path queries = dir.resolve("perf-queries.txt");
      StringBuilder q = new StringBuilder();
      for (int i = 0; i < 2000; i++) {
        // Mostly fresh names, so most queries go through whichever pool is current.
        q.append(i % 4 == 0 ? "www.example.test A\n" : "p" + i + ".any.example.test A\n");
      }
      Files.writeString(queries, q);
      try (Running p = new Running(cfg)) {
        p.await(" - ready");
        Process perf = new ProcessBuilder("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port), "-d", queries.toString(),
            "-l", "8", "-Q", "300", "-t", "5").redirectErrorStream(true).start();
        for (int round = 0; round < 6; round++) {
          Thread.sleep(1000);
          Files.writeString(cfg, round % 2 == 0 ? b : a);
          p.signal("HUP");
          p.await("reloaded " + cfg);
        }
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(perf.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("Queries lost:         0 "), out + p.all);
        java.util.regex.Matcher sent = java.util.regex.Pattern.compile("Queries sent:\\s+(\\d+)").matcher(out);
        assertTrue(sent.find() && Integer.parseInt(sent.group(1)) >= 1000, "a steady stream across the reloads: " + out);
        assertTrue(out.contains("NOERROR") && !out.contains("SERVFAIL"), out);
        assertTrue(p.all.toString().contains("upstreams reloaded"), p.all.toString());
      }
    }
  }
}

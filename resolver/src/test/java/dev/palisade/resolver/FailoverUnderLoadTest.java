package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.CacheConfig;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.palisade.upstream.testbed.ScriptedDotPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real DoT upstreams and dnsperf keeping Palisade busy; one upstream is stopped mid-run. Every
 * query must still be answered (by the other upstream) or time out within Palisade's own timeout:
 * dnsperf, which waits longer than that, must lose none. Then the stopped one comes back and is
 * used again.
 */
class FailoverUnderLoadTest {

  @TempDir Path dir;

  static long count(String output, String label) {
    Matcher m = Pattern.compile(label + "\\s+(\\d+)").matcher(output);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  @Test
  void stoppingOneOfTwoUpstreamsUnderLoadLosesNoQuery() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    try (UnboundServer a = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("a")).tls(ca.issue("a", "dot.test")))
            .extraConfig("log-queries: yes", "verbosity: 1").build().start();
        UnboundServer b = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("b")).tls(ca.issue("b", "dot.test"))).build().start()) {
      PalisadeConfig c = EndToEndTest.config(
          List.of(EndToEndTest.upstream(a.dotPort(), "dot.test"), EndToEndTest.upstream(b.dotPort(), "dot.test")), true, EndToEndTest.LOOPBACK_ONLY)
          // No cache: every query must cross to an upstream, so every one is exposed to the failure.
          .withCache(new CacheConfig(0, CacheConfig.DEFAULTS.minTtl(), CacheConfig.DEFAULTS.maxTtl(), false, false, CacheConfig.DEFAULTS.staleMaxAge()));
      try (Palisade p = Palisade.start(c)) {
        int port = p.udpAddresses().get(0).getPort();
        Path queries = dir.resolve("queries.txt");
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
          q.append("n").append(i).append(".any.example.test A\n");
        }
        Files.writeString(queries, q);
        // About 8 s of load at 1,500 queries per second, waiting up to 10 s for each answer
        // (Palisade's own timeout is 4 s: a query it cannot answer gets SERVFAIL, not silence).
        Process perf = new ProcessBuilder("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port), "-d", queries.toString(),
            "-l", "8", "-Q", "1500", "-q", "200", "-t", "10").redirectErrorStream(true).start();
        Thread.sleep(2500);
        a.stop();
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(perf.waitFor(60, TimeUnit.SECONDS));
        long sent = count(out, "Queries sent:");
        long completed = count(out, "Queries completed:");
        long lost = count(out, "Queries lost:");
        assertTrue(sent > 5000, "the load ran: " + out);
        assertEquals(0, lost, "no query lost silently: " + out);
        assertEquals(sent, completed, out);
        long noerror = count(out, "NOERROR");
        assertTrue(noerror >= sent * 99 / 100, "answered by the other upstream: " + out);

        a.start();
        // The pool probes the restarted upstream once its backoff allows (it doubles from 1 s while
        // the upstream keeps failing); answers keep coming meanwhile, and then it is used again.
        boolean usedAgain = false;
        for (int i = 0; i < 120 && !usedAgain; i++) {
          assertEquals("NOERROR", Dig.query("127.0.0.1", port, "after" + i + ".any.example.test", "A").status());
          usedAgain = a.log().contains("after");
          if (!usedAgain) {
            Thread.sleep(500);
          }
        }
        assertTrue(usedAgain, "the restarted upstream is used again");
      }
    }
  }

  /**
   * Issue 10, part 4: a misbehaving upstream (a scripted peer) beside a real unbound, under dnsperf
   * load. No query is lost: each is answered by the good upstream or, at worst, gets SERVFAIL within
   * Palisade's timeout (dnsperf waits longer). The bad one goes into backoff; made healthy, it is
   * probed back and used again.
   */
  @ParameterizedTest
  @EnumSource(value = ScriptedDotPeer.Fault.class, names = {"SILENT", "GARBAGE", "WRONG_ID", "RESET_MID_STREAM"})
  void aFaultyUpstreamBesideAGoodOneUnderLoadLosesNoQuery(ScriptedDotPeer.Fault fault) throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    try (UnboundServer good = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("good")).tls(ca.issue("good", "dot.test"))).build().start();
        ScriptedDotPeer bad = ScriptedDotPeer.start("127.0.0.1", ca.issue("bad", "dot.test"), fault)) {
      PalisadeConfig c = EndToEndTest.config(
          List.of(EndToEndTest.upstream(bad.port(), "dot.test"), EndToEndTest.upstream(good.dotPort(), "dot.test")), true, EndToEndTest.LOOPBACK_ONLY)
          .withCache(new CacheConfig(0, CacheConfig.DEFAULTS.minTtl(), CacheConfig.DEFAULTS.maxTtl(), false, false, CacheConfig.DEFAULTS.staleMaxAge()));
      try (Palisade p = Palisade.start(c)) {
        int port = p.udpAddresses().get(0).getPort();
        Path queries = dir.resolve("queries.txt");
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
          q.append("n").append(i).append(".any.example.test A\n");
        }
        Files.writeString(queries, q);
        Process perf = new ProcessBuilder("dnsperf", "-s", "127.0.0.1", "-p", Integer.toString(port), "-d", queries.toString(),
            "-l", "6", "-Q", "1000", "-q", "200", "-t", "10").redirectErrorStream(true).start();
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(perf.waitFor(60, TimeUnit.SECONDS));
        long sent = count(out, "Queries sent:");
        long lost = count(out, "Queries lost:");
        long noerror = count(out, "NOERROR");
        long servfail = Math.max(0, count(out, "SERVFAIL"));
        assertTrue(sent > 3000, "the load ran: " + out);
        assertEquals(0, lost, "no query lost silently: " + out);
        assertEquals(sent, noerror + servfail, "every answer is NOERROR or SERVFAIL: " + out);
        assertTrue(noerror >= sent * 99 / 100, "answered by the good upstream: " + out);
        // Round robin would give it half; in backoff it gets only the pool's probes.
        assertTrue(bad.queries() < sent / 4, "the faulty upstream was put in backoff: it got " + bad.queries() + " of " + sent);

        bad.fault(ScriptedDotPeer.Fault.NONE);
        int before = bad.queries();
        boolean usedAgain = false;
        for (int i = 0; i < 400 && !usedAgain; i++) {
          assertEquals("NOERROR", Dig.query("127.0.0.1", port, "after" + i + ".any.example.test", "A").status());
          // Probed, then back in the rotation: it takes a share of the queries again.
          usedAgain = bad.queries() - before >= 10;
          if (!usedAgain) {
            Thread.sleep(100);
          }
        }
        assertTrue(usedAgain, "the healed upstream is probed back and used again");
      }
    }
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.CacheConfig;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.PolicyConfig;
import dev.palisade.config.RateLimitConfig;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A flood of never-seen names (issue 10, part 2) from many client addresses, half under a zone the
 * upstream answers for every name (cache misses that fill the cache), half public-looking names
 * (scored and budgeted by the policy, refused upstream). Afterwards the cache, the policy's
 * per-client state and the rate limiter are within their configured bounds, nothing is left in
 * flight, and the listener answers normally. {@code -Dflood.names=N -Dflood.report=FILE} makes it
 * the bench (bench/flood.sh: 10^6 names, RSS before and after).
 */
class FloodTest {

  static final int NAMES = Integer.getInteger("flood.names", 20_000);
  static final long CACHE_BYTES = 1L << 20;
  static final PolicyConfig.State POLICY_STATE = new PolicyConfig.State(2_000, 8_000, 128);
  static final int CLIENTS = 250;

  @TempDir Path dir;

  static volatile long sendNanos;
  static long heapAfterGc;

  @Test
  void aFloodOfNeverSeenNamesLeavesEveryTableWithinItsBound() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    try (UnboundServer unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("u")).tls(ca.issue("u", "dot.test"))).build().start()) {
      PolicyConfig p = EndToEndTest.TEST_IS_LOCAL;
      PolicyConfig policy = new PolicyConfig(p.mode(), p.refuseWith(), p.localZones(), p.allow(), p.allowFiles(), p.deny(), p.denyFiles(),
          p.builtinAllow(), p.refuseTypes(), p.lexicalRules(), p.budgets(), p.answers(), POLICY_STATE);
      PalisadeConfig c = EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY)
          .withCache(new CacheConfig(CACHE_BYTES, CacheConfig.DEFAULTS.minTtl(), CacheConfig.DEFAULTS.maxTtl(), true, true, CacheConfig.DEFAULTS.staleMaxAge()))
          .withPolicy(policy)
          // Generous per client (the flood is spread over CLIENTS addresses), tight on addresses tracked.
          .withRateLimit(new RateLimitConfig(100_000, 100_000, "drop", 50));
      try (Palisade palisade = Palisade.start(c)) {
        InetSocketAddress to = palisade.udpAddresses().get(0);
        long rssBefore = rssKib();
        long replies = flood(to);
        double seconds = sendNanos / 1e9;
        palisade.cache().orElseThrow().cleanUp();
        long rssAfter = rssKib();
        System.gc();
        heapAfterGc = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 10;

        long cacheBytes = palisade.cache().orElseThrow().bytes();
        int keys = palisade.policyEngine().trackedKeys();
        int clients = palisade.policyEngine().trackedClients();
        String figures = String.format(Locale.ROOT,
            "%d names from %d addresses in %.1f s (%.0f/s), %d replies; cache %d bytes (bound %d), policy keys %d (bound %d),"
                + " policy clients %d (bound %d); RSS %d KiB before, %d KiB after",
            NAMES, CLIENTS, seconds, NAMES / seconds, replies, cacheBytes, CACHE_BYTES, keys, POLICY_STATE.maxKeys(), clients,
            POLICY_STATE.maxClients(), rssBefore, rssAfter);
        System.out.println("flood: " + figures);
        report(seconds, replies, cacheBytes, keys, clients, rssBefore, rssAfter);

        assertTrue(replies > NAMES / 10, "the flood was answered: " + figures);
        assertTrue(cacheBytes <= CACHE_BYTES, "cache within its bound: " + figures);
        assertTrue(keys <= POLICY_STATE.maxKeys(), "policy keys within bound: " + figures);
        assertTrue(clients <= POLICY_STATE.maxClients(), "policy clients within bound: " + figures);
        assertTrue(keys > 0, "the flood did reach the policy's budgets: " + figures);
        DigResult r = Dig.query("127.0.0.1", to.getPort(), "www.example.test", "A");
        assertEquals("NOERROR", r.status(), "the listener answers normally afterwards: " + r.output());
        assertEquals(0, palisade.serverCounters().unexpectedErrors());
      }
    }
  }

  /** Sends NAMES never-seen queries from CLIENTS loopback addresses; returns the replies received. */
  private static long flood(InetSocketAddress to) throws Exception {
    List<DatagramSocket> sockets = new ArrayList<>();
    AtomicLong replies = new AtomicLong();
    List<Thread> receivers = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.1." + (1 + i)), 0));
        s.setSoTimeout(3000);
        sockets.add(s);
      }
      // A reader thread per socket (blocking receive until 3 s of quiet): fine for a few hundred.
      for (DatagramSocket s : sockets) {
        Thread t = new Thread(() -> {
          byte[] buf = new byte[4096];
          try {
            while (true) {
              s.receive(new DatagramPacket(buf, buf.length));
              replies.incrementAndGet();
            }
          } catch (SocketTimeoutException e) {
            // quiet: done
          } catch (IOException e) {
            // closed
          }
        });
        t.setDaemon(true);
        t.start();
        receivers.add(t);
      }
      long started = System.nanoTime();
      for (int i = 0; i < NAMES; i++) {
        String name = (i % 2 == 0)
            ? "f" + Integer.toString(i, 36) + ".any.example.test."
            : "x" + Integer.toString(i, 36) + ".d" + (i % 5000) + ".com.";
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        q.getHeader().setID(i & 0xFFFF);
        q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        byte[] b = q.toWire();
        sockets.get(i % CLIENTS).send(new DatagramPacket(b, b.length, to));
        if (i % 100 == 99) {
          Thread.sleep(1);
        }
      }
      sendNanos = System.nanoTime() - started;
      for (Thread t : receivers) {
        t.join();
      }
      return replies.get();
    } finally {
      sockets.forEach(DatagramSocket::close);
    }
  }

  static long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static void report(double seconds, long replies, long cacheBytes, int keys, int clients, long rssBefore, long rssAfter) throws IOException {
    String file = System.getProperty("flood.report");
    if (file == null) {
      return;
    }
    Runtime rt = Runtime.getRuntime();
    Files.writeString(Path.of(file), String.join("\n",
        "# Flood of never-seen names",
        "",
        "Written by `bench/flood.sh` (FloodTest with `-Dflood.names`): never-seen names over UDP from " + CLIENTS + " loopback",
        "addresses to a live Palisade (in-process, real unbound DoT upstream): half under a zone the upstream answers for every",
        "name (cache misses), half public-looking names (scored and budgeted by the policy; the upstream refuses them).",
        "Bounds configured: cache " + CACHE_BYTES + " bytes, policy state max_keys " + POLICY_STATE.maxKeys() + ", max_clients "
            + POLICY_STATE.maxClients() + ", rate_limit max_clients 50. RSS is the test JVM's (Palisade, and the sender with its " + CLIENTS + " receiver threads), max heap "
            + (rt.maxMemory() >> 20) + " MiB.",
        "",
        "| names | send seconds | names/s | replies | cache bytes (bound) | policy keys (bound) | policy clients (bound) | RSS before (KiB) | RSS after (KiB) | heap after GC (KiB) | date |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        String.format(Locale.ROOT, "| %d | %.1f | %.0f | %d | %d (%d) | %d (%d) | %d (%d) | %d | %d | %d | %s |", NAMES, seconds, NAMES / seconds,
            replies, cacheBytes, CACHE_BYTES, keys, POLICY_STATE.maxKeys(), clients, POLICY_STATE.maxClients(), rssBefore, rssAfter,
            heapAfterGc, java.time.LocalDate.now(java.time.ZoneOffset.UTC)),
        "",
        "The sender is paced (1 ms every 100 names); replies short of the names sent are datagrams dropped by the kernel.",
        "RSS grows with the JVM's heap up to -Xmx (the JVM keeps what it once used), not with the number of names: the",
        "tables themselves stay at or under their bounds, and the heap after a full GC is the figure that shows it.",
        ""));
  }
}

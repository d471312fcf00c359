package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** The pool over two real unbound DoT servers on loopback, one of which is stopped under load. */
class PoolFailoverTest {

  private static final Duration DEADLINE = Duration.ofSeconds(5);

  @TempDir Path dir;

  private UnboundServer unbound(String name, TestCa ca) {
    return UnboundServer.builder()
        .directory(dir.resolve(name))
        .tls(ca.issue(name, "dot.test"))
        .localZone("example.test.", "static")
        .localData("www.example.test. 300 IN A 192.0.2.1")
        .build()
        .start();
  }

  private static DotUpstream dot(UnboundServer u, TestCa ca, EventLoopGroup group) throws Exception {
    DotSettings s = new DotSettings(
        new InetSocketAddress(InetAddress.getByName(u.address()), u.dotPort()),
        TlsSettings.strict("dot.test").withCaFile(ca.caFile()),
        Duration.ofSeconds(30), Duration.ofSeconds(2), 8192, 0, EdnsPrivacy.DEFAULT);
    return new DotUpstream(s, group, NioSocketChannel.class, new SecureRandom(), System::nanoTime);
  }

  private static Message query(int i) throws Exception {
    String name = i % 4 == 0 ? "www.example.test." : "n" + i + ".example.test.";
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  @Test
  void everyQueryCompletesWhileOneUpstreamIsStoppedUnderLoadAndItIsUsedAgainAfterRestart() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try (UnboundServer a = unbound("a", ca); UnboundServer b = unbound("b", ca)) {
      DotUpstream upA = dot(a, ca, group);
      DotUpstream upB = dot(b, ca, group);
      PoolSettings settings =
          PoolSettings.defaults(UpstreamPool.Selection.ROUND_ROBIN).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
      try (UpstreamPool pool = new UpstreamPool(List.of(upA, upB), settings, System::nanoTime, new Random(), UpstreamListener.NONE)) {
        int waves = 6;
        int perWave = 500;
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int w = 0; w < waves; w++) {
          List<CompletableFuture<Reply>> wave = new ArrayList<>(perWave);
          List<Long> deadlines = new ArrayList<>(perWave);
          for (int i = 0; i < perWave; i++) {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            deadlines.add(deadline);
            wave.add(pool.exchange(query(w * perWave + i), deadline));
          }
          if (w == 2) {
            a.stop(); // under load: part of this wave is in flight on a
          }
          for (int i = 0; i < perWave; i++) {
            String outcome;
            try {
              // Generous guard only: the pool's own deadline must end every query first.
              Reply r = wave.get(i).get(DEADLINE.toMillis() + 10_000, TimeUnit.MILLISECONDS);
              outcome = r.message().getRcode() == Rcode.NOERROR || r.message().getRcode() == Rcode.NXDOMAIN ? "answered" : "rcode " + r.message().getRcode();
            } catch (ExecutionException e) {
              outcome = e.getCause() instanceof UpstreamException u ? "failed " + u.reason() : "failed " + e.getCause();
            } catch (TimeoutException e) {
              outcome = "hung";
            }
            outcomes.merge(outcome, 1, Integer::sum);
          }
        }
        assertEquals(Map.of("answered", waves * perWave), outcomes, "every query answered, by b when a was gone");
        assertTrue(pool.resting().contains(upA.id()) || !a.isRunning(), "a is resting while down");

        a.start();
        boolean usedAgain = false;
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!usedAgain && System.nanoTime() - giveUp < 0) {
          Reply r = pool.exchange(query(0), System.nanoTime() + DEADLINE.toNanos()).get(15, TimeUnit.SECONDS);
          usedAgain = r.upstream().equals(upA.id());
          if (!usedAgain) {
            Thread.sleep(50);
          }
        }
        assertTrue(usedAgain, "after its restart a answers again");
        assertEquals(List.of(), pool.resting());
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}

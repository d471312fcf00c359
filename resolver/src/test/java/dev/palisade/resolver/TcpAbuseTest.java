package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.PalisadeConfig;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * TCP abuse (issue 10, part 3) against a live Palisade: thousands of idle connections, half a
 * length prefix and silence, a client that pipelines queries and never reads its replies. The cap
 * holds, idle connections are closed, UDP goes on being answered, and a non-reading client is
 * stopped being read from rather than buffered for.
 */
class TcpAbuseTest {

  static final int CAP = 500;
  static final Duration IDLE = Duration.ofSeconds(2);

  @TempDir static Path dir;
  static UnboundServer unbound;
  static Palisade palisade;
  static InetSocketAddress tcp;
  static int udpPort;

  @BeforeAll
  static void start() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start();
    PalisadeConfig config = EndToEndTest.config(
        List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY, IDLE, CAP);
    palisade = Palisade.start(config);
    tcp = palisade.tcpAddresses().get(0);
    udpPort = palisade.udpAddresses().get(0).getPort();
  }

  @AfterAll
  static void stop() {
    if (palisade != null) {
      palisade.close();
    }
    unbound.close();
  }

  static void udpStillAnswers() {
    DigResult r = Dig.query("127.0.0.1", udpPort, "www.example.test", "A");
    assertEquals("NOERROR", r.status(), r.output());
  }

  /** Polls {@code condition} for up to a minute (a deadline for a hung test, not a timing assertion). */
  static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "never happened: " + what);
      Thread.sleep(50);
    }
  }

  @Test
  void twoThousandIdleConnectionsAreCappedThenClosedWhileUdpIsAnswered() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    AtomicLong highest = new AtomicLong();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        highest.accumulateAndGet(palisade.openTcpConnections(), Math::max);
        Thread.onSpinWait();
      }
    });
    watcher.start();
    try {
      for (int i = 0; i < 2000; i++) {
        Socket s = new Socket();
        s.connect(tcp, 10_000);
        s.setSoTimeout(60_000);
        sockets.add(s);
        if (i % 500 == 499) {
          udpStillAnswers();
        }
      }
      eventually("the cap applied to every connection", () -> palisade.openTcpConnections() <= CAP);
      udpStillAnswers();
      // Every socket ends: those over the cap at once, the others after the idle timeout.
      int closed = 0;
      for (Socket s : sockets) {
        closed += readsEndOfStream(s.getInputStream()) ? 1 : 0;
      }
      assertEquals(2000, closed, "every connection was closed by the server");
      eventually("no connection left open", () -> palisade.openTcpConnections() == 0);
    } finally {
      watching.set(false);
      watcher.join();
      for (Socket s : sockets) {
        s.close();
      }
    }
    assertTrue(highest.get() <= CAP, "never more than the cap open: " + highest.get());
    udpStillAnswers();
  }

  static boolean readsEndOfStream(InputStream in) {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed too
    }
  }

  @Test
  void halfALengthPrefixThenSilenceIsDisconnectedAtTheIdleTimeout() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(tcp, 10_000);
      s.setSoTimeout(60_000);
      s.getOutputStream().write(0x00);
      s.getOutputStream().flush();
      assertTrue(readsEndOfStream(s.getInputStream()), "the server hangs up");
    }
    udpStillAnswers();
  }

  @Test
  void aClientThatNeverReadsItsRepliesIsNoLongerReadFrom() throws Exception {
    byte[] query = Message.newQuery(Record.newRecord(Name.fromString("big.example.test."), Type.TXT, DClass.IN)).toWire();
    long total = 1_000_000;
    AtomicLong written = new AtomicLong();
    Thread writerThread;
    try (Socket s = new Socket()) {
      // Small buffers on our side, so that the server's replies back up quickly into its own.
      s.setReceiveBufferSize(4096);
      s.setSendBufferSize(8192);
      s.connect(tcp, 10_000);
      Thread writer = new Thread(() -> {
        try {
          DataOutputStream out = new DataOutputStream(s.getOutputStream());
          for (long i = 0; i < total; i++) {
            out.writeShort(query.length);
            out.write(query);
            written.incrementAndGet();
          }
        } catch (IOException e) {
          // the server closed the connection (idle timeout while nothing could be sent): fine
        }
      }, "never-reads");
      writer.setDaemon(true);
      writer.start();
      writerThread = writer;
      // Each query's reply (a 40-record TXT set, about 3.3 KB) is ~100 times its size: had the
      // server gone on reading, it would hold hundreds of megabytes of replies for this client.
      long last = -1;
      while (written.get() != last && writer.isAlive()) {
        last = written.get();
        Thread.sleep(1500);
      }
      System.out.println("never-reads: " + written.get() + " queries taken, writer blocked " + writer.isAlive());
      // Taken: what the kernel buffers hold, 256 pipelined queries and the replies under the 64 KiB
      // high water mark; a few thousand. Without the water marks the server reads on (hundreds of
      // thousands, then the idle timeout ends the connection while the heap fills with replies).
      assertTrue(written.get() < 50_000, "the server stopped reading: it took " + written.get() + " queries");
      udpStillAnswers();
    }
    // The socket is closed: a writer still blocked gets an exception and ends.
    writerThread.join(10_000);
    eventually("the connection is gone", () -> palisade.openTcpConnections() == 0);
  }
}

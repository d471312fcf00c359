package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.resolver.server.MalformedPackets;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Random, mutated and malformed packets of every class in {@link MalformedPackets} thrown at the
 * live listener over UDP and TCP (length prefixes longer or shorter than the data, none at all, half
 * a prefix). Whatever comes back must be a response, no exception may reach the listener's pipeline
 * ({@code ServerCounters.unexpectedErrors}), and afterwards the listener must answer dig normally.
 * Seeded, so a failure can be replayed.
 */
class ListenerFuzzTest {

  static final long SEED = 0x9A115ADEL;
  static final int UDP_CASES = 10_000;
  static final int TCP_CONNECTIONS = 40;

  @TempDir static Path dir;
  static UnboundServer unbound;
  static Palisade palisade;
  static InetSocketAddress udp;
  static InetSocketAddress tcp;

  @BeforeAll
  static void start() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start();
    palisade = Palisade.start(EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY));
    udp = palisade.udpAddresses().get(0);
    tcp = palisade.tcpAddresses().get(0);
  }

  @AfterAll
  static void stop() {
    if (palisade != null) {
      palisade.close();
    }
    unbound.close();
  }

  /**
   * {@code -Dfuzz.cases=N} for the bench (bench/fuzz.sh runs 10^6), and {@code -Dfuzz.report=FILE}
   * to write the figures there.
   */
  static final int CASES = Integer.getInteger("fuzz.cases", UDP_CASES);

  @Test
  void survivesEveryClassOfMalformedDatagramAndStillAnswers() throws Exception {
    MalformedPackets gen = new MalformedPackets(SEED);
    java.util.concurrent.atomic.AtomicLong replies = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Throwable> bad = new java.util.concurrent.atomic.AtomicReference<>();
    long errorsBefore = palisade.serverCounters().unexpectedErrors();
    long started = System.nanoTime();
    int sent = 0;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setReceiveBufferSize(4 << 20);
      Thread receiver = new Thread(() -> {
        byte[] buf = new byte[65535];
        try {
          s.setSoTimeout(2000);
          while (true) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            s.receive(in);
            Header h = new Header(java.util.Arrays.copyOf(in.getData(), in.getLength()));
            if (!h.getFlag(Flags.QR)) {
              bad.compareAndSet(null, new AssertionError("a reply that is not a response"));
            }
            replies.incrementAndGet();
          }
        } catch (SocketTimeoutException e) {
          // two seconds of silence after the last case: done
        } catch (IOException e) {
          bad.compareAndSet(null, e);
        }
      }, "fuzz-receiver");
      receiver.start();
      for (int i = 0; i < CASES; i++) {
        MalformedPackets.Case c = gen.next();
        if (c.bytes().length == 0) {
          continue;
        }
        s.send(new DatagramPacket(c.bytes(), c.bytes().length, udp));
        sent++;
        if (i % 200 == 199) {
          // Paced, so that the kernel's buffers, not the fuzz, decide what is dropped.
          Thread.sleep(1);
        }
      }
      long sendNanos = System.nanoTime() - started;
      receiver.join();
      if (bad.get() != null) {
        throw new AssertionError("seed " + Long.toHexString(SEED), bad.get());
      }
      long unexpected = palisade.serverCounters().unexpectedErrors() - errorsBefore;
      boolean alive = stillAnswers();
      report(sent, sendNanos, replies.get(), unexpected, alive);
      assertEquals(0, unexpected, "no exception reached the listener's pipeline");
      assertTrue(replies.get() > sent / 10, "the listener kept answering during the run: " + replies + " of " + sent);
      assertTrue(alive, "dig is answered normally afterwards");
    }
  }

  private static void report(int sent, long nanos, long replies, long unexpected, boolean alive) throws IOException {
    String file = System.getProperty("fuzz.report");
    double pps = sent / (nanos / 1e9);
    String line = String.format(java.util.Locale.ROOT, "%d cases sent in %.1f s: %.0f packets/s, %d replies, %d unexpected listener errors, listener %s",
        sent, nanos / 1e9, pps, replies, unexpected, alive ? "answering afterwards" : "NOT ANSWERING");
    System.out.println("fuzz: " + line);
    if (file != null) {
      java.nio.file.Files.writeString(java.nio.file.Path.of(file), String.join("\n",
          "# Listener fuzz",
          "",
          "Written by `bench/fuzz.sh` (ListenerFuzzTest with `-Dfuzz.cases`): seeded malformed and valid",
          "queries of every class in `MalformedPackets` (random bytes, bit flips, truncation, lying counts,",
          "compression loops and pointers to self, labels over 63 and names over 255 octets, several OPT,",
          "OPT outside the additional section, malformed cookies, responses, several questions) sent over",
          "UDP to a live Palisade (in-process, cache on, a real unbound DoT upstream on loopback).",
          "",
          "| cases | seconds | packets/s | replies | crashes (unexpected listener errors + listener dead) | date |",
          "|---:|---:|---:|---:|---:|---|",
          String.format(java.util.Locale.ROOT, "| %d | %.1f | %.0f | %d | %d | %s |", sent, nanos / 1e9, pps, replies,
              unexpected + (alive ? 0 : 1), java.time.LocalDate.now(java.time.ZoneOffset.UTC)),
          "",
          "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, shared with other work; the rate is the sender's"
              + " (one thread, paced by 1 ms every 200 packets), not a capacity figure.",
          ""));
    }
  }

  @Test
  void answersFormerrToAReadableHeaderWithGarbageBehindIt() throws Exception {
    byte[] packet = new byte[40];
    new Random(SEED).nextBytes(packet);
    packet[0] = 0x12;
    packet[1] = 0x34;
    packet[2] = 0x01; // QR=0, opcode QUERY, RD
    packet[3] = 0x00;
    packet[4] = 0x00;
    packet[5] = 0x01; // one question...
    packet[12] = 63; // ...whose first label runs past the end of the packet
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(5000);
      s.send(new DatagramPacket(packet, packet.length, udp));
      DatagramPacket in = new DatagramPacket(new byte[512], 512);
      s.receive(in);
      Header h = new Header(java.util.Arrays.copyOf(in.getData(), in.getLength()));
      assertEquals(0x1234, h.getID());
      assertEquals(Rcode.FORMERR, h.getRcode());
    }
  }

  @Test
  void survivesGarbageAndBrokenFramingOverTcp() throws Exception {
    Random r = new Random(SEED + 1);
    MalformedPackets gen = new MalformedPackets(SEED + 1);
    long errorsBefore = palisade.serverCounters().unexpectedErrors();
    for (int c = 0; c < TCP_CONNECTIONS; c++) {
      try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
        s.setSoTimeout(200);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (int i = 0; i < 20; i++) {
          byte[] packet = gen.next().bytes();
          switch (r.nextInt(4)) {
            case 0:
              out.writeShort(packet.length + 1 + r.nextInt(10)); // prefix longer than the data
              out.write(packet);
              break;
            case 1:
              out.writeShort(Math.max(0, packet.length - 1 - r.nextInt(5))); // shorter
              out.write(packet);
              break;
            case 2:
              out.write(packet); // no prefix at all
              break;
            default:
              out.writeShort(packet.length);
              out.write(packet);
          }
        }
        out.flush();
        if (r.nextBoolean()) {
          out.write(0x00); // half a length prefix, then silence
          out.flush();
        }
        drain(s.getInputStream());
      } catch (IOException e) {
        // the server may reset a connection it could not frame: fine
      }
    }
    assertEquals(0, palisade.serverCounters().unexpectedErrors() - errorsBefore, "no exception reached the listener's pipeline");
    assertStillAnswers();
    assertEquals("NOERROR", Dig.query("127.0.0.1", tcp.getPort(), "www.example.test", "A", "+tcp").status());
  }

  private static void drain(InputStream in) {
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // timeout or reset
    }
  }

  private static boolean stillAnswers() {
    DigResult r = Dig.query("127.0.0.1", udp.getPort(), "www.example.test", "A");
    return "NOERROR".equals(r.status()) && List.of("192.0.2.1").equals(r.answersOf("A"));
  }

  private static void assertStillAnswers() {
    DigResult r = Dig.query("127.0.0.1", udp.getPort(), "www.example.test", "A");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of("192.0.2.1"), r.answersOf("A"));
  }
}

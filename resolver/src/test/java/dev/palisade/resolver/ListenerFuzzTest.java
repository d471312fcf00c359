package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Random and mutated packets thrown at the live listener over UDP and TCP. Whatever comes back must
 * be a well-formed reply to the packet's ID, and afterwards the listener must answer dig normally.
 * Seeded, so a failure can be replayed.
 */
class ListenerFuzzTest {

  static final long SEED = 0x9A115ADEL;
  static final int UDP_CASES = 4000;
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

  static byte[] validQuery(Random r) throws IOException {
    String[] names = {"www.example.test.", "big.example.test.", "nope.example.test.", "a.b.c.example.test."};
    int[] types = {Type.A, Type.AAAA, Type.TXT, Type.MX, Type.ANY};
    Message m = Message.newQuery(Record.newRecord(Name.fromString(names[r.nextInt(names.length)]), types[r.nextInt(types.length)], DClass.IN));
    m.getHeader().setID(r.nextInt(0x10000));
    if (r.nextBoolean()) {
      m.addRecord(new OPTRecord(r.nextInt(5000), 0, r.nextInt(3) == 0 ? 1 : 0), Section.ADDITIONAL);
    }
    return m.toWire();
  }

  /** Bit flips, byte overwrites, truncation, extension, lying counts, compression pointers to self. */
  static byte[] mutate(byte[] in, Random r) {
    byte[] b = in.clone();
    switch (r.nextInt(7)) {
      case 0:
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      case 1:
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        return b;
      case 2:
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
      case 3:
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) r.nextInt(256);
        }
        return longer;
      case 4:
        // Section counts that lie.
        int section = 4 + 2 * r.nextInt(4);
        b[section] = (byte) r.nextInt(256);
        b[section + 1] = (byte) r.nextInt(256);
        return b;
      case 5:
        // A compression pointer to itself in place of the question name.
        if (b.length > 14) {
          b[12] = (byte) 0xC0;
          b[13] = 12;
        }
        return b;
      default:
        byte[] random = new byte[r.nextInt(600)];
        r.nextBytes(random);
        return random;
    }
  }

  /** A reply, if any, must parse at least as a header, be a response and carry the query's ID. */
  static void checkReply(byte[] sent, byte[] reply) throws IOException {
    Header h = new Header(reply);
    assertTrue(h.getFlag(Flags.QR), "a reply is a response");
    int sentId = ((sent[0] & 0xff) << 8) | (sent[1] & 0xff);
    assertEquals(sentId, h.getID(), "a reply carries the query's ID");
  }

  @Test
  void survivesRandomAndMutatedDatagrams() throws Exception {
    Random r = new Random(SEED);
    int replies = 0;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(30);
      byte[] buf = new byte[65535];
      for (int i = 0; i < UDP_CASES; i++) {
        byte[] packet = mutate(validQuery(r), r);
        if (packet.length == 0) {
          continue;
        }
        s.send(new DatagramPacket(packet, packet.length, udp));
        // Collect what comes back; slow (upstream) replies may arrive for later cases, so only
        // check replies that match this case's ID.
        try {
          DatagramPacket in = new DatagramPacket(buf, buf.length);
          s.receive(in);
          byte[] reply = java.util.Arrays.copyOf(in.getData(), in.getLength());
          if (reply.length >= 2 && reply[0] == packet[0] && reply[1] == packet[1]) {
            checkReply(packet, reply);
          }
          replies++;
        } catch (SocketTimeoutException e) {
          // dropped or slow: both fine
        }
      }
    }
    assertTrue(replies > UDP_CASES / 10, "the listener kept answering during the run: " + replies);
    assertStillAnswers();
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
    for (int c = 0; c < TCP_CONNECTIONS; c++) {
      try (Socket s = new Socket(tcp.getAddress(), tcp.getPort())) {
        s.setSoTimeout(200);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        for (int i = 0; i < 20; i++) {
          byte[] packet = mutate(validQuery(r), r);
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

  private static void assertStillAnswers() {
    DigResult r = Dig.query("127.0.0.1", udp.getPort(), "www.example.test", "A");
    assertEquals("NOERROR", r.status(), r.output());
    assertEquals(List.of("192.0.2.1"), r.answersOf("A"));
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.RateLimitConfig;
import dev.palisade.resolver.server.Cookies;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Abuse of the service itself (issue 10, parts 2 and 6), against a live Palisade and a real unbound:
 * per-client rate limiting (drop and refuse), DNS cookies answered to dig and to a rate-limited
 * client, ANY refused, and UDP replies never larger than the client's advertised size.
 */
class AbuseEndToEndTest {

  static final int QPS = 5;
  static final int BURST = 10;

  @TempDir static Path dir;
  static UnboundServer unbound;
  static Palisade dropping;
  static Palisade refusing;

  @BeforeAll
  static void start() throws Exception {
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EndToEndTest.ca = ca;
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start();
    PalisadeConfig base =
        EndToEndTest.config(List.of(EndToEndTest.upstream(unbound.dotPort(), "dot.test")), false, EndToEndTest.LOOPBACK_ONLY);
    dropping = Palisade.start(base.withRateLimit(new RateLimitConfig(QPS, BURST, "drop", 1000)));
    refusing = Palisade.start(base.withRateLimit(new RateLimitConfig(QPS, BURST, "refuse", 1000)));
  }

  @AfterAll
  static void stop() {
    for (Palisade p : new Palisade[] {dropping, refusing}) {
      if (p != null) {
        p.close();
      }
    }
    unbound.close();
  }

  static Message query(String name, int type, int id, boolean edns) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(id);
    if (edns) {
      m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    }
    return m;
  }

  /** Sends {@code queries} at once from {@code socket}, then collects replies until 1.5 s of silence. */
  static List<Message> blast(DatagramSocket socket, InetSocketAddress to, List<Message> queries) throws Exception {
    for (Message q : queries) {
      byte[] b = q.toWire();
      socket.send(new DatagramPacket(b, b.length, to));
    }
    List<Message> replies = new java.util.ArrayList<>();
    socket.setSoTimeout(1500);
    byte[] buf = new byte[65535];
    while (true) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return replies;
      }
      replies.add(new Message(java.util.Arrays.copyOf(p.getData(), p.getLength())));
    }
  }

  static Message exchange(DatagramSocket socket, InetSocketAddress to, Message q) throws Exception {
    List<Message> r = blast(socket, to, List.of(q));
    return r.isEmpty() ? null : r.get(0);
  }

  static DatagramSocket from(String address) throws Exception {
    return new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
  }

  static List<Message> burst(int n) throws Exception {
    List<Message> queries = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      queries.add(query("www.example.test.", Type.A, i, true));
    }
    return queries;
  }

  @Test
  void aClientOverItsRateLimitIsDroppedWhileAnotherAddressIsStillAnswered() throws Exception {
    InetSocketAddress to = dropping.udpAddresses().get(0);
    long before = dropping.serverCounters().rateLimitedDropped();
    try (DatagramSocket greedy = from("127.0.0.1"); DatagramSocket polite = from("127.0.0.2")) {
      List<Message> replies = blast(greedy, to, burst(200));
      // 200 queries at once: the burst and what the rate earned while they were sent, not all.
      assertTrue(replies.size() < 100, "answered " + replies.size() + " of 200");
      assertTrue(replies.size() >= BURST, "the burst is answered: " + replies.size());
      assertTrue(dropping.serverCounters().rateLimitedDropped() - before >= 100, "dropped queries are counted");
      for (int i = 0; i < 3; i++) {
        Message r = exchange(polite, to, query("www.example.test.", Type.A, 7000 + i, true));
        assertNotNull(r, "another client address is still answered");
        assertEquals(Rcode.NOERROR, r.getRcode());
      }
    }
  }

  @Test
  void refuseActionAnswersRefusedToTheExcessAndCountsIt() throws Exception {
    InetSocketAddress to = refusing.udpAddresses().get(0);
    long before = refusing.serverCounters().rateLimitedRefused();
    try (DatagramSocket greedy = from("127.0.0.3"); DatagramSocket polite = from("127.0.0.4")) {
      List<Message> replies = blast(greedy, to, burst(100));
      long refused = replies.stream().filter(m -> m.getRcode() == Rcode.REFUSED).count();
      long answered = replies.stream().filter(m -> m.getRcode() == Rcode.NOERROR).count();
      assertEquals(100, replies.size(), "refuse answers every query");
      assertTrue(refused >= 50 && answered >= BURST, refused + " refused, " + answered + " answered");
      assertTrue(refusing.serverCounters().rateLimitedRefused() - before >= refused);
      Message r = exchange(polite, to, query("www.example.test.", Type.A, 1, true));
      assertEquals(Rcode.NOERROR, r.getRcode());
    }
  }

  @Test
  void digsCookieGetsAServerCookieBackThatStaysGood() {
    int port = dropping.udpAddresses().get(0).getPort();
    DigResult first = Dig.query("127.0.0.1", port, "www.example.test", "A", "-b", "127.0.0.5", "+cookie");
    assertEquals("NOERROR", first.status(), first.output());
    String cookie = cookie(first.output());
    assertNotNull(cookie, "a COOKIE option in the reply: " + first.output());
    assertEquals(48, cookie.length(), "client (8) and server (16) cookie: " + cookie);
    assertTrue(first.output().contains("(good)"), "dig finds its client cookie echoed: " + first.output());
    DigResult again = Dig.query("127.0.0.1", port, "www.example.test", "A", "-b", "127.0.0.5", "+cookie=" + cookie);
    assertEquals("NOERROR", again.status(), again.output());
    assertEquals(cookie, cookie(again.output()), "our valid cookie is echoed");
    // A server cookie we never made: answered normally with a fresh one (RFC 7873 section 5.2.3).
    String forged = cookie.substring(0, 16) + "01000000" + cookie.substring(24, 32) + "0000000000000000";
    DigResult bad = Dig.query("127.0.0.1", port, "www.example.test", "A", "-b", "127.0.0.5", "+cookie=" + forged);
    assertEquals("NOERROR", bad.status(), bad.output());
    assertFalse(forged.equals(cookie(bad.output())), bad.output());
  }

  static String cookie(String digOutput) {
    Matcher m = Pattern.compile("COOKIE: ([0-9a-f]+)").matcher(digOutput);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void aClientOverTheLimitThatSpeaksCookiesGetsBadcookieAndThenPassesWithItsServerCookie() throws Exception {
    InetSocketAddress to = dropping.udpAddresses().get(0);
    byte[] clientCookie = HexFormat.of().parseHex("0123456789abcdef");
    try (DatagramSocket s = from("127.0.0.6")) {
      Message q = query("www.example.test.", Type.A, 4242, false);
      q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new CookieOption(clientCookie))), Section.ADDITIONAL);
      // Each query goes right behind a burst that empties the bucket.
      Message r = afterBurst(s, to, q);
      assertNotNull(r, "a client cookie over the limit gets an answer");
      assertEquals(Cookies.BADCOOKIE, r.getRcode(), r.toString());
      assertTrue(dropping.serverCounters().badCookies() > 0, "counted");
      assertEquals(0, r.getSection(Section.ANSWER).size());
      CookieOption back = (CookieOption) r.getOPT().getOptions(EDNSOption.Code.COOKIE).get(0);
      byte[] server = back.getServerCookie().orElseThrow();
      Message withServerCookie = query("www.example.test.", Type.A, 4243, false);
      withServerCookie.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new CookieOption(clientCookie, server))), Section.ADDITIONAL);
      Message ok = afterBurst(s, to, withServerCookie);
      assertNotNull(ok);
      assertEquals(Rcode.NOERROR, ok.getRcode(), "a proven address is not limited");
      // Without the cookie, the address is still over its limit.
      assertNull(afterBurst(s, to, query("www.example.test.", Type.A, 4244, true)));
    }
  }

  /** The reply to {@code q} sent right after 100 queries from the same socket, or null. */
  static Message afterBurst(DatagramSocket s, InetSocketAddress to, Message q) throws Exception {
    List<Message> queries = new java.util.ArrayList<>(burst(100));
    queries.add(q);
    return blast(s, to, queries).stream().filter(m -> m.getHeader().getID() == q.getHeader().getID()).findFirst().orElse(null);
  }

  @Test
  void aMalformedCookieOptionIsAFormatError() throws Exception {
    InetSocketAddress to = dropping.udpAddresses().get(0);
    Message q = query("www.example.test.", Type.A, 77, false);
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new org.xbill.DNS.GenericEDNSOption(10, new byte[5]))), Section.ADDITIONAL);
    try (DatagramSocket s = from("127.0.0.7")) {
      Message r = exchange(s, to, q);
      assertEquals(Rcode.FORMERR, r.getRcode());
      assertEquals(77, r.getHeader().getID());
    }
  }

  @Test
  void anyIsRefusedByTheDefaultPolicy() {
    // Before anything is forwarded (policy.refuse_types); names in local_zones are exempt.
    DigResult r = Dig.query("127.0.0.1", refusing.udpAddresses().get(0).getPort(), "www.example.com", "ANY", "-b", "127.0.0.8");
    assertEquals("REFUSED", r.status(), r.output());
    assertTrue(r.answers().isEmpty());
  }

  @Test
  void udpRepliesNeverExceedTheClientsAdvertisedSize() throws Exception {
    InetSocketAddress to = dropping.udpAddresses().get(0);
    try (DatagramSocket s = from("127.0.0.9")) {
      for (int size : new int[] {0, 512, 700, 1000, 1232, 4096}) {
        Message q = query("big.example.test.", Type.TXT, size, false);
        if (size > 0) {
          q.addRecord(new OPTRecord(size, 0, 0), Section.ADDITIONAL);
        }
        byte[] b = q.toWire();
        s.send(new DatagramPacket(b, b.length, to));
        s.setSoTimeout(5000);
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        int limit = size == 0 ? 512 : Math.min(Math.max(size, 512), 1232);
        assertTrue(p.getLength() <= limit, "advertised " + size + ": reply of " + p.getLength() + " bytes");
        Message r = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
        assertTrue(r.getHeader().getFlag(Flags.TC), "the 40-record TXT set does not fit: TC");
        assertEquals(size > 0, r.getOPT() != null, "OPT only to EDNS clients");
      }
    }
  }
}

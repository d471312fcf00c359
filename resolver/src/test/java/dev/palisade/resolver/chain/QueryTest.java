package dev.palisade.resolver.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A query read from its bytes must tell every stage what dnsjava's parse of the same bytes tells it,
 * and leave every shape it does not read whole to dnsjava.
 */
class QueryTest {

  private static final Client FROM = new Client(new InetSocketAddress("127.0.0.1", 5353), Protocol.UDP);
  private static final int[] FLAGS = {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD};

  private static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  private static String label(Random r) {
    char[] c = new char[1 + r.nextInt(20)];
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    for (int i = 0; i < c.length; i++) {
      c[i] = letters.charAt(r.nextInt(letters.length()));
    }
    return new String(c);
  }

  @Test
  void readsTheCommonShapeAsDnsjavaDoes() throws Exception {
    Random r = new Random(11);
    int cookies = 0;
    int withOpt = 0;
    for (int i = 0; i < 3000; i++) {
      StringBuilder name = new StringBuilder();
      for (int l = r.nextInt(5); l >= 0; l--) {
        name.append(label(r)).append('.');
      }
      int type = r.nextInt(4) == 0 ? 1 + r.nextInt(65535) : new int[] {Type.A, Type.AAAA, Type.TXT, Type.AXFR}[r.nextInt(4)];
      Message m = Message.newQuery(Record.newRecord(Name.fromString(name.toString()), type, r.nextInt(8) == 0 ? DClass.CH : DClass.IN));
      m.getHeader().setID(r.nextInt(65536));
      m.getHeader().unsetFlag(Flags.RD);
      for (int f : new int[] {Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
        if (r.nextBoolean()) {
          m.getHeader().setFlag(f);
        }
      }
      if (r.nextInt(4) != 0) {
        List<EDNSOption> options = new ArrayList<>();
        if (r.nextBoolean()) {
          byte[] client = new byte[8];
          r.nextBytes(client);
          byte[] server = new byte[8 + r.nextInt(25)];
          r.nextBytes(server);
          options.add(r.nextBoolean() ? new CookieOption(client) : new CookieOption(client, server));
          cookies++;
        }
        if (r.nextBoolean()) {
          options.add(new GenericEDNSOption(12, new byte[r.nextInt(100)]));
        }
        m.addRecord(new OPTRecord(r.nextInt(65536), 0, r.nextInt(8) == 0 ? 1 : 0, r.nextBoolean() ? ExtendedFlags.DO : 0, options),
            Section.ADDITIONAL);
        withOpt++;
      }
      byte[] wire = m.toWire();
      Query read = Query.read(wire, FROM, 5, 9);
      assertNotNull(read, () -> "not read: " + m);
      Query parsed = new Query(new Message(wire), FROM, 5, 9);
      assertTrue(read.fromWire());
      assertFalse(parsed.fromWire());
      assertEquals(parsed.id(), read.id());
      assertEquals(parsed.opcode(), read.opcode());
      for (int f : FLAGS) {
        assertEquals(parsed.flag(f), read.flag(f), "flag " + Flags.string(f));
      }
      assertEquals(parsed.name().toString(), read.name().toString(), "the client's spelling");
      assertEquals(parsed.type(), read.type());
      assertEquals(parsed.dclass(), read.dclass());
      assertEquals(parsed.hasOpt(), read.hasOpt());
      assertEquals(parsed.udpPayload(), read.udpPayload());
      assertEquals(parsed.ednsVersion(), read.ednsVersion());
      assertEquals(parsed.dnssecOk(), read.dnssecOk());
      assertArrayEquals(parsed.cookieOption(), read.cookieOption());
      assertArrayEquals(
          Arrays.copyOfRange(parsed.nameBytes(), parsed.nameOffset(), parsed.nameOffset() + parsed.nameLength()),
          Arrays.copyOfRange(read.nameBytes(), read.nameOffset(), read.nameOffset() + read.nameLength()));
      assertArrayEquals(wire, read.message().toWire(), "parsed on demand, the same message");
      assertEquals(5, read.receivedNanos());
      assertEquals(9, read.deadlineNanos());
      Query later = read.at(20, 30);
      assertEquals(20, later.receivedNanos());
      assertEquals(read.name(), later.name());
    }
    assertTrue(cookies > 500 && withOpt > 1500, "the cases cover cookies and OPT");
  }

  @Test
  void leavesEveryOtherShapeToDnsjava() throws Exception {
    List<byte[]> others = new ArrayList<>();
    Message response = query("example.com.", Type.A);
    response.getHeader().setFlag(Flags.QR);
    others.add(response.toWire());
    Message notify = query("example.com.", Type.SOA);
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    others.add(notify.toWire());
    Message noQuestion = new Message();
    others.add(noQuestion.toWire());
    Message twoQuestions = query("example.com.", Type.A);
    twoQuestions.addRecord(Record.newRecord(Name.fromString("example.net."), Type.A, DClass.IN), Section.QUESTION);
    others.add(twoQuestions.toWire());
    ARecord a = new ARecord(Name.fromString("example.com."), DClass.IN, 60, InetAddress.getByName("192.0.2.1"));
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      Message m = query("example.com.", Type.A);
      m.addRecord(a, section);
      others.add(m.toWire());
    }
    Message optAndMore = query("example.com.", Type.A);
    optAndMore.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    optAndMore.addRecord(a, Section.ADDITIONAL);
    others.add(optAndMore.toWire());
    Message ecs = query("example.com.", Type.A);
    ecs.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName("192.0.2.0")))), Section.ADDITIONAL);
    others.add(ecs.toWire());
    Message badCookie = query("example.com.", Type.A);
    badCookie.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(10, new byte[5]))), Section.ADDITIONAL);
    others.add(badCookie.toWire());
    byte[] trailing = query("example.com.", Type.A).toWire();
    others.add(Arrays.copyOf(trailing, trailing.length + 1));
    // A compression pointer in the question (legal, but not the common shape).
    others.add(new byte[] {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1});
    for (byte[] b : others) {
      assertNull(Query.read(b, FROM, 0, 1), () -> Arrays.toString(b));
    }
    // Every cut of a readable query.
    Message full = query("www.example.com.", Type.A);
    full.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO, List.of(new CookieOption(new byte[8]))), Section.ADDITIONAL);
    byte[] wire = full.toWire();
    assertNotNull(Query.read(wire, FROM, 0, 1));
    for (int cut = 0; cut < wire.length; cut++) {
      assertNull(Query.read(Arrays.copyOf(wire, cut), FROM, 0, 1), "cut at " + cut);
    }
  }

  @Test
  void readsNamesUpToTheLongestAllowed() throws Exception {
    // RFC 1035 section 2.3.4: 255 bytes in wire form. Four labels of 63 make 4 * 64 + 1 = 257.
    String l63 = "a".repeat(63);
    String longest = l63 + "." + l63 + "." + l63 + "." + "a".repeat(61) + ".";
    Query q = Query.read(query(longest, Type.A).toWire(), FROM, 0, 1);
    assertNotNull(q);
    assertEquals(255, q.nameLength());
    assertEquals(Name.fromString(longest), q.name());
    byte[] tooLong = query(longest, Type.A).toWire();
    // Make the last label 62 long: one byte past the limit, which dnsjava refuses too.
    byte[] b = new byte[tooLong.length + 1];
    System.arraycopy(tooLong, 0, b, 0, 12 + 3 * 64);
    b[12 + 3 * 64] = 62;
    Arrays.fill(b, 12 + 3 * 64 + 1, 12 + 3 * 64 + 63, (byte) 'a');
    System.arraycopy(tooLong, 12 + 3 * 64 + 62, b, 12 + 3 * 64 + 63, tooLong.length - (12 + 3 * 64 + 62));
    assertNull(Query.read(b, FROM, 0, 1));
  }
}

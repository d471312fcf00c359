package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The engine judges a question name given in wire form (as a query datagram carries it) exactly as
 * it judges the same name given as a dnsjava {@link Name}.
 */
class WireNameTest {

  private static List<String> names() {
    List<String> n = new ArrayList<>(List.of(".", "com", "www.example.com", "WWW.Example.COM", "printer.lan", "Printer.LAN",
        "localhost", "foo.local", "x.onion", "single", "under_score.example.org", "bad!char.example.org",
        "4.3.2.1.in-addr.arpa", "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa",
        "x.ads.example.com", "www.bbc.co.uk", "a\\.b.example.net", "Mixed-Case-Label.Example.Org"));
    n.addAll(TunnelNames.all(4).values());
    Random r = new Random(5);
    for (int i = 0; i < 300; i++) {
      StringBuilder b = new StringBuilder();
      for (int l = r.nextInt(4); l >= 0; l--) {
        char[] c = new char[1 + r.nextInt(30)];
        for (int k = 0; k < c.length; k++) {
          c[k] = "abcXYZ0123456789-_".charAt(r.nextInt(18));
        }
        b.append(c).append('.');
      }
      b.append(r.nextBoolean() ? "example.com" : "Tunnel-Example.NET");
      n.add(b.toString());
    }
    return n;
  }

  @Test
  void judgesWireNamesAsNames() throws Exception {
    PolicySettings s = PolicySettings.builder().localZones(List.of("lan")).deny(DomainList.of("*.ads.example.com")).build();
    long[] now = {0};
    PolicyEngine byName = new PolicyEngine(s, () -> now[0], PolicyListener.NONE, LexicalModel.bundled(), 99);
    PolicyEngine byWire = new PolicyEngine(s, () -> now[0], PolicyListener.NONE, LexicalModel.bundled(), 99);
    int refused = 0;
    for (String text : names()) {
      Name name = Names.of(text);
      byte[] wire = name.toWire();
      // At an offset in a larger array, as in a datagram.
      byte[] datagram = new byte[12 + wire.length + 4];
      System.arraycopy(wire, 0, datagram, 12, wire.length);
      for (int type : new int[] {Type.A, Type.TXT, Type.ANY}) {
        now[0] += 1_000_000;
        Decision expected = byName.onQuery("10.0.0.1", name, type);
        Decision actual = byWire.onQuery("10.0.0.1", datagram, 12, wire.length, type);
        assertEquals(expected, actual, text);
        refused += expected.refuse() ? 1 : 0;
        Message answer = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        if (name.labels() > 1) {
          answer.addRecord(new ARecord(name, DClass.IN, 60, java.net.InetAddress.getByName("192.168.1.1")), Section.ANSWER);
        }
        assertEquals(byName.onAnswer("10.0.0.1", name, type, () -> answer, true),
            byWire.onAnswer("10.0.0.1", datagram, 12, wire.length, type, answer.toWire(), () -> answer, true), text);
      }
    }
    assertEquals(true, refused > 50, "the names cover refusals: " + refused);
  }

  @Test
  void checksRebindingInAnswerBytesAsInRecords() throws Exception {
    PolicyEngine e = new PolicyEngine(PolicySettings.defaults(), () -> 0L);
    Name name = Names.of("www.Example.com");
    byte[] q = name.toWire();
    String[][] cases = {
        {"93.184.216.34"}, {"10.1.2.3"}, {"2606:2800:220:1:248:1893:25c8:1946"}, {"fd00::1"}, {"::ffff:192.168.1.1"},
        {"93.184.216.34", "127.0.0.1"}, {"::1"}, {"169.254.0.9"}, {}};
    int refusals = 0;
    for (String[] addresses : cases) {
      Message answer = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
      Name target = Names.of("edge.example.net");
      // A CNAME first, so that the addresses sit behind a compressed owner name.
      answer.addRecord(new org.xbill.DNS.CNAMERecord(name, DClass.IN, 60, target), Section.ANSWER);
      for (String a : addresses) {
        java.net.InetAddress ip = java.net.InetAddress.getByName(a);
        answer.addRecord(ip.getAddress().length == 4 ? new ARecord(target, DClass.IN, 60, ip)
            : new org.xbill.DNS.AAAARecord(target, DClass.IN, 60, ip), Section.ANSWER);
      }
      Message[] parsed = {null};
      Decision fromRecords = e.onAnswer("10.0.0.1", name, Type.A, () -> answer, false);
      Decision fromBytes = e.onAnswer("10.0.0.1", q, 0, q.length, Type.A, answer.toWire(), () -> parsed[0] = answer, false);
      assertEquals(fromRecords, fromBytes, String.join(",", addresses));
      assertEquals(null, parsed[0], "the bytes alone decided");
      refusals += fromBytes.refuse() ? 1 : 0;
    }
    assertEquals(6, refusals);
    // Bytes that do not walk: the parsed message decides.
    Message answer = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
    answer.addRecord(new ARecord(name, DClass.IN, 60, java.net.InetAddress.getByName("10.0.0.1")), Section.ANSWER);
    byte[] cut = java.util.Arrays.copyOf(answer.toWire(), answer.toWire().length - 2);
    assertEquals(true, e.onAnswer("10.0.0.1", q, 0, q.length, Type.A, cut, () -> answer, false).refuse());
  }
}

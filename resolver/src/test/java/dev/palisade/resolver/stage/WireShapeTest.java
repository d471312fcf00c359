package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.dnssec.DnssecRecords;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The wire path must give every client the reply the message path ({@link ShapeStage#shape}) gives,
 * byte for byte, and decline what it does not handle.
 */
class WireShapeTest {

  private static final Name ORIGIN = Name.fromConstantString("example.org.");

  private static Message client(String name, int type, boolean opt, int optFlags, int... headerFlags) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(4242);
    for (int f : headerFlags) {
      m.getHeader().setFlag(f);
    }
    if (opt) {
      m.addRecord(new OPTRecord(4096, 0, 0, optFlags), Section.ADDITIONAL);
    }
    return m;
  }

  /** What the cache stores: an upstream's reply in dnsjava's encoding, ID 0. */
  private static Message inner(String name, int type, int rcode, boolean ad, boolean signed, List<EDNSOption> options) throws Exception {
    Message m = new Message(0);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RD);
    m.getHeader().setFlag(Flags.RA);
    m.getHeader().setFlag(Flags.AA);
    if (ad) {
      m.getHeader().setFlag(Flags.AD);
    }
    m.getHeader().setRcode(rcode & 0xF);
    Name n = Name.fromString(name);
    m.addRecord(Record.newRecord(n, type, DClass.IN), Section.QUESTION);
    Instant t = Instant.parse("2026-11-01T00:00:00Z");
    if (rcode == Rcode.NOERROR) {
      Name target = Name.fromString("target", ORIGIN);
      m.addRecord(new CNAMERecord(n, DClass.IN, 300, target), Section.ANSWER);
      m.addRecord(new ARecord(target, DClass.IN, 300, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
      if (signed) {
        m.addRecord(new RRSIGRecord(target, DClass.IN, 300, Type.A, 13, 300, t.plusSeconds(86400), t, 12345, ORIGIN, new byte[64]), Section.ANSWER);
      }
    } else {
      m.addRecord(new SOARecord(ORIGIN, DClass.IN, 60, Name.fromString("ns", ORIGIN), Name.fromString("h", ORIGIN), 1, 2, 3, 4, 60), Section.AUTHORITY);
      if (signed) {
        m.addRecord(new NSECRecord(ORIGIN, DClass.IN, 60, Name.fromString("z", ORIGIN), new int[] {Type.A, Type.SOA}), Section.AUTHORITY);
      }
    }
    m.addRecord(new ARecord(Name.fromString("ns", ORIGIN), DClass.IN, 300, InetAddress.getByName("192.0.2.53")), Section.ADDITIONAL);
    if (options != null) {
      m.addRecord(new OPTRecord(1232, rcode >>> 4, 0, ExtendedFlags.DO, options), Section.ADDITIONAL);
    }
    return m;
  }

  private static final Client FROM = new Client(new InetSocketAddress("127.0.0.1", 5353), Protocol.UDP);

  /** The client's query as the server takes it in: read from its bytes. */
  private static Query wire(Message client) {
    Query q = Query.read(client.toWire(), FROM, 0, 1);
    assertNotNull(q, "a plain query is read from its bytes");
    return q;
  }

  private static byte[] shape(Message client, byte[] inner, int rcode) {
    byte[] fromWire = WireShape.shape(wire(client), inner, rcode);
    byte[] fromMessage = WireShape.shape(new Query(client, FROM, 0, 1), inner, rcode);
    assertArrayEquals(fromMessage, fromWire, "a query read from its bytes is shaped as one parsed by dnsjava");
    return fromWire;
  }

  /**
   * The reply both ways (and for the query both as read from its bytes and as parsed by dnsjava);
   * asserts they agree byte for byte and returns it.
   */
  private static byte[] bothWays(Message client, Message inner) throws Exception {
    byte[] wire = inner.toWire();
    byte[] fast = shape(client, wire, inner.getRcode());
    assertNotNull(fast, "the wire path declined");
    byte[] slow = ShapeStage.shape(client, new Message(wire)).toWire();
    assertArrayEquals(slow, fast, () -> "wire path\n" + parse(fast) + "\nmessage path\n" + parse(slow));
    return fast;
  }

  private static Message parse(byte[] b) {
    try {
      return new Message(b);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void givesTheClientItsIdItsSpellingAndItsOwnOpt() throws Exception {
    List<EDNSOption> options = List.of(new GenericEDNSOption(3, new byte[] {1, 2, 3}), new ExtendedErrorCodeOption(3, "stale"));
    Message reply = parse(bothWays(client("WwW.ExAmple.ORG.", Type.A, true, 0), inner("www.example.org.", Type.A, 0, false, false, options)));
    assertEquals(4242, reply.getHeader().getID());
    assertEquals("WwW.ExAmple.ORG.", reply.getQuestion().getName().toString());
    assertEquals("WwW.ExAmple.ORG.", reply.getSection(Section.ANSWER).get(0).getName().toString());
    assertEquals(1232, reply.getOPT().getPayloadSize());
    assertEquals(List.of(new ExtendedErrorCodeOption(3, "stale")), reply.getOPT().getOptions(), "only EDE of the inner options");
  }

  @Test
  void agreesWithTheMessagePathOverFlagsOptAndRcodes() throws Exception {
    Random random = new Random(7);
    int cases = 0;
    for (int rcode : new int[] {Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.SERVFAIL}) {
      for (boolean ad : new boolean[] {false, true}) {
        for (boolean innerOpt : new boolean[] {false, true}) {
          for (boolean clientOpt : new boolean[] {false, true}) {
            for (boolean dnssecOk : new boolean[] {false, true}) {
              if (dnssecOk && !clientOpt) {
                continue;
              }
              for (int flags : new int[] {0, Flags.CD, Flags.AD, Flags.RD}) {
                String name = random.nextBoolean() ? "www.example.org." : "WWW.example.ORG.";
                Message c = flags == 0 ? client(name, Type.A, clientOpt, dnssecOk ? ExtendedFlags.DO : 0)
                    : client(name, Type.A, clientOpt, dnssecOk ? ExtendedFlags.DO : 0, flags);
                if (flags != Flags.RD) {
                  c.getHeader().unsetFlag(Flags.RD);
                }
                // Stored for DO queries with the DNSSEC records, for the others without (as the cache does).
                Message in = inner("www.example.org.", Type.A, rcode, ad, dnssecOk,
                    innerOpt ? List.of(new ExtendedErrorCodeOption(9)) : null);
                bothWays(c, in);
                cases++;
              }
            }
          }
        }
      }
    }
    assertEquals(3 * 2 * 2 * 3 * 4, cases);
  }

  @Test
  void declinesDnssecRecordsForAClientWithoutDo() throws Exception {
    Message c = client("www.example.org.", Type.A, true, 0);
    Message in = inner("www.example.org.", Type.A, 0, true, true, List.of());
    assertNull(shape(c, in.toWire(), in.getRcode()), "the message path strips them");
    // What the cache stores for such clients: the same answer, stripped.
    Message stripped = DnssecRecords.strip(in);
    bothWays(c, stripped);
  }

  @Test
  void declinesExtendedRcodesAnOptThatIsNotLastAndAnotherQuestion() throws Exception {
    Message c = client("www.example.org.", Type.A, true, 0);
    Message ext = inner("www.example.org.", Type.A, Rcode.BADVERS, false, false, List.of());
    assertNull(shape(c, ext.toWire(), ext.getRcode()));

    Message optFirst = inner("www.example.org.", Type.A, 0, false, false, null);
    optFirst.removeAllRecords(Section.ADDITIONAL);
    optFirst.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    optFirst.addRecord(new ARecord(Name.fromString("ns", ORIGIN), DClass.IN, 300, InetAddress.getByName("192.0.2.53")), Section.ADDITIONAL);
    assertNull(shape(c, optFirst.toWire(), 0));

    Message other = inner("mail.example.org.", Type.A, 0, false, false, null);
    assertNull(shape(c, other.toWire(), 0));
    Message otherType = inner("www.example.org.", Type.AAAA, 0, false, false, null);
    assertNull(shape(c, otherType.toWire(), 0));
  }

  @Test
  void declinesBytesItCannotWalk() throws Exception {
    Message c = client("www.example.org.", Type.A, true, 0);
    byte[] wire = inner("www.example.org.", Type.A, 0, false, false, null).toWire();
    for (int cut = 12; cut < wire.length; cut++) {
      byte[] shorter = java.util.Arrays.copyOf(wire, cut);
      assertNull(shape(c, shorter, 0), "cut at " + cut);
    }
  }
}

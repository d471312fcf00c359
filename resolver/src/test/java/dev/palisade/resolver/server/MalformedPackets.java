package dev.palisade.resolver.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Generates client packets, valid and malformed, one case class at a time (issue 10, part 1): random
 * bytes, mutations of valid queries, compression loops and pointers to self, labels over 63 and names
 * over 255 octets, lying section counts, several OPT records, OPT outside the additional section, and
 * malformed COOKIE options. Seeded: a failure names its seed and case number, and replays.
 */
public final class MalformedPackets {

  public enum Kind {
    VALID,
    RANDOM,
    BIT_FLIPS,
    BYTE_OVERWRITE,
    TRUNCATED,
    EXTENDED,
    LYING_COUNTS,
    POINTER_TO_SELF,
    COMPRESSION_LOOP,
    POINTER_FORWARD,
    LABEL_OVER_63,
    NAME_OVER_255,
    SEVERAL_OPT,
    OPT_IN_ANSWER,
    OPT_IN_AUTHORITY,
    OPT_NOT_AT_ROOT,
    BAD_COOKIE_LENGTH,
    RESPONSE_BIT,
    MANY_QUESTIONS
  }

  public record Case(Kind kind, byte[] bytes) {}

  private static final String[] NAMES = {"www.example.test.", "big.example.test.", "nope.example.test.", "a.b.c.example.test.", "example.com."};
  private static final int[] TYPES = {Type.A, Type.AAAA, Type.TXT, Type.MX, Type.ANY, Type.NS, Type.SOA};

  private final SplittableRandom r;

  public MalformedPackets(long seed) {
    this.r = new SplittableRandom(seed);
  }

  public Case next() {
    Kind[] kinds = Kind.values();
    Kind k = kinds[r.nextInt(kinds.length)];
    return new Case(k, make(k));
  }

  public byte[] validQuery() {
    try {
      Message m = Message.newQuery(Record.newRecord(Name.fromString(NAMES[r.nextInt(NAMES.length)]), TYPES[r.nextInt(TYPES.length)], DClass.IN));
      m.getHeader().setID(r.nextInt(0x10000));
      if (r.nextBoolean()) {
        m.addRecord(new OPTRecord(r.nextInt(5000), 0, r.nextInt(4) == 0 ? 1 : 0, r.nextBoolean() ? 0x8000 : 0), Section.ADDITIONAL);
      }
      return m.toWire();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A header with {@code id}, RD, and the given counts. */
  private static byte[] header(int id, int qd, int an, int ns, int ar) {
    return new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, (byte) (qd >> 8), (byte) qd, (byte) (an >> 8), (byte) an,
        (byte) (ns >> 8), (byte) ns, (byte) (ar >> 8), (byte) ar};
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** QTYPE A, QCLASS IN. */
  private static final byte[] TYPE_CLASS = {0, 1, 0, 1};
  /** An OPT RR at the root: type 41, payload 1232, TTL 0, no RDATA. */
  private static final byte[] OPT = {0, 0, 41, 0x04, (byte) 0xD0, 0, 0, 0, 0, 0, 0};
  private static final byte[] QNAME = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0};

  private byte[] label(int length) {
    byte[] l = new byte[1 + length];
    l[0] = (byte) length;
    for (int i = 1; i <= length; i++) {
      l[i] = (byte) ('a' + r.nextInt(26));
    }
    return l;
  }

  byte[] make(Kind k) {
    int id = r.nextInt(0x10000);
    byte[] b;
    switch (k) {
      case VALID:
        return validQuery();
      case RANDOM:
        b = new byte[r.nextInt(600)];
        r.nextBytes(b);
        return b;
      case BIT_FLIPS:
        b = validQuery();
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      case BYTE_OVERWRITE:
        b = validQuery();
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        return b;
      case TRUNCATED:
        b = validQuery();
        return Arrays.copyOf(b, r.nextInt(b.length));
      case EXTENDED:
        b = validQuery();
        byte[] longer = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) r.nextInt(256);
        }
        return longer;
      case LYING_COUNTS:
        b = validQuery();
        int section = 4 + 2 * r.nextInt(4);
        b[section] = (byte) r.nextInt(256);
        b[section + 1] = (byte) r.nextInt(256);
        return b;
      case POINTER_TO_SELF:
        // The question name is a pointer to itself (offset 12).
        return concat(header(id, 1, 0, 0, 0), new byte[] {(byte) 0xC0, 12}, TYPE_CLASS);
      case COMPRESSION_LOOP:
        // A label, then a pointer back to that label: an endless name.
        return concat(header(id, 1, 0, 0, 0), new byte[] {1, 'a', (byte) 0xC0, 12}, TYPE_CLASS);
      case POINTER_FORWARD:
        // A pointer past the end of the message.
        return concat(header(id, 1, 0, 0, 0), new byte[] {(byte) 0xC0, (byte) (20 + r.nextInt(200))}, TYPE_CLASS);
      case LABEL_OVER_63:
        // A length byte of 64..191 is neither a label (max 63) nor a pointer (0xC0): reserved.
        int len = 64 + r.nextInt(128);
        b = new byte[1 + len];
        b[0] = (byte) len;
        for (int i = 1; i < b.length; i++) {
          b[i] = 'a';
        }
        return concat(header(id, 1, 0, 0, 0), b, new byte[] {0}, TYPE_CLASS);
      case NAME_OVER_255:
        // Five labels of 63 octets: 320 octets, over RFC 1035's 255.
        return concat(header(id, 1, 0, 0, 0), label(63), label(63), label(63), label(63), label(63), new byte[] {0}, TYPE_CLASS);
      case SEVERAL_OPT:
        return concat(header(id, 1, 0, 0, 2), QNAME, TYPE_CLASS, repeat(OPT, 2));
      case OPT_IN_ANSWER:
        return concat(header(id, 1, 1, 0, 0), QNAME, TYPE_CLASS, OPT);
      case OPT_IN_AUTHORITY:
        return concat(header(id, 1, 0, 1, 0), QNAME, TYPE_CLASS, OPT);
      case OPT_NOT_AT_ROOT:
        // RFC 6891 section 6.1.2: the OPT owner must be the root.
        return concat(header(id, 1, 0, 0, 1), QNAME, TYPE_CLASS, new byte[] {1, 'x'}, Arrays.copyOfRange(OPT, 0, OPT.length));
      case BAD_COOKIE_LENGTH:
        int n = new int[] {0, 1, 7, 9, 15, 41, 60}[r.nextInt(7)];
        byte[] opt = Arrays.copyOf(OPT, OPT.length + 4 + n);
        opt[OPT.length - 1] = (byte) (4 + n);
        opt[OPT.length] = 0;
        opt[OPT.length + 1] = 10;
        opt[OPT.length + 2] = (byte) (n >> 8);
        opt[OPT.length + 3] = (byte) n;
        return concat(header(id, 1, 0, 0, 1), QNAME, TYPE_CLASS, opt);
      case RESPONSE_BIT:
        b = validQuery();
        b[2] |= (byte) 0x80;
        return b;
      case MANY_QUESTIONS:
        return concat(header(id, 3, 0, 0, 0), QNAME, TYPE_CLASS, QNAME, TYPE_CLASS, QNAME, TYPE_CLASS);
      default:
        throw new AssertionError(k);
    }
  }

  private static byte[] repeat(byte[] b, int times) {
    byte[][] parts = new byte[times][];
    Arrays.fill(parts, b);
    return concat(parts);
  }

  /** Kinds that must never parse into a query that goes on (FORMERR or dropped). */
  public static final List<Kind> NEVER_A_QUERY =
      List.of(Kind.POINTER_TO_SELF, Kind.COMPRESSION_LOOP, Kind.POINTER_FORWARD, Kind.LABEL_OVER_63, Kind.NAME_OVER_255,
          Kind.BAD_COOKIE_LENGTH, Kind.RESPONSE_BIT);
}

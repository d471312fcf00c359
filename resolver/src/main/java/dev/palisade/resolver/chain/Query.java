package dev.palisade.resolver.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;

/**
 * A client query on its way through the pipeline.
 *
 * <p>A query read by {@link #read} (the common shape: one question, at most an OPT record with
 * cookie or padding options) keeps the client's bytes, and the stages before the cache read its
 * header, question and EDNS fields from them: a cache hit goes through without the query ever
 * being parsed into a {@link Message}. {@link #message()} parses it the first time a stage asks
 * (a refusal, a cache miss). Queries of any other shape are parsed by dnsjava first and made with
 * the {@link #Query(Message, Client, long, long) constructor}; both kinds answer every accessor
 * alike. Stages must not mutate the message (copy first).
 */
public final class Query {

  /** RFC 7873 section 4: the COOKIE option. */
  private static final int COOKIE = EDNSOption.Code.COOKIE;
  /** RFC 7830: the Padding option. */
  private static final int PADDING = EDNSOption.Code.PADDING;
  /** RFC 1035 section 2.3.4. */
  private static final int MAX_NAME = 255;

  private final byte[] wire;
  private volatile Message message;
  private final Client client;
  private final long receivedNanos;
  private final long deadlineNanos;
  /** For wire queries: the end of the question name, which starts at byte 12. */
  private final int nameEnd;
  private final int type;
  private final int dclass;
  /** -1 without OPT; else the OPT's payload size, version and flags, and its options' bounds. */
  private final int udpPayload;
  private final int ednsVersion;
  private final int ednsFlags;
  private final int optionsFrom;
  private final int optionsTo;
  private Name name;

  /**
   * A query parsed by dnsjava (or made up: tests, benchmarks).
   *
   * @param receivedNanos and {@code deadlineNanos} use the server's injected ticker
   */
  public Query(Message message, Client client, long receivedNanos, long deadlineNanos) {
    this.wire = null;
    this.message = Objects.requireNonNull(message, "message");
    this.client = Objects.requireNonNull(client, "client");
    this.receivedNanos = receivedNanos;
    this.deadlineNanos = deadlineNanos;
    this.nameEnd = -1;
    Record q = message.getQuestion();
    this.name = q == null ? null : q.getName();
    this.type = q == null ? -1 : q.getType();
    this.dclass = q == null ? -1 : q.getDClass();
    OPTRecord opt = message.getOPT();
    this.udpPayload = opt == null ? -1 : opt.getPayloadSize();
    this.ednsVersion = opt == null ? -1 : opt.getVersion();
    this.ednsFlags = opt == null ? -1 : opt.getFlags();
    this.optionsFrom = -1;
    this.optionsTo = -1;
  }

  private Query(byte[] wire, Message message, Client client, long receivedNanos, long deadlineNanos, int nameEnd, int type, int dclass,
      int udpPayload, int ednsVersion, int ednsFlags, int optionsFrom, int optionsTo, Name name) {
    this.wire = wire;
    this.message = message;
    this.client = client;
    this.receivedNanos = receivedNanos;
    this.deadlineNanos = deadlineNanos;
    this.nameEnd = nameEnd;
    this.type = type;
    this.dclass = dclass;
    this.udpPayload = udpPayload;
    this.ednsVersion = ednsVersion;
    this.ednsFlags = ednsFlags;
    this.optionsFrom = optionsFrom;
    this.optionsTo = optionsTo;
    this.name = name;
  }

  /**
   * The query in {@code wire}, read without dnsjava, or null when it is not of the common shape: a
   * standard query (QR clear, opcode QUERY) with exactly one question, no answer or authority
   * records, and nothing in the additional section but one OPT record whose options are cookies or
   * padding. Anything else (including whatever dnsjava would refuse to parse) is left to dnsjava
   * and the checks that follow it, so both paths answer every query alike.
   */
  public static Query read(byte[] wire, Client client, long receivedNanos, long deadlineNanos) {
    Objects.requireNonNull(client, "client");
    int length = wire.length;
    if (length < Header.LENGTH + 5 || (wire[2] & 0xF8) != 0 || u16(wire, 4) != 1 || u16(wire, 6) != 0 || u16(wire, 8) != 0) {
      return null; // a response, another opcode, or not one question alone
    }
    int additional = u16(wire, 10);
    if (additional > 1) {
      return null;
    }
    int pos = Header.LENGTH;
    while (true) {
      int label = wire[pos] & 0xFF;
      if (label == 0) {
        pos++;
        break;
      }
      if (label > 63) {
        return null; // a compression pointer or an extended label type: dnsjava decides
      }
      pos += label + 1;
      if (pos >= length || pos - Header.LENGTH >= MAX_NAME) {
        return null;
      }
    }
    int nameEnd = pos;
    if (nameEnd + 4 > length) {
      return null;
    }
    int type = u16(wire, nameEnd);
    int dclass = u16(wire, nameEnd + 2);
    pos = nameEnd + 4;
    if (additional == 0) {
      return pos != length ? null
          : new Query(wire, null, client, receivedNanos, deadlineNanos, nameEnd, type, dclass, -1, -1, -1, -1, -1, null);
    }
    // RFC 6891 section 6.1.2: root owner, type OPT, payload size in CLASS, extended rcode, version
    // and flags in TTL, options in RDATA.
    if (pos + 11 > length || wire[pos] != 0 || u16(wire, pos + 1) != org.xbill.DNS.Type.OPT) {
      return null;
    }
    int optionsFrom = pos + 11;
    int optionsTo = optionsFrom + u16(wire, pos + 9);
    if (optionsTo != length) {
      return null;
    }
    for (int p = optionsFrom; p < optionsTo; ) {
      if (p + 4 > optionsTo) {
        return null;
      }
      int code = u16(wire, p);
      int len = u16(wire, p + 2);
      // Cookie lengths as RFC 7873 section 4 allows them; dnsjava answers others with FORMERR
      // (section 5.2.2), and options of other kinds are dnsjava's to parse.
      boolean known = code == PADDING || code == COOKIE && (len == 8 || len >= 16 && len <= 40);
      if (!known || p + 4 + len > optionsTo) {
        return null;
      }
      p += 4 + len;
    }
    return new Query(wire, null, client, receivedNanos, deadlineNanos, nameEnd, type, dclass, u16(wire, pos + 3),
        wire[pos + 6] & 0xFF, u16(wire, pos + 7), optionsFrom, optionsTo, null);
  }

  /** The same query with other times: a background refresh of it. */
  public Query at(long receivedNanos, long deadlineNanos) {
    return new Query(wire, message, client, receivedNanos, deadlineNanos, nameEnd, type, dclass, udpPayload, ednsVersion, ednsFlags,
        optionsFrom, optionsTo, name);
  }

  /** The client's message; parsed from its bytes the first time, for queries made by {@link #read}. */
  public Message message() {
    Message m = message;
    if (m == null) {
      // read() takes only what dnsjava parses.
      m = Answer.parseChecked(wire);
      message = m;
    }
    return m;
  }

  /** Whether the query was read from its bytes, and so has the common shape {@link #read} takes. */
  public boolean fromWire() {
    return wire != null;
  }

  public Client client() {
    return client;
  }

  public long receivedNanos() {
    return receivedNanos;
  }

  public long deadlineNanos() {
    return deadlineNanos;
  }

  public int id() {
    return wire != null ? u16(wire, 0) : message.getHeader().getID();
  }

  public int opcode() {
    return wire != null ? (wire[2] >>> 3) & 0xF : message.getHeader().getOpcode();
  }

  /** A header flag, numbered as dnsjava's {@link org.xbill.DNS.Flags} (RFC 1035 section 4.1.1 order). */
  public boolean flag(int bit) {
    return wire != null ? (u16(wire, 2) & (1 << (15 - bit))) != 0 : message.getHeader().getFlag(bit);
  }

  /** The question's name, as the client spelled it; null for a message without a question. */
  public Name name() {
    Name n = name;
    if (n == null && wire != null) {
      DNSInput in = new DNSInput(wire);
      in.jump(Header.LENGTH);
      try {
        n = new Name(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // read() checked the labels
      }
      name = n;
    }
    return n;
  }

  /** The question's type, or -1 without a question. */
  public int type() {
    return type;
  }

  /** The question's class, or -1 without a question. */
  public int dclass() {
    return dclass;
  }

  /** Whether the client sent an OPT record (RFC 6891). */
  public boolean hasOpt() {
    return udpPayload >= 0;
  }

  /** The client's advertised UDP payload size, or -1 without OPT. */
  public int udpPayload() {
    return udpPayload;
  }

  /** The client's EDNS version, or -1 without OPT. */
  public int ednsVersion() {
    return ednsVersion;
  }

  /** The DO bit (RFC 3225): the client wants DNSSEC records. */
  public boolean dnssecOk() {
    return ednsFlags >= 0 && (ednsFlags & ExtendedFlags.DO) != 0;
  }

  /**
   * The question name in wire form, in the client's spelling: {@code nameLength()} bytes of this
   * array from {@link #nameOffset()}. Callers must not change the array.
   */
  public byte[] nameBytes() {
    return wire != null ? wire : name.toWire();
  }

  public int nameOffset() {
    return wire != null ? Header.LENGTH : 0;
  }

  public int nameLength() {
    return wire != null ? nameEnd - Header.LENGTH : name.length();
  }

  /** The first COOKIE option's data (client cookie, then server cookie if any), or null. */
  public byte[] cookieOption() {
    if (wire == null) {
      OPTRecord opt = message.getOPT();
      if (opt == null) {
        return null;
      }
      for (var o : opt.getOptions(COOKIE)) {
        if (o instanceof org.xbill.DNS.CookieOption c) {
          byte[] clientCookie = c.getClientCookie();
          byte[] server = c.getServerCookie().orElse(new byte[0]);
          byte[] all = Arrays.copyOf(clientCookie, clientCookie.length + server.length);
          System.arraycopy(server, 0, all, clientCookie.length, server.length);
          return all;
        }
      }
      return null;
    }
    for (int p = optionsFrom; p >= 0 && p < optionsTo; ) {
      int len = u16(wire, p + 2);
      if (u16(wire, p) == COOKIE) {
        return Arrays.copyOfRange(wire, p + 4, p + 4 + len);
      }
      p += 4 + len;
    }
    return null;
  }

  @Override
  public String toString() {
    return "Query[" + client + ", " + name() + " " + org.xbill.DNS.Type.string(type) + (wire != null ? ", wire" : "") + "]";
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }
}

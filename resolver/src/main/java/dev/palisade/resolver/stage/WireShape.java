package dev.palisade.resolver.stage;

import dev.palisade.dnssec.DnssecRecords;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.WireNames;
import dev.palisade.upstream.Reorigination;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Type;

/**
 * {@link ShapeStage#shape} on wire bytes, for the answers that come as bytes (cache hits): the same
 * reply, made by copying the stored bytes and rewriting the header, the question and the OPT record,
 * instead of parsing every record and encoding it again.
 *
 * <p>It declines (returns null) whenever the message path would do more than that: an extended
 * response code, DNSSEC records for a client that did not set DO, an OPT record that is not the last
 * record, anything it cannot walk. The message path then shapes the answer as before.
 *
 * <p>One difference, allowed by RFC 4343 (case does not matter in names): compression pointers into
 * the question now lead to the client's spelling, so a target name that shares the question's
 * suffix may take the client's letter case where the message path keeps the upstream's.
 */
final class WireShape {

  private static final int EDE = EDNSOption.Code.EDNS_EXTENDED_ERROR; // RFC 8914

  private WireShape() {}

  /**
   * The reply to {@code client} carrying {@code inner} (an answer in wire form, any ID), or null if
   * this answer needs the message path.
   *
   * @param rcode {@code inner}'s full response code
   */
  static byte[] shape(Query client, byte[] inner, int rcode) {
    if (rcode > 0xF || client.type() < 0 || inner.length < 12 || WireNames.u16(inner, 4) != 1) {
      return null;
    }
    // The client's name, in its own spelling.
    byte[] name = client.nameBytes();
    int nameAt = client.nameOffset();
    int nameLength = client.nameLength();
    int typeAt = 12 + nameLength;
    int qtype = client.type();
    if (inner.length < typeAt + 4 || !sameName(inner, name, nameAt, nameLength) || WireNames.u16(inner, typeAt) != qtype
        || WireNames.u16(inner, typeAt + 2) != client.dclass()) {
      return null;
    }
    boolean hasOpt = client.hasOpt();
    boolean dnssecOk = client.dnssecOk();
    int answers = WireNames.u16(inner, 6) + WireNames.u16(inner, 8);
    int records = answers + WireNames.u16(inner, 10);
    int pos = typeAt + 4;
    int optStart = -1;
    int optRdata = -1;
    for (int i = 0; i < records; i++) {
      int start = pos;
      pos = WireNames.skip(inner, pos);
      if (pos < 0 || pos + 10 > inner.length) {
        return null;
      }
      int type = WireNames.u16(inner, pos);
      int end = pos + 10 + WireNames.u16(inner, pos + 8);
      if (end > inner.length) {
        return null;
      }
      if (type == Type.OPT) {
        if (optStart >= 0 || i < answers) {
          return null;
        }
        optStart = start;
        optRdata = pos + 10;
      } else if (!dnssecOk && DnssecRecords.isDnssec(type, qtype)) {
        // RFC 4035 section 3.2.1: stored with DNSSEC records (for DO queries); strip them the long way.
        return null;
      }
      pos = end;
    }
    if (pos != inner.length) {
      return null;
    }
    int body = inner.length;
    int edeBytes = 0;
    if (optStart >= 0) {
      // The OPT record must be the last one, so that cutting it off leaves every other record intact.
      if (optRdata + WireNames.u16(inner, optRdata - 2) != inner.length) {
        return null;
      }
      body = optStart;
      edeBytes = edeBytes(inner, optRdata, inner.length);
      if (edeBytes < 0) {
        return null;
      }
    }
    byte[] out = new byte[body + (hasOpt ? 11 + edeBytes : 0)];
    System.arraycopy(inner, 0, out, 0, body);
    int id = client.id();
    out[0] = (byte) (id >>> 8);
    out[1] = (byte) id;
    // QR, the client's opcode and RD; RA always (we offer recursion to every client we answer);
    // AD only for clients that signal they understand it (RFC 6840 section 5.8); the client's CD.
    boolean wantsAd = client.flag(Flags.AD) || dnssecOk;
    out[2] = (byte) (0x80 | (client.opcode() & 0xF) << 3 | (client.flag(Flags.RD) ? 0x01 : 0));
    out[3] = (byte) (0x80 | (wantsAd && (inner[3] & 0x20) != 0 ? 0x20 : 0) | (client.flag(Flags.CD) ? 0x10 : 0) | rcode);
    int additional = WireNames.u16(inner, 10) - (optStart >= 0 ? 1 : 0) + (hasOpt ? 1 : 0);
    out[10] = (byte) (additional >>> 8);
    out[11] = (byte) additional;
    System.arraycopy(name, nameAt, out, 12, nameLength);
    if (hasOpt) {
      // Our own OPT (RFC 6891 section 6.1.2), the client's DO echoed, and of the inner answer's
      // options only Extended DNS Errors (RFC 8914).
      int o = body; // root name: one zero byte
      out[o + 1] = (byte) (Type.OPT >>> 8);
      out[o + 2] = (byte) Type.OPT;
      out[o + 3] = (byte) (Reorigination.EDNS_PAYLOAD >>> 8);
      out[o + 4] = (byte) Reorigination.EDNS_PAYLOAD;
      // o + 5, o + 6: extended rcode 0 (only plain rcodes come this way), version 0
      out[o + 7] = (byte) (dnssecOk ? 0x80 : 0);
      out[o + 9] = (byte) (edeBytes >>> 8);
      out[o + 10] = (byte) edeBytes;
      if (edeBytes > 0) {
        copyEde(inner, optRdata, inner.length, out, o + 11);
      }
    }
    return out;
  }

  /** Whether the question name at offset 12 of {@code wire} is the name in {@code name}, ignoring ASCII case. */
  private static boolean sameName(byte[] wire, byte[] name, int at, int length) {
    for (int i = 0; i < length; i++) {
      if (lower(wire[12 + i]) != lower(name[at + i])) {
        return false;
      }
    }
    return true;
  }

  private static int lower(byte b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b;
  }

  /** The bytes of the EDE options among the options in {@code [from, to)}, or -1 if they do not parse. */
  private static int edeBytes(byte[] wire, int from, int to) {
    int n = 0;
    for (int p = from; p < to; ) {
      if (p + 4 > to) {
        return -1;
      }
      int len = WireNames.u16(wire, p + 2);
      if (p + 4 + len > to) {
        return -1;
      }
      if (WireNames.u16(wire, p) == EDE) {
        n += 4 + len;
      }
      p += 4 + len;
    }
    return n;
  }

  private static void copyEde(byte[] wire, int from, int to, byte[] out, int at) {
    for (int p = from; p < to; ) {
      int len = WireNames.u16(wire, p + 2);
      if (WireNames.u16(wire, p) == EDE) {
        System.arraycopy(wire, p, out, at, 4 + len);
        at += 4 + len;
      }
      p += 4 + len;
    }
  }
}

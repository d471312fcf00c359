package dev.palisade.resolver.cache;

import java.util.Arrays;
import org.xbill.DNS.Type;

/**
 * Finds and rewrites the TTL fields of a message in wire format (RFC 1035 section 4.1), so that a
 * cached answer can be aged without building a new record object per record.
 */
final class WireTtls {
  private WireTtls() {}

  /**
   * The offsets of the TTL fields of every resource record except OPT (whose TTL field holds EDNS
   * flags, RFC 6891 section 6.1.3).
   *
   * @throws IllegalArgumentException if the message is malformed
   */
  static int[] offsets(byte[] wire) {
    if (wire.length < 12) {
      throw new IllegalArgumentException("shorter than a header");
    }
    int questions = u16(wire, 4);
    int records = u16(wire, 6) + u16(wire, 8) + u16(wire, 10);
    int pos = 12;
    for (int i = 0; i < questions; i++) {
      pos = skipName(wire, pos) + 4;
    }
    int[] out = new int[records];
    int n = 0;
    for (int i = 0; i < records; i++) {
      pos = skipName(wire, pos);
      check(wire, pos + 10);
      int type = u16(wire, pos);
      if (type != Type.OPT) {
        out[n++] = pos + 4;
      }
      pos += 10 + u16(wire, pos + 8);
      check(wire, pos);
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  static long read(byte[] wire, int offset) {
    return ((wire[offset] & 0xffL) << 24) | ((wire[offset + 1] & 0xffL) << 16) | ((wire[offset + 2] & 0xffL) << 8) | (wire[offset + 3] & 0xffL);
  }

  static void write(byte[] wire, int offset, long ttl) {
    wire[offset] = (byte) (ttl >>> 24);
    wire[offset + 1] = (byte) (ttl >>> 16);
    wire[offset + 2] = (byte) (ttl >>> 8);
    wire[offset + 3] = (byte) ttl;
  }

  private static int skipName(byte[] wire, int pos) {
    while (true) {
      check(wire, pos + 1);
      int len = wire[pos] & 0xff;
      if (len == 0) {
        return pos + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        check(wire, pos + 2);
        return pos + 2;
      }
      if ((len & 0xc0) != 0) {
        throw new IllegalArgumentException("bad label type at " + pos);
      }
      pos += 1 + len;
    }
  }

  private static int u16(byte[] wire, int pos) {
    return ((wire[pos] & 0xff) << 8) | (wire[pos + 1] & 0xff);
  }

  private static void check(byte[] wire, int end) {
    if (end > wire.length) {
      throw new IllegalArgumentException("truncated at " + end);
    }
  }
}

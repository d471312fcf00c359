package dev.palisade.resolver.cache;

import dev.palisade.resolver.chain.WireNames;
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
    int questions = WireNames.u16(wire, 4);
    int records = WireNames.u16(wire, 6) + WireNames.u16(wire, 8) + WireNames.u16(wire, 10);
    int pos = 12;
    for (int i = 0; i < questions; i++) {
      pos = skipName(wire, pos) + 4;
    }
    int[] out = new int[records];
    int n = 0;
    for (int i = 0; i < records; i++) {
      pos = skipName(wire, pos);
      check(wire, pos + 10);
      int type = WireNames.u16(wire, pos);
      if (type != Type.OPT) {
        out[n++] = pos + 4;
      }
      pos += 10 + WireNames.u16(wire, pos + 8);
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
    int end = WireNames.skip(wire, pos);
    if (end < 0) {
      throw new IllegalArgumentException("malformed or truncated name at " + pos);
    }
    return end;
  }

  private static void check(byte[] wire, int end) {
    if (end > wire.length) {
      throw new IllegalArgumentException("truncated at " + end);
    }
  }
}

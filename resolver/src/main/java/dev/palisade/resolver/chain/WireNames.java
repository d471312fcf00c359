package dev.palisade.resolver.chain;

/**
 * Walking a message in wire format (RFC 1035 section 4.1) without parsing it: what the cache (TTL
 * offsets) and the shaping of cached bytes both need.
 */
public final class WireNames {
  private WireNames() {}

  /**
   * The offset just past the name at {@code pos} (labels, then a zero byte or a compression
   * pointer), or -1 if it runs off the end or uses a label type other than those two.
   */
  public static int skip(byte[] wire, int pos) {
    while (pos < wire.length) {
      int len = wire[pos] & 0xff;
      if (len == 0) {
        return pos + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return pos + 2 <= wire.length ? pos + 2 : -1;
      }
      if ((len & 0xc0) != 0) {
        return -1;
      }
      pos += 1 + len;
    }
    return -1;
  }

  /** The unsigned 16-bit field at {@code pos}. */
  public static int u16(byte[] wire, int pos) {
    return ((wire[pos] & 0xff) << 8) | (wire[pos + 1] & 0xff);
  }
}

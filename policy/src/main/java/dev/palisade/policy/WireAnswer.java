package dev.palisade.policy;

/**
 * The rebinding check on an answer in wire form: the A and AAAA records of its answer section read
 * where they lie, without parsing the message into records. A cache hit comes as bytes, and
 * parsing them for this check alone cost more than the rest of the hit.
 */
final class WireAnswer {

  static final int NONE = 0;
  static final int PRIVATE = 1;
  /** The bytes could not be walked: check the parsed message instead. */
  static final int UNREADABLE = -1;

  private WireAnswer() {}

  /** Whether an A or AAAA record of the answer section holds a private address (see {@link PolicyEngine#isPrivate}). */
  static int privateAddress(byte[] w) {
    if (w.length < 12) {
      return UNREADABLE;
    }
    int questions = u16(w, 4);
    int answers = u16(w, 6);
    int p = 12;
    for (int i = 0; i < questions; i++) {
      p = skipName(w, p);
      if (p < 0 || p + 4 > w.length) {
        return UNREADABLE;
      }
      p += 4;
    }
    for (int i = 0; i < answers; i++) {
      p = skipName(w, p);
      if (p < 0 || p + 10 > w.length) {
        return UNREADABLE;
      }
      int type = u16(w, p);
      int length = u16(w, p + 8);
      p += 10;
      if (p + length > w.length) {
        return UNREADABLE;
      }
      // RFC 1035 section 3.4.1 and RFC 3596 section 2.2: the address is the whole RDATA.
      if ((type == 1 && length == 4 || type == 28 && length == 16) && PolicyEngine.isPrivate(w, p, length)) {
        return PRIVATE;
      }
      p += length;
    }
    return NONE;
  }

  /** The offset just past the name at {@code p} (labels, ending in the root or a pointer), or -1. */
  private static int skipName(byte[] w, int p) {
    while (p < w.length) {
      int len = w[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2 <= w.length ? p + 2 : -1;
      }
      if (len > 63) {
        return -1;
      }
      p += len + 1;
    }
    return -1;
  }

  private static int u16(byte[] w, int at) {
    return ((w[at] & 0xff) << 8) | (w[at + 1] & 0xff);
  }
}

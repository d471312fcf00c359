package dev.palisade.bench.exfil;

/** The encodings tunnel tools use to put bytes into labels, with their own alphabets. */
final class Codecs {
  /** iodine's base32 (src/base32.c). */
  static final String IODINE_B32 = "abcdefghijklmnopqrstuvwxyz012345";
  /** iodine's base64 (src/base64.c): case-sensitive, '+' is outside host-name syntax. */
  static final String IODINE_B64 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789+";
  /** iodine's base64u (src/base64u.c): '_' instead of '+'. */
  static final String IODINE_B64U = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789_";
  /** RFC 4648 base32, lower case (DNSExfiltrator -b32, Sliver). */
  static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
  /** RFC 4648 §5 base64url (DNSExfiltrator default). */
  static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  /** Bitcoin base58 (Sliver when the resolver keeps case). */
  static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  static final String HEX = "0123456789abcdef";

  private Codecs() {}

  /** Packs bytes into symbols of log2(alphabet) bits (alphabet size a power of two). */
  static String encodeBits(byte[] data, String alphabet) {
    int bits = Integer.numberOfTrailingZeros(alphabet.length());
    StringBuilder sb = new StringBuilder(data.length * 8 / bits + 1);
    int acc = 0;
    int n = 0;
    for (byte b : data) {
      acc = (acc << 8) | (b & 0xff);
      n += 8;
      while (n >= bits) {
        n -= bits;
        sb.append(alphabet.charAt((acc >>> n) & ((1 << bits) - 1)));
      }
    }
    if (n > 0) {
      sb.append(alphabet.charAt((acc << (bits - n)) & ((1 << bits) - 1)));
    }
    return sb.toString();
  }

  static String hex(byte[] data) {
    return encodeBits(data, HEX);
  }

  /**
   * iodine's base128 (src/base128.c): 7 bits a character, 64 of them above 0x7f; written with
   * dnsjava's \DDD escapes.
   */
  static String iodineBase128(byte[] data) {
    StringBuilder sb = new StringBuilder();
    String low = "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ0123456789";
    int acc = 0;
    int n = 0;
    for (byte b : data) {
      acc = (acc << 8) | (b & 0xff);
      n += 8;
      while (n >= 7) {
        n -= 7;
        int v = (acc >>> n) & 0x7f;
        if (v < low.length()) {
          sb.append(low.charAt(v));
        } else {
          sb.append('\\').append(String.format("%03d", 0xbc + (v - low.length())));
        }
      }
    }
    return sb.toString();
  }

  /** Base58 of a chunk (big-number conversion, as Sliver's encoder). */
  static String base58(byte[] data) {
    java.math.BigInteger v = new java.math.BigInteger(1, data);
    java.math.BigInteger b = java.math.BigInteger.valueOf(58);
    StringBuilder sb = new StringBuilder();
    while (v.signum() > 0) {
      java.math.BigInteger[] qr = v.divideAndRemainder(b);
      sb.append(B58.charAt(qr[1].intValue()));
      v = qr[0];
    }
    for (byte x : data) {
      if (x != 0) {
        break;
      }
      sb.append('1');
    }
    return sb.reverse().toString();
  }

  /** Inserts a dot every {@code every} characters (escapes count as one character). */
  static String dotify(String s, int every) {
    StringBuilder sb = new StringBuilder(s.length() + s.length() / every + 1);
    int inLabel = 0;
    for (int i = 0; i < s.length(); i++) {
      if (inLabel == every) {
        sb.append('.');
        inLabel = 0;
      }
      char c = s.charAt(i);
      sb.append(c);
      if (c == '\\') {
        sb.append(s, i + 1, i + 4);
        i += 3;
      }
      inLabel++;
    }
    return sb.toString();
  }

  /** Bits a character of {@code alphabet} carries. */
  static double bitsPerChar(String alphabet) {
    return Math.log(alphabet.length()) / Math.log(2);
  }
}

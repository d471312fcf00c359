package dev.palisade.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One data query per tunnel tool, built the way each tool frames its data (a compact version of
 * the bench generator, which cannot be used here: bench depends on policy).
 */
final class TunnelNames {
  private TunnelNames() {}

  static String encode(byte[] data, String alphabet) {
    int bits = Integer.numberOfTrailingZeros(alphabet.length());
    StringBuilder sb = new StringBuilder();
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
    return sb.toString();
  }

  static String dotify(String s, int every) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (i > 0 && i % every == 0) {
        sb.append('.');
      }
      sb.append(s.charAt(i));
    }
    return sb.toString();
  }

  /** Tool name → a full-size data query name. */
  static Map<String, String> all(long seed) {
    Random r = new Random(seed);
    Map<String, String> m = new LinkedHashMap<>();
    String b32 = "abcdefghijklmnopqrstuvwxyz012345";
    String b64u = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789_";
    String rfc32 = "abcdefghijklmnopqrstuvwxyz234567";
    String b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String hex = "0123456789abcdef";
    m.put("iodine base32", dotify("0aab" + encode(bytes(r, 130), b32), 57) + ".t1.tunnel-example.com");
    m.put("iodine base64u", dotify("0aab" + encode(bytes(r, 156), b64u), 57) + ".t1.tunnel-example.com");
    m.put("dnscat2 domain mode", dotify(encode(bytes(r, 100), hex), 62) + ".dc.tunnel-example.net");
    m.put("dns2tcp", dotify(encode(bytes(r, 165), b64url), 63) + ".d2t.tunnel-example.org");
    m.put("DNSExfiltrator base64url", "17." + dotify(encode(bytes(r, 165), b64url), 63) + ".dx.tunnel-example.com");
    m.put("DNSExfiltrator base32", "17." + dotify(encode(bytes(r, 140), rfc32), 63) + ".dx.tunnel-example.com");
    m.put("Sliver base32", dotify(encode(bytes(r, 140), rfc32), 63) + ".1.tunnel-example.io");
    m.put("DET hex", dotify("a1b2c3d" + encode(bytes(r, 90), hex), 63) + ".det.tunnel-example.com");
    String data = encode(bytes(r, 56), hex);
    m.put("Cobalt-style post", "post." + data.substring(0, 56) + "." + data.substring(56) + ".0000002a.1f3e5a7c.ns.tunnel-example.net");
    return m;
  }

  static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}

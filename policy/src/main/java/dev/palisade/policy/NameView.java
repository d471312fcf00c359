package dev.palisade.policy;

import java.nio.charset.StandardCharsets;
import org.xbill.DNS.Name;

/**
 * One query name taken apart once: its text (original case and lower case), label offsets, the
 * keyed hash of every label-aligned suffix, and where the registrable domain starts. Built per
 * query, never shared.
 */
final class NameView {
  enum Kind { NORMAL, LOCAL_ZONE, REVERSE }

  /** Original-case text without the final dot ("" for the root). */
  final String text;
  final String lower;
  final int[] starts;
  final int labels;
  final long[] hashes;
  /** Set by {@link #parse}: null when well formed, else why not. */
  String problem;
  /** Special-use or single-label: answer locally. */
  boolean answerLocally;
  Kind kind = Kind.NORMAL;
  /** Index of the first label of the registrable domain; == labels when there is none. */
  int regLabel;
  /** For reverse names: information of the left part (8 bits an octet, 4 a nibble). */
  double reverseBits;

  private NameView(String text, String lower, int[] starts, int labels, byte[] lowerBytes, byte[] textBytes) {
    this.text = text;
    this.lower = lower;
    this.starts = starts;
    this.labels = labels;
    this.hashes = new long[labels];
    this.lowerBytes = lowerBytes;
    this.textBytes = textBytes;
  }

  /** {@link #text} as bytes (original case). */
  final byte[] textBytes;

  /** {@link #lower} as ASCII bytes (null for the root). */
  final byte[] lowerBytes;

  /** Names answered locally, never forwarded: RFC 6761, RFC 6762 (.local), RFC 7686 (.onion). */
  private static final java.util.Set<String> SPECIAL_USE =
      java.util.Set.of("localhost", "invalid", "test", "local", "onion");

  /**
   * Parses and checks the structure of {@code name}; local zones are given as a set of suffix
   * hashes. Never throws: {@link #problem} says what is wrong.
   */
  static NameView parse(Name name, LongSet localZones) {
    NameView v = read(name, localZones);
    v.source = name;
    v.zones = localZones;
    return v;
  }

  /**
   * As {@link #parse(Name, LongSet)}, for the uncompressed wire-form name of {@code length} bytes
   * (root label included) at {@code offset} of {@code wire}: a query's question, read without
   * making a {@link Name} of it.
   */
  static NameView parse(byte[] wire, int offset, int length, LongSet localZones) {
    byte[] low = new byte[length];
    boolean upper = false;
    int labels = 0;
    for (int p = 0; p < length; ) {
      int len = wire[offset + p] & 0xff;
      low[p] = (byte) len;
      if (len == 0) {
        break;
      }
      labels++;
      for (int k = p + 1; k <= p + len; k++) {
        byte b = wire[offset + k];
        if (b >= 'A' && b <= 'Z') {
          // RFC 4343: ASCII letters only, as dnsjava's canonical form.
          b += 32;
          upper = true;
        }
        low[k] = b;
      }
      p += len + 1;
    }
    NameView v = labels == 0 ? root() : read(low, upper ? wire : null, offset, labels, localZones);
    v.sourceWire = wire;
    v.sourceOffset = offset;
    v.zones = localZones;
    return v;
  }

  /** The name and local-zone table this view was made from (identity: see PolicyEngine's reuse). */
  Name source;
  LongSet zones;
  /** Or the bytes and offset it was read from. */
  byte[] sourceWire;
  int sourceOffset;

  private static NameView root() {
    NameView root = new NameView("", "", new int[1], 0, null, null);
    root.regLabel = 0;
    return root;
  }

  private static NameView read(Name name, LongSet localZones) {
    int labels = name.labels() - 1;
    if (labels <= 0) {
      return root();
    }
    // Read the canonical (lower-case) wire form: no escaping, no per-label strings. dnsjava's
    // plain toWire() costs microseconds on names of many labels (ip6.arpa); toWireCanonical()
    // does not. The original case is fetched only when the name has upper-case letters.
    byte[] low = name.toWireCanonical();
    return read(low, name.canonicalize() == name ? null : originalWire(name, labels, low.length), 0, labels, localZones);
  }

  /**
   * @param low the name's canonical wire form, turned into its text in place
   * @param origWire the wire form in the original case at {@code origOffset}, or null when that is
   *     {@code low}
   */
  private static NameView read(byte[] low, byte[] origWire, int origOffset, int labels, LongSet localZones) {
    int n = low.length - 2;
    byte[] orig = origWire == null ? null : new byte[n];
    int[] starts = new int[labels];
    int invalid = 0;
    int pos = 0;
    int out = 0;
    for (int l = 0; l < labels; l++) {
      int len = low[pos];
      // Shift the label left by one over its length byte: the text form in place.
      if (l > 0) {
        low[out] = '.';
        if (orig != null) {
          orig[out] = '.';
        }
        out++;
      }
      starts[l] = out;
      pos++;
      for (int k = 0; k < len; k++, pos++, out++) {
        int b = low[pos] & 0xff;
        invalid |= b >= 128 ? 1 : LexicalModel.index((char) b) >>> 31;
        low[out] = (byte) b;
        if (orig != null) {
          orig[out] = origWire[origOffset + pos];
        }
      }
    }
    int upper = orig != null ? 1 : 0;
    String problem = invalid != 0 ? "character outside [a-z0-9-_]" : null;
    String lower = new String(low, 0, n, StandardCharsets.ISO_8859_1);
    String text = upper != 0 ? new String(orig, 0, n, StandardCharsets.ISO_8859_1) : lower;
    NameView v = new NameView(text, lower, starts, problem == null ? labels : 0, low, upper != 0 ? orig : low);
    v.problem = problem;
    if (problem != null) {
      v.regLabel = v.labels;
      return v;
    }
    NameHash.suffixes(low, n, starts, labels, v.hashes);
    v.classify(localZones);
    return v;
  }

  /** The wire form with the original letter case, label by label. */
  private static byte[] originalWire(Name name, int labels, int length) {
    byte[] w = new byte[length];
    int pos = 0;
    for (int l = 0; l < labels; l++) {
      byte[] label = name.getLabel(l);
      System.arraycopy(label, 0, w, pos, label.length);
      pos += label.length;
    }
    return w;
  }

  private void classify(LongSet localZones) {
    regLabel = labels;
    if (localZones.size() > 0) {
      for (int i = 0; i < labels; i++) {
        if (localZones.contains(hashes[i])) {
          kind = Kind.LOCAL_ZONE;
          regLabel = Math.max(0, i - 1);
          return;
        }
      }
    }
    String tld = lower.substring(starts[labels - 1]);
    if (SPECIAL_USE.contains(tld)) {
      answerLocally = true;
      problem = "special-use name";
      return;
    }
    if (labels == 1) {
      if (!PublicSuffixes.isTld(tld)) {
        answerLocally = true;
        problem = "single-label name";
      }
      return;
    }
    if (tld.equals("arpa") && labels >= 3) {
      String second = lower.substring(starts[labels - 2], starts[labels - 1] - 1);
      if (second.equals("in-addr")) {
        reverse(4, 3, 8);
        return;
      }
      if (second.equals("ip6")) {
        reverse(32, 12, 4);
        return;
      }
    }
    int suffix = PublicSuffixes.suffixLabels(lower, starts, labels);
    if (suffix == 0) {
      problem = "top-level domain not in the public suffix list";
      return;
    }
    regLabel = labels > suffix ? labels - suffix - 1 : labels;
  }

  /**
   * Checks an in-addr.arpa (octets) or ip6.arpa (nibbles) name: up to {@code max} address labels,
   * optionally under a DNS-SD browse prefix (RFC 6763 §11: b/db/r/dr/lb._dns-sd._udp). Its budget
   * key is the /24 or /48 (the last {@code keyLabels} address labels).
   */
  private void reverse(int max, int keyLabels, int bitsPerLabel) {
    kind = Kind.REVERSE;
    int first = 0;
    if (labels >= 5 && lower.startsWith("_dns-sd._udp.", starts[1])) {
      String browse = lower.substring(0, starts[1] - 1);
      if (!(browse.equals("b") || browse.equals("db") || browse.equals("r") || browse.equals("dr")
          || browse.equals("lb"))) {
        problem = "malformed reverse name";
        return;
      }
      first = 3;
    }
    int address = labels - 2 - first;
    if (address > max) {
      problem = "malformed reverse name";
      return;
    }
    for (int i = first; i < labels - 2; i++) {
      int s = starts[i];
      int e = starts[i + 1] - 1;
      boolean ok = bitsPerLabel == 8 ? octet(s, e, i == first) : nibble(s, e);
      if (!ok) {
        problem = "malformed reverse name";
        return;
      }
    }
    int keyStart = labels - 2 - Math.min(address, keyLabels);
    regLabel = keyStart;
    reverseBits = (double) (keyStart - first) * bitsPerLabel + (first > 0 ? 3 : 0);
  }

  /** 0–255 without leading zeros; the leftmost may be an RFC 2317 range "a-b". */
  private boolean octet(int s, int e, boolean leftmost) {
    int dash = lower.indexOf('-', s);
    if (leftmost && dash > s && dash < e - 1) {
      return decimal(s, dash) && decimal(dash + 1, e);
    }
    return decimal(s, e);
  }

  private boolean decimal(int s, int e) {
    if (e - s < 1 || e - s > 3 || (e - s > 1 && lower.charAt(s) == '0')) {
      return false;
    }
    int v = 0;
    for (int i = s; i < e; i++) {
      char c = lower.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 255;
  }

  private boolean nibble(int s, int e) {
    if (e - s != 1) {
      return false;
    }
    char c = lower.charAt(s);
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /** The registrable domain, or null. */
  String registrable() {
    return regLabel < labels ? lower.substring(starts[regLabel]) : null;
  }

  /** Hash of the registrable domain (0 when none). */
  long registrableHash() {
    return regLabel < labels ? hashes[regLabel] : 0;
  }

  /** End (exclusive) of the part left of the registrable domain in {@link #text}; 0 when empty. */
  int leftEnd() {
    return regLabel < labels && regLabel > 0 ? starts[regLabel] - 1 : 0;
  }
}

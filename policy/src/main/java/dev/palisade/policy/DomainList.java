package dev.palisade.policy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.Name;

/**
 * An immutable set of domain rules: exact names ({@code host.example.org}) and suffixes
 * ({@code *.example.com}, which matches {@code example.com} itself and every name below it).
 *
 * <p>Entries are kept as 61-bit keyed hashes ({@link NameHash}) in open-addressing tables: about
 * 11–23 bytes an entry whatever the name's length, no strings, no per-entry objects; millions of
 * entries load in well under a second (see the module README for measurements). A false match
 * needs a hash collision, whose chance is at most about 2^-52 per lookup for a million entries,
 * whatever names an attacker tries, since the key is secret.
 *
 * <p>File formats accepted by {@link #load(Path)}, one entry a line: {@code name},
 * {@code *.suffix}, hosts-file lines ({@code 0.0.0.0 name [name…]}, exact names), Adblock-style
 * {@code ||suffix^} (suffix); {@code #} and {@code !} start comments; lines that are none of
 * these are skipped and counted ({@link #skipped()}).
 */
public final class DomainList {
  private static final DomainList EMPTY = new DomainList(LongSet.EMPTY, LongSet.EMPTY, 0);

  private final LongSet exact;
  private final LongSet suffix;
  private final long skipped;

  private DomainList(LongSet exact, LongSet suffix, long skipped) {
    this.exact = exact;
    this.suffix = suffix;
    this.skipped = skipped;
  }

  public static DomainList empty() {
    return EMPTY;
  }

  /**
   * Parses inline entries (config): {@code name} or {@code *.suffix}, case-insensitive, trailing
   * dot allowed.
   *
   * @throws IllegalArgumentException naming the first entry that is not a valid rule
   */
  public static DomainList parse(Collection<String> entries) {
    Builder b = new Builder(entries.size());
    for (String entry : entries) {
      String e = entry == null ? "" : entry.strip().toLowerCase(Locale.ROOT);
      boolean isSuffix = e.startsWith("*.");
      String name = isSuffix ? e.substring(2) : e;
      if (name.endsWith(".")) {
        name = name.substring(0, name.length() - 1);
      }
      if (!validName(name)) {
        throw new IllegalArgumentException(
            "not a domain rule (expected name or *.suffix): \"" + entry + "\"");
      }
      b.add(NameHash.of(name), isSuffix);
    }
    return b.build(0);
  }

  /** {@link #parse(Collection)} for a few entries. */
  public static DomainList of(String... entries) {
    return parse(List.of(entries));
  }

  /** Loads one list file (see the class comment for its format). */
  public static DomainList load(Path file) throws IOException {
    long size = Files.size(file);
    Builder b = new Builder((int) Math.min(1 << 26, Math.max(16, size / 16)));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      new LineParser(b).parse(in);
    }
    return b.build(b.skipped);
  }

  /** Reads a list in the file format from a stream (the caller closes it). */
  public static DomainList read(InputStream in) throws IOException {
    Builder b = new Builder(1024);
    new LineParser(b).parse(in);
    return b.build(b.skipped);
  }

  /** Loads and joins several list files. */
  public static DomainList load(Collection<Path> files) throws IOException {
    DomainList all = EMPTY;
    for (Path f : files) {
      all = all.union(load(f));
    }
    return all;
  }

  /** Both lists' rules. */
  public DomainList union(DomainList other) {
    if (other.size() == 0) {
      return this;
    }
    if (size() == 0) {
      return other;
    }
    return new DomainList(join(exact, other.exact), join(suffix, other.suffix), skipped + other.skipped);
  }

  private static LongSet join(LongSet a, LongSet b) {
    long[] x = a.values();
    long[] y = b.values();
    long[] all = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, all, x.length, y.length);
    return LongSet.of(all, all.length);
  }

  /** Whether a rule matches {@code name} (case-insensitive). */
  public boolean matches(Name name) {
    return matches(name.toString(true));
  }

  /** Whether a rule matches {@code name} (text form, case-insensitive, trailing dot allowed). */
  public boolean matches(String name) {
    if (size() == 0) {
      return false;
    }
    int n = name.length();
    if (n > 0 && name.charAt(n - 1) == '.') {
      n--;
    }
    if (n == 0 || n > 253) {
      return false;
    }
    byte[] lower = new byte[n];
    int[] starts = new int[n / 2 + 1];
    int labels = 0;
    starts[labels++] = 0;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c == '.') {
        starts[labels++] = i + 1;
      } else if (LexicalModel.index(c) < 0) {
        return false;
      }
      lower[i] = (byte) (c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    long[] hashes = new long[labels];
    NameHash.suffixes(lower, n, starts, labels, hashes);
    return matches(hashes, labels);
  }

  /** Match on precomputed suffix hashes ({@code hashes[0]} is the whole name). */
  boolean matches(long[] hashes, int labels) {
    if (labels == 0) {
      return false;
    }
    if (exact.size() > 0 && exact.contains(hashes[0])) {
      return true;
    }
    if (suffix.size() > 0) {
      for (int i = 0; i < labels; i++) {
        if (suffix.contains(hashes[i])) {
          return true;
        }
      }
    }
    return false;
  }

  /** Number of distinct rules. */
  public int size() {
    return exact.size() + suffix.size();
  }

  /** Lines of loaded files that were not rules and were skipped. */
  public long skipped() {
    return skipped;
  }

  /** Approximate heap held by the tables, in bytes. */
  public long memoryBytes() {
    return 32 + exact.bytes() + suffix.bytes();
  }

  @Override
  public String toString() {
    return "DomainList[" + exact.size() + " names, " + suffix.size() + " suffixes]";
  }

  /** Host-name syntax: labels of 1–63 characters [a-z0-9-_], at most 253 characters. */
  static boolean validName(String lower) {
    int n = lower.length();
    if (n == 0 || n > 253) {
      return false;
    }
    int label = 0;
    for (int i = 0; i < n; i++) {
      char c = lower.charAt(i);
      if (c == '.') {
        if (label == 0) {
          return false;
        }
        label = 0;
      } else if (LexicalModel.index(c) >= 0 && !(c >= 'A' && c <= 'Z')) {
        if (++label > 63) {
          return false;
        }
      } else {
        return false;
      }
    }
    return label > 0;
  }

  /** Collects hashes into growable arrays, then builds the tables once. */
  static final class Builder {
    private long[] exactHashes;
    private int exactCount;
    private long[] suffixHashes = new long[16];
    private int suffixCount;
    long skipped;

    Builder(int expected) {
      exactHashes = new long[Math.max(16, expected)];
    }

    void add(long hash, boolean isSuffix) {
      if (isSuffix) {
        if (suffixCount == suffixHashes.length) {
          suffixHashes = Arrays.copyOf(suffixHashes, suffixCount * 2);
        }
        suffixHashes[suffixCount++] = hash;
      } else {
        if (exactCount == exactHashes.length) {
          exactHashes = Arrays.copyOf(exactHashes, exactCount * 2);
        }
        exactHashes[exactCount++] = hash;
      }
    }

    DomainList build(long skippedLines) {
      if (exactCount == 0 && suffixCount == 0) {
        return skippedLines == 0 ? EMPTY : new DomainList(LongSet.EMPTY, LongSet.EMPTY, skippedLines);
      }
      return new DomainList(LongSet.of(exactHashes, exactCount),
          LongSet.of(suffixHashes, suffixCount), skippedLines);
    }
  }

  /**
   * A byte-level parser: no String per line. Hashes each token right to left as it is
   * completed, from a reusable buffer.
   */
  static final class LineParser {
    private final Builder out;
    private final NameHash.Builder hasher = new NameHash.Builder();
    private final byte[] line = new byte[1024];
    private int len;
    private boolean overflow;

    LineParser(Builder out) {
      this.out = out;
    }

    void parse(InputStream in) throws IOException {
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        for (int i = 0; i < r; i++) {
          byte b = buf[i];
          if (b == '\n' || b == '\r') {
            endLine();
          } else if (len < line.length) {
            line[len++] = b;
          } else {
            overflow = true;
          }
        }
      }
      endLine();
    }

    private void endLine() {
      int n = len;
      len = 0;
      if (overflow) {
        overflow = false;
        out.skipped++;
        return;
      }
      int s = 0;
      while (s < n && (line[s] == ' ' || line[s] == '\t')) {
        s++;
      }
      // Cut comments, then trailing blanks.
      int e = s;
      while (e < n && line[e] != '#' && !(line[e] == '!' && e == s)) {
        e++;
      }
      while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
        e--;
      }
      if (e == s) {
        return;
      }
      if (line[s] == '|' && e - s > 3 && line[s + 1] == '|') {
        // Adblock: ||example.com^ (anything after ^ is an option: skip those lines).
        int caret = s + 2;
        while (caret < e && line[caret] != '^') {
          caret++;
        }
        if (caret != e - 1 || !token(s + 2, caret, true)) {
          out.skipped++;
        }
        return;
      }
      // Split on blanks: one token is a rule; several is a hosts line (address, then names).
      int tokens = 0;
      int firstStart = s;
      int firstEnd = s;
      boolean ok = true;
      int i = s;
      while (i < e) {
        while (i < e && (line[i] == ' ' || line[i] == '\t')) {
          i++;
        }
        int ts = i;
        while (i < e && line[i] != ' ' && line[i] != '\t') {
          i++;
        }
        if (ts == i) {
          break;
        }
        tokens++;
        if (tokens == 1) {
          firstStart = ts;
          firstEnd = i;
        } else {
          if (tokens == 2 && !looksLikeAddress(firstStart, firstEnd)) {
            ok = false;
            break;
          }
          if (!isLocalHostAlias(ts, i)) {
            ok &= token(ts, i, false);
          }
        }
      }
      if (tokens == 1) {
        boolean isSuffix = firstEnd - firstStart > 2 && line[firstStart] == '*' && line[firstStart + 1] == '.';
        ok = token(isSuffix ? firstStart + 2 : firstStart, firstEnd, isSuffix);
      }
      if (!ok) {
        out.skipped++;
      }
    }

    private boolean looksLikeAddress(int s, int e) {
      for (int i = s; i < e; i++) {
        byte b = line[i];
        if (!((b >= '0' && b <= '9') || b == '.' || b == ':' || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'))) {
          return false;
        }
      }
      return true;
    }

    /** Hosts files map these to loopback; they are not rules. */
    private boolean isLocalHostAlias(int s, int e) {
      return equalsIgnoreCase(s, e, "localhost") || equalsIgnoreCase(s, e, "localhost.localdomain")
          || equalsIgnoreCase(s, e, "broadcasthost") || equalsIgnoreCase(s, e, "local")
          || equalsIgnoreCase(s, e, "0.0.0.0") || equalsIgnoreCase(s, e, "ip6-localhost")
          || equalsIgnoreCase(s, e, "ip6-loopback");
    }

    private boolean equalsIgnoreCase(int s, int e, String w) {
      if (e - s != w.length()) {
        return false;
      }
      for (int i = 0; i < w.length(); i++) {
        if (Character.toLowerCase((char) line[s + i]) != w.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** Validates and hashes line[s, e) as a name, lower-casing; a trailing dot is dropped. */
    private boolean token(int s, int e, boolean isSuffix) {
      if (e > s && line[e - 1] == '.') {
        e--;
      }
      if (e - s == 0 || e - s > 253) {
        return false;
      }
      NameHash.Builder hb = hasher;
      hb.reset();
      int label = 0;
      for (int i = e - 1; i >= s; i--) {
        char c = (char) (line[i] & 0xff);
        if (c == '.') {
          if (label == 0) {
            return false;
          }
          label = 0;
        } else {
          if (c >= 'A' && c <= 'Z') {
            c = (char) (c + 32);
          }
          if (LexicalModel.index(c) < 0 || ++label > 63) {
            return false;
          }
        }
        hb.add(c);
      }
      if (label == 0) {
        return false;
      }
      long h = hb.finish();
      out.add(h, isSuffix);
      return true;
    }
  }
}

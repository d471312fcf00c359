package dev.palisade.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A character-bigram model of subdomain labels: the cost, in bits, of each character given the one
 * before it, with a boundary symbol at the start and end of every label.
 *
 * <p>The model is a normalised probability distribution over label strings, so the cost it
 * assigns to a name is a code length: by Gibbs' inequality, averaged over any source of names, it
 * is never below that source's true entropy. That is what lets a budget in bits bound what a
 * tunnel carries, whatever encoding it uses.
 *
 * <p>The bundled table ({@code bigram-model.txt}) is trained on Debian {@code dnsrecon}'s
 * {@code subdomains-top1mil.txt} by {@code BigramTrainer} (policy test sources); see the module
 * README to regenerate it. Immutable and thread-safe.
 */
public final class LexicalModel {
  /** The symbols: a-z, 0-9, '-', '_' and the label boundary. */
  public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_";
  public static final int SYMBOLS = ALPHABET.length() + 1;
  public static final int BOUNDARY = SYMBOLS - 1;
  static final String RESOURCE = "bigram-model.txt";

  /** Symbol index of an ASCII character, -1 when outside [A-Za-z0-9-_]. */
  private static final byte[] INDEX = new byte[128];

  static {
    java.util.Arrays.fill(INDEX, (byte) -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      char c = ALPHABET.charAt(i);
      INDEX[c] = (byte) i;
      if (c >= 'a' && c <= 'z') {
        INDEX[c - 'a' + 'A'] = (byte) i;
      }
    }
  }

  private static final class Bundled {
    static final LexicalModel MODEL = load();

    private static LexicalModel load() {
      try (InputStream in = LexicalModel.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCE);
        }
        return read(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final int[] centibits;

  private LexicalModel(int[] centibits) {
    this.centibits = centibits;
  }

  /** The model shipped in this jar. */
  public static LexicalModel bundled() {
    return Bundled.MODEL;
  }

  /**
   * Reads a table: lines starting with '#' are comments; then {@value #SYMBOLS} rows of
   * {@value #SYMBOLS} integers, the cost in centibits of the column symbol after the row symbol.
   */
  public static LexicalModel read(InputStream in) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
    int[] centibits = new int[SYMBOLS * SYMBOLS];
    int row = 0;
    for (String line; (line = r.readLine()) != null; ) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split("\\s+");
      if (cells.length != SYMBOLS || row >= SYMBOLS) {
        throw new IOException("bigram table: row " + (row + 1) + " has " + cells.length
            + " cells, expected " + SYMBOLS + " rows of " + SYMBOLS);
      }
      for (int col = 0; col < SYMBOLS; col++) {
        int centibits1 = Integer.parseInt(cells[col]);
        if (centibits1 <= 0) {
          throw new IOException("bigram table: non-positive cost at row " + (row + 1));
        }
        centibits[row * SYMBOLS + col] = centibits1;
      }
      row++;
    }
    if (row != SYMBOLS) {
      throw new IOException("bigram table: " + row + " rows, expected " + SYMBOLS);
    }
    return new LexicalModel(centibits);
  }

  /** Symbol index of {@code c}, or -1 when it is not a host-name character. */
  static int index(char c) {
    return c < 128 ? INDEX[c] : -1;
  }

  /**
   * Information in {@code s[from, to)}, a run of dot-separated labels: bigram bits, plus one bit
   * per letter when the run mixes case base64-style, that is, has an upper-case letter right after
   * a lower-case one (random case carries a bit per letter; Title-Case words such as Active
   * Directory's {@code Default-First-Site-Name} do not count). Characters outside the host-name alphabet cost {@value #FOREIGN_BITS} bits each
   * (the structure layer refuses them before this is reached).
   */
  public double bits(CharSequence s, int from, int to) {
    Objects.checkFromToIndex(from, to, s.length());
    if (from == to) {
      return 0;
    }
    // Costs are summed as integer centibits: exact, and no floating-point add latency chain.
    int[] c = centibits;
    long total = 0;
    int prev = BOUNDARY;
    int letters = 0;
    int foreign = 0;
    int mixed = 0;
    int prevLower = 0;
    for (int i = from; i < to; i++) {
      char ch = s.charAt(i);
      if (ch == '.') {
        total += c[prev * SYMBOLS + BOUNDARY];
        prev = BOUNDARY;
        prevLower = 0;
        continue;
      }
      int x = index(ch);
      if (x < 0) {
        foreign++;
        prev = BOUNDARY;
        prevLower = 0;
        continue;
      }
      // Branch-free case tracking: random data makes letter/digit branches unpredictable.
      int letter = (x - 26) >>> 31;
      int upper = letter & ((ch - 'a') >>> 31);
      mixed |= upper & prevLower;
      prevLower = letter & (upper ^ 1);
      letters += letter;
      total += c[prev * SYMBOLS + x];
      prev = x;
    }
    total += c[prev * SYMBOLS + BOUNDARY];
    return total / 100.0 + foreign * FOREIGN_BITS + (mixed != 0 ? letters : 0);
  }

  /**
   * {@link #bits(CharSequence, int, int)} over ASCII bytes (the engine's parsed name): the same
   * result, without {@code charAt} on a string.
   */
  double bits(byte[] s, int from, int to) {
    if (from == to) {
      return 0;
    }
    int[] c = centibits;
    long total = 0;
    int prev = BOUNDARY;
    int letters = 0;
    int foreign = 0;
    int mixed = 0;
    int prevLower = 0;
    for (int i = from; i < to; i++) {
      int ch = s[i] & 0xff;
      if (ch == '.') {
        total += c[prev * SYMBOLS + BOUNDARY];
        prev = BOUNDARY;
        prevLower = 0;
        continue;
      }
      int x = ch < 128 ? INDEX[ch] : -1;
      if (x < 0) {
        foreign++;
        prev = BOUNDARY;
        prevLower = 0;
        continue;
      }
      // Branch-free case tracking: random data makes letter/digit branches unpredictable.
      int letter = (x - 26) >>> 31;
      int upper = letter & ((ch - 'a') >>> 31);
      mixed |= upper & prevLower;
      prevLower = letter & (upper ^ 1);
      letters += letter;
      total += c[prev * SYMBOLS + x];
      prev = x;
    }
    total += c[prev * SYMBOLS + BOUNDARY];
    return total / 100.0 + foreign * FOREIGN_BITS + (mixed != 0 ? letters : 0);
  }

  /** Cost charged for a character outside the alphabet: a full byte. */
  static final int FOREIGN_BITS = 8;

  /** Scores a whole string (dot-separated labels). */
  public LexicalScore score(CharSequence part) {
    int n = part.length();
    double bits = bits(part, 0, n);
    boolean mixed = false;
    for (int i = 1; i < n; i++) {
      char ch = part.charAt(i);
      char before = part.charAt(i - 1);
      mixed |= ch >= 'A' && ch <= 'Z' && before >= 'a' && before <= 'z';
    }
    return new LexicalScore(n, bits, n == 0 ? 0 : bits / n, mixed);
  }

  /**
   * The cost in bits of symbol {@code next} after symbol {@code previous}: indexes into
   * {@link #ALPHABET}, or {@link #BOUNDARY} for the label boundary.
   */
  public double cost(int previous, int next) {
    return centibits[previous * SYMBOLS + next] / 100.0;
  }
}

package dev.palisade.policy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Trains the character-bigram table shipped as {@code bigram-model.txt}.
 *
 * <p>Input: subdomain label lists, one entry a line (Debian {@code dnsrecon}'s
 * {@code /usr/share/dnsrecon/subdomains-top1mil.txt}). Each entry is split into labels; each
 * label adds the transitions boundary → c1 → … → cn → boundary. Costs are −log2 of add-k smoothed
 * conditional probabilities, written in centibits. Never feed it an evaluation corpus.
 *
 * <pre>
 * mvn -B -o -pl policy test-compile
 * java -cp policy/target/test-classes:policy/target/classes dev.palisade.policy.BigramTrainer \
 *     /usr/share/dnsrecon/subdomains-top1mil.txt \
 *     &gt; policy/src/main/resources/dev/palisade/policy/bigram-model.txt
 * </pre>
 */
public final class BigramTrainer {
  /** Add-k smoothing: every transition is seen k times more than counted. */
  static final double K = 0.5;

  private BigramTrainer() {}

  public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
    if (args.length == 0) {
      System.err.println("usage: BigramTrainer LIST...");
      System.exit(2);
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    write(List.of(args).stream().map(Path::of).toList(), out);
    out.flush();
  }

  /** Writes the table trained on {@code files}; deterministic for the same input. */
  static void write(List<Path> files, PrintStream out) throws IOException, NoSuchAlgorithmException {
    int n = LexicalModel.SYMBOLS;
    long[] counts = new long[n * n];
    StringBuilder sources = new StringBuilder();
    long entries = 0;
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      long before = entries;
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        String entry = line.strip().toLowerCase(Locale.ROOT);
        if (entry.isEmpty() || entry.startsWith("#") || !entry.matches("[a-z0-9_.-]+")) {
          continue;
        }
        entries++;
        for (String label : entry.split("\\.")) {
          if (label.isEmpty()) {
            continue;
          }
          int prev = LexicalModel.BOUNDARY;
          for (int i = 0; i < label.length(); i++) {
            int x = LexicalModel.index(label.charAt(i));
            counts[prev * n + x]++;
            prev = x;
          }
          counts[prev * n + LexicalModel.BOUNDARY]++;
        }
      }
      sources.append(String.format(Locale.ROOT, "#   %s: %d entries, sha256 %s%n",
          file.getFileName(), entries - before, digest));
    }
    out.printf(Locale.ROOT, "# Palisade character-bigram model of subdomain labels.%n");
    out.printf(Locale.ROOT, "# Cell (row r, column c): -log2 P(c | r) in centibits; add-%.1f smoothing.%n", K);
    out.printf(Locale.ROOT, "# Symbols, in order: %s and ^ (label boundary).%n", LexicalModel.ALPHABET);
    out.printf(Locale.ROOT, "# Trained by dev.palisade.policy.BigramTrainer (policy test sources) on:%n");
    out.print(sources);
    for (int r = 0; r < n; r++) {
      double total = 0;
      for (int c = 0; c < n; c++) {
        total += counts[r * n + c] + K;
      }
      StringBuilder row = new StringBuilder();
      for (int c = 0; c < n; c++) {
        double p = (counts[r * n + c] + K) / total;
        long centibits = Math.max(1, Math.round(-Math.log(p) / Math.log(2) * 100));
        row.append(c == 0 ? "" : " ").append(centibits);
      }
      out.println(row);
    }
  }
}

package dev.palisade.bench.exfil;

import dev.palisade.policy.DomainList;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Measures {@link DomainList#load} on generated lists of 1 and 5 million entries (host names of
 * realistic shape, a tenth of them {@code *.suffix} rules, some in hosts-file format): load time,
 * heap held, and lookups per second.
 *
 * <pre>java -Xmx2g -cp bench/target/benchmarks.jar dev.palisade.bench.exfil.ListLoading [dir]</pre>
 */
public final class ListLoading {
  private ListLoading() {}

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("palisade-lists");
    System.out.println("| entries | file | load (best of 3) | entries/s | heap held by the list | bytes/entry | lookups/s |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
    for (int n : new int[] {1_000_000, 5_000_000}) {
      Path f = dir.resolve("list-" + n + ".txt");
      write(f, n);
      long best = Long.MAX_VALUE;
      DomainList list = null;
      for (int k = 0; k < 3; k++) {
        list = null;
        System.gc();
        long t0 = System.nanoTime();
        list = DomainList.load(f);
        best = Math.min(best, System.nanoTime() - t0);
      }
      long heap = heldBy(f);
      Random r = new Random(2);
      String[] probes = new String[1 << 16];
      for (int k = 0; k < probes.length; k++) {
        probes[k] = "www." + host(r);
      }
      int hits = 0;
      long t0 = System.nanoTime();
      int lookups = 2_000_000;
      for (int k = 0; k < lookups; k++) {
        hits += list.matches(probes[k & (probes.length - 1)]) ? 1 : 0;
      }
      double lps = lookups / ((System.nanoTime() - t0) / 1e9);
      System.out.printf(Locale.ROOT, "| %,d | %.0f MB | %.0f ms | %,.0f | %.1f MB (tables %.1f MB) | %.1f | %,.0f |%n", list.size(),
          Files.size(f) / 1e6, best / 1e6, n / (best / 1e9), heap / 1e6, list.memoryBytes() / 1e6,
          (double) heap / list.size(), lps);
      if (hits < 0) {
        System.out.println(hits);
      }
      Files.delete(f);
    }
  }

  /** Heap retained by a freshly loaded list (used heap after GC, with and without it). */
  private static long heldBy(Path f) throws IOException {
    Runtime rt = Runtime.getRuntime();
    gc();
    long before = rt.totalMemory() - rt.freeMemory();
    DomainList list = DomainList.load(f);
    gc();
    long after = rt.totalMemory() - rt.freeMemory();
    if (list.size() < 0) {
      throw new IllegalStateException();
    }
    return after - before;
  }

  private static void gc() {
    for (int k = 0; k < 3; k++) {
      System.gc();
    }
  }

  static void write(Path f, int n) throws IOException {
    Random r = new Random(n);
    try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.US_ASCII)) {
      w.write("# generated list\n");
      for (int k = 0; k < n; k++) {
        int kind = r.nextInt(10);
        if (kind == 0) {
          w.write("*." + host(r));
        } else if (kind == 1) {
          w.write("0.0.0.0 " + host(r));
        } else {
          w.write(host(r));
        }
        w.write('\n');
      }
    }
  }

  private static final String[] TLDS = {"com", "net", "org", "de", "ru", "co.uk", "info", "xyz", "io", "top", "com.br", "fr"};

  static String host(Random r) {
    StringBuilder sb = new StringBuilder();
    if (r.nextBoolean()) {
      sb.append(ServiceNames.rand(r, "abcdefghijklmnopqrstuvwxyz", 2 + r.nextInt(6))).append('.');
    }
    sb.append(ServiceNames.rand(r, "abcdefghijklmnopqrstuvwxyz", 4 + r.nextInt(10)));
    if (r.nextInt(4) == 0) {
      sb.append('-').append(r.nextInt(1000));
    }
    return sb.append('.').append(TLDS[r.nextInt(TLDS.length)]).toString();
  }
}

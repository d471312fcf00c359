package dev.palisade.bench.exfil;

import dev.palisade.bench.exfil.ServiceNames.Entry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.Type;

/**
 * The benign corpora. Evaluation: the hand-assembled real names shipped here
 * ({@code benign-hosts.txt}), service-format names ({@link ServiceNames}, evaluation seed) over
 * that file's domains, and, when the Debian packages are installed, the host names in uBlock
 * Origin's EasyList/EasyPrivacy and Privacy Badger's yellowlist (real hosts a browser resolves).
 * Tuning: host-name files given on the command line (never shipped) plus service-format names with
 * another seed over their domains. The two never share a seed or a source file.
 */
final class BenignCorpus {
  static final long EVALUATION_SEED = 20261128L;
  static final long TUNING_SEED = 1L;
  static final Path EASYLIST_DIR = Path.of("/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist");
  static final Path YELLOWLIST = Path.of("/usr/share/webext/privacy-badger/data/yellowlist.txt");

  private BenignCorpus() {}

  /** The evaluation corpus; {@code sources} receives a line per source with its size. */
  static List<Entry> evaluation(List<String> sources) throws IOException {
    List<Entry> out = new ArrayList<>();
    List<Entry> hand = handAssembled();
    out.addAll(hand);
    sources.add("hand-assembled real names (benign-hosts.txt): " + hand.size());
    Set<String> bases = new LinkedHashSet<>();
    for (Entry e : hand) {
      String b = naiveBase(e.name());
      if (b != null && !e.name().endsWith(".arpa")) {
        bases.add(b);
      }
    }
    List<Entry> gen = ServiceNames.generate(EVALUATION_SEED, new ArrayList<>(bases), 3000);
    out.addAll(gen);
    sources.add("service-format names (CDN, cloud, PTR, SRV, DKIM, ACME, DNS-SD, anti-virus, DNSBL), seed "
        + EVALUATION_SEED + ", over " + bases.size() + " domains of the hand list: " + gen.size());
    Pattern rule = Pattern.compile("^\\|\\|([a-z0-9._-]+\\.[a-z][a-z0-9-]+)\\^");
    for (String f : List.of("easyprivacy.txt", "easylist.txt")) {
      Path p = EASYLIST_DIR.resolve(f);
      if (Files.isReadable(p)) {
        Set<String> hosts = new LinkedHashSet<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          Matcher m = rule.matcher(line);
          if (m.find()) {
            hosts.add(m.group(1));
          }
        }
        for (String h : hosts) {
          out.add(new Entry(Type.A, h, "browser: " + f));
        }
        sources.add("host names in uBlock Origin's " + f + " (Debian webext-ublock-origin-chromium): " + hosts.size());
      } else {
        sources.add("missing " + p + " (apt-get install webext-ublock-origin-chromium)");
      }
    }
    if (Files.isReadable(YELLOWLIST)) {
      int n = 0;
      for (String line : Files.readAllLines(YELLOWLIST, StandardCharsets.UTF_8)) {
        String h = line.strip().toLowerCase(Locale.ROOT);
        if (!h.isEmpty() && !h.startsWith("#") && h.matches("[a-z0-9._-]+\\.[a-z][a-z0-9-]+")) {
          out.add(new Entry(Type.A, h, "browser: yellowlist"));
          n++;
        }
      }
      sources.add("Privacy Badger yellowlist (Debian webext-privacy-badger): " + n);
    } else {
      sources.add("missing " + YELLOWLIST + " (apt-get install webext-privacy-badger)");
    }
    return out;
  }

  /** The tuning corpus from host-name files ("name" or "rank,name" lines). */
  static List<Entry> tuning(List<Path> files, List<String> sources) throws IOException {
    List<Entry> out = new ArrayList<>();
    Set<String> bases = new LinkedHashSet<>();
    for (Path f : files) {
      int n = 0;
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        String h = line.strip().toLowerCase(Locale.ROOT);
        int comma = h.indexOf(',');
        if (comma >= 0) {
          h = h.substring(comma + 1);
        }
        while (h.startsWith(".")) {
          h = h.substring(1);
        }
        if (h.isEmpty() || !h.matches("[a-z0-9._-]+\\.[a-z][a-z0-9-]+")) {
          continue;
        }
        out.add(new Entry(Type.A, h, "tuning: " + f.getFileName()));
        n++;
        if (!h.startsWith("www.")) {
          out.add(new Entry(Type.AAAA, "www." + h, "tuning: " + f.getFileName()));
          n++;
        }
        String b = naiveBase(h);
        if (b != null && bases.size() < 20000) {
          bases.add(b);
        }
      }
      sources.add(f + ": " + n);
    }
    List<Entry> gen = ServiceNames.generate(TUNING_SEED, new ArrayList<>(bases), 6000);
    out.addAll(gen);
    sources.add("service-format names, seed " + TUNING_SEED + ": " + gen.size());
    return out;
  }

  static List<Entry> handAssembled() throws IOException {
    List<Entry> out = new ArrayList<>();
    try (InputStream in = BenignCorpus.class.getResourceAsStream("benign-hosts.txt")) {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\s+");
        out.add(new Entry(Type.value(f[0]), f[1], f[2]));
      }
    }
    return out;
  }

  /** Last two labels, or three under a two-letter second-level in a ccTLD (good enough for bases). */
  static String naiveBase(String host) {
    String[] l = host.split("\\.");
    if (l.length < 2) {
      return null;
    }
    int take = l.length >= 3 && l[l.length - 1].length() == 2 && l[l.length - 2].length() <= 3 ? 3 : 2;
    take = Math.min(take, l.length);
    return String.join(".", java.util.Arrays.copyOfRange(l, l.length - take, l.length));
  }
}

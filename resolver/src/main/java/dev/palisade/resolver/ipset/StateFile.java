package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sets on disk, so that a restart does not empty the firewall. Text, one address a line:
 * {@code SET<TAB>ADDRESS<TAB>EXPIRY} (milliseconds since 1970), under a header line. Written to a
 * temporary file and renamed over the old one, so a crash leaves the old or the new file, never half.
 * Pinned addresses are not saved: they come from the config at each start.
 */
final class StateFile {

  private static final Logger log = LoggerFactory.getLogger(StateFile.class);

  static final String HEADER = "# palisade ipset state v1: set, address, expiry (ms since 1970)";

  /** Bad lines are each logged, up to this many. */
  private static final int MAX_LOGGED = 5;

  private StateFile() {}

  /** How a set is named in the file: its backend, its nft table, its name. */
  static String key(SetSpec s) {
    return s.backend() == Backend.NFT ? "nft " + s.nftTable() + " " + s.name() : "ipset " + s.name();
  }

  static void write(Path file, List<IpSetExport.View> sets) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write(HEADER + "\n");
        for (IpSetExport.View v : sets) {
          String key = key(v.spec());
          for (ResolvedSet.Entry e : v.entries()) {
            if (!e.pinned()) {
              w.write(key + "\t" + Addresses.text(e.address()) + "\t" + e.expiresAt() + "\n");
            }
          }
        }
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A saved address. */
  record Saved(String set, InetAddress address, long expiresAt) {}

  /**
   * The unexpired addresses in {@code file}, by set key. A missing file is an empty set; an
   * unreadable one is logged and read as empty; a bad line is logged with its number and skipped.
   * Never throws: a state file must not keep the resolver from starting.
   */
  static Map<String, List<Saved>> read(Path file, long now) {
    Map<String, List<Saved>> out = new HashMap<>();
    int bad = 0;
    int expired = 0;
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      lineNo = 1;
      if (first == null) {
        return out;
      }
      if (!first.equals(HEADER)) {
        log.warn("ipset state {}:1: not a Palisade ipset state file (expected \"{}\"); starting with empty sets", file, HEADER);
        return out;
      }
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        String problem = null;
        Saved saved = null;
        if (f.length != 3) {
          problem = "expected 3 tab-separated fields, found " + f.length;
        } else if (!literal(f[1])) {
          problem = "not an IP address: " + f[1];
        } else {
          try {
            saved = new Saved(f[0], InetAddress.getByName(f[1]), Long.parseLong(f[2]));
          } catch (NumberFormatException e) {
            problem = "not an expiry time: " + f[2];
          } catch (java.net.UnknownHostException e) {
            problem = "not an IP address: " + f[1];
          }
        }
        if (problem != null) {
          if (bad++ < MAX_LOGGED) {
            log.warn("ipset state {}:{}: {}; line skipped", file, lineNo, problem);
          }
          continue;
        }
        if (saved.expiresAt() <= now) {
          expired++;
          continue;
        }
        out.computeIfAbsent(saved.set(), k -> new ArrayList<>()).add(saved);
      }
    } catch (NoSuchFileException e) {
      log.info("ipset state {}: none yet, starting with empty sets", file);
      return out;
    } catch (IOException | RuntimeException e) {
      log.warn("ipset state {}:{}: cannot read ({}); starting with what was read before it", file, lineNo, e.toString());
      return out;
    }
    if (bad > MAX_LOGGED) {
      log.warn("ipset state {}: {} bad lines in all", file, bad);
    }
    log.info("ipset state {}: {} addresses restored, {} expired dropped", file,
        out.values().stream().mapToInt(List::size).sum(), expired);
    return out;
  }

  /** An address literal: InetAddress.getByName would look a name up in the DNS. */
  private static boolean literal(String s) {
    return !s.isEmpty() && (s.indexOf(':') >= 0 ? s.matches("[0-9A-Fa-f:.]+") : s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"));
  }
}

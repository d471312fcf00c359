package dev.palisade.dnssec.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** BIND 9's dnssec-keygen, dnssec-signzone and dnssec-dsfromkey (Debian package bind9-utils). */
final class ZoneSigner {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String PACKAGE = "bind9-utils";
  private static final DateTimeFormatter SIGNZONE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private final Path keys;

  /** A key pair made by dnssec-keygen: {@code base} is its file name without .key/.private. */
  record Key(String zone, String base, String dnskey) {}

  /** How a zone is signed. */
  enum Mode {
    /** NSEC, signatures valid from an hour ago for 30 days (the tool's defaults) */
    NSEC,
    /** NSEC3 with no salt and no extra iterations, as RFC 9276 §3.1 recommends */
    NSEC3,
    /** NSEC, every signature expired yesterday */
    EXPIRED
  }

  ZoneSigner(Path keys) {
    this.keys = keys;
    try {
      Files.createDirectories(keys);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new key; {@code algorithm} as dnssec-keygen names it, e.g. ECDSAP256SHA256, ED25519, RSASHA256. */
  Key generate(String zone, String algorithm, boolean ksk) {
    List<String> command = new ArrayList<>(List.of(Tool.find("dnssec-keygen", PACKAGE).toString(),
        "-q", "-K", keys.toString(), "-a", algorithm, "-n", "ZONE"));
    if (algorithm.startsWith("RSA")) {
      command.addAll(List.of("-b", "2048"));
    }
    if (ksk) {
      command.addAll(List.of("-f", "KSK"));
    }
    command.add(zone);
    String base = Tool.run(keys, TIMEOUT, command).strip();
    try {
      String dnskey = Files.readAllLines(keys.resolve(base + ".key")).stream()
          .filter(line -> !line.startsWith(";") && !line.isBlank())
          .collect(Collectors.joining("\n"));
      return new Key(zone, base, dnskey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DS record (SHA-256) of a key, as a zone-file line. */
  String ds(Key key) {
    return Tool.run(keys, TIMEOUT, List.of(Tool.find("dnssec-dsfromkey", PACKAGE).toString(), "-2",
        keys.resolve(key.base() + ".key").toString())).strip();
  }

  /**
   * Signs {@code zoneText} (which must hold the keys' DNSKEY lines) into {@code dir/<zone>signed},
   * one record per line ({@code -O full}); returns the signed file and the zone's DS lines (from
   * the dsset file the tool writes).
   */
  Signed sign(String zone, String zoneText, List<Key> keyList, Mode mode, Instant now, Path dir) {
    String stem = zone.equals(".") ? "root." : zone;
    Path unsigned = dir.resolve(stem + "zone");
    Path signed = dir.resolve(stem + "signed");
    try {
      Files.writeString(unsigned, zoneText);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(Tool.find("dnssec-signzone", PACKAGE).toString(),
        "-q", "-K", keys.toString(), "-d", dir.toString(), "-o", zone, "-f", signed.toString(), "-O", "full"));
    if (keyList.size() == 1) {
      command.add("-z"); // one combined signing key signs everything
    }
    switch (mode) {
      case NSEC -> { }
      case NSEC3 -> command.addAll(List.of("-3", "-", "-H", "0"));
      case EXPIRED -> command.addAll(List.of("-P", // no post-signing check: the signatures are meant to be dead
          "-s", SIGNZONE_TIME.format(now.minus(Duration.ofDays(30))),
          "-e", SIGNZONE_TIME.format(now.minus(Duration.ofDays(1)))));
    }
    command.add(unsigned.toString());
    keyList.forEach(k -> command.add(keys.resolve(k.base()).toString()));
    Tool.run(dir, TIMEOUT, command);
    try {
      List<String> ds = Files.readAllLines(dir.resolve("dsset-" + (zone.equals(".") ? "." : zone))).stream()
          .filter(line -> !line.isBlank()).toList();
      return new Signed(signed, ds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Signed(Path file, List<String> ds) {}

  /**
   * Signs with NSEC3 and {@code iterations} extra iterations using ldns-signzone (ldnsutils):
   * BIND's signer refuses more than 150, and a zone above the RFC 9276 limit is what a validator's
   * limit is tested with. Returns the signed file and the key's DS.
   */
  Signed signNsec3Iterations(String zone, String zoneText, Key key, int iterations, Path dir) {
    Path unsigned = dir.resolve(zone + "zone");
    Path signed = dir.resolve(zone + "signed");
    try {
      Files.writeString(unsigned, zoneText);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Tool.run(dir, TIMEOUT, List.of(Tool.find("ldns-signzone", "ldnsutils").toString(), "-n", "-t",
        Integer.toString(iterations), "-f", signed.toString(), unsigned.toString(), keys.resolve(key.base()).toString()));
    return new Signed(signed, List.of(ds(key)));
  }

  /**
   * Breaks the signature over {@code owner}'s {@code type} RRset in a signed zone file by changing
   * one base64 character in the middle of the signature: still well-formed, no longer valid.
   */
  static void corruptSignature(Path signedFile, String owner, String type) {
    Pattern rrsig = Pattern.compile("^(" + Pattern.quote(owner) + "\\s+\\d+\\s+IN\\s+RRSIG\\s+" + type
        + "\\s+(?:\\S+\\s+){6}\\S+\\s+)(\\S+)(.*)$");
    try {
      List<String> lines = Files.readAllLines(signedFile);
      boolean done = false;
      for (int i = 0; i < lines.size() && !done; i++) {
        Matcher m = rrsig.matcher(lines.get(i));
        if (m.matches()) {
          char[] chunk = m.group(2).toCharArray();
          int middle = chunk.length / 2;
          chunk[middle] = chunk[middle] == 'A' ? 'B' : 'A';
          lines.set(i, m.group(1) + new String(chunk) + m.group(3));
          done = true;
        }
      }
      if (!done) {
        throw new IllegalStateException("no RRSIG " + type + " for " + owner + " in " + signedFile);
      }
      Files.write(signedFile, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

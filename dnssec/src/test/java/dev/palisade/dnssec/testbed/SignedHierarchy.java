package dev.palisade.dnssec.testbed;

import static dev.palisade.dnssec.SecurityStatus.BOGUS;
import static dev.palisade.dnssec.SecurityStatus.INSECURE;
import static dev.palisade.dnssec.SecurityStatus.SECURE;

import dev.palisade.dnssec.TrustAnchors;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A private, signed DNS tree on loopback, served by real software, with its own root and so its
 * own trust anchor:
 *
 * <pre>
 * .              RSASHA256 KSK+ZSK            nsd on BASE.1  (the trust anchor is its DS)
 * test.          ECDSAP256SHA256, NSEC         nsd on BASE.2
 *   rsa.test.      RSASHA256 KSK+ZSK, NSEC     nsd on BASE.3  www, *.wild, CNAMEs into ed.test. and unsigned.test.
 *   ecdsa.test.    ECDSAP256SHA256, NSEC3      nsd on BASE.4  www, *.wild, forged
 *   ed.test.       ED25519, NSEC               nsd on BASE.5  www
 *   badsig.test.   ECDSAP256SHA256             nsd on BASE.6  www's RRSIG corrupted; intact
 *   expired.test.  ECDSAP256SHA256             nsd on BASE.7  every signature expired yesterday
 *   nokey.test.    ECDSAP256SHA256             nsd on BASE.8  the DS in test. is for another key
 *   unsigned.test. unsigned, no DS             nsd on BASE.9
 *   iter.test.     ECDSAP256SHA256, NSEC3 with 200 iterations (ldns-signzone)  nsd on BASE.10
 * recursive      unbound, NOT validating, root hints → BASE.1, plain + DoT, on BASE.53;
 *                lies: forged.ecdsa.test. A 127.66.6.6, unsigned (LAB-NOTES: typetransparent + local-data)
 * validating     unbound, validating with the test anchor, forwarding to the recursive, on BASE.54
 * </pre>
 *
 * BASE is a random 127.X.Y. prefix, so that test beds running at the same time do not meet. Zones
 * are signed with BIND's dnssec-signzone and served by NSD, one process per zone on its own address
 * and port 53 (delegations carry addresses, not ports: this needs root, as in CI). The validating
 * unbound forwards to the recursive one, so it judges exactly the data a stub pointed at the
 * recursive gets, forged answer included: its verdict is the reference for every {@link Case}.
 *
 * <p>Everything stays on loopback: nsd binds only its address, and both unbounds send only from
 * their own loopback address to the hints' loopback address. {@link #close()} stops every process.
 */
public final class SignedHierarchy implements AutoCloseable {
  /** The certificate name both unbounds present for DoT (issued by {@link #ca()}). */
  public static final String TLS_NAME = "resolver.test";
  /** What the recursive answers, unsigned, for forged.ecdsa.test. A (the zone says 127.0.0.42). */
  public static final String FORGED_ADDRESS = "127.66.6.6";
  /** NSEC3 iterations of iter.test.: above the limit of RFC 9276 §3.2 as validators apply it (150). */
  public static final int ITERATIONS = 200;
  private static final int RECURSIVE_HOST = 53;
  private static final int VALIDATING_HOST = 54;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final boolean ownsDirectory;
  private final String base;
  private final Map<String, String> zoneAddresses = new LinkedHashMap<>();
  private final List<NsdServer> authorities = new ArrayList<>();
  private TestCa ca;
  private TrustAnchors anchors;
  private Path trustAnchorFile;
  private Path rootHints;
  private UnboundServer recursive;
  private UnboundServer validating;

  private SignedHierarchy(Path directory, boolean ownsDirectory, String base) {
    this.directory = directory;
    this.ownsDirectory = ownsDirectory;
    this.base = base;
  }

  /** Builds, signs and starts everything in a new temp folder (deleted by close). Takes a few seconds. */
  public static SignedHierarchy start() {
    try {
      return start(Files.createTempDirectory("signed-hierarchy"), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #start()}, in {@code directory} (kept after close, e.g. to read the logs). */
  public static SignedHierarchy start(Path directory) {
    return start(directory.toAbsolutePath(), false);
  }

  private static SignedHierarchy start(Path directory, boolean owns) {
    // fail early and clearly if a tool is missing
    for (String[] tool : new String[][] {{"nsd", "nsd"}, {"dnssec-signzone", "bind9-utils"},
        {"dnssec-keygen", "bind9-utils"}, {"dnssec-dsfromkey", "bind9-utils"}, {"ldns-signzone", "ldnsutils"}, {"unbound", "unbound"}}) {
      Tool.find(tool[0], tool[1]);
    }
    SignedHierarchy hierarchy = new SignedHierarchy(directory, owns, freeBase());
    try {
      hierarchy.build();
      hierarchy.startServers();
      hierarchy.checkResolves();
      return hierarchy;
    } catch (RuntimeException | Error e) {
      hierarchy.close();
      throw e;
    }
  }

  /** Every question the hierarchy is built for, with the verdict a validator must reach. */
  public List<Case> cases() {
    return List.of(
        new Case("www.rsa.test.", Type.A, SECURE, Rcode.NOERROR, "algorithm 8 (RSASHA256), KSK and ZSK"),
        new Case("www.ecdsa.test.", Type.A, SECURE, Rcode.NOERROR, "algorithm 13 (ECDSAP256SHA256)"),
        new Case("www.ed.test.", Type.A, SECURE, Rcode.NOERROR, "algorithm 15 (ED25519)"),
        new Case("www.ed.test.", Type.TXT, SECURE, Rcode.NOERROR, "algorithm 15, another type"),
        new Case("intact.badsig.test.", Type.A, SECURE, Rcode.NOERROR, "a good RRset beside a corrupted one"),
        new Case("www.badsig.test.", Type.A, BOGUS, Rcode.SERVFAIL, "a corrupted RRSIG"),
        new Case("www.expired.test.", Type.A, BOGUS, Rcode.SERVFAIL, "expired signatures"),
        new Case("www.nokey.test.", Type.A, BOGUS, Rcode.SERVFAIL, "a DS that matches no DNSKEY"),
        new Case("www.unsigned.test.", Type.A, INSECURE, Rcode.NOERROR, "an unsigned delegation (NSEC proves no DS)"),
        new Case("nothere.unsigned.test.", Type.A, INSECURE, Rcode.NXDOMAIN, "NXDOMAIN in an unsigned zone"),
        new Case("nothere.rsa.test.", Type.A, SECURE, Rcode.NXDOMAIN, "NXDOMAIN proved by NSEC"),
        new Case("www.rsa.test.", Type.AAAA, SECURE, Rcode.NOERROR, "NODATA proved by NSEC"),
        new Case("nothere.ecdsa.test.", Type.A, SECURE, Rcode.NXDOMAIN, "NXDOMAIN proved by NSEC3"),
        new Case("www.iter.test.", Type.A, SECURE, Rcode.NOERROR, "a positive answer from a zone with too many NSEC3 iterations"),
        new Case("nothere.iter.test.", Type.A, INSECURE, Rcode.NXDOMAIN,
            "NXDOMAIN proved by NSEC3 with " + ITERATIONS + " iterations: insecure (RFC 9276 §3.2)"),
        new Case("www.ecdsa.test.", Type.AAAA, SECURE, Rcode.NOERROR, "NODATA proved by NSEC3"),
        new Case("anything.wild.rsa.test.", Type.A, SECURE, Rcode.NOERROR, "wildcard expansion, NSEC"),
        new Case("anything.wild.ecdsa.test.", Type.A, SECURE, Rcode.NOERROR, "wildcard expansion, NSEC3"),
        new Case("alias.rsa.test.", Type.A, SECURE, Rcode.NOERROR, "a CNAME chain across zones (rsa.test. → ed.test.)"),
        new Case("to-unsigned.rsa.test.", Type.A, INSECURE, Rcode.NOERROR, "a CNAME from a signed into an unsigned zone"),
        new Case("forged.ecdsa.test.", Type.A, BOGUS, Rcode.SERVFAIL, "an upstream that forges an unsigned answer for a signed name"),
        new Case(".", Type.DNSKEY, SECURE, Rcode.NOERROR, "the root's own keys"));
  }

  /** The test root's trust anchor: the DS records of its KSK. */
  public TrustAnchors trustAnchors() {
    return anchors;
  }

  /** The trust anchor as a zone file of DS lines: for Stubby's dnssec_trust_anchors or unbound's trust-anchor-file. */
  public Path trustAnchorFile() {
    return trustAnchorFile;
  }

  /** Root hints naming the test root server: {@code ns.root.test.} at BASE.1. */
  public Path rootHints() {
    return rootHints;
  }

  /** The non-validating recursive unbound (plain and DoT): where a stub that validates itself is pointed. */
  public UnboundServer recursive() {
    return recursive;
  }

  /** The validating unbound with the test anchor, forwarding to {@link #recursive()}: the reference verdicts. */
  public UnboundServer validating() {
    return validating;
  }

  /** The CA that issued both unbounds' DoT certificates (name {@link #TLS_NAME}); trust {@code ca().caFile()}. */
  public TestCa ca() {
    return ca;
  }

  /** The nsd serving {@code zone} (e.g. "rsa.test."), by its address. */
  public String address(String zone) {
    String address = zoneAddresses.get(zone);
    if (address == null) {
      throw new IllegalArgumentException("no such zone in the hierarchy: " + zone + " (zones: " + zoneAddresses.keySet() + ")");
    }
    return address;
  }

  public List<NsdServer> authorities() {
    return List.copyOf(authorities);
  }

  public Path directory() {
    return directory;
  }

  /** Every server's log, for a failed assertion's message. */
  public String logs() {
    StringBuilder out = new StringBuilder();
    for (NsdServer nsd : authorities) {
      out.append("--- nsd ").append(nsd.address()).append(' ').append(nsd.zones()).append('\n').append(nsd.log());
    }
    if (recursive != null) {
      out.append("--- recursive unbound\n").append(recursive.log());
    }
    if (validating != null) {
      out.append("--- validating unbound\n").append(validating.log());
    }
    return out.toString();
  }

  /** Stops every process; deletes the folder if start() made it. Safe to call twice. */
  @Override
  public void close() {
    for (AutoCloseable server : new AutoCloseable[] {validating, recursive}) {
      closeQuietly(server);
    }
    authorities.forEach(NsdServer::close);
    if (ownsDirectory) {
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a leftover temp folder is harmless
      }
    }
  }

  /**
   * Runs the hierarchy until Enter (or end of input), printing where everything is: for pointing
   * Palisade, kdig or dig at it by hand. Needs root (port 53).
   */
  public static void main(String[] args) throws IOException {
    try (SignedHierarchy h = args.length > 0 ? start(Path.of(args[0])) : start()) {
      System.out.println(h.describe());
      System.out.println("Enter stops it.");
      System.in.read();
    }
  }

  /** Addresses, ports, files, and a kdig line per server: what main prints. */
  public String describe() {
    String r = recursive.address();
    return String.join("\n",
        "signed hierarchy in " + directory,
        "trust anchor (DS):     " + trustAnchorFile,
        "root hints:            " + rootHints,
        "CA certificate:        " + ca.caFile() + "  (certificate name " + TLS_NAME + ")",
        "recursive (no DNSSEC): " + r + " plain port " + recursive.plainPort() + ", DoT port " + recursive.dotPort(),
        "validating unbound:    " + validating.address() + " plain port " + validating.plainPort() + ", DoT port "
            + validating.dotPort(),
        "authoritative nsd:     " + zoneAddresses,
        "try: kdig @" + r + " -p " + recursive.dotPort() + " +tls-ca=" + ca.caFile() + " +tls-hostname=" + TLS_NAME
            + " +dnssec www.rsa.test A");
  }

  // --- building ---------------------------------------------------------------------------

  private void build() {
    Instant now = Instant.now();
    Path zonesDir = mkdirs(directory.resolve("zones"));
    ZoneSigner signer = new ZoneSigner(directory.resolve("keys"));
    zoneAddresses.put(".", base + 1);
    zoneAddresses.put("test.", base + 2);
    String[] children = {"rsa.test.", "ecdsa.test.", "ed.test.", "badsig.test.", "expired.test.", "nokey.test.",
        "unsigned.test.", "iter.test."};
    for (int i = 0; i < children.length; i++) {
      zoneAddresses.put(children[i], base + (3 + i));
    }
    Map<String, Path> signedFiles = new LinkedHashMap<>();
    List<String> delegations = new ArrayList<>();

    signedFiles.put("rsa.test.", signChild(signer, zonesDir, now, "rsa.test.", "RSASHA256", true, ZoneSigner.Mode.NSEC,
        delegations, List.of(
            "www A 127.0.0.3",
            "*.wild A 127.0.0.31",
            "alias CNAME www.ed.test.",
            "to-unsigned CNAME www.unsigned.test.")));
    signedFiles.put("ecdsa.test.", signChild(signer, zonesDir, now, "ecdsa.test.", "ECDSAP256SHA256", false,
        ZoneSigner.Mode.NSEC3, delegations, List.of(
            "www A 127.0.0.4",
            "*.wild A 127.0.0.41",
            "forged A 127.0.0.42")));
    signedFiles.put("ed.test.", signChild(signer, zonesDir, now, "ed.test.", "ED25519", false, ZoneSigner.Mode.NSEC,
        delegations, List.of("www A 127.0.0.5", "www TXT \"ed25519\"")));
    Path badsig = signChild(signer, zonesDir, now, "badsig.test.", "ECDSAP256SHA256", false, ZoneSigner.Mode.NSEC,
        delegations, List.of("www A 127.0.0.6", "intact A 127.0.0.61"));
    ZoneSigner.corruptSignature(badsig, "www.badsig.test.", "A");
    signedFiles.put("badsig.test.", badsig);
    signedFiles.put("expired.test.", signChild(signer, zonesDir, now, "expired.test.", "ECDSAP256SHA256", false,
        ZoneSigner.Mode.EXPIRED, delegations, List.of("www A 127.0.0.7")));
    // nokey.test.: signed with its key, but the parent publishes the DS of a key the zone never uses
    List<String> nokeyDelegation = new ArrayList<>();
    signedFiles.put("nokey.test.", signChild(signer, zonesDir, now, "nokey.test.", "ECDSAP256SHA256", false,
        ZoneSigner.Mode.NSEC, nokeyDelegation, List.of("www A 127.0.0.8")));
    ZoneSigner.Key stranger = signer.generate("nokey.test.", "ECDSAP256SHA256", true);
    nokeyDelegation.removeIf(line -> line.contains(" DS "));
    nokeyDelegation.add(signer.ds(stranger));
    delegations.addAll(nokeyDelegation);
    // iter.test.: NSEC3 with 200 iterations, over the RFC 9276 limit (150 in unbound 1.17 and here)
    ZoneSigner.Key iterKey = signer.generate("iter.test.", "ECDSAP256SHA256", true);
    ZoneSigner.Signed iter = signer.signNsec3Iterations("iter.test.",
        zoneText("iter.test.", List.of("www A 127.0.0.10"), List.of(iterKey), List.of()), iterKey, ITERATIONS, zonesDir);
    signedFiles.put("iter.test.", iter.file());
    delegations.addAll(delegation("iter.test.", iter.ds()));
    // unsigned.test.: no keys, no DS; test.'s signed NSEC at unsigned.test. proves there is no DS
    Path unsigned = zonesDir.resolve("unsigned.test.zone");
    write(unsigned, zoneText("unsigned.test.", List.of("www A 127.0.0.9"), List.of(), List.of()));
    signedFiles.put("unsigned.test.", unsigned);
    delegations.addAll(delegation("unsigned.test.", List.of()));

    // test.: the TLD, holding the delegations (with DS) and the root server's address
    ZoneSigner.Key tld = signer.generate("test.", "ECDSAP256SHA256", true);
    List<String> tldData = new ArrayList<>(List.of("ns.root.test. A " + base + 1));
    tldData.addAll(delegations);
    ZoneSigner.Signed tldSigned = signer.sign("test.", zoneText("test.", tldData, List.of(tld), List.of()),
        List.of(tld), ZoneSigner.Mode.NSEC, now, zonesDir);
    signedFiles.put("test.", tldSigned.file());

    // the root, KSK and ZSK like the real one; its KSK's DS is the trust anchor
    ZoneSigner.Key rootKsk = signer.generate(".", "RSASHA256", true);
    ZoneSigner.Key rootZsk = signer.generate(".", "RSASHA256", false);
    List<String> rootData = new ArrayList<>(List.of(
        "test. NS ns.test.",
        "ns.test. A " + base + 2,
        "ns.root.test. A " + base + 1));
    rootData.addAll(tldSigned.ds());
    ZoneSigner.Signed rootSigned = signer.sign(".", zoneText(".", rootData, List.of(rootKsk, rootZsk), List.of()),
        List.of(rootKsk, rootZsk), ZoneSigner.Mode.NSEC, now, zonesDir);
    signedFiles.put(".", rootSigned.file());

    trustAnchorFile = directory.resolve("root.ds");
    write(trustAnchorFile, String.join("\n", rootSigned.ds()) + "\n");
    List<Record> ds = new ArrayList<>();
    for (String line : rootSigned.ds()) {
      try {
        ds.add(Record.fromString(Name.root, Type.DS, DClass.IN, 3600, line.replaceFirst("^.*\\sDS\\s+", ""), Name.root));
      } catch (IOException e) {
        throw new IllegalStateException("dsset-. does not parse: " + line, e);
      }
    }
    anchors = TrustAnchors.of(ds);
    rootHints = directory.resolve("root.hints");
    write(rootHints, ".  3600000 IN NS ns.root.test.\nns.root.test. 3600000 IN A " + base + 1 + "\n");

    signedFiles.forEach((zone, file) ->
        authorities.add(new NsdServer(zoneAddresses.get(zone), directory.resolve("nsd-" + (zone.equals(".") ? "root" : zone)),
            Map.of(zone, file))));
  }

  /**
   * Generates the zone's keys (a KSK, and a ZSK when {@code splitKeys}), signs it, and adds its
   * delegation (NS, glue, DS) to {@code parentData}.
   */
  private Path signChild(ZoneSigner signer, Path dir, Instant now, String zone, String algorithm, boolean splitKeys,
      ZoneSigner.Mode mode, List<String> parentData, List<String> data) {
    List<ZoneSigner.Key> keys = new ArrayList<>();
    keys.add(signer.generate(zone, algorithm, true));
    if (splitKeys) {
      keys.add(signer.generate(zone, algorithm, false));
    }
    ZoneSigner.Signed signed = signer.sign(zone, zoneText(zone, data, keys, List.of()), keys, mode, now, dir);
    parentData.addAll(delegation(zone, signed.ds()));
    return signed.file();
  }

  private List<String> delegation(String zone, List<String> ds) {
    List<String> lines = new ArrayList<>(List.of(zone + " NS ns." + zone, "ns." + zone + " A " + zoneAddresses.get(zone)));
    lines.addAll(ds);
    return lines;
  }

  /** Zone-file text: SOA, NS and its address (in-zone), the data, the keys. */
  private String zoneText(String zone, List<String> data, List<ZoneSigner.Key> keys, List<String> extra) {
    String ns = zone.equals(".") ? "ns.root.test." : "ns." + zone;
    List<String> lines = new ArrayList<>(List.of(
        "$ORIGIN " + zone,
        "$TTL 300",
        // negative TTL (last field) 60 s: RFC 2308 §5
        "@ IN SOA " + ns + " hostmaster." + (zone.equals(".") ? "root.test." : zone) + " 1 3600 600 86400 60",
        "@ IN NS " + ns));
    if (!zone.equals(".")) {
      lines.add(ns + " IN A " + zoneAddresses.get(zone));
    }
    lines.addAll(data);
    lines.addAll(extra);
    keys.forEach(k -> lines.add(k.dnskey()));
    return String.join("\n", lines) + "\n";
  }

  private void startServers() {
    for (NsdServer nsd : authorities) {
      nsd.start();
    }
    ca = TestCa.create(directory.resolve("ca"));
    String recursiveAddress = base + RECURSIVE_HOST;
    recursive = UnboundServer.builder()
        .address(recursiveAddress)
        .tls(ca.issue("recursive", TLS_NAME, recursiveAddress))
        .directory(directory.resolve("recursive"))
        // the lie: unsigned data for a signed name; typetransparent keeps the zone's other types real
        .localZone("forged.ecdsa.test.", "typetransparent")
        .localData("forged.ecdsa.test. 300 IN A " + FORGED_ADDRESS)
        .extraConfig(
            // recurse from our root: UnboundServer refuses "." and points its hints nowhere by default
            "local-zone: \".\" transparent",
            "root-hints: \"" + rootHints + "\"",
            "log-servfail: yes")
        .build()
        .start();
    String validatingAddress = base + VALIDATING_HOST;
    validating = UnboundServer.builder()
        .address(validatingAddress)
        .tls(ca.issue("validating", TLS_NAME, validatingAddress))
        .directory(directory.resolve("validating"))
        .extraConfig(
            "module-config: \"validator iterator\"",
            "trust-anchor-file: \"" + trustAnchorFile + "\"",
            "ede: yes",
            "val-log-level: 2",
            "local-zone: \".\" transparent",
            "forward-zone:",
            "  name: \".\"",
            "  forward-addr: " + recursiveAddress + "@" + recursive.plainPort())
        .build()
        .start();
  }

  /** Fails with every log if the recursive cannot resolve a plain name: a broken tree, not a test failure. */
  private void checkResolves() {
    try {
      SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(recursive.address()),
          recursive.plainPort()));
      resolver.setTimeout(Duration.ofSeconds(5));
      Message reply = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("www.rsa.test."), Type.A, DClass.IN)));
      if (reply.getRcode() != Rcode.NOERROR || reply.getSection(Section.ANSWER).isEmpty()) {
        throw new IllegalStateException("the recursive unbound does not resolve www.rsa.test.:\n" + reply + "\n" + logs());
      }
    } catch (IOException e) {
      throw new IllegalStateException("the recursive unbound does not answer: " + e + "\n" + logs(), e);
    }
  }

  /**
   * A 127.X.Y. prefix whose .1–.10, .53 and .54 have port 53 free. Binding port 53 here also tells
   * early whether this process may (root or CAP_NET_BIND_SERVICE), with a clear message if not.
   */
  private static String freeBase() {
    for (int attempt = 0; attempt < 20; attempt++) {
      String base = "127." + (100 + RANDOM.nextInt(100)) + "." + RANDOM.nextInt(256) + ".";
      boolean free = true;
      for (int host : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
        free &= port53Free(base + host);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("port 53 is taken on every 127.X.Y.0/24 tried: a DNS server listens on port 53 of"
        + " all addresses (Debian's nsd or unbound service starts so when installed): stop it, e.g."
        + " systemctl disable --now nsd");
  }

  private static boolean port53Free(String address) {
    try (ServerSocket tcp = new ServerSocket();
        DatagramSocket udp = new DatagramSocket(null)) {
      InetSocketAddress socket = new InetSocketAddress(InetAddress.getByName(Loopback.require(address)), NsdServer.PORT);
      tcp.bind(socket);
      udp.bind(socket);
      return true;
    } catch (BindException e) {
      if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
        throw new IllegalStateException("the signed hierarchy's nsd servers listen on port 53 of loopback addresses,"
            + " which needs root or CAP_NET_BIND_SERVICE: run ./scripts/test as root (CI runs as root)", e);
      }
      return false;
    } catch (SocketException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // closing the rest matters more
    }
  }
}

package dev.palisade.dnssec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The DS and DNSKEY records validation starts from. Immutable. There is always an anchor for the
 * root zone: a validator without one would call every signed answer insecure, so a set without one
 * is refused when it is made, loudly, rather than discovered one query at a time.
 */
public final class TrustAnchors {
  private static final Logger log = LoggerFactory.getLogger(TrustAnchors.class);

  /**
   * The IANA root zone KSKs as DS records (SHA-256): KSK-2017 (key tag 20326) and KSK-2024 (key
   * tag 38696), as published in https://data.iana.org/root-anchors/root-anchors.xml and in Debian's
   * dns-root-data {@code /usr/share/dns/root.ds}.
   */
  private static final List<String> IANA_ROOT_DS = List.of(
      ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
      ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16");

  private final List<Record> records;
  private final String source;

  private TrustAnchors(List<Record> records, String source) {
    this.records = List.copyOf(records);
    this.source = source;
  }

  /** The IANA root trust anchor: DS records for key tags 20326 and 38696. */
  public static TrustAnchors builtIn() {
    List<Record> records = new ArrayList<>();
    for (String line : IANA_ROOT_DS) {
      try {
        records.add(Record.fromString(Name.root, Type.DS, DClass.IN, 172800, line.split(" DS ", 2)[1], Name.root));
      } catch (IOException e) {
        throw new IllegalStateException("built-in root DS does not parse: " + line, e);
      }
    }
    return new TrustAnchors(records, "built-in IANA root KSK DS (key tags 20326, 38696)");
  }

  /** Anchors given directly, e.g. a test hierarchy's own root DS. */
  public static TrustAnchors of(List<Record> dsOrDnskey) {
    try {
      return new TrustAnchors(checked(dsOrDnskey, "the given anchors"), "given: " + tags(dsOrDnskey));
    } catch (TrustAnchorException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Reads Stubby's {@code dnssec_trust_anchors} file: either DS and DNSKEY records in zone-file
   * format (comments and $TTL allowed, owner names relative to the root), or an RFC 7958
   * {@code root-anchors.xml}. Of an XML file only the KeyDigest entries valid at {@code clock}'s
   * time count (RFC 7958 §2.2: validFrom ≤ now < validUntil). When a detached S/MIME signature
   * lies beside an XML file ({@code root-anchors.p7s} or {@code root-anchors.xml.p7s}), it must
   * verify against the ICANN Root CA (bundled) as unbound-anchor checks it, or the file is refused.
   *
   * @throws TrustAnchorException naming the file and what is wrong with it
   */
  public static TrustAnchors load(Path file, Clock clock) throws TrustAnchorException {
    return load(file, clock, AnchorSignature.icannRootCa());
  }

  /** As {@link #load(Path, Clock)}, trusting {@code signatureRoot} for a .p7s instead of the ICANN Root CA (tests). */
  static TrustAnchors load(Path file, Clock clock, X509Certificate signatureRoot) throws TrustAnchorException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TrustAnchorException(file + ": cannot read the trust anchor file: " + e, e);
    }
    if (looksLikeXml(bytes)) {
      Optional<Path> signature = signatureBeside(file);
      String verified = "";
      if (signature.isPresent()) {
        byte[] p7s;
        try {
          p7s = Files.readAllBytes(signature.get());
        } catch (IOException e) {
          throw new TrustAnchorException(signature.get() + ": cannot read the signature of " + file + ": " + e, e);
        }
        new AnchorSignature(signatureRoot).verify(bytes, p7s, clock.instant(), file, signature.get());
        verified = ", signature " + signature.get().getFileName() + " verified";
      } else {
        // An operator who names a file in the configuration vouches for it, as for a DS file; the
        // signature matters for files fetched from the network, which we never do.
        log.info("{}: no .p7s signature beside it; using it as configured", file);
      }
      List<Record> ds = RootAnchorsXml.parse(bytes, clock.instant(), file);
      return new TrustAnchors(checked(ds, file.toString()), file + " (RFC 7958" + verified + "): " + tags(ds));
    }
    List<Record> records = zoneFile(file, bytes);
    return new TrustAnchors(checked(records, file.toString()), file + ": " + tags(records));
  }

  /** The DS and DNSKEY records, in the order given. */
  public List<Record> records() {
    return records;
  }

  /** Where the anchors came from, with their key tags, for logs. */
  public String source() {
    return source;
  }

  /** The anchors as zone-file lines: what unbound's {@code trust-anchor-file} and Stubby read. */
  public String toZoneText() {
    return records.stream().map(Record::toString).collect(Collectors.joining("\n", "", "\n"));
  }

  @Override
  public String toString() {
    return "TrustAnchors[" + source + "]";
  }

  private static List<Record> zoneFile(Path file, byte[] bytes) throws TrustAnchorException {
    List<Record> records = new ArrayList<>();
    try (InputStream in = new java.io.ByteArrayInputStream(bytes);
        Master master = new Master(in, Name.root, 3600)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        if (r.getType() != Type.DS && r.getType() != Type.DNSKEY) {
          throw new TrustAnchorException(file + ": holds a " + Type.string(r.getType()) + " record for "
              + r.getName() + "; a trust anchor file holds only DS and DNSKEY records (or is an RFC 7958 XML file)");
        }
        records.add(r);
      }
    } catch (IOException e) {
      throw new TrustAnchorException(file + ": not a zone file of DS/DNSKEY records nor RFC 7958 XML: "
          + e.getMessage(), e);
    }
    if (records.isEmpty()) {
      throw new TrustAnchorException(file + ": holds no DS or DNSKEY record");
    }
    return records;
  }

  private static List<Record> checked(List<Record> records, String what) throws TrustAnchorException {
    List<Record> usable = new ArrayList<>();
    for (Record r : records) {
      if (r.getDClass() != DClass.IN) {
        throw new TrustAnchorException(what + ": anchor for " + r.getName() + " is not class IN");
      }
      if (r instanceof DNSKEYRecord key) {
        if ((key.getFlags() & DNSKEYRecord.Flags.ZONE_KEY) == 0) {
          throw new TrustAnchorException(what + ": DNSKEY " + key.getFootprint() + " for " + key.getName()
              + " is not a zone key (flags " + key.getFlags() + "); RFC 4034 §2.1.1");
        }
        if ((key.getFlags() & DNSKEYRecord.Flags.REVOKE) != 0) {
          // RFC 5011 §2.1: a revoked key must not be used as a trust anchor
          log.warn("{}: skipping revoked DNSKEY {} for {}", what, key.getFootprint(), key.getName());
          continue;
        }
      } else if (!(r instanceof DSRecord)) {
        throw new TrustAnchorException(what + ": " + Type.string(r.getType()) + " record for " + r.getName()
            + " is not a DS or DNSKEY record");
      }
      usable.add(r);
    }
    if (usable.stream().noneMatch(r -> r.getName().equals(Name.root))) {
      throw new TrustAnchorException(what + ": no usable trust anchor for the root zone \".\" ("
          + (usable.isEmpty() ? "no anchors at all" : "anchors only for " + usable.stream()
              .map(r -> r.getName().toString()).distinct().collect(Collectors.joining(", ")))
          + "): nothing could be validated from the root, so every answer would be insecure");
    }
    return usable;
  }

  private static String tags(List<Record> records) {
    return records.stream()
        .map(r -> r.getName() + " " + Type.string(r.getType()) + " " + tag(r))
        .collect(Collectors.joining(", "));
  }

  private static String tag(Record r) {
    if (r instanceof DSRecord ds) {
      return ds.getFootprint() + " alg " + ds.getAlgorithm();
    }
    if (r instanceof DNSKEYRecord key) {
      return key.getFootprint() + " alg " + key.getAlgorithm();
    }
    return "?";
  }

  private static boolean looksLikeXml(byte[] bytes) {
    String start = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.UTF_8).replace("\uFEFF", "").strip();
    return start.startsWith("<");
  }

  private static Optional<Path> signatureBeside(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    List<Path> candidates = new ArrayList<>();
    if (dot > 0) {
      candidates.add(file.resolveSibling(name.substring(0, dot) + ".p7s"));
    }
    candidates.add(file.resolveSibling(name + ".p7s"));
    return candidates.stream().filter(Files::isRegularFile).findFirst();
  }
}

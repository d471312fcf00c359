package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class TrustAnchorsTest {
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String KSK_2017 = "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";
  private static final String KSK_2024 = "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16";

  @TempDir
  Path dir;

  @Test
  void builtInIsTheIanaRootKskDs() {
    List<Record> records = TrustAnchors.builtIn().records();

    assertEquals(List.of(20326, 38696), records.stream().map(r -> ((DSRecord) r).getFootprint()).toList());
    assertEquals(List.of(KSK_2017, KSK_2024), records.stream().map(r -> hex(((DSRecord) r).getDigest())).toList());
    assertTrue(records.stream().allMatch(r -> r.getName().equals(Name.root) && ((DSRecord) r).getAlgorithm() == 8
        && ((DSRecord) r).getDigestID() == 2));
  }

  @Test
  void builtInMatchesDebiansRootDsFile() throws Exception {
    Path debian = Path.of("/usr/share/dns/root.ds"); // dns-root-data, installed with unbound
    TrustAnchors fromDebian = TrustAnchors.load(debian, CLOCK);

    assertEquals(TrustAnchors.builtIn().records(), fromDebian.records());
  }

  @Test
  void zoneFileWithDsLinesLoads() throws Exception {
    Path file = write("anchors.ds", "; comment\n$TTL 3600\n. IN DS 20326 8 2 " + KSK_2017 + "\n");

    TrustAnchors anchors = TrustAnchors.load(file, CLOCK);

    assertEquals(1, anchors.records().size());
    assertTrue(anchors.source().contains("20326"), anchors.source());
  }

  @Test
  void zoneFileWithDnskeyLinesLoads() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    DNSKEYRecord key = new DNSKEYRecord(Name.root, DClass.IN, 3600, 257, 3, 15, pair.getPublic());
    Path file = write("root.key", key + "\n");

    TrustAnchors anchors = TrustAnchors.load(file, CLOCK);

    assertEquals(List.of(key), anchors.records());
  }

  @Test
  void revokedDnskeyIsSkipped() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    DNSKEYRecord revoked = new DNSKEYRecord(Name.root, DClass.IN, 3600, 257 | DNSKEYRecord.Flags.REVOKE, 3, 15,
        pair.getPublic());
    Path file = write("root.key", revoked + "\n. IN DS 20326 8 2 " + KSK_2017 + "\n");

    assertEquals(List.of(Type.DS), TrustAnchors.load(file, CLOCK).records().stream().map(Record::getType).toList());
  }

  @Test
  void otherRecordTypesAreRefusedNamingTheFile() throws Exception {
    Path file = write("anchors", ". IN DS 20326 8 2 " + KSK_2017 + "\nwww.example. IN A 192.0.2.1\n");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("A record for www.example."),
        e.getMessage());
  }

  @Test
  void garbageIsRefusedNamingTheFile() throws Exception {
    Path file = write("anchors", "this is not a zone file\n");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void missingFileIsRefusedNamingIt() {
    Path file = dir.resolve("nope.xml");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("nope.xml"), e.getMessage());
  }

  @Test
  void anchorsWithoutTheRootAreRefusedLoudly() throws Exception {
    Path file = write("anchors", "example. IN DS 12345 13 2 " + KSK_2017 + "\n");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("no usable trust anchor for the root"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrustAnchors.of(List.of()));
  }

  @Test
  void xmlKeepsOnlyTheEntriesValidNow() throws Exception {
    Path file = write("root-anchors.xml", xml(
        entry("Kexpired", "2010-07-15T00:00:00+00:00", "2019-01-11T00:00:00+00:00", 19036,
            "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5"),
        entry("Kcurrent", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017),
        entry("Kfuture", "2030-01-01T00:00:00+00:00", null, 12345, KSK_2024)));

    TrustAnchors anchors = TrustAnchors.load(file, CLOCK);

    assertEquals(List.of(20326), anchors.records().stream().map(r -> ((DSRecord) r).getFootprint()).toList());
    assertEquals(KSK_2017, hex(((DSRecord) anchors.records().get(0)).getDigest()));
  }

  @Test
  void xmlEntryBecomesValidAtItsValidFrom() throws Exception {
    Path file = write("root-anchors.xml", xml(entry("Kfuture", "2030-01-01T00:00:00+00:00", null, 12345, KSK_2024)));

    TrustAnchors anchors = TrustAnchors.load(file, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));

    assertEquals(1, anchors.records().size());
  }

  @Test
  void xmlWithNoValidEntryIsRefusedSayingWhy() throws Exception {
    Path file = write("root-anchors.xml", xml(
        entry("Kexpired", "2010-07-15T00:00:00+00:00", "2019-01-11T00:00:00+00:00", 19036, KSK_2017),
        entry("Kfuture", "2030-01-01T00:00:00+00:00", null, 12345, KSK_2024)));

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("none of its 2 KeyDigest entries is valid"), e.getMessage());
    assertTrue(e.getMessage().contains("19036 expired") && e.getMessage().contains("12345 not valid before"), e.getMessage());
  }

  @Test
  void xmlWithADoctypeIsRefused() throws Exception {
    Path file = write("root-anchors.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        + "<TrustAnchor><Zone>&x;</Zone></TrustAnchor>\n");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("not well-formed XML"), e.getMessage());
  }

  @Test
  void xmlEntryWithoutValidFromIsRefused() throws Exception {
    Path file = write("root-anchors.xml", xml(entry("K", null, null, 20326, KSK_2017)));

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("validFrom"), e.getMessage());
  }

  @Test
  void signedXmlLoadsWhenItsSignatureChainsToTheTrustedRoot() throws Exception {
    SigningCa ca = SigningCa.create(AnchorSignature.IANA_SIGNER);
    byte[] xml = xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017)).getBytes(StandardCharsets.UTF_8);
    Path file = write("root-anchors.xml", xml);
    Files.write(dir.resolve("root-anchors.p7s"), ca.sign(xml));

    TrustAnchors anchors = TrustAnchors.load(file, CLOCK, ca.root);

    assertEquals(1, anchors.records().size());
    assertTrue(anchors.source().contains("signature root-anchors.p7s verified"), anchors.source());
  }

  @Test
  void alteredXmlIsRefusedByItsSignature() throws Exception {
    SigningCa ca = SigningCa.create(AnchorSignature.IANA_SIGNER);
    String xml = xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017));
    Files.write(dir.resolve("root-anchors.p7s"), ca.sign(xml.getBytes(StandardCharsets.UTF_8)));
    Path file = write("root-anchors.xml", xml.replace(KSK_2017, KSK_2024));

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK, ca.root));

    assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("does not match the file"), e.getMessage());
  }

  @Test
  void signatureFromAnotherCaIsRefused() throws Exception {
    SigningCa ca = SigningCa.create(AnchorSignature.IANA_SIGNER);
    SigningCa other = SigningCa.create(AnchorSignature.IANA_SIGNER);
    byte[] xml = xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017)).getBytes(StandardCharsets.UTF_8);
    Path file = write("root-anchors.xml", xml);
    Files.write(dir.resolve("root-anchors.p7s"), other.sign(xml));

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK, ca.root));

    assertTrue(e.getMessage().contains("is not from a certificate issued by"), e.getMessage());
  }

  @Test
  void signatureByTheWrongSignerIsRefused() throws Exception {
    SigningCa ca = SigningCa.create("mallory@example.com");
    byte[] xml = xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017)).getBytes(StandardCharsets.UTF_8);
    Path file = write("root-anchors.xml", xml);
    Files.write(dir.resolve("root-anchors.p7s"), ca.sign(xml));

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK, ca.root));

    assertTrue(e.getMessage().contains("not by dnssec@iana.org"), e.getMessage());
  }

  @Test
  void ourOwnSignatureIsRefusedAgainstTheBundledIcannRootCa() throws Exception {
    SigningCa ca = SigningCa.create(AnchorSignature.IANA_SIGNER);
    byte[] xml = xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017)).getBytes(StandardCharsets.UTF_8);
    Path file = write("root-anchors.xml", xml);
    Files.write(dir.resolve("root-anchors.xml.p7s"), ca.sign(xml)); // the other name beside it

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("ICANN Root CA"), e.getMessage());
  }

  @Test
  void garbageSignatureIsRefused() throws Exception {
    Path file = write("root-anchors.xml", xml(entry("Klajeyz", "2017-02-02T00:00:00+00:00", null, 20326, KSK_2017)));
    Files.writeString(dir.resolve("root-anchors.p7s"), "not a signature");

    TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchors.load(file, CLOCK));

    assertTrue(e.getMessage().contains("is not a CMS/PKCS#7 signature"), e.getMessage());
  }

  @Test
  void bundledIcannRootCaIsTheOneUnboundAnchorTrusts() throws Exception {
    X509Certificate ca = AnchorSignature.icannRootCa();

    assertTrue(ca.getSubjectX500Principal().getName().contains("CN=ICANN Root CA"), ca.getSubjectX500Principal().getName());
    // SHA-256 fingerprint of the certificate built into unbound-anchor 1.17
    assertEquals("AEE89906D7CC60C5E151F3BB923ABF8A1B28DC855D5E2127CB524EAD4AAD603D",
        hex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded())));
    ca.verify(ca.getPublicKey()); // self-signed, intact
  }

  private Path write(String name, String text) throws Exception {
    return write(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  private static String xml(String... entries) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<TrustAnchor id=\"E9724F53-1851-4F86-85E5-F1392102940B\" source=\"http://data.iana.org/root-anchors/root-anchors.xml\">\n"
        + "<Zone>.</Zone>\n" + String.join("", entries) + "</TrustAnchor>\n";
  }

  private static String entry(String id, String from, String until, int tag, String digest) {
    return "<KeyDigest id=\"" + id + "\"" + (from == null ? "" : " validFrom=\"" + from + "\"")
        + (until == null ? "" : " validUntil=\"" + until + "\"") + ">\n"
        + "<KeyTag>" + tag + "</KeyTag>\n<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n"
        + "<Digest>" + digest + "</Digest>\n</KeyDigest>\n";
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }

  /** A root CA and a signer certificate (subject emailAddress as given), like ICANN's for root-anchors.p7s. */
  private static final class SigningCa {
    final X509Certificate root;
    final X509Certificate signer;
    final KeyPair signerKeys;

    private SigningCa(X509Certificate root, X509Certificate signer, KeyPair signerKeys) {
      this.root = root;
      this.signer = signer;
      this.signerKeys = signerKeys;
    }

    static SigningCa create(String email) throws Exception {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      KeyPair rootKeys = rsa.generateKeyPair();
      KeyPair signerKeys = rsa.generateKeyPair();
      Date from = Date.from(NOW.minus(Duration.ofDays(365)));
      Date until = Date.from(NOW.plus(Duration.ofDays(365)));
      X500Name rootName = new X500Name("CN=Test Root CA, O=Palisade tests");
      X509Certificate root = new JcaX509CertificateConverter().getCertificate(
          new JcaX509v3CertificateBuilder(rootName, BigInteger.ONE, from, until, rootName, rootKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .build(new JcaContentSignerBuilder("SHA256withRSA").build(rootKeys.getPrivate())));
      X509Certificate signer = new JcaX509CertificateConverter().getCertificate(
          new JcaX509v3CertificateBuilder(rootName, BigInteger.TWO, from, until,
              new X500Name("CN=Root Zone Signer, E=" + email), signerKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .build(new JcaContentSignerBuilder("SHA256withRSA").build(rootKeys.getPrivate())));
      return new SigningCa(root, signer, signerKeys);
    }

    /** A detached CMS signature over {@code content}, DER, carrying the signer's certificate. */
    byte[] sign(byte[] content) throws Exception {
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
          .build(new JcaContentSignerBuilder("SHA256withRSA").build(signerKeys.getPrivate()), signer));
      generator.addCertificates(new JcaCertStore(List.of(signer)));
      return generator.generate(new CMSProcessableByteArray(content), false).getEncoded();
    }
  }
}

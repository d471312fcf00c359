package dev.palisade.dnssec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * The detached S/MIME (CMS, RFC 5652) signature IANA publishes beside root-anchors.xml (RFC 7958
 * §4), checked the way unbound-anchor checks it: every signer's signature over the exact bytes of
 * the XML file verifies; the signer's certificate chains, through the certificates carried in the
 * signature, to the trusted root (the ICANN Root CA in production) at the current time; and the
 * signer's subject emailAddress is {@code dnssec@iana.org}.
 */
final class AnchorSignature {
  /** The subject emailAddress of IANA's signing certificate; unbound-anchor's default for -n. */
  static final String IANA_SIGNER = "dnssec@iana.org";
  private static final String ICANN_ROOT_CA = "icann-root-ca.pem";
  /** A private instance, never registered: verifying the .p7s must not change the JVM's providers. */
  private static final Provider BC = new BouncyCastleProvider();

  private final X509Certificate trustedRoot;
  private final String signerEmail;

  AnchorSignature(X509Certificate trustedRoot) {
    this(trustedRoot, IANA_SIGNER);
  }

  AnchorSignature(X509Certificate trustedRoot, String signerEmail) {
    this.trustedRoot = trustedRoot;
    this.signerEmail = signerEmail;
  }

  /** The ICANN Root CA certificate bundled with this module (valid 2009-12-23 to 2029-12-18). */
  static X509Certificate icannRootCa() {
    try (InputStream in = AnchorSignature.class.getResourceAsStream(ICANN_ROOT_CA)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + ICANN_ROOT_CA);
      }
      return certificate(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } catch (IOException | CertificateException e) {
      throw new IllegalStateException("cannot read the bundled ICANN Root CA certificate", e);
    }
  }

  /** Parses the first PEM certificate in {@code text}; lines before it are comments. */
  static X509Certificate certificate(String text) throws CertificateException {
    int begin = text.indexOf("-----BEGIN CERTIFICATE-----");
    if (begin < 0) {
      throw new CertificateException("no PEM certificate");
    }
    byte[] pem = text.substring(begin).getBytes(StandardCharsets.US_ASCII);
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  /** Refuses the XML file unless {@code p7s} is a valid signature of {@code xml} by IANA's signer at {@code now}. */
  void verify(byte[] xml, byte[] p7s, Instant now, Path xmlFile, Path p7sFile) throws TrustAnchorException {
    String refused = xmlFile + ": refused, its signature " + p7sFile.getFileName() + " ";
    CMSSignedData signed;
    try {
      signed = new CMSSignedData(new CMSProcessableByteArray(xml), der(p7s));
    } catch (CMSException | IllegalArgumentException e) {
      throw new TrustAnchorException(refused + "is not a CMS/PKCS#7 signature: " + e.getMessage(), e);
    }
    Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
    if (signers.isEmpty()) {
      throw new TrustAnchorException(refused + "has no signer");
    }
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> carried = new ArrayList<>();
    try {
      for (X509CertificateHolder holder : signed.getCertificates().getMatches(null)) {
        carried.add(converter.getCertificate(holder));
      }
    } catch (CertificateException e) {
      throw new TrustAnchorException(refused + "carries a certificate that does not parse", e);
    }
    for (SignerInformation signer : signers) {
      @SuppressWarnings("unchecked")
      Collection<X509CertificateHolder> matches = signed.getCertificates().getMatches(signer.getSID());
      if (matches.isEmpty()) {
        throw new TrustAnchorException(refused + "does not carry its signer's certificate");
      }
      X509Certificate signerCert;
      try {
        signerCert = converter.getCertificate(matches.iterator().next());
      } catch (CertificateException e) {
        throw new TrustAnchorException(refused + "has a signer certificate that does not parse", e);
      }
      String email = email(signerCert);
      if (!signerEmail.equalsIgnoreCase(email)) {
        throw new TrustAnchorException(refused + "is signed by " + signerCert.getSubjectX500Principal()
            + ", not by " + signerEmail);
      }
      boolean[] usage = signerCert.getKeyUsage();
      if (usage != null && !usage[0]) {
        throw new TrustAnchorException(refused + "is signed with a certificate not allowed to sign (no digitalSignature key usage)");
      }
      try {
        if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(signerCert))) {
          throw new TrustAnchorException(refused + "does not match the file: it was altered, or signed another file");
        }
      } catch (CMSException e) {
        throw new TrustAnchorException(refused + "does not match the file: " + e.getMessage(), e);
      } catch (OperatorCreationException e) {
        throw new TrustAnchorException(refused + "cannot be checked: " + e.getMessage(), e);
      }
      chain(signerCert, carried, now, refused);
    }
  }

  /** PKIX path from the signer to the trusted root at {@code now}; revocation is not checked (no network). */
  private void chain(X509Certificate signerCert, List<X509Certificate> carried, Instant now, String refused)
      throws TrustAnchorException {
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(signerCert);
      PKIXBuilderParameters params = new PKIXBuilderParameters(Set.of(new TrustAnchor(trustedRoot, null)), target);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(carried)));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (GeneralSecurityException e) {
      throw new TrustAnchorException(refused + "is not from a certificate issued by "
          + trustedRoot.getSubjectX500Principal() + " and valid at " + now + ": " + e.getMessage(), e);
    }
  }

  private static String email(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs(PKCSObjectIdentifiers.pkcs_9_at_emailAddress)) {
      ASN1Encodable value = rdn.getFirst().getValue();
      return IETFUtils.valueToString(value).toLowerCase(Locale.ROOT);
    }
    return "";
  }

  /** IANA's .p7s is DER; accept PEM ("-----BEGIN PKCS7-----") and bare base64 too. */
  private static byte[] der(byte[] p7s) {
    if (p7s.length > 0 && p7s[0] == 0x30) {
      return p7s;
    }
    String text = new String(p7s, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}

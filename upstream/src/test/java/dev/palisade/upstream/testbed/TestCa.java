package dev.palisade.upstream.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A throw-away certificate authority for DoT tests. Every {@link #create} makes a new key, so two
 * instances are unrelated: a client trusting one rejects servers issued by the other. Give each
 * CA its own directory, since the CA certificate is always written as {@code ca.pem}.
 */
public final class TestCa {
  /** Valid from yesterday, so that clock skew between processes never makes a cert "not yet valid". */
  private static final Duration BACKDATE = Duration.ofDays(1);
  private static final Duration VALIDITY = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final KeyPair keyPair;
  private final X509Certificate certificate;
  private final Path caFile;

  /** A server certificate and key as unbound (and netty) read them. */
  public record ServerCert(Path certFile, Path keyFile, X509Certificate certificate, List<String> names) {
    public ServerCert {
      names = List.copyOf(names);
    }
  }

  private TestCa(Path dir, KeyPair keyPair, X509Certificate certificate, Path caFile) {
    this.dir = dir;
    this.keyPair = keyPair;
    this.certificate = certificate;
    this.caFile = caFile;
  }

  /** A new CA whose certificate is written to {@code dir/ca.pem}; {@code dir} is created if missing. */
  public static TestCa create(Path dir) {
    try {
      Files.createDirectories(dir);
      KeyPair keyPair = newKeyPair();
      X500Name name = new X500Name("CN=Palisade Test CA " + HexFormat.of().formatHex(RANDOM.generateSeed(4)));
      Instant notBefore = Instant.now().minus(BACKDATE);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name, serial(), Date.from(notBefore), Date.from(notBefore.plus(VALIDITY)), name, keyPair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      X509Certificate certificate = sign(builder, keyPair.getPrivate());
      Path caFile = dir.resolve("ca.pem");
      writePem(caFile, certificate);
      return new TestCa(dir, keyPair, certificate, caFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Issues a server certificate valid from yesterday for 30 days. Each name becomes a
   * subjectAltName: an IP literal (127.0.0.1, ::1) an iPAddress entry, anything else a dNSName.
   * Writes {@code <fileStem>.pem} (server cert, then the CA cert) and {@code <fileStem>.key}
   * (unencrypted PKCS#8, which both unbound and netty's SslContextBuilder accept).
   */
  public ServerCert issue(String fileStem, String... names) {
    Instant notBefore = Instant.now().minus(BACKDATE);
    return issue(fileStem, notBefore, notBefore.plus(VALIDITY), names);
  }

  /** As {@link #issue(String, String...)} with a chosen validity, e.g. one already over for "expired" tests. */
  public ServerCert issue(String fileStem, Instant notBefore, Instant notAfter, String... names) {
    if (names.length == 0) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    try {
      KeyPair serverKeys = newKeyPair();
      GeneralName[] altNames = new GeneralName[names.length];
      for (int i = 0; i < names.length; i++) {
        altNames[i] = Loopback.isIpLiteral(names[i])
            ? new GeneralName(GeneralName.iPAddress, names[i])
            : new GeneralName(GeneralName.dNSName, names[i]);
      }
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate, serial(), Date.from(notBefore), Date.from(notAfter),
                  new X500Name("CN=" + names[0]), serverKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames))
              .addExtension(
                  Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(serverKeys.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
      X509Certificate serverCert = sign(builder, keyPair.getPrivate());
      Path certFile = dir.resolve(fileStem + ".pem");
      Path keyFile = dir.resolve(fileStem + ".key");
      writePem(certFile, serverCert, certificate);
      writePem(keyFile, new JcaPKCS8Generator(serverKeys.getPrivate(), null));
      return new ServerCert(certFile, keyFile, serverCert, List.of(names));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The PEM file of the CA certificate: what a client is told to trust. */
  public Path caFile() {
    return caFile;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A JDK TLS client context that trusts this CA and nothing else. */
  public SSLContext clientSslContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", certificate);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** Positive and random, so that certificates from two runs never share a serial under one name. */
  private static BigInteger serial() {
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void writePem(Path file, Object... objects) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        if (object instanceof PemObjectGenerator generator) {
          pem.writeObject(generator); // the PKCS#8 key: the Object overload would not take it
        } else {
          pem.writeObject(object);
        }
      }
    }
  }
}

package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The provider production installs: first for DNSSEC's ECDSA/EdDSA, invisible to everything else. */
class CryptoProvidersTest {
  @BeforeAll
  static void install() {
    CryptoProviders.install();
  }

  @Test
  void installIsIdempotentAndPutsTheProviderFirst() {
    assertFalse(CryptoProviders.install(), "a second install changes nothing");
    assertEquals(CryptoProviders.NAME, Security.getProviders()[0].getName());
    assertEquals(1, java.util.Arrays.stream(Security.getProviders())
        .filter(p -> p.getName().equals(CryptoProviders.NAME)).count());
  }

  @Test
  void ecdsaAndEddsaVerificationGoToThePalisadeDnssecProvider() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    assertEquals(CryptoProviders.NAME, verifierProvider("SHA256withECDSA", ec.generateKeyPair()));
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    assertEquals(CryptoProviders.NAME, verifierProvider("SHA384withECDSA", ec.generateKeyPair()));
    assertEquals(CryptoProviders.NAME, verifierProvider("Ed25519", KeyPairGenerator.getInstance("Ed25519").generateKeyPair()));
    assertEquals(CryptoProviders.NAME, verifierProvider("Ed448", KeyPairGenerator.getInstance("Ed448").generateKeyPair()));
  }

  @Test
  void everythingElseStaysWithTheJdk() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertNotEquals(CryptoProviders.NAME, verifierProvider("SHA256withRSA", rsa.generateKeyPair()));
    assertNotEquals(CryptoProviders.NAME, Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName());
    assertNotEquals(CryptoProviders.NAME, KeyAgreement.getInstance("ECDH").getProvider().getName());
    assertNotEquals(CryptoProviders.NAME, KeyAgreement.getInstance("X25519").getProvider().getName());
    assertNotEquals(CryptoProviders.NAME, new SecureRandom().getProvider().getName());
    assertNotEquals(CryptoProviders.NAME, KeyPairGenerator.getInstance("EC").getProvider().getName());
  }

  @Test
  void dotHandshakesWithEcdsaCertificatesStillWork(@TempDir Path dir) throws Exception {
    TestCa ca = TestCa.create(dir); // EC P-256 certificates: the handshake meets our provider's verifier and key factory
    try (UnboundServer unbound = UnboundServer.builder()
        .tls(ca.issue("dns", "dns.test"))
        .localZone("example.test.", "static")
        .localData("www.example.test. 300 IN A 127.0.0.53")
        .build()
        .start()) {
      // Enough handshakes that the server's P-256 key passes P256Keys.USES_BEFORE_TABLES: the later
      // ones are verified by our own P-256 verifier, the first ones by BouncyCastle's.
      java.security.interfaces.ECPublicKey serverKey = null;
      for (int i = 0; i < P256Keys.USES_BEFORE_TABLES + 4; i++) {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
          java.security.cert.Certificate[][] peer = new java.security.cert.Certificate[1][];
          Message reply = dotQuery(ca, unbound, protocol, peer);
          assertEquals(Rcode.NOERROR, reply.getRcode(), protocol);
          assertEquals("127.0.0.53", ((ARecord) reply.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress(), protocol);
          serverKey = (java.security.interfaces.ECPublicKey) peer[0][0].getPublicKey();
        }
      }
      assertEquals(256, serverKey.getParams().getOrder().bitLength());
      assertNotEquals(null, P256Keys.cached(serverKey), "the last handshakes went through our P-256 verifier");
    }
  }

  private static Message dotQuery(TestCa ca, UnboundServer unbound, String protocol,
      java.security.cert.Certificate[][] peer) throws Exception {
    try (Socket tcp = new Socket(InetAddress.getByName(unbound.address()), unbound.dotPort());
        SSLSocket tls = (SSLSocket) ca.clientSslContext().getSocketFactory()
            .createSocket(tcp, "dns.test", unbound.dotPort(), true)) {
      tls.setEnabledProtocols(new String[] {protocol});
      var params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS"); // check the name, as DoT's strict profile does
      tls.setSSLParameters(params);
      tls.startHandshake();
      peer[0] = tls.getSession().getPeerCertificates();
      byte[] query = DnssecValidatorSignedHierarchyTest.query("www.example.test.", Type.A).toWire();
      DataOutputStream out = new DataOutputStream(tls.getOutputStream());
      out.writeShort(query.length); // RFC 7858 §3.3 / RFC 1035 §4.2.2 framing
      out.write(query);
      out.flush();
      DataInputStream in = new DataInputStream(tls.getInputStream());
      byte[] reply = new byte[in.readUnsignedShort()];
      in.readFully(reply);
      return new Message(reply);
    }
  }

  private static String verifierProvider(String algorithm, KeyPair pair) throws Exception {
    Signature signature = Signature.getInstance(algorithm);
    // JCA picks the provider when the key is given (delayed provider selection)
    signature.initVerify(java.security.KeyFactory.getInstance(pair.getPublic().getAlgorithm())
        .generatePublic(new java.security.spec.X509EncodedKeySpec(pair.getPublic().getEncoded())));
    return signature.getProvider().getName();
  }
}

package dev.palisade.upstream.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCaTest {
  @TempDir Path dir;

  @Test
  void issuesACertificateChainSignedByTheCaWithDnsAndIpNames() throws Exception {
    TestCa ca = TestCa.create(dir);
    TestCa.ServerCert cert = ca.issue("dns", "dns.test", "127.0.0.1", "::1");

    List<X509Certificate> chain = readPem(cert.certFile());
    assertEquals(List.of(cert.certificate(), ca.certificate()), chain);
    cert.certificate().verify(ca.certificate().getPublicKey());
    Set<String> altNames = cert.certificate().getSubjectAlternativeNames().stream()
        .map(name -> name.get(0) + "=" + name.get(1))
        .collect(Collectors.toSet());
    assertEquals(Set.of("2=dns.test", "7=127.0.0.1", "7=0:0:0:0:0:0:0:1"), altNames);
    assertTrue(Files.readString(cert.keyFile()).startsWith("-----BEGIN PRIVATE KEY-----"));
    cert.certificate().checkValidity(Date.from(Instant.now().plus(Duration.ofDays(28))));
  }

  @Test
  void makesUnrelatedCasThatDoNotVouchForEachOthersCertificates() {
    TestCa ca = TestCa.create(dir.resolve("one"));
    TestCa unrelated = TestCa.create(dir.resolve("two"));
    X509Certificate cert = ca.issue("dns", "dns.test").certificate();

    assertThrows(SignatureException.class, () -> cert.verify(unrelated.certificate().getPublicKey()));
  }

  @Test
  void issuesAnExpiredCertificateWhenAskedFor() {
    Instant now = Instant.now();
    TestCa.ServerCert cert =
        TestCa.create(dir).issue("expired", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)), "dns.test");

    assertThrows(CertificateExpiredException.class, () -> cert.certificate().checkValidity());
  }

  private static List<X509Certificate> readPem(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast)
          .collect(Collectors.toList());
    }
  }
}

package dev.palisade.dnssec;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;

/**
 * The crypto-provider measurement behind README "Crypto provider": how many RRSIG verifications
 * per second dnsjava's {@link DNSSEC#verify} does per algorithm, with the JDK's providers and with
 * BouncyCastle registered first. Not a test (nothing is asserted on time); run it by hand, once
 * per mode, each in a fresh JVM since the provider order is JVM-wide:
 *
 * <pre>
 * java -cp "$(cat target/test-classpath.txt):target/classes:target/test-classes" \
 *     dev.palisade.dnssec.CryptoProviderMeasurement jdk|bc-first|dnssec-provider
 * </pre>
 *
 * {@code dnssec-provider} registers what production registers: {@link CryptoProviders#install()}.
 */
public final class CryptoProviderMeasurement {
  private static final Duration WARM_UP = Duration.ofSeconds(3);
  private static final Duration MEASURE = Duration.ofSeconds(3);

  private CryptoProviderMeasurement() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "jdk";
    switch (mode) {
      case "jdk" -> { }
      case "bc-first" -> Security.insertProviderAt(new org.bouncycastle.jce.provider.BouncyCastleProvider(), 1);
      case "dnssec-provider" -> CryptoProviders.install();
      default -> throw new IllegalArgumentException("mode: jdk | bc-first | dnssec-provider");
    }
    System.out.printf(Locale.ROOT, "mode %s, java %s, first provider %s%n",
        mode, System.getProperty("java.version"), Security.getProviders()[0].getName());
    measure("8  RSASHA256 2048", 8, rsa(2048));
    measure("13 ECDSAP256SHA256", 13, ec("secp256r1"));
    measure("14 ECDSAP384SHA384", 14, ec("secp384r1"));
    measure("15 ED25519", 15, ed("Ed25519"));
    measure("16 ED448", 16, ed("Ed448"));
  }

  private static void measure(String label, int alg, KeyPair pair) throws Exception {
    Name zone = Name.fromString("example.test.");
    DNSKEYRecord signing = new DNSKEYRecord(zone, DClass.IN, 3600, 256, 3, alg, pair.getPublic());
    // as a validator sees it: parsed from wire bytes, so dnsjava decodes the key through JCA's
    // KeyFactory (once per DNSKEY record; the key cache keeps the record)
    DNSKEYRecord key = new DNSKEYRecord(zone, DClass.IN, 3600, 256, 3, alg, signing.getKey());
    RRset rrset = new RRset(new ARecord(Name.fromString("www.example.test."), DClass.IN, 300,
        java.net.InetAddress.getByName("127.0.0.1")));
    Instant now = Instant.now();
    RRSIGRecord sig = DNSSEC.sign(rrset, signing, pair.getPrivate(), now.minusSeconds(60), now.plusSeconds(3600));
    run(rrset, sig, key, WARM_UP);
    long count = run(rrset, sig, key, MEASURE);
    System.out.printf(Locale.ROOT, "%-20s %,10.0f verifications/s (%.1f us each)%n",
        label, count / (MEASURE.toNanos() / 1e9), MEASURE.toNanos() / 1e3 / count);
  }

  private static long run(RRset rrset, RRSIGRecord sig, DNSKEYRecord key, Duration duration) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    long count = 0;
    Instant now = Instant.now();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 50; i++) {
        DNSSEC.verify(rrset, sig, key, now);
      }
      count += 50;
    }
    return count;
  }

  private static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4));
    return g.generateKeyPair();
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private static KeyPair ed(String curve) throws Exception {
    return KeyPairGenerator.getInstance(curve).generateKeyPair();
  }
}

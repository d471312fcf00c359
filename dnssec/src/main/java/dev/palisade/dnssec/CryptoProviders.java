package dev.palisade.dnssec;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;

/**
 * The one piece of JVM-wide state this module touches, and only when asked: {@link #install()}
 * puts BouncyCastle's ECDSA and EdDSA signature verifiers in front of the JDK's.
 *
 * <p>Why: dnsjava's {@code DNSSEC.verify} asks JCA for {@code Signature.getInstance(name)} with no
 * provider, so the first registered provider that offers the algorithm does every RRSIG check. On
 * JDK 17 the JDK's own ECDSA and EdDSA verifiers are 12–17× slower than BouncyCastle's (measured:
 * README "Crypto provider"); RSA is the same either way.
 *
 * <p>Why a provider of our own rather than BouncyCastle's whole provider first: with all of
 * BouncyCastle first, JSSE would also take BouncyCastle's pure-Java AES-GCM, key agreement and
 * SecureRandom for every DoT connection. This provider offers only the signature algorithms of
 * DNSSEC algorithms 13, 14, 15 and 16 (RFC 8624 §3.1) and the EC key factory, backed by
 * BouncyCastle's implementation classes; everything else stays with the JDK. The key factory is
 * there because BouncyCastle verifies 2.5× faster with its own EC key objects (it keeps the
 * point precomputation on them) than with the JDK's, which it converts on every verification;
 * dnsjava decodes each DNSKEY once and keeps the key with the record in its key cache. TLS
 * certificate and key-exchange code that meets these algorithms gets BouncyCastle too, which
 * {@code CryptoProvidersTest} checks with a real DoT handshake.
 *
 * <p>{@code SHA256withECDSA} (DNSSEC algorithm 13, the most common one) is our own
 * {@link P256Signature}: P-256 verification with wider comb tables than BouncyCastle's, taking
 * about 40 % less time for a key in repeated use (README "Crypto provider"); keys of other curves,
 * and a P-256 key's first uses, still go to BouncyCastle.
 */
public final class CryptoProviders {
  /** The name the provider is registered under, e.g. for {@code Security.getProvider}. */
  public static final String NAME = "PalisadeDnssec";

  /**
   * JCA algorithm name (as dnsjava asks for it) → BouncyCastle's implementation class.
   * {@code SHA256withECDSA} (algorithm 13) is not here: it is our own {@link P256Signature}.
   */
  private static final Map<String, String> SIGNATURES = Map.of(
      "SHA384withECDSA", "org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi$ecDSA384",
      "Ed25519", "org.bouncycastle.jcajce.provider.asymmetric.edec.SignatureSpi$Ed25519",
      "Ed448", "org.bouncycastle.jcajce.provider.asymmetric.edec.SignatureSpi$Ed448");

  private CryptoProviders() {}

  /**
   * Registers the provider first in the JVM's list, once: call it at start-up, before the first
   * validation (the resolver's {@code Main} does). Later calls change nothing.
   *
   * @return true if this call registered it, false if it was already there
   */
  public static synchronized boolean install() {
    if (Security.getProvider(NAME) != null) {
      return false;
    }
    Security.insertProviderAt(new DnssecProvider(), 1);
    return true;
  }

  /** Whether {@link #install()} has run in this JVM. */
  public static boolean installed() {
    return Security.getProvider(NAME) != null;
  }

  private static final class DnssecProvider extends Provider {
    private static final long serialVersionUID = 1L;

    DnssecProvider() {
      super(NAME, "1.0", "BouncyCastle ECDSA/EdDSA signature verification for DNSSEC (Palisade)");
      putService(new Service(this, "KeyFactory", "EC",
          "org.bouncycastle.jcajce.provider.asymmetric.ec.KeyFactorySpi$EC", List.of(), null));
      SIGNATURES.forEach((algorithm, className) ->
          putService(new Service(this, "Signature", algorithm, className, List.of(), null)));
      // Built directly rather than by reflection, so the class can stay package-private.
      putService(new Service(this, "Signature", "SHA256withECDSA", P256Signature.class.getName(), List.of(), null) {
        @Override
        public Object newInstance(Object constructorParameter) {
          return new P256Signature();
        }
      });
    }
  }
}

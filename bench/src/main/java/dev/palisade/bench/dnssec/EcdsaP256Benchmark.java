package dev.palisade.bench.dnssec;

import dev.palisade.dnssec.CryptoProviders;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ECDSA P-256/SHA-256 verification with a known, reused public key (a DNSKEY in dnsjava's key
 * cache), as dnsjava does it for each RRSIG of algorithm 13: a new {@code Signature}, initVerify,
 * update with the signed data (about an RRSIG prefix and a small RRset), verify. The same key
 * object (BouncyCastle's, from the provider's EC key factory, as dnsjava gets it), data and
 * signatures for both: BouncyCastle 1.87's {@code SignatureSpi$ecDSA256} (what
 * {@code CryptoProviders} used before) and {@code PalisadeDnssec}'s own verifier.
 * Run: java -jar bench/target/benchmarks.jar EcdsaP256Benchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EcdsaP256Benchmark {
  private static final int SIGNATURES = 64;

  private Provider bouncyCastle;
  private Provider palisade;
  private PublicKey key;
  private byte[][] data;
  private byte[][] signatures;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    CryptoProviders.install();
    palisade = Security.getProvider(CryptoProviders.NAME);
    bouncyCastle = new Provider("BouncyCastleEcdsa256", "1.0", "BouncyCastle's SHA256withECDSA only") {
      private static final long serialVersionUID = 1L;

      {
        putService(new Service(this, "Signature", "SHA256withECDSA",
            "org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi$ecDSA256", List.of(), null));
      }
    };
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    key = KeyFactory.getInstance("EC", palisade).generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded()));
    Random random = new Random(13);
    data = new byte[SIGNATURES][];
    signatures = new byte[SIGNATURES][];
    for (int i = 0; i < SIGNATURES; i++) {
      data[i] = new byte[120];
      random.nextBytes(data[i]);
      Signature signer = Signature.getInstance("SHA256withECDSA", "SunEC");
      signer.initSign(pair.getPrivate());
      signer.update(data[i]);
      signatures[i] = signer.sign();
    }
    for (int i = 0; i < SIGNATURES; i++) { // both agree before anything is measured
      if (!verify(bouncyCastle, i) || !verify(palisade, i)) {
        throw new IllegalStateException("setup: signature " + i + " does not verify");
      }
    }
  }

  @Benchmark
  public boolean bouncyCastle() throws Exception {
    return verify(bouncyCastle, next++ & (SIGNATURES - 1));
  }

  @Benchmark
  public boolean palisade() throws Exception {
    return verify(palisade, next++ & (SIGNATURES - 1));
  }

  private boolean verify(Provider provider, int i) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", provider);
    s.initVerify(key);
    s.update(data[i]);
    return s.verify(signatures[i]);
  }
}

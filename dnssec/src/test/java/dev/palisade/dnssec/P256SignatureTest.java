package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;

/**
 * Our ECDSA P-256 verifier against BouncyCastle's, which it replaces: it must accept and reject
 * exactly the same signatures.
 */
class P256SignatureTest {
  private static final BigInteger N = P256.N;
  private static final Provider BC = new BouncyCastleProvider(); // the reference, unregistered
  private static final long SEED = 0x5eed_2026_1128L;
  private static final int KEYS = 500;
  private static final int MESSAGES_PER_KEY = 40;

  private static Provider ours;
  private static ECParameterSpec p256;

  @BeforeAll
  static void install() throws Exception {
    CryptoProviders.install();
    ours = Security.getProvider(CryptoProviders.NAME);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    p256 = ((ECPublicKey) g.generateKeyPair().getPublic()).getParams();
  }

  private record Variant(String what, PublicKey key, byte[] message, byte[] signature, boolean valid) {}

  @Test
  void acceptsAndRejectsExactlyWhatBouncyCastleDoesOnTwentyThousandRandomSignaturesAndTheirTamperedVariants()
      throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(SEED); // deterministic: a failure can be replayed
    KeyFactory bcKeys = KeyFactory.getInstance("EC", ours); // BouncyCastle's key objects, as dnsjava gets them
    KeyFactory jdkKeys = KeyFactory.getInstance("EC", "SunEC");
    PublicKey previous = null;
    int verified = 0;
    int rejected = 0;
    for (int k = 0; k < KEYS; k++) {
      BigInteger d = scalar(random);
      ECPoint q = P256.G.multiply(d).normalize();
      ECPublicKeySpec spec = new ECPublicKeySpec(new java.security.spec.ECPoint(
          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256);
      PublicKey key = warm((k % 10 == 9 ? jdkKeys : bcKeys).generatePublic(spec));
      PublicKey wrongKey = previous == null ? bcKeys.generatePublic(new ECPublicKeySpec(
          new java.security.spec.ECPoint(P256.G.getAffineXCoord().toBigInteger(),
              P256.G.getAffineYCoord().toBigInteger()), p256)) : previous;
      previous = key;
      for (int m = 0; m < MESSAGES_PER_KEY; m++) {
        byte[] message = new byte[1 + random.nextInt(300)];
        random.nextBytes(message);
        BigInteger[] rs = sign(d, message, random);
        BigInteger r = rs[0];
        BigInteger s = rs[1];
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("valid", key, message, der(r, s), true));
        variants.add(new Variant("(r, n - s), also valid", key, message, der(r, N.subtract(s)), true));
        byte[] tampered = message.clone();
        int bit = random.nextInt(tampered.length * 8);
        tampered[bit / 8] ^= (byte) (1 << (bit % 8));
        variants.add(new Variant("tampered message", key, tampered, der(r, s), false));
        variants.add(new Variant("tampered r", key, message, der(r.flipBit(random.nextInt(256)), s), false));
        variants.add(new Variant("tampered s", key, message, der(r, s.flipBit(random.nextInt(256))), false));
        variants.add(new Variant("wrong key", wrongKey, message, der(r, s), false));
        variants.add(new Variant("r = 0", key, message, der(BigInteger.ZERO, s), false));
        variants.add(new Variant("s = 0", key, message, der(r, BigInteger.ZERO), false));
        variants.add(new Variant("r = n", key, message, der(N, s), false));
        variants.add(new Variant("s = n", key, message, der(r, N), false));
        variants.add(new Variant("s + n", key, message, der(r, s.add(N)), false));
        variants.add(new Variant("r + n", key, message, der(r.add(N), s), false));
        variants.add(new Variant("malformed DER", key, message, malformed(r, s, m), false));
        for (Variant v : variants) {
          boolean reference = verify(Signature.getInstance("SHA256withECDSA", BC), v);
          boolean actual = verify(Signature.getInstance("SHA256withECDSA", ours), v);
          String where = v.what + " (key " + k + ", message " + m + ", seed " + SEED + ")";
          assertEquals(reference, actual, "BouncyCastle and ours disagree: " + where);
          assertEquals(v.valid, actual, where);
          if (actual) {
            verified++;
          } else {
            rejected++;
          }
        }
      }
    }
    assertEquals(2 * KEYS * MESSAGES_PER_KEY, verified);
    assertEquals(11 * KEYS * MESSAGES_PER_KEY, rejected);
  }

  @Test
  void oneSignatureObjectVerifiesManyMessagesAndSwitchesKeys() throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(SEED + 1);
    KeyFactory keys = KeyFactory.getInstance("EC", ours);
    Signature signature = Signature.getInstance("SHA256withECDSA");
    for (int i = 0; i < 20; i++) {
      BigInteger d = scalar(random);
      ECPoint q = P256.G.multiply(d).normalize();
      PublicKey key = warm(keys.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256)));
      signature.initVerify(key);
      assertEquals(CryptoProviders.NAME, signature.getProvider().getName());
      for (int j = 0; j < 5; j++) {
        byte[] message = ("message " + i + "/" + j).getBytes();
        BigInteger[] rs = sign(d, message, random);
        signature.update(message, 0, 3); // in pieces, as dnsjava feeds the RRSIG prefix and the RRset
        signature.update(message, 3, message.length - 3);
        assertTrue(signature.verify(der(rs[0], rs[1])), "message " + j + " of key " + i);
        signature.update(message);
        assertFalse(signature.verify(der(rs[0], rs[1].add(BigInteger.ONE))));
        for (byte b : message) { // and byte by byte: the digest was reset by verify
          signature.update(b);
        }
        assertTrue(signature.verify(der(rs[0], rs[1])));
      }
    }
  }

  /** RFC 6605 §6.1: example.net.'s P-256 key and the signature of www.example.net. A 192.0.2.1. */
  @Test
  void verifiesTheRfc6605Example() throws Exception {
    DNSKEYRecord key = (DNSKEYRecord) Record.fromString(org.xbill.DNS.Name.fromString("example.net."),
        org.xbill.DNS.Type.DNSKEY, org.xbill.DNS.DClass.IN, 3600,
        "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
        org.xbill.DNS.Name.root);
    assertEquals(55648, key.getFootprint());
    assertEquals("b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17",
        org.xbill.DNS.utils.base16.toString(new DSRecord(key.getName(), key.getDClass(), 3600,
            DNSSEC.Digest.SHA256, key).getDigest()).toLowerCase());
    Record a = Record.fromString(org.xbill.DNS.Name.fromString("www.example.net."), org.xbill.DNS.Type.A,
        org.xbill.DNS.DClass.IN, 3600, "192.0.2.1", org.xbill.DNS.Name.root);
    RRSIGRecord sig = (RRSIGRecord) Record.fromString(org.xbill.DNS.Name.fromString("www.example.net."),
        org.xbill.DNS.Type.RRSIG, org.xbill.DNS.DClass.IN, 3600,
        "A 13 3 3600 20100909100439 20100812100439 55648 example.net. "
            + "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
        org.xbill.DNS.Name.root);
    RRset set = new RRset(a);
    Instant during = Instant.parse("2010-08-20T00:00:00Z");
    assertEquals(CryptoProviders.NAME, Security.getProviders()[0].getName());
    for (int i = 0; i <= P256Keys.USES_BEFORE_TABLES; i++) { // the first uses are BouncyCastle's
      DNSSEC.verify(set, sig, key, during); // throws if it does not verify
    }
    assertTrue(P256Keys.cached((ECPublicKey) key.getPublicKey()) != null, "our verifier has this key now");
    DNSSEC.verify(set, sig, key, during);

    byte[] bad = sig.getSignature().clone();
    bad[40] ^= 1; // in s
    RRSIGRecord tampered = new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
        sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned(), sig.getFootprint(),
        sig.getSigner(), bad);
    assertThrows(DNSSEC.DNSSECException.class, () -> DNSSEC.verify(set, tampered, key, during));
    RRset other = new RRset(Record.fromString(org.xbill.DNS.Name.fromString("www.example.net."),
        org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN, 3600, "192.0.2.2", org.xbill.DNS.Name.root));
    assertThrows(DNSSEC.DNSSECException.class, () -> DNSSEC.verify(other, sig, key, during));
  }

  /**
   * u1·G + u2·Q where the comb meets the cases the addition formula does not cover: Q = G with
   * u1 = u2 (adding a point to itself), Q = -G (a point and its opposite), results at infinity.
   */
  @Test
  void sumOfTwoMultipliesEqualsBouncyCastlesIncludingDoublingAndCancellation() throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(SEED + 2);
    ECPoint g = P256.G;
    ECPoint minusG = g.negate().normalize();
    P256.Table tg = P256.table(g);
    P256.Table tMinusG = P256.table(minusG);
    for (int i = 0; i < 200; i++) {
      BigInteger u = scalar(random);
      BigInteger v = scalar(random);
      ECPoint q = g.multiply(scalar(random)).normalize();
      P256.Table tq = P256.table(q);
      assertSame(ECAlgorithms.sumOfTwoMultiplies(g, u, q, v), P256.sumOfTwoMultiplies(u, tq, v));
      assertSame(g.multiply(u.add(u)), P256.sumOfTwoMultiplies(u, tg, u));
      assertNull(P256.sumOfTwoMultiplies(u, tMinusG, u), "u·G - u·G");
      assertNull(P256.sumOfTwoMultiplies(u, tg, N.subtract(u)), "u·G + (n-u)·G");
      assertSame(g.multiply(u.add(v)), P256.sumOfTwoMultiplies(u, tg, v));
      assertSame(g.multiply(u.subtract(v).mod(N)), P256.sumOfTwoMultiplies(u, tMinusG, v));
      assertSame(q.multiply(v), P256.sumOfTwoMultiplies(BigInteger.ZERO, tq, v));
      assertSame(g.multiply(u), P256.sumOfTwoMultiplies(u, tq, BigInteger.ZERO));
    }
    BigInteger one = BigInteger.ONE;
    assertSame(g.twice(), P256.sumOfTwoMultiplies(one, tg, one));
    assertSame(g.multiply(N.subtract(one)), P256.sumOfTwoMultiplies(N.subtract(one), tg, BigInteger.ZERO));
    assertNull(P256.sumOfTwoMultiplies(BigInteger.ZERO, tg, BigInteger.ZERO));
  }

  /**
   * The rare case x(R) ≥ n (probability about 2^-128 for a real signature), made on purpose: R
   * is chosen with x ≥ n, then the key that makes (r = x - n, s) a valid signature of a message.
   * Both verifiers must accept it (FIPS 186-5: r = x(R) mod n) and refuse r = x(R) itself.
   */
  @Test
  void acceptsASignatureWhoseRHasAnXAboveTheOrder() throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(SEED + 3);
    KeyFactory keys = KeyFactory.getInstance("EC", ours);
    int made = 0;
    for (BigInteger x = N; made < 5 && x.compareTo(P256.P) < 0; x = x.add(BigInteger.ONE)) {
      ECPoint bigR;
      try {
        bigR = P256.CURVE.decodePoint(concat(new byte[] {2}, fixed(x)));
      } catch (IllegalArgumentException notOnTheCurve) {
        continue;
      }
      byte[] message = ("x above n " + made).getBytes();
      BigInteger e = new BigInteger(1, java.security.MessageDigest.getInstance("SHA-256").digest(message));
      BigInteger r = x.subtract(N);
      BigInteger s = scalar(random);
      BigInteger w = s.modInverse(N);
      BigInteger u1 = e.multiply(w).mod(N);
      BigInteger u2 = r.multiply(w).mod(N);
      // R = u1·G + u2·Q  ⇒  Q = u2⁻¹·(R - u1·G)
      ECPoint q = bigR.subtract(P256.G.multiply(u1)).multiply(u2.modInverse(N)).normalize();
      PublicKey key = keys.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256));
      warm(key);
      Variant good = new Variant("r = x(R) - n", key, message, der(r, s), true);
      assertTrue(verify(Signature.getInstance("SHA256withECDSA", BC), good));
      assertTrue(verify(Signature.getInstance("SHA256withECDSA", ours), good));
      Variant unreduced = new Variant("r = x(R)", key, message, der(x, s), false);
      assertFalse(verify(Signature.getInstance("SHA256withECDSA", BC), unreduced));
      assertFalse(verify(Signature.getInstance("SHA256withECDSA", ours), unreduced));
      made++;
    }
    assertEquals(5, made);
  }

  @Test
  void refusesAKeyNotOnTheCurveOrAtInfinity() throws Exception {
    BigInteger gx = P256.G.getAffineXCoord().toBigInteger();
    BigInteger gy = P256.G.getAffineYCoord().toBigInteger();
    PublicKey offCurve = new RawKey(new java.security.spec.ECPoint(gx, gy.add(BigInteger.ONE)), p256);
    Signature ourSignature = Signature.getInstance("SHA256withECDSA", ours);
    InvalidKeyException e = assertThrows(InvalidKeyException.class, () -> ourSignature.initVerify(offCurve));
    assertTrue(e.getMessage().contains("not on the curve"), e.getMessage());
    PublicKey tooBig = new RawKey(new java.security.spec.ECPoint(gx.add(P256.P), gy), p256);
    assertThrows(InvalidKeyException.class, () -> ourSignature.initVerify(tooBig));
    PublicKey infinity = new RawKey(java.security.spec.ECPoint.POINT_INFINITY, p256);
    assertThrows(InvalidKeyException.class, () -> ourSignature.initVerify(infinity));
    // and the valid G itself is accepted as a key
    ourSignature.initVerify(new RawKey(new java.security.spec.ECPoint(gx, gy), p256));
  }

  @Test
  void afterARefusedKeyNothingVerifiesWithThePreviousOne() throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(SEED + 4);
    BigInteger d = scalar(random);
    ECPoint q = P256.G.multiply(d).normalize();
    PublicKey key = warm(KeyFactory.getInstance("EC", ours).generatePublic(new ECPublicKeySpec(
        new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256)));
    byte[] message = {1, 2, 3};
    BigInteger[] rs = sign(d, message, random);
    Signature signature = Signature.getInstance("SHA256withECDSA", ours);
    signature.initVerify(key);
    signature.update(message);
    assertTrue(signature.verify(der(rs[0], rs[1])));
    PublicKey offCurve = new RawKey(new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(),
        q.getAffineYCoord().toBigInteger().add(BigInteger.ONE)), p256);
    assertThrows(InvalidKeyException.class, () -> signature.initVerify(offCurve));
    assertThrows(SignatureException.class, () -> signature.update(message), "the old key is gone");
    assertThrows(SignatureException.class, () -> signature.verify(der(rs[0], rs[1])));
  }

  @Test
  void malformedDerIsASignatureException() throws Exception {
    BigInteger r = BigInteger.valueOf(12345);
    BigInteger s = BigInteger.valueOf(67890);
    assertArrayEquals(new BigInteger[] {r, s}, P256Signature.decode(der(r, s)));
    for (int kind = 0; kind < 8; kind++) {
      byte[] bad = malformed(r, s, kind);
      assertThrows(SignatureException.class, () -> P256Signature.decode(bad), "kind " + kind);
    }
    assertThrows(SignatureException.class, () -> P256Signature.decode(new byte[0]));
    assertThrows(SignatureException.class, () -> P256Signature.decode(null));
  }

  @Test
  void otherCurvesGoToBouncyCastleAndSigningToTheJdk() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = g.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA"); // a P-384 key with SHA-256, as X.509 allows
    signer.initSign(p384.getPrivate());
    assertNotEquals(CryptoProviders.NAME, signer.getProvider().getName(), "we only verify");
    signer.update(new byte[] {1, 2, 3});
    byte[] sig = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA", ours);
    verifier.initVerify(p384.getPublic());
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(sig));
    verifier.update(new byte[] {1, 2, 4});
    assertFalse(verifier.verify(sig));
    Signature ourSigner = Signature.getInstance("SHA256withECDSA", ours);
    assertThrows(InvalidKeyException.class, () -> ourSigner.initSign(p384.getPrivate()));
  }

  @Test
  void keyTablesAreBuiltAfterSixteenUsesAndCachedPerKeyObjectAndPerPoint() throws Exception {
    KeyFactory keys = KeyFactory.getInstance("EC", ours);
    ECPoint q = P256.G.multiply(BigInteger.valueOf(777)).normalize();
    ECPublicKeySpec spec = new ECPublicKeySpec(new java.security.spec.ECPoint(
        q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256);
    PublicKey one = keys.generatePublic(spec);
    PublicKey two = keys.generatePublic(spec);
    assertEquals(16, P256Keys.USES_BEFORE_TABLES);
    for (int i = 0; i < 8; i++) {
      assertNull(P256Keys.tables(one), "use " + i + ": BouncyCastle verifies");
      assertNull(P256Keys.tables(two), "the same point: counted together");
    }
    assertNull(P256Keys.cached((ECPublicKey) one));
    P256.Table table = P256Keys.tables(one);
    assertTrue(table != null, "17th use: the tables are built");
    assertTrue(table == P256Keys.cached((ECPublicKey) one));
    assertTrue(table == P256Keys.tables(one), "the same object");
    assertTrue(table == P256Keys.tables(two), "another object, the same point");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    PublicKey p384 = g.generateKeyPair().getPublic();
    assertNull(P256Keys.tables(p384), "not P-256: not ours");
    assertNull(P256Keys.tables(p384), "not P-256: never ours");
  }

  @Test
  void theKeyTableCacheIsBounded() throws Exception {
    KeyFactory keys = KeyFactory.getInstance("EC", ours);
    List<PublicKey> many = new ArrayList<>();
    for (int i = 0; i < P256Keys.TABLES + 10; i++) {
      ECPoint q = P256.G.multiply(BigInteger.valueOf(1000 + i)).normalize();
      PublicKey key = keys.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), p256));
      many.add(warm(key));
    }
    assertNull(P256Keys.cached((ECPublicKey) many.get(0)), "the least recently used table is gone");
    assertTrue(P256Keys.cached((ECPublicKey) many.get(many.size() - 1)) != null);
  }

  private static void assertSame(ECPoint expected, BigInteger[] actual) {
    ECPoint e = expected.normalize();
    if (e.isInfinity()) {
      assertNull(actual);
      return;
    }
    assertEquals(e.getAffineXCoord().toBigInteger(), actual[0], "x");
    assertEquals(e.getAffineYCoord().toBigInteger(), actual[1], "y");
  }

  /** The key, its tables built: ours verifies with it from now on, not BouncyCastle (first uses). */
  private static PublicKey warm(PublicKey key) throws Exception {
    for (int i = 0; i < P256Keys.USES_BEFORE_TABLES; i++) {
      P256Keys.tables(key);
    }
    assertTrue(P256Keys.tables(key) != null, "tables built");
    return key;
  }

  /** Accepted or not; an exception (malformed signature) is a rejection, as dnsjava treats it. */
  private static boolean verify(Signature signature, Variant v) throws Exception {
    signature.initVerify(v.key);
    signature.update(v.message);
    try {
      return signature.verify(v.signature);
    } catch (SignatureException e) {
      return false;
    }
  }

  private static BigInteger scalar(SecureRandom random) {
    BigInteger d;
    do {
      d = new BigInteger(256, random);
    } while (d.signum() == 0 || d.compareTo(N) >= 0);
    return d;
  }

  /** Textbook ECDSA signing (FIPS 186-5 §6.4.1) with SHA-256; the test's own, independent of both verifiers. */
  private static BigInteger[] sign(BigInteger d, byte[] message, SecureRandom random) throws Exception {
    BigInteger e = new BigInteger(1, java.security.MessageDigest.getInstance("SHA-256").digest(message));
    while (true) {
      BigInteger k = scalar(random);
      BigInteger r = P256.G.multiply(k).normalize().getAffineXCoord().toBigInteger().mod(N);
      if (r.signum() == 0) {
        continue;
      }
      BigInteger s = k.modInverse(N).multiply(e.add(r.multiply(d))).mod(N);
      if (s.signum() != 0) {
        return new BigInteger[] {r, s};
      }
    }
  }

  static byte[] der(BigInteger r, BigInteger s) {
    byte[] rb = r.toByteArray(); // two's complement, minimal: DER's INTEGER
    byte[] sb = s.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.write(2 + rb.length + 2 + sb.length);
    out.write(0x02);
    out.write(rb.length);
    out.writeBytes(rb);
    out.write(0x02);
    out.write(sb.length);
    out.writeBytes(sb);
    return out.toByteArray();
  }

  /** Eight ways to get the DER wrong, each refused by BouncyCastle. */
  private static byte[] malformed(BigInteger r, BigInteger s, int kind) {
    byte[] good = der(r, s);
    byte[] rb = r.toByteArray();
    switch (kind % 8) {
      case 0:
        return Arrays.copyOf(good, good.length - 1); // truncated
      case 1:
        return Arrays.copyOf(good, good.length + 1); // a byte after the sequence
      case 2: { // r with a superfluous leading zero
        byte[] padded = concat(new byte[] {0}, rb);
        return seq(concat(integer(padded), integer(s.toByteArray())));
      }
      case 3: { // r negative: its top bit set, without the sign byte
        byte[] neg = r.toByteArray();
        int i = neg[0] == 0 && neg.length > 1 ? 1 : 0;
        byte[] v = Arrays.copyOfRange(neg, i, neg.length);
        v[0] |= (byte) 0x80;
        return seq(concat(integer(v), integer(s.toByteArray())));
      }
      case 4: { // long-form length of the sequence
        byte[] body = Arrays.copyOfRange(good, 2, good.length);
        return concat(new byte[] {0x30, (byte) 0x81, (byte) body.length}, body);
      }
      case 5: { // wrong tag
        byte[] b = good.clone();
        b[2] = 0x03;
        return b;
      }
      case 6: // the raw 64-byte r‖s of the RRSIG, not DER
        return concat(fixed(r), fixed(s));
      default: { // a third INTEGER
        byte[] body = Arrays.copyOfRange(good, 2, good.length);
        return seq(concat(body, integer(new byte[] {1})));
      }
    }
  }

  private static byte[] integer(byte[] v) {
    return concat(new byte[] {0x02, (byte) v.length}, v);
  }

  private static byte[] seq(byte[] body) {
    return concat(new byte[] {0x30, (byte) body.length}, body);
  }

  private static byte[] fixed(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(32, b.length);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A plain ECPublicKey with any point, valid or not (key factories would refuse the bad ones). */
  private record RawKey(java.security.spec.ECPoint getW, ECParameterSpec getParams) implements ECPublicKey {
    @Override
    public String getAlgorithm() {
      return "EC";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }
}

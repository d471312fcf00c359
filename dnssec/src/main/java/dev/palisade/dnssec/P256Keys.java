package dev.palisade.dnssec;

import java.lang.ref.WeakReference;
import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECField;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The comb tables of P-256 public keys ({@link P256.Table}), built once a key has been used
 * {@value #USES_BEFORE_TABLES} times, and kept, bounded.
 *
 * <p>Building a key's tables costs about 1 ms on the 2-core test VM, what BouncyCastle takes for
 * 20 verifications, and each later verification saves about a third of BouncyCastle's 57 µs: the
 * tables pay for themselves after about 50 verifications. So they must outlive the
 * {@code Signature} object (dnsjava makes a new one per RRSIG, but keeps each DNSKEY's
 * {@code PublicKey} with the record in its key cache), and they are built only for keys in
 * repeated use: a KSK typically verifies one DNSKEY RRset per key-cache period, a busy zone's ZSK
 * thousands of answers. Until then a key's verifications go to BouncyCastle, as before.
 *
 * <p>Three bounded levels: a direct-mapped cache of {@value #SLOTS} slots keyed by the key object's
 * identity (weakly held, so a cached key does not keep a dropped DNSKEY alive); behind it an LRU
 * of {@value #TABLES} tables keyed by the point, for a key parsed again into a new object; and an
 * LRU counting the uses of the last {@value #SEEN} points without tables. A table is about 100 KB, so at most
 * ({@value #SLOTS} + {@value #TABLES}) tables ≈ 8 MB; in practice a few (DNSSEC has few hot keys).
 */
final class P256Keys {
  static final int SLOTS = 32;
  static final int TABLES = 48;
  static final int SEEN = 1024;
  static final int USES_BEFORE_TABLES = 16;

  private static final BigInteger A = P256.CURVE.getA().toBigInteger();
  private static final BigInteger B = P256.CURVE.getB().toBigInteger();
  private static final BigInteger GX = P256.G.getAffineXCoord().toBigInteger();
  private static final BigInteger GY = P256.G.getAffineYCoord().toBigInteger();

  private record Slot(WeakReference<PublicKey> key, P256.Table table) {}

  private record Point(BigInteger x, BigInteger y) {}

  private static final AtomicReferenceArray<Slot> SLOT = new AtomicReferenceArray<>(SLOTS);
  private static final Object LOCK = new Object();
  private static final Map<Point, P256.Table> BY_POINT = lru(TABLES);
  private static final Map<Point, int[]> USES = lru(SEEN);

  private static <V> Map<Point, V> lru(int max) {
    return new LinkedHashMap<>(max * 2, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Point, V> eldest) {
        return size() > max;
      }
    };
  }

  private P256Keys() {}

  /**
   * The tables of {@code key} if it is a P-256 public key in repeated use; null if it is a key of
   * another kind or curve, or a P-256 key used fewer than {@value #USES_BEFORE_TABLES} times
   * before (the caller hands those to BouncyCastle, as before).
   *
   * @throws InvalidKeyException a P-256 key whose point is not on the curve or is infinity
   */
  static P256.Table tables(PublicKey key) throws InvalidKeyException {
    int slot = System.identityHashCode(key) & (SLOTS - 1);
    Slot s = SLOT.get(slot);
    if (s != null && s.key.get() == key) {
      return s.table;
    }
    if (!(key instanceof ECPublicKey ec) || !isP256(ec.getParams())) {
      return null;
    }
    ECPoint w = ec.getW();
    if (w == null || w == ECPoint.POINT_INFINITY) {
      throw new InvalidKeyException("P-256 public key at infinity");
    }
    Point point = new Point(w.getAffineX(), w.getAffineY());
    P256.Table table;
    boolean build = false;
    synchronized (LOCK) {
      table = BY_POINT.get(point);
      if (table == null) {
        build = ++USES.computeIfAbsent(point, p -> new int[1])[0] > USES_BEFORE_TABLES;
      }
    }
    if (table == null) {
      org.bouncycastle.math.ec.ECPoint q = P256.validKey(point.x, point.y);
      if (q == null) {
        throw new InvalidKeyException("P-256 public key not on the curve");
      }
      if (!build) {
        return null;
      }
      table = P256.table(q); // outside the lock: two threads may both build it, the same table
      synchronized (LOCK) {
        BY_POINT.put(point, table);
        USES.remove(point);
      }
    }
    SLOT.set(slot, new Slot(new WeakReference<>(key), table));
    return table;
  }

  /** The tables already built for this key's point, or null (for tests). */
  static P256.Table cached(ECPublicKey key) {
    synchronized (LOCK) {
      return BY_POINT.get(new Point(key.getW().getAffineX(), key.getW().getAffineY()));
    }
  }

  /** Whether the domain parameters are P-256's (SEC 2 §2.4.2), compared field by field. */
  static boolean isP256(ECParameterSpec spec) {
    if (spec == null) {
      return false;
    }
    ECField field = spec.getCurve().getField();
    return field instanceof ECFieldFp fp
        && fp.getP().equals(P256.P)
        && spec.getCurve().getA().equals(A)
        && spec.getCurve().getB().equals(B)
        && spec.getGenerator().getAffineX().equals(GX)
        && spec.getGenerator().getAffineY().equals(GY)
        && spec.getOrder().equals(P256.N)
        && spec.getCofactor() == 1;
  }
}

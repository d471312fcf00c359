package dev.palisade.dnssec;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat256;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDSA P-256 signature verification (FIPS 186-5 §6.4.2; DNSSEC algorithm 13, RFC 6605), the
 * arithmetic only: {@code u1·G + u2·Q} in one pass over two fixed-base comb tables, one for the
 * generator G (built once) and one per public key Q ({@link #table}, built once per key and
 * cached by the caller).
 *
 * <p><b>Variable time, on purpose.</b> Verification handles only public data (the key, the signed
 * data, the signature), so table look-ups, branches and the modular inverse depend on the inputs.
 * Never use this code with a secret scalar.
 *
 * <p>Why: BouncyCastle's verifier runs Shamir's trick over width-6 combs (43 doublings, 86
 * additions, each addition a general Jacobian one). Here each comb has 8 teeth, one per 32-bit
 * word of the scalar, and is split into four blocks of 8 columns (Lim–Lee): 8 doublings and
 * 64 additions, every addition a mixed one (the table points are affine), on BouncyCastle's own
 * P-256 field arithmetic ({@link SecP256R1Field}, 8×32-bit limbs, values kept fully reduced), with
 * no allocation in the loop. The final comparison {@code x(R) ≡ r (mod n)} is done in Jacobian
 * coordinates ({@code X == r·Z²}), without an inversion, as BouncyCastle's {@code ECDSASigner} does.
 */
final class P256 {
  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256r1");
  static final ECCurve CURVE = PARAMS.getCurve();
  static final ECPoint G = PARAMS.getG();
  static final BigInteger N = PARAMS.getN();
  static final BigInteger P = CURVE.getField().getCharacteristic();

  /** Teeth per comb: tooth i reads bit (32·i + column) of the scalar, i.e. word i of it. */
  private static final int TEETH = 8;
  /** Blocks of columns, each with its own table: doublings = 32 / BLOCKS. */
  static final int BLOCKS = 4;
  private static final int SPAN = 32 / BLOCKS;
  private static final int ENTRIES = 1 << TEETH;

  private static final Table G_TABLE = table(G);
  /** r + n for every r whose sum is still below p: such r also match x(R) = r + n. */
  private static final int[] P_MINUS_N = Nat256.fromBigInteger(P.subtract(N));
  private static final int[] N_WORDS = Nat256.fromBigInteger(N);

  private P256() {}

  /**
   * The comb tables of one point: for block b and index j (1..255), the affine point
   * {@code Σ_{i: bit i of j} 2^(32·i + 8·b) · point}. Index 0 (the point at infinity) is null.
   */
  static final class Table {
    final int[][] x;
    final int[][] y;

    private Table(int[][] x, int[][] y) {
      this.x = x;
      this.y = y;
    }
  }

  /**
   * Builds the tables of a point already known to be on the curve, not infinity (callers
   * check that, see {@link #validKey}). About 1,000 point additions, 248 doublings and
   * a few batched inversions: ≈ 1 ms.
   */
  static Table table(ECPoint point) {
    // 2^(32·i + SPAN·b)·point for every tooth i and block b: 256 - SPAN doublings in all
    ECPoint[][] bases = new ECPoint[BLOCKS][TEETH];
    ECPoint p2 = point;
    for (int i = 0; i < TEETH; i++) {
      for (int b = 0; b < BLOCKS; b++) {
        bases[b][i] = p2;
        p2 = i == TEETH - 1 && b == BLOCKS - 1 ? p2 : p2.timesPow2(SPAN);
      }
    }
    for (ECPoint[] base : bases) {
      CURVE.normalizeAll(base); // affine bases: BouncyCastle's additions below are then mixed ones
    }
    ECPoint[] all = new ECPoint[BLOCKS * ENTRIES];
    for (int b = 0; b < BLOCKS; b++) {
      ECPoint[] base = bases[b];
      int off = b * ENTRIES;
      for (int j = 1; j < ENTRIES; j++) {
        int low = Integer.numberOfTrailingZeros(j);
        int rest = j & (j - 1);
        all[off + j] = rest == 0 ? base[low] : all[off + rest].add(base[low]);
      }
    }
    int[][] x = new int[all.length][];
    int[][] y = new int[all.length][];
    ECPoint[] nonNull = new ECPoint[BLOCKS * (ENTRIES - 1)];
    for (int b = 0, k = 0; b < BLOCKS; b++) {
      for (int j = 1; j < ENTRIES; j++) {
        nonNull[k++] = all[b * ENTRIES + j];
      }
    }
    CURVE.normalizeAll(nonNull);
    for (int b = 0, k = 0; b < BLOCKS; b++) {
      for (int j = 1; j < ENTRIES; j++) {
        ECPoint p = nonNull[k++];
        // Never infinity: the multiplier is a sum of distinct powers of two below 2^256, which
        // is neither 0 nor n (n has other bits set), and the group order is the prime n.
        if (p.isInfinity()) {
          throw new IllegalStateException("comb table entry at infinity");
        }
        x[b * ENTRIES + j] = SecP256R1Field.fromBigInteger(p.getAffineXCoord().toBigInteger());
        y[b * ENTRIES + j] = SecP256R1Field.fromBigInteger(p.getAffineYCoord().toBigInteger());
      }
    }
    return new Table(x, y);
  }

  /**
   * The point (x, y) as a public key: both coordinates in [0, p), on the curve (SEC 1 v2
   * §3.2.2.1; P-256 has cofactor 1, so on the curve means in the group), else null.
   */
  static ECPoint validKey(BigInteger x, BigInteger y) {
    if (x.signum() < 0 || y.signum() < 0 || x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
      return null;
    }
    try {
      ECPoint q = CURVE.validatePoint(x, y);
      return q.isInfinity() || !q.isValid() ? null : q.normalize();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * ECDSA verification (FIPS 186-5 §6.4.2 steps 2–8) of the SHA-256 {@code digest} (32 bytes;
   * as long as n's bit length, so no truncation) with key tables {@code q}. r and s outside
   * [1, n-1] are refused here.
   */
  static boolean verify(Table q, byte[] digest, BigInteger r, BigInteger s) {
    if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(N) >= 0 || s.compareTo(N) >= 0) {
      return false;
    }
    BigInteger e = new BigInteger(1, digest);
    BigInteger w = BigIntegers.modOddInverseVar(N, s);
    BigInteger u1 = e.multiply(w).mod(N);
    BigInteger u2 = r.multiply(w).mod(N);
    Jacobian acc = mulAdd(Nat256.fromBigInteger(u1), q, Nat256.fromBigInteger(u2));
    if (acc.infinity) {
      return false;
    }
    // x(R) = X / Z², so x(R) mod n == r iff X == r'·Z² for r' = r or, when r + n < p, r + n.
    int[] zz = new int[8];
    int[] tt = new int[16];
    int[] t = new int[8];
    SecP256R1Field.square(acc.z, zz, tt);
    int[] rw = Nat256.fromBigInteger(r);
    SecP256R1Field.multiply(rw, zz, t, tt);
    if (Nat256.eq(t, acc.x)) {
      return true;
    }
    if (Nat256.gte(rw, P_MINUS_N)) {
      return false;
    }
    Nat256.add(rw, N_WORDS, rw); // no carry and < p: checked above
    SecP256R1Field.multiply(rw, zz, t, tt);
    return Nat256.eq(t, acc.x);
  }

  /** {@code u1·G + u2·Q} as an affine point {x, y}, or null for infinity (for tests). */
  static BigInteger[] sumOfTwoMultiplies(BigInteger u1, Table q, BigInteger u2) {
    Jacobian acc = mulAdd(Nat256.fromBigInteger(u1), q, Nat256.fromBigInteger(u2));
    if (acc.infinity) {
      return null;
    }
    int[] zi = new int[8];
    SecP256R1Field.inv(acc.z, zi);
    int[] zi2 = new int[8];
    SecP256R1Field.square(zi, zi2);
    int[] x = new int[8];
    int[] y = new int[8];
    SecP256R1Field.multiply(acc.x, zi2, x);
    SecP256R1Field.multiply(zi2, zi, zi2);
    SecP256R1Field.multiply(acc.y, zi2, y);
    return new BigInteger[] {Nat256.toBigInteger(x), Nat256.toBigInteger(y)};
  }

  /** Scalars as 8 little-endian 32-bit words, each below n. */
  private static Jacobian mulAdd(int[] u1, Table q, int[] u2) {
    Jacobian acc = new Jacobian();
    Table g = G_TABLE;
    for (int c = SPAN - 1; c >= 0; c--) {
      acc.twice();
      for (int b = 0; b < BLOCKS; b++) {
        int shift = SPAN * b + c;
        int off = b * ENTRIES;
        int i1 = index(u1, shift);
        if (i1 != 0) {
          acc.addAffine(g.x[off + i1], g.y[off + i1]);
        }
        int i2 = index(u2, shift);
        if (i2 != 0) {
          acc.addAffine(q.x[off + i2], q.y[off + i2]);
        }
      }
    }
    return acc;
  }

  private static int index(int[] k, int shift) {
    return ((k[0] >>> shift) & 1)
        | (((k[1] >>> shift) & 1) << 1)
        | (((k[2] >>> shift) & 1) << 2)
        | (((k[3] >>> shift) & 1) << 3)
        | (((k[4] >>> shift) & 1) << 4)
        | (((k[5] >>> shift) & 1) << 5)
        | (((k[6] >>> shift) & 1) << 6)
        | (((k[7] >>> shift) & 1) << 7);
  }

  /**
   * A point in Jacobian coordinates (x = X/Z², y = Y/Z³) with its scratch space; P-256 has
   * a = -3. Field values always fully reduced, so equality and zero tests are on the words.
   */
  static final class Jacobian {
    final int[] x = new int[8];
    final int[] y = new int[8];
    final int[] z = new int[8];
    boolean infinity = true;
    private final int[] tt = new int[16];
    private final int[] t1 = new int[8];
    private final int[] t2 = new int[8];
    private final int[] t3 = new int[8];
    private final int[] t4 = new int[8];
    private final int[] t5 = new int[8];
    private final int[] t6 = new int[8];

    /**
     * this = 2·this: "dbl-2001-b" (Bernstein–Lange EFD, a = -3), 3M + 5S. P-256 has prime order,
     * so no point but infinity has y = 0 and the result of doubling a finite point is finite.
     */
    void twice() {
      if (infinity) {
        return;
      }
      int[] delta = t1, gamma = t2, beta = t3, alpha = t4, u = t5, v = t6;
      SecP256R1Field.square(z, delta, tt);            // delta = Z²
      SecP256R1Field.square(y, gamma, tt);            // gamma = Y²
      SecP256R1Field.multiply(x, gamma, beta, tt);    // beta = X·gamma
      SecP256R1Field.subtract(x, delta, u);           // X - delta
      SecP256R1Field.add(x, delta, v);                // X + delta
      SecP256R1Field.multiply(u, v, alpha, tt);
      SecP256R1Field.twice(alpha, u);
      SecP256R1Field.add(alpha, u, alpha);            // alpha = 3(X - delta)(X + delta)
      // Z3 = (Y + Z)² - gamma - delta (before Y changes)
      SecP256R1Field.add(y, z, u);
      SecP256R1Field.square(u, u, tt);
      SecP256R1Field.subtract(u, gamma, u);
      SecP256R1Field.subtract(u, delta, z);
      // X3 = alpha² - 8·beta
      SecP256R1Field.twice(beta, beta);
      SecP256R1Field.twice(beta, beta);               // beta = 4·beta
      SecP256R1Field.twice(beta, v);                  // v = 8·beta
      SecP256R1Field.square(alpha, u, tt);
      SecP256R1Field.subtract(u, v, x);
      // Y3 = alpha·(4·beta - X3) - 8·gamma²
      SecP256R1Field.subtract(beta, x, u);
      SecP256R1Field.multiply(alpha, u, u, tt);
      SecP256R1Field.square(gamma, v, tt);
      SecP256R1Field.twice(v, v);
      SecP256R1Field.twice(v, v);
      SecP256R1Field.twice(v, v);                     // 8·gamma²
      SecP256R1Field.subtract(u, v, y);
    }

    /**
     * this = this + (x2, y2), the second point affine and finite: "madd-2007-bl" (EFD), 7M + 4S,
     * with the cases the formula does not cover handled: this at infinity, equal points
     * (doubling) and opposite points (infinity).
     */
    void addAffine(int[] x2, int[] y2) {
      if (infinity) {
        System.arraycopy(x2, 0, x, 0, 8);
        System.arraycopy(y2, 0, y, 0, 8);
        z[0] = 1;
        for (int i = 1; i < 8; i++) {
          z[i] = 0;
        }
        infinity = false;
        return;
      }
      int[] z1z1 = t1, h = t2, hh = t3, r = t4, u = t5, v = t6;
      SecP256R1Field.square(z, z1z1, tt);             // Z1Z1 = Z1²
      SecP256R1Field.multiply(x2, z1z1, u, tt);       // U2 = X2·Z1Z1
      SecP256R1Field.multiply(z, z1z1, v, tt);
      SecP256R1Field.multiply(y2, v, v, tt);          // S2 = Y2·Z1·Z1Z1
      SecP256R1Field.subtract(u, x, h);               // H = U2 - X1
      SecP256R1Field.subtract(v, y, r);
      SecP256R1Field.twice(r, r);                     // r = 2(S2 - Y1)
      if (SecP256R1Field.isZero(h) != 0) {
        if (SecP256R1Field.isZero(r) != 0) {
          twice();                                    // same point
        } else {
          infinity = true;                            // opposite points
        }
        return;
      }
      SecP256R1Field.square(h, hh, tt);               // HH = H²
      // Z3 = (Z1 + H)² - Z1Z1 - HH (before Z changes; needs only h, hh, z1z1)
      SecP256R1Field.add(z, h, u);
      SecP256R1Field.square(u, u, tt);
      SecP256R1Field.subtract(u, z1z1, u);
      SecP256R1Field.subtract(u, hh, z);
      int[] i = z1z1;                                 // Z1Z1 no longer needed
      SecP256R1Field.twice(hh, i);
      SecP256R1Field.twice(i, i);                     // I = 4·HH
      int[] j = hh;
      SecP256R1Field.multiply(h, i, j, tt);           // J = H·I
      SecP256R1Field.multiply(x, i, v, tt);           // V = X1·I
      // X3 = r² - J - 2·V
      SecP256R1Field.square(r, u, tt);
      SecP256R1Field.subtract(u, j, u);
      SecP256R1Field.subtract(u, v, u);
      SecP256R1Field.subtract(u, v, x);
      // Y3 = r·(V - X3) - 2·Y1·J
      SecP256R1Field.subtract(v, x, v);
      SecP256R1Field.multiply(r, v, v, tt);
      SecP256R1Field.multiply(y, j, u, tt);
      SecP256R1Field.twice(u, u);
      SecP256R1Field.subtract(v, u, y);
    }
  }
}

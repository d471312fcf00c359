package dev.palisade.dnssec;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.Arrays;
import java.util.List;

/**
 * JCA {@code SHA256withECDSA}, verification only: P-256 keys in repeated use are verified by
 * {@link P256} (see {@link P256Keys}); a key's first few uses and any other key (another curve,
 * which X.509 and TLS 1.2 allow with SHA-256) go to BouncyCastle's verifier, as before this class
 * existed. Signing is refused with an
 * {@link InvalidKeyException}, so JCA's provider selection moves on to the JDK's signer.
 *
 * <p>The signature is the DER {@code SEQUENCE { INTEGER r, INTEGER s }} (RFC 3279 §2.2.3) that
 * dnsjava makes from an RRSIG's 64-byte r‖s (RFC 6605 §4). Only strict DER is accepted, as
 * BouncyCastle accepts it (it re-encodes and compares): short-form lengths, minimal non-negative
 * integers, nothing after the sequence; anything else is a {@link SignatureException}. r and s
 * outside [1, n-1] verify false.
 */
final class P256Signature extends SignatureSpi {
  /** BouncyCastle's verifier, unregistered, for the keys we do not verify ourselves. */
  private static final Provider FALLBACK = new Provider("PalisadeDnssecFallback", "1.0",
      "BouncyCastle SHA256withECDSA for non-P-256 keys") {
    private static final long serialVersionUID = 1L;

    {
      putService(new Service(this, "Signature", "SHA256withECDSA",
          "org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi$ecDSA256", List.of(), null));
    }
  };

  /** Cloned for each instance: cheaper than a provider look-up per RRSIG. */
  private static final MessageDigest SHA256 = sha256();

  private final MessageDigest digest;
  private P256.Table key;
  private Signature fallback;
  /** False until an initVerify succeeds, and again after one fails: never verify with an older key. */
  private boolean ready;

  P256Signature() {
    MessageDigest d;
    try {
      d = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      d = sha256();
    }
    digest = d;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is in every JDK", e);
    }
  }

  @Override
  protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
    ready = false;
    key = null;
    digest.reset();
    key = P256Keys.tables(publicKey);
    if (key == null) {
      if (fallback == null) {
        try {
          fallback = Signature.getInstance("SHA256withECDSA", FALLBACK);
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("BouncyCastle's SHA256withECDSA is missing", e);
        }
      }
      fallback.initVerify(publicKey);
    }
    ready = true;
  }

  @Override
  protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
    throw new InvalidKeyException("PalisadeDnssec SHA256withECDSA only verifies");
  }

  @Override
  protected void engineUpdate(byte b) throws SignatureException {
    checkReady();
    if (key != null) {
      digest.update(b);
    } else {
      fallback().update(b);
    }
  }

  @Override
  protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
    checkReady();
    if (key != null) {
      digest.update(b, off, len);
    } else {
      fallback().update(b, off, len);
    }
  }

  @Override
  protected byte[] engineSign() throws SignatureException {
    throw new SignatureException("PalisadeDnssec SHA256withECDSA only verifies");
  }

  @Override
  protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
    checkReady();
    if (key == null) {
      return fallback().verify(sigBytes);
    }
    byte[] hash = digest.digest(); // also resets, for the next message with the same key
    BigInteger[] rs = decode(sigBytes);
    return P256.verify(key, hash, rs[0], rs[1]);
  }

  private void checkReady() throws SignatureException {
    if (!ready) {
      throw new SignatureException("not initialized for verification");
    }
  }

  private Signature fallback() throws SignatureException {
    if (fallback == null) {
      throw new SignatureException("not initialized for verification");
    }
    return fallback;
  }

  /** Strict DER SEQUENCE { INTEGER r, INTEGER s } → {r, s}, both non-negative. */
  static BigInteger[] decode(byte[] der) throws SignatureException {
    if (der == null || der.length < 8 || der[0] != 0x30 || (der[1] & 0x80) != 0
        || der[1] != der.length - 2) {
      throw new SignatureException("malformed ECDSA signature: not a DER SEQUENCE of the right length");
    }
    int[] pos = {2};
    BigInteger r = integer(der, pos);
    BigInteger s = integer(der, pos);
    if (pos[0] != der.length) {
      throw new SignatureException("malformed ECDSA signature: bytes after the second INTEGER");
    }
    return new BigInteger[] {r, s};
  }

  private static BigInteger integer(byte[] der, int[] pos) throws SignatureException {
    int p = pos[0];
    // short-form lengths only (the sequence's is below 128, so every inner one is too)
    if (p + 2 > der.length || der[p] != 0x02) {
      throw new SignatureException("malformed ECDSA signature: INTEGER expected");
    }
    int len = der[p + 1] & 0xff;
    int start = p + 2;
    if (len == 0 || len > 0x7f || start + len > der.length) {
      throw new SignatureException("malformed ECDSA signature: bad INTEGER length");
    }
    if ((der[start] & 0x80) != 0) {
      throw new SignatureException("malformed ECDSA signature: negative INTEGER");
    }
    if (len > 1 && der[start] == 0 && (der[start + 1] & 0x80) == 0) {
      throw new SignatureException("malformed ECDSA signature: INTEGER not minimally encoded");
    }
    pos[0] = start + len;
    return new BigInteger(1, Arrays.copyOfRange(der, start, start + len));
  }

  @Override
  @Deprecated
  protected void engineSetParameter(String param, Object value) {
    throw new InvalidParameterException("no parameters");
  }

  @Override
  @Deprecated
  protected Object engineGetParameter(String param) {
    throw new InvalidParameterException("no parameters");
  }
}

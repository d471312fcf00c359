package dev.palisade.upstream;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Stubby's {@code tls_pubkey_pinset}: SHA-256 digests of certificates' SubjectPublicKeyInfo (the
 * {@code pin-sha256} of RFC 7469), each given base64-encoded.
 *
 * <p>What a pin matches follows getdns (src/openssl/tls.c, {@code _getdns_tls_connection_set_host_pinset}):
 * every pin is added as two DANE TLSA records, usage 3 (DANE-EE: the server's own certificate) and
 * usage 2 (DANE-TA: any certificate the server sends in its chain), both with selector SPKI and
 * SHA-256. So a pin may name the leaf key or the key of an intermediate or root in the chain.
 */
public final class PinSet {

  /** No pins: certificates are checked against the trust store only. */
  public static final PinSet NONE = new PinSet(List.of());

  private final List<byte[]> digests;

  private PinSet(List<byte[]> digests) {
    this.digests = digests;
  }

  /**
   * Pins from their base64 values (standard alphabet, padded, as Stubby takes them).
   *
   * @throws IllegalArgumentException if a value is not base64 of 32 bytes
   */
  public static PinSet ofBase64(List<String> values) {
    List<byte[]> digests = new ArrayList<>(values.size());
    for (String v : values) {
      byte[] d;
      try {
        d = Base64.getDecoder().decode(Objects.requireNonNull(v, "pin").trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pin is not base64: " + v, e);
      }
      if (d.length != 32) {
        throw new IllegalArgumentException("a sha256 pin has 32 bytes, this one " + d.length + ": " + v);
      }
      digests.add(d);
    }
    return new PinSet(List.copyOf(digests));
  }

  public static PinSet ofBase64(String... values) {
    return ofBase64(List.of(values));
  }

  /** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo: its pin. */
  public static String pinOf(X509Certificate certificate) {
    return Base64.getEncoder().encodeToString(spkiSha256(certificate));
  }

  static byte[] spkiSha256(X509Certificate certificate) {
    try {
      // getEncoded() of the public key is the DER SubjectPublicKeyInfo (RFC 5280 section 4.1).
      return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  public boolean isEmpty() {
    return digests.isEmpty();
  }

  public int size() {
    return digests.size();
  }

  /** The pins, base64. */
  public List<String> values() {
    return digests.stream().map(d -> Base64.getEncoder().encodeToString(d)).toList();
  }

  boolean matches(X509Certificate certificate) {
    byte[] d = spkiSha256(certificate);
    for (byte[] pin : digests) {
      if (MessageDigest.isEqual(pin, d)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PinSet p && values().equals(p.values());
  }

  @Override
  public int hashCode() {
    return values().hashCode();
  }

  @Override
  public String toString() {
    return digests.stream().map(d -> HexFormat.of().formatHex(d, 0, 4) + "…").toList().toString();
  }
}

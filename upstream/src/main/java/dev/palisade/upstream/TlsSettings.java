package dev.palisade.upstream;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to set up and check TLS to one upstream; the same for DoT and DoH.
 *
 * @param authenticate strict profile (RFC 8310 section 5) when true: the certificate must chain to
 *     a trusted CA (or match a pin) and carry {@code authName}; a failure fails the connection and
 *     never falls back to an unchecked one. False: encrypted, unauthenticated (Stubby's
 *     {@code GETDNS_AUTHENTICATION_NONE}); pins, if any, are still enforced
 * @param authName the name the certificate must carry, also sent as SNI (RFC 8310 section 8.1);
 *     may be empty with authenticate only when pins are given (as in Stubby): then no name is checked
 *     and the pins alone authenticate the server
 * @param caFile PEM bundle replacing the system trust store; empty: the JDK's store
 * @param pins {@code tls_pubkey_pinset}; when not empty the pins are the trust anchors, see {@link PinSet}
 * @param minVersion {@code tls_min_version}
 * @param maxVersion {@code tls_max_version}
 * @param cipherSuites {@code tls_ciphersuites} (and {@code tls_cipher_list}) as IANA names such as
 *     {@code TLS_AES_256_GCM_SHA384}; empty: the engine's defaults
 * @param engine the TLS implementation
 */
public record TlsSettings(
    boolean authenticate,
    Optional<String> authName,
    Optional<Path> caFile,
    PinSet pins,
    TlsVersion minVersion,
    TlsVersion maxVersion,
    List<String> cipherSuites,
    TlsEngine engine) {

  public TlsSettings {
    Objects.requireNonNull(authName, "authName");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(pins, "pins");
    Objects.requireNonNull(minVersion, "minVersion");
    Objects.requireNonNull(maxVersion, "maxVersion");
    Objects.requireNonNull(engine, "engine");
    cipherSuites = List.copyOf(cipherSuites);
    authName = authName.filter(n -> !n.isBlank());
    if (minVersion.compareTo(maxVersion) > 0) {
      throw new IllegalArgumentException("tls_min_version " + minVersion + " is above tls_max_version " + maxVersion);
    }
    if (!engine.available()) {
      throw new IllegalArgumentException("TLS engine " + engine + " is not available on this platform");
    }
  }

  /** Strict authentication against {@code authName} with the system trust store, TLS 1.2 to 1.3, default engine. */
  public static TlsSettings strict(String authName) {
    return new TlsSettings(
        true, Optional.of(authName), Optional.empty(), PinSet.NONE, TlsVersion.TLS1_2, TlsVersion.TLS1_3, List.of(),
        TlsEngine.defaultEngine());
  }

  /**
   * IANA names for Stubby's {@code tls_ciphersuites} (TLS 1.3, e.g.
   * {@code TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256}, already IANA names) or
   * {@code tls_cipher_list} (TLS 1.2, OpenSSL names such as {@code ECDHE-RSA-AES256-GCM-SHA384}).
   *
   * @throws IllegalArgumentException naming a suite that has no IANA equivalent
   */
  public static List<String> cipherSuitesFromOpenSsl(String list) {
    List<String> out = new java.util.ArrayList<>();
    for (String name : list.split("[:,\\s]+")) {
      if (name.isEmpty()) {
        continue;
      }
      String java = name.startsWith("TLS_") ? name : io.netty.handler.ssl.CipherSuiteConverter.toJava(name, "TLS");
      if (java == null || !known().contains(java)) {
        throw new IllegalArgumentException("unknown cipher suite: " + name);
      }
      out.add(java);
    }
    return List.copyOf(out);
  }

  /** Suites either engine knows, by IANA name. */
  private static java.util.Set<String> known() {
    java.util.Set<String> all = new java.util.HashSet<>();
    try {
      all.addAll(List.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (java.security.NoSuchAlgorithmException e) {
      // no JDK TLS: only BoringSSL's list
    }
    if (TlsEngine.OPENSSL.available()) {
      all.addAll(io.netty.handler.ssl.OpenSsl.availableJavaCipherSuites());
    }
    return all;
  }

  public TlsSettings withCaFile(Path caFile) {
    return new TlsSettings(authenticate, authName, Optional.of(caFile), pins, minVersion, maxVersion, cipherSuites, engine);
  }

  public TlsSettings withPins(PinSet pins) {
    return new TlsSettings(authenticate, authName, caFile, pins, minVersion, maxVersion, cipherSuites, engine);
  }

  public TlsSettings withAuthName(Optional<String> authName) {
    return new TlsSettings(authenticate, authName, caFile, pins, minVersion, maxVersion, cipherSuites, engine);
  }

  public TlsSettings withVersions(TlsVersion min, TlsVersion max) {
    return new TlsSettings(authenticate, authName, caFile, pins, min, max, cipherSuites, engine);
  }

  public TlsSettings withCipherSuites(List<String> suites) {
    return new TlsSettings(authenticate, authName, caFile, pins, minVersion, maxVersion, suites, engine);
  }

  public TlsSettings withEngine(TlsEngine engine) {
    return new TlsSettings(authenticate, authName, caFile, pins, minVersion, maxVersion, cipherSuites, engine);
  }

  public TlsSettings withAuthenticate(boolean authenticate) {
    return new TlsSettings(authenticate, authName, caFile, pins, minVersion, maxVersion, cipherSuites, engine);
  }

  /**
   * Checked by the transports' settings once they have filled in defaults (DoH takes the URL's host).
   * getdns: "No auth name or pinset provided for this upstream for Strict TLS authentication".
   */
  void requireIdentity(Object upstream) {
    if (authenticate && authName.isEmpty() && pins.isEmpty()) {
      throw new IllegalArgumentException("strict authentication needs an auth name or a pinset for " + upstream);
    }
  }

  /** Whether the certificate's name is checked against {@link #authName}. */
  boolean checksName() {
    return authenticate && authName.isPresent();
  }
}

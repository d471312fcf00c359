package dev.palisade.upstream;

/**
 * Which TLS implementation carries upstream connections. Both check certificates the same way
 * (the same trust managers); they differ in speed (measured in upstream/README.md).
 */
public enum TlsEngine {
  /** The JDK's own TLS (SunJSSE). Always available. */
  JDK,
  /** BoringSSL through netty-tcnative; needs its native library for this platform. */
  OPENSSL;

  /** The engine used when none is configured: the faster one on loopback (see upstream/README.md). */
  public static TlsEngine defaultEngine() {
    return OPENSSL.available() ? OPENSSL : JDK;
  }

  /** Whether this engine can be used here. */
  public boolean available() {
    return this == JDK || io.netty.handler.ssl.OpenSsl.isAvailable();
  }
}

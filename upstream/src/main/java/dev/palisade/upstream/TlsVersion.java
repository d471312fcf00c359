package dev.palisade.upstream;

/** TLS versions we speak to upstreams; Stubby's {@code GETDNS_TLS1_2} and {@code GETDNS_TLS1_3}. */
public enum TlsVersion {
  TLS1_2("TLSv1.2"),
  TLS1_3("TLSv1.3");

  private final String protocol;

  TlsVersion(String protocol) {
    this.protocol = protocol;
  }

  /** The JSSE protocol name, e.g. {@code TLSv1.3}. */
  public String protocol() {
    return protocol;
  }
}

package dev.palisade.config;

/**
 * {@code tls_authentication}: Stubby's {@code GETDNS_AUTHENTICATION_REQUIRED} (strict profile,
 * RFC 8310 section 5: a failed check fails the connection) or {@code GETDNS_AUTHENTICATION_NONE}
 * (encrypt without checking who answers; warned about at start).
 */
public enum TlsAuthentication {
  REQUIRED,
  NONE
}

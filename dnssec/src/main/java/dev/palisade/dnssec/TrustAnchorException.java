package dev.palisade.dnssec;

/** A trust anchor file that cannot be used. The message names the file and what is wrong with it. */
public final class TrustAnchorException extends Exception {
  private static final long serialVersionUID = 1L;

  public TrustAnchorException(String message) {
    super(message);
  }

  public TrustAnchorException(String message, Throwable cause) {
    super(message, cause);
  }
}

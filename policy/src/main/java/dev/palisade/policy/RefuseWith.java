package dev.palisade.policy;

import org.xbill.DNS.Rcode;

/** The response code of a refusal (config {@code policy.refuse_with}). */
public enum RefuseWith {
  REFUSED(Rcode.REFUSED),
  NXDOMAIN(Rcode.NXDOMAIN);

  private final int rcode;

  RefuseWith(int rcode) {
    this.rcode = rcode;
  }

  /** The dnsjava {@link Rcode} value. */
  public int rcode() {
    return rcode;
  }
}

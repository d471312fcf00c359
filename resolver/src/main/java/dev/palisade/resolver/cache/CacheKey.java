package dev.palisade.resolver.cache;

import dev.palisade.resolver.chain.Query;
import java.util.Arrays;
import org.xbill.DNS.Flags;

/**
 * What makes two queries share an answer: the name, ignoring ASCII case (RFC 4343), type and
 * class, and the DO and CD bits, which change what the answer holds (DNSSEC records; unvalidated
 * data). The name is kept in canonical wire form, made from the query's bytes without a dnsjava
 * {@code Name}.
 */
final class CacheKey {

  private final byte[] name;
  private final int type;
  private final int dclass;
  private final boolean dnssecOk;
  private final boolean checkingDisabled;
  private final int hash;

  private CacheKey(byte[] name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {
    this.name = name;
    this.type = type;
    this.dclass = dclass;
    this.dnssecOk = dnssecOk;
    this.checkingDisabled = checkingDisabled;
    int h = Arrays.hashCode(name);
    h = 31 * h + type;
    h = 31 * h + dclass;
    this.hash = (h << 2) | (dnssecOk ? 2 : 0) | (checkingDisabled ? 1 : 0);
  }

  static CacheKey of(Query query) {
    byte[] wire = query.nameBytes();
    int at = query.nameOffset();
    byte[] lower = new byte[query.nameLength()];
    for (int i = 0; i < lower.length; i++) {
      byte b = wire[at + i];
      // Label lengths (0-63) are never letters; only ASCII letters fold (RFC 4343 section 3).
      lower[i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
    return new CacheKey(lower, query.type(), query.dclass(), query.dnssecOk(), query.flag(Flags.CD));
  }

  boolean dnssecOk() {
    return dnssecOk;
  }

  /** Rough heap bytes of a key: this object, the name's bytes and their array. */
  int weight() {
    return 64 + name.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && hash == k.hash && type == k.type && dclass == k.dclass && dnssecOk == k.dnssecOk
        && checkingDisabled == k.checkingDisabled && Arrays.equals(name, k.name);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "CacheKey[" + new String(name, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[\\x00-\\x1f]", ".") + " " + type
        + (dnssecOk ? " DO" : "") + (checkingDisabled ? " CD" : "") + "]";
  }
}

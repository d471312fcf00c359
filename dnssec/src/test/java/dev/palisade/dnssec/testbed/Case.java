package dev.palisade.dnssec.testbed;

import dev.palisade.dnssec.SecurityStatus;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One question the signed hierarchy is built to answer, and the verdict a validating resolver
 * must reach for it.
 *
 * @param name the query name, absolute
 * @param type the query type, e.g. {@link Type#A}
 * @param expected the security status a validator must report
 * @param rcode the RCODE of the validated answer (SERVFAIL for BOGUS)
 * @param what what the case shows, for test names and failure messages
 */
public record Case(String name, int type, SecurityStatus expected, int rcode, String what) {
  public String typeName() {
    return Type.string(type);
  }

  /** A recursive query (RD) for this question. */
  public Message query() {
    try {
      return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    } catch (TextParseException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  @Override
  public String toString() {
    return what + ": " + name + " " + typeName() + " → " + expected + " " + Rcode.string(rcode);
  }
}

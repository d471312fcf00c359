package dev.palisade.resolver.cache;

import java.net.InetAddress;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Messages for cache tests. */
final class Answers {
  private Answers() {}

  static Name name(String s) {
    try {
      return Name.fromString(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Message query(String name, int type, boolean dnssecOk) {
    Message q = Message.newQuery(Record.newRecord(name(name), type, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
    return q;
  }

  static Message reply(String name, int rcode) {
    Message m = new Message(4321);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    m.addRecord(Record.newRecord(name(name), Type.A, DClass.IN), Section.QUESTION);
    return m;
  }

  static Message a(String name, long ttl, String... addresses) throws Exception {
    Message m = reply(name, Rcode.NOERROR);
    for (String ip : addresses) {
      m.addRecord(new ARecord(name(name), DClass.IN, ttl, InetAddress.getByName(ip)), Section.ANSWER);
    }
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    return m;
  }

  static SOARecord soa(long ttl, long minimum) {
    return new SOARecord(name("example.test."), DClass.IN, ttl, name("ns.example.test."), name("admin.example.test."), 1, 3600, 600, 86400, minimum);
  }

  static Message negative(String name, int rcode, long soaTtl, long soaMinimum) {
    Message m = reply(name, rcode);
    m.addRecord(soa(soaTtl, soaMinimum), Section.AUTHORITY);
    return m;
  }
}

package dev.palisade.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class SubqueryCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void keepsAReplyForItsSmallestTtl() throws Exception {
    SubqueryCache cache = new SubqueryCache(clock, 10, Duration.ofMinutes(15));
    Record q = question("example.", Type.DNSKEY);
    cache.put(q, reply(q, 120, 60));

    clock.advance(Duration.ofSeconds(59));
    Message hit = cache.get(q);
    assertNotNull(hit);
    assertNotSame(hit, cache.get(q), "each hit is a copy: dnsjava changes what it gets");
    clock.advance(Duration.ofSeconds(1));
    assertNull(cache.get(q));
  }

  @Test
  void neverKeepsLongerThanTheMaximum() throws Exception {
    SubqueryCache cache = new SubqueryCache(clock, 10, Duration.ofSeconds(30));
    Record q = question("example.", Type.DS);
    cache.put(q, reply(q, 86400, 86400));

    clock.advance(Duration.ofSeconds(30));
    assertNull(cache.get(q));
  }

  @Test
  void keepsNeitherFailuresNorTruncatedReplies() throws Exception {
    SubqueryCache cache = new SubqueryCache(clock, 10, Duration.ofMinutes(15));
    Record q = question("example.", Type.DS);
    Message servfail = reply(q, 300, 300);
    servfail.getHeader().setRcode(Rcode.SERVFAIL);
    cache.put(q, servfail);
    assertNull(cache.get(q));
    Message truncated = reply(q, 300, 300);
    truncated.getHeader().setFlag(Flags.TC);
    cache.put(q, truncated);
    assertNull(cache.get(q));
  }

  @Test
  void evictsTheLeastRecentlyUsedWhenFull() throws Exception {
    SubqueryCache cache = new SubqueryCache(clock, 2, Duration.ofMinutes(15));
    Record a = question("a.example.", Type.DS);
    Record b = question("b.example.", Type.DS);
    Record c = question("c.example.", Type.DS);
    cache.put(a, reply(a, 300, 300));
    cache.put(b, reply(b, 300, 300));
    cache.get(a);
    cache.put(c, reply(c, 300, 300));

    assertNotNull(cache.get(a));
    assertNull(cache.get(b));
    assertEquals(2, cache.size());
  }

  private static Record question(String name, int type) throws Exception {
    return Record.newRecord(Name.fromString(name), type, DClass.IN);
  }

  private static Message reply(Record q, long ttl1, long ttl2) throws Exception {
    Message m = new Message();
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(q, Section.QUESTION);
    m.addRecord(Record.fromString(q.getName(), Type.TXT, DClass.IN, ttl1, "\"one\"", Name.root), Section.ANSWER);
    m.addRecord(Record.fromString(q.getName(), Type.TXT, DClass.IN, ttl2, "\"two\"", Name.root), Section.AUTHORITY);
    return m;
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}

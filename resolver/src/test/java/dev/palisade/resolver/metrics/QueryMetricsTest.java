package dev.palisade.resolver.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class QueryMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final QueryMetrics metrics = new QueryMetrics(registry);

  static Query query(int type, Protocol protocol) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString("n" + type + ".example."), type, DClass.IN));
    return new Query(m, new Client(new InetSocketAddress("127.0.0.1", 5300), protocol), 0, 1);
  }

  static Answer answer(Query q, int rcode, Source source, Optional<SecurityStatus> security) {
    return new Answer(Responses.error(q.message(), rcode), source, Optional.empty(), security);
  }

  Set<String> values(String tag) {
    return registry.find("palisade.queries").counters().stream().map(c -> c.getId().getTag(tag)).collect(Collectors.toSet());
  }

  @Test
  void labelsStayBoundedWhateverTheQueriesAre() throws Exception {
    for (int type = 1; type < 3000; type += 7) {
      Query q = query(type, type % 2 == 0 ? Protocol.TCP : Protocol.UDP);
      metrics.answered(q, answer(q, type % 30, Source.UPSTREAM, Optional.empty()), 1000);
    }
    assertTrue(values("type").size() <= QueryMetrics.TYPES.length + 1, values("type").toString());
    assertTrue(values("type").contains("other"));
    assertTrue(values("rcode").size() <= 25, values("rcode").toString());
    assertTrue(values("rcode").contains("other"), "rcodes beyond 23 share one value: " + values("rcode"));
    assertEquals(Set.of("udp", "tcp"), values("protocol"));
    double total = registry.find("palisade.queries").counters().stream().mapToDouble(Counter::count).sum();
    assertEquals((3000 - 1 + 6) / 7, (int) total);
  }

  @Test
  void countsSourcesDurationsAndOnlyValidatedUpstreamVerdicts() throws Exception {
    Query q = query(Type.A, Protocol.UDP);
    metrics.answered(q, answer(q, Rcode.NOERROR, Source.UPSTREAM, Optional.of(SecurityStatus.SECURE)), 2_000_000);
    metrics.answered(q, answer(q, Rcode.SERVFAIL, Source.UPSTREAM, Optional.of(SecurityStatus.BOGUS)), 2_000_000);
    metrics.answered(q, answer(q, Rcode.NOERROR, Source.CACHE, Optional.of(SecurityStatus.SECURE)), 50_000);
    metrics.answered(q, null, 4_000_000_000L);
    assertEquals(2, registry.get("palisade.answers").tag("source", "upstream").counter().count());
    assertEquals(1, registry.get("palisade.answers").tag("source", "cache").counter().count());
    assertEquals(1, registry.get("palisade.answers").tag("source", "failure").counter().count());
    assertEquals(1, registry.get("palisade.dnssec.verdicts").tag("verdict", "secure").counter().count(), "a cache hit is not a new verdict");
    assertEquals(1, registry.get("palisade.dnssec.verdicts").tag("verdict", "bogus").counter().count());
    assertEquals(2, registry.get("palisade.queries").tag("rcode", "SERVFAIL").counter().count(), "a failure is answered SERVFAIL");
    assertEquals(2, registry.get("palisade.query.duration").tag("source", "upstream").timer().count());
  }
}

package dev.palisade.resolver.log;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.stage.QueryObserver;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * {@code query_log: true}: one INFO line per answered query (client, protocol, name, type, rcode,
 * source, microseconds). Off by default: names are private. Not rate-limited: whoever turns it on
 * asked for every line.
 */
public final class QueryLog implements QueryObserver {

  private static final Logger log = LoggerFactory.getLogger("dev.palisade.queries");

  @Override
  public void answered(Query query, Answer answer, long nanos) {
    if (!log.isInfoEnabled()) {
      return;
    }
    log.info("query client={} proto={} name={} type={} rcode={} source={} us={}",
        query.client().address().getAddress().getHostAddress(),
        query.client().protocol().name().toLowerCase(Locale.ROOT),
        query.name() == null ? "-" : query.name(),
        query.type() < 0 ? "-" : Type.string(query.type()),
        answer == null ? "SERVFAIL" : Rcode.string(answer.rcode()),
        answer == null ? "failure" : answer.source().name().toLowerCase(Locale.ROOT),
        nanos / 1000);
  }
}

package dev.palisade.resolver.log;

import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.stage.RefusalListener;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Type;

/**
 * One INFO line per refused query: client, name, type, layer and reason. The name is there on
 * purpose: it is what an operator needs to tune the policy. At most {@link #PER_SECOND} lines a
 * second; the rest are counted.
 */
public final class RefusalLog implements RefusalListener {

  static final int PER_SECOND = 50;
  private static final Logger log = LoggerFactory.getLogger("dev.palisade.refusals");

  private final LogLimiter limiter;

  public RefusalLog(LongSupplier nanoTime) {
    this.limiter = new LogLimiter(log, "refusal", PER_SECOND, nanoTime);
  }

  @Override
  public void refused(Query query, String layer, String reason, boolean enforced) {
    if (!log.isInfoEnabled() || !limiter.tryAcquire()) {
      return;
    }
    log.info("{} client={} name={} type={} layer={} reason=\"{}\"",
        enforced ? "refused" : "would refuse (monitor)",
        query.client().address().getAddress().getHostAddress(),
        query.name() == null ? "-" : query.name(),
        query.type() < 0 ? "-" : Type.string(query.type()),
        layer,
        reason);
  }

  public void flush() {
    limiter.flush();
  }
}

package dev.palisade.resolver.stage;

import dev.palisade.upstream.Reply;
import dev.palisade.upstream.UpstreamPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

/**
 * The upstream pool as a dnsjava {@link Resolver}, for the validator: its queries (the client's and
 * the DS/DNSKEY lookups it needs) go over the same encrypted upstreams, with the same failover, as
 * everything else. The validator builds its queries itself (fresh, with DO and CD); the transport
 * gives each a random ID.
 */
public final class PoolResolver implements Resolver {

  private final Supplier<UpstreamPool> pool;
  private final LongSupplier nanoTime;
  private volatile Duration timeout;

  public PoolResolver(UpstreamPool pool, LongSupplier nanoTime, Duration timeout) {
    this(() -> pool, nanoTime, timeout);
  }

  /** Over whichever pool is in force when each query is sent (a reload may replace it). */
  public PoolResolver(Supplier<UpstreamPool> pool, LongSupplier nanoTime, Duration timeout) {
    this.pool = pool;
    this.nanoTime = nanoTime;
    this.timeout = timeout;
  }

  /** Completes on {@code executor}, so that validation work after the reply runs there, not on an event loop. */
  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    return pool.get().exchange(query, nanoTime.getAsLong() + timeout.toNanos())
        .thenApplyAsync(Reply::message, executor);
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    throw new UnsupportedOperationException("pass an executor: the common pool must not run validation");
  }

  @Override
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public Duration getTimeout() {
    return timeout;
  }

  // Transport settings belong to the pool's upstreams, not to callers.
  @Override
  public void setPort(int port) {}

  @Override
  public void setTCP(boolean flag) {}

  @Override
  public void setIgnoreTruncation(boolean flag) {}

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

  @Override
  public void setTSIGKey(TSIG key) {}
}

package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/** What UDP and TCP share: bytes in, pipeline, bytes out, sized for the transport. */
final class QueryHandler {

  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

  /** The pipeline with the query timeout it was built for; swapped whole on reload. */
  record Setup(Pipeline pipeline, long timeoutNanos) {}

  private final LongSupplier nanoTime;
  private volatile Setup setup;
  /** Queries taken in and not yet written out (or dropped): what a graceful stop waits for. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  QueryHandler(Pipeline pipeline, LongSupplier nanoTime, long timeoutNanos) {
    this.nanoTime = nanoTime;
    this.setup = new Setup(pipeline, timeoutNanos);
  }

  /**
   * Queries that arrive from now on go through {@code pipeline}; those under way finish in the one
   * they started in.
   */
  void swap(Pipeline pipeline, long timeoutNanos) {
    this.setup = new Setup(pipeline, timeoutNanos);
  }

  /** From now on, queries are dropped unread: Palisade is shutting down. */
  void stop() {
    stopping = true;
  }

  int inFlight() {
    return inFlight.get();
  }

  /** The transport has written (or dropped) the reply of a query {@link #handle} took in. */
  void done() {
    inFlight.decrementAndGet();
  }

  /**
   * Completes with the reply bytes, or with null when the packet is to be dropped. Never completes
   * exceptionally: whatever goes wrong becomes SERVFAIL. The caller calls {@link #done} once it has
   * written the reply (or dropped it).
   */
  CompletableFuture<byte[]> handle(byte[] packet, InetSocketAddress from, Protocol protocol) {
    inFlight.incrementAndGet();
    if (stopping) {
      return CompletableFuture.completedFuture(null);
    }
    WireCodec.Decoded d = WireCodec.decode(packet);
    if (d.drop()) {
      return CompletableFuture.completedFuture(null);
    }
    if (d.immediateReply != null) {
      return CompletableFuture.completedFuture(d.immediateReply);
    }
    Message message = d.query;
    int limit = protocol == Protocol.UDP ? WireCodec.udpLimit(message) : WireCodec.TCP_LIMIT;
    long now = nanoTime.getAsLong();
    Setup s = setup;
    Query query = new Query(message, new Client(from, protocol), now, now + s.timeoutNanos());
    CompletableFuture<byte[]> out;
    try {
      out = s.pipeline().handle(query).thenApply(a -> WireCodec.encode(a.message(), limit));
    } catch (RuntimeException e) {
      out = CompletableFuture.failedFuture(e);
    }
    return out.exceptionally(
        e -> {
          log.warn("answering {} failed: {}", from, e.toString());
          return WireCodec.encode(Responses.servfail(message), limit);
        });
  }
}

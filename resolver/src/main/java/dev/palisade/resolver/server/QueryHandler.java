package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/** What UDP and TCP share: bytes in, pipeline, bytes out, sized for the transport. */
final class QueryHandler {

  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

  private final Pipeline pipeline;
  private final LongSupplier nanoTime;
  private final long timeoutNanos;

  QueryHandler(Pipeline pipeline, LongSupplier nanoTime, long timeoutNanos) {
    this.pipeline = pipeline;
    this.nanoTime = nanoTime;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Completes with the reply bytes, or with null when the packet is to be dropped. Never completes
   * exceptionally: whatever goes wrong becomes SERVFAIL.
   */
  CompletableFuture<byte[]> handle(byte[] packet, InetSocketAddress from, Protocol protocol) {
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
    Query query = new Query(message, new Client(from, protocol), now, now + timeoutNanos);
    CompletableFuture<byte[]> out;
    try {
      out = pipeline.handle(query).thenApply(a -> WireCodec.encode(a.message(), limit));
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

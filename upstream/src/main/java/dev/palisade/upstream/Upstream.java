package dev.palisade.upstream;

import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;

/**
 * A recursive server we forward to. Implementations own their connections and assign message IDs
 * themselves (only they know which IDs are in flight).
 */
public interface Upstream extends AutoCloseable {

  UpstreamId id();

  /**
   * Sends {@code query}, already re-originated ({@link Reorigination#query}), and completes with the
   * reply that matches it by ID and question (DoH: by stream and question; its replies carry ID 0),
   * or exceptionally with an {@link UpstreamException}. The query is not mutated; callers set the
   * client's ID on the reply.
   *
   * @param deadlineNanos in the time base of the upstream's injected ticker; past it the future
   *     fails with {@link UpstreamException.Reason#TIMEOUT}
   */
  CompletableFuture<Message> exchange(Message query, long deadlineNanos);

  /** Fails everything in flight and closes connections. Idempotent. */
  @Override
  void close();
}

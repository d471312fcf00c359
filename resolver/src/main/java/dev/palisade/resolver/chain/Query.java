package dev.palisade.resolver.chain;

import java.util.Objects;
import org.xbill.DNS.Message;

/**
 * A client query on its way through the pipeline. The message is the client's, as parsed: stages
 * must not mutate it (copy first).
 *
 * @param receivedNanos and {@code deadlineNanos} use the server's injected ticker
 */
public record Query(Message message, Client client, long receivedNanos, long deadlineNanos) {
  public Query {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(client, "client");
  }
}

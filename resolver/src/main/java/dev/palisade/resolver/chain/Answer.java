package dev.palisade.resolver.chain;

import dev.palisade.upstream.UpstreamId;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Message;

/**
 * What the pipeline produced for a query. Inner stages may return a message with any ID and the
 * canonical question; the shaping stage turns it into the client's reply.
 */
public record Answer(Message message, Source source, Optional<UpstreamId> upstream) {
  public Answer {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(upstream, "upstream");
  }

  public static Answer local(Message message, Source source) {
    return new Answer(message, source, Optional.empty());
  }
}

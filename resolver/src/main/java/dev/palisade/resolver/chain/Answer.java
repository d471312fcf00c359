package dev.palisade.resolver.chain;

import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.upstream.UpstreamId;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Message;

/**
 * What the pipeline produced for a query. Inner stages may return a message with any ID and the
 * canonical question; the shaping stage turns it into the client's reply.
 *
 * @param security the validator's verdict; empty when the answer was not validated (validation off,
 *     the client set CD, or made up locally)
 */
public record Answer(Message message, Source source, Optional<UpstreamId> upstream, Optional<SecurityStatus> security) {
  public Answer {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(security, "security");
  }

  public Answer(Message message, Source source, Optional<UpstreamId> upstream) {
    this(message, source, upstream, Optional.empty());
  }

  /** A copy with another message, the rest unchanged. */
  public Answer withMessage(Message m) {
    return new Answer(m, source, upstream, security);
  }

  public static Answer local(Message message, Source source) {
    return new Answer(message, source, Optional.empty());
  }
}

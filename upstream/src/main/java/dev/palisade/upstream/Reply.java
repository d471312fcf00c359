package dev.palisade.upstream;

import java.util.Objects;
import org.xbill.DNS.Message;

/** A reply that matched its query, with the upstream that gave it. */
public record Reply(Message message, UpstreamId upstream) {
  public Reply {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(upstream, "upstream");
  }
}

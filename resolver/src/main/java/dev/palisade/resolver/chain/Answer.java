package dev.palisade.resolver.chain;

import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.upstream.UpstreamId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Message;

/**
 * What the pipeline produced for a query. Inner stages may return a message with any ID and the
 * canonical question; the shaping stage turns it into the client's reply.
 *
 * <p>An answer made from wire bytes (a cache hit, and the reply shaped from it) keeps them and
 * parses them only if a stage asks for {@link #message()}: a cache hit then goes from the cache to
 * the client as bytes, without being parsed into records and encoded again.
 */
public final class Answer {

  private volatile Message message;
  private final byte[] wire;
  private final int rcode;
  private final Source source;
  private final Optional<UpstreamId> upstream;
  private final Optional<SecurityStatus> security;

  /**
   * @param security the validator's verdict; empty when the answer was not validated (validation
   *     off, the client set CD, or made up locally)
   */
  public Answer(Message message, Source source, Optional<UpstreamId> upstream, Optional<SecurityStatus> security) {
    this(Objects.requireNonNull(message, "message"), null, message.getRcode(), source, upstream, security);
  }

  public Answer(Message message, Source source, Optional<UpstreamId> upstream) {
    this(message, source, upstream, Optional.empty());
  }

  private Answer(Message message, byte[] wire, int rcode, Source source, Optional<UpstreamId> upstream, Optional<SecurityStatus> security) {
    this.message = message;
    this.wire = wire;
    this.rcode = rcode;
    this.source = Objects.requireNonNull(source, "source");
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.security = Objects.requireNonNull(security, "security");
  }

  /**
   * An answer held as wire bytes, parsed on first use of {@link #message()}.
   *
   * @param rcode the full response code (extended part included), as {@link Message#getRcode()}
   *     would read it from {@code wire}
   */
  public static Answer ofWire(byte[] wire, int rcode, Source source, Optional<UpstreamId> upstream) {
    return new Answer(null, Objects.requireNonNull(wire, "wire"), rcode, source, upstream, Optional.empty());
  }

  public static Answer local(Message message, Source source) {
    return new Answer(message, source, Optional.empty());
  }

  /** The answer as a message; parsed from the wire bytes the first time, for answers made of them. */
  public Message message() {
    Message m = message;
    if (m == null) {
      // Wire answers are made by Palisade from messages it encoded.
      m = parseChecked(wire);
      message = m;
    }
    return m;
  }

  /**
   * Parses bytes Palisade made or already checked (a wire answer, a query {@link Query#read}
   * took): unreadable means a bug of ours, not bad input.
   */
  static Message parseChecked(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The wire form of {@link #message()}, or null for answers made as messages. Callers must not
   * change the array.
   */
  public byte[] wire() {
    return wire;
  }

  /** The response code, extended part included, without parsing a wire answer. */
  public int rcode() {
    return rcode;
  }

  public Source source() {
    return source;
  }

  public Optional<UpstreamId> upstream() {
    return upstream;
  }

  public Optional<SecurityStatus> security() {
    return security;
  }

  /** A copy with another message, the rest unchanged. */
  public Answer withMessage(Message m) {
    return new Answer(m, source, upstream, security);
  }

  /** A copy holding {@code reply} as wire bytes, the same answer reshaped: response code and the rest unchanged. */
  public Answer withWire(byte[] reply) {
    return new Answer(null, Objects.requireNonNull(reply, "reply"), rcode, source, upstream, security);
  }

  @Override
  public String toString() {
    return "Answer[" + source + (wire != null ? ", " + wire.length + " wire bytes" : "") + ", rcode " + rcode + "]";
  }
}

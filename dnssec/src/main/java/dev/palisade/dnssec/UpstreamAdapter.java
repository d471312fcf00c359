package dev.palisade.dnssec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * The {@link Resolver} dnsjava's ValidatingResolver sends through: every query it makes — the
 * client's question and its own DS/DNSKEY lookups — passes here on its way to the caller's
 * upstream resolver.
 *
 * <ul>
 *   <li>Each query is built afresh with DO (RFC 3225: we need the RRSIGs) and CD (RFC 4035 §3.2.2:
 *       a validating upstream must hand over bogus data too, so that we judge it ourselves and
 *       can tell bogus from unreachable), RD, and an OPT with a 1232-byte payload (the DNS Flag
 *       Day 2020 size) and no other options.
 *   <li>The upstream's futures are continued on the crypto executor, so that dnsjava's
 *       validation never runs on the upstream's I/O thread, and the futures handed back make
 *       dnsjava's executor-less {@code *Async} calls use that executor too ({@link ExecutorFuture}).
 *   <li>The client's question is recognised by a private EDNS option the validator puts on it
 *       (and which is never sent), so that its raw upstream reply (or failure) can be recorded:
 *       that is how an upstream SERVFAIL is told apart from a bogus answer.
 *   <li>DS and DNSKEY lookups are answered from {@link SubqueryCache} when it can.
 * </ul>
 */
final class UpstreamAdapter implements Resolver {
  /** RFC 6891 §9: 65001–65534 are for local/experimental use. Never leaves this process. */
  static final int MARKER_OPTION = 65001;
  /** RFC 6891 §6.2.5; 1232 per the DNS Flag Day 2020 recommendation. */
  static final int PAYLOAD_SIZE = 1232;

  private final Resolver upstream;
  private final Executor crypto;
  private final SubqueryCache cache;
  /** The client questions being validated, by the token in their marker (the validator's registry). */
  private final LongFunction<? extends Exchange> exchanges;
  private final AtomicLong sent = new AtomicLong();
  private volatile Duration timeout = Duration.ofSeconds(10);

  /** What the upstream said to one client question: its reply or its failure. */
  static class Exchange {
    private volatile Message reply;
    private volatile Throwable failure;

    Message reply() {
      return reply;
    }

    Throwable failure() {
      return failure;
    }
  }

  /**
   * @param exchanges the exchange registered under a marker's token, or null (no longer, or never,
   *     a client question)
   */
  UpstreamAdapter(Resolver upstream, Executor crypto, SubqueryCache cache, LongFunction<? extends Exchange> exchanges) {
    this.upstream = upstream;
    this.crypto = crypto;
    this.cache = cache;
    this.exchanges = exchanges;
  }

  static OPTRecord marker(long token) {
    byte[] data = ByteBuffer.allocate(Long.BYTES).putLong(token).array();
    return new OPTRecord(PAYLOAD_SIZE, 0, 0, 0, List.of(new GenericEDNSOption(MARKER_OPTION, data)));
  }

  /** Queries sent upstream so far (not counting those answered from the subquery cache). */
  long sentCount() {
    return sent.get();
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor ignored) {
    ExecutorFuture<Message> result = new ExecutorFuture<>(crypto);
    Record question = query.getQuestion();
    Exchange exchange = exchangeOf(query.getOPT());
    if (exchange == null && SubqueryCache.cacheable(question)) {
      Message cached = cache.get(question);
      if (cached != null) {
        crypto.execute(() -> result.complete(cached));
        return result;
      }
    }
    Message outgoing = outgoing(query, question);
    CompletionStage<Message> reply;
    try {
      sent.incrementAndGet();
      reply = upstream.sendAsync(outgoing, crypto);
    } catch (RuntimeException e) {
      fail(exchange, result, e);
      return result;
    }
    reply.whenCompleteAsync((message, failure) -> {
      if (failure != null) {
        fail(exchange, result, failure);
        return;
      }
      String wrong = mismatch(outgoing, message);
      if (wrong != null) {
        fail(exchange, result, new IOException(wrong));
        return;
      }
      if (exchange != null) {
        exchange.reply = message;
      } else if (SubqueryCache.cacheable(question)) {
        cache.put(question, message);
      }
      result.complete(message);
    }, crypto);
    return result;
  }

  /** A new query for the question alone: our header bits, our OPT, none of the caller's extras. */
  private static Message outgoing(Message query, Record question) {
    Message out = Message.newQuery(question);
    out.getHeader().setFlag(Flags.CD);
    if (!query.getHeader().getFlag(Flags.RD)) {
      out.getHeader().unsetFlag(Flags.RD);
    }
    out.addRecord(new OPTRecord(PAYLOAD_SIZE, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    return out;
  }

  /** Why {@code reply} does not answer {@code query}, or null if it does. */
  static String mismatch(Message query, Message reply) {
    if (reply == null) {
      return "no reply";
    }
    Record q = query.getQuestion();
    Record r = reply.getQuestion();
    if (r == null || !r.getName().equals(q.getName()) || r.getType() != q.getType() || r.getDClass() != q.getDClass()) {
      return "the upstream reply is for " + (r == null ? "no question" : r.getName() + "/" + r.getType())
          + ", not " + q.getName() + "/" + q.getType();
    }
    if (reply.getHeader().getFlag(Flags.TC)) {
      // a truncated reply lacks records the proofs need; the upstream resolver retries over TCP
      return "the upstream reply is truncated (TC)";
    }
    return null;
  }

  private Exchange exchangeOf(OPTRecord opt) {
    if (opt == null) {
      return null;
    }
    for (EDNSOption option : opt.getOptions(MARKER_OPTION)) {
      byte[] wire = option.toWire(); // code (2), length (2), data
      if (wire.length == 4 + Long.BYTES) {
        return exchanges.apply(ByteBuffer.wrap(wire, 4, Long.BYTES).getLong());
      }
    }
    return null;
  }

  private static void fail(Exchange exchange, ExecutorFuture<Message> result, Throwable failure) {
    if (exchange != null) {
      exchange.failure = failure;
    }
    result.completeExceptionally(failure);
  }

  // ValidatingResolver configures its head resolver through these; each query carries its own
  // settings instead (see outgoing), so they change nothing.

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

  @Override
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public Duration getTimeout() {
    return timeout;
  }
}

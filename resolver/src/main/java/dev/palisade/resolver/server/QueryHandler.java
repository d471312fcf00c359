package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.upstream.Reorigination;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * What UDP and TCP share: bytes in, rate limit, pipeline, cookies, bytes out, sized for the
 * transport.
 */
final class QueryHandler {

  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

  private static final CompletableFuture<byte[]> DROP = CompletableFuture.completedFuture(null);

  /** The pipeline with the query timeout it was built for; swapped whole on reload. */
  record Setup(Pipeline pipeline, long timeoutNanos) {}

  private final LongSupplier nanoTime;
  private final RateLimiter rateLimiter;
  private final Cookies cookies;
  private final ServerListener listener;
  private volatile Setup setup;
  /** Queries taken in and not yet written out (or dropped): what a graceful stop waits for. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  QueryHandler(Pipeline pipeline, LongSupplier nanoTime, long timeoutNanos, RateLimiter rateLimiter, Cookies cookies, ServerListener listener) {
    this.nanoTime = nanoTime;
    this.setup = new Setup(pipeline, timeoutNanos);
    this.rateLimiter = rateLimiter;
    this.cookies = cookies;
    this.listener = listener;
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
      return DROP;
    }
    boolean withinLimit = rateLimiter.tryAcquire(from.getAddress());
    if (!withinLimit && !rateLimiter.refuses() && additionalCount(packet) == 0) {
      // Over the limit and no OPT, hence no cookie that could exempt it: shed it before parsing,
      // the cheapest point under a flood.
      listener.rateLimited(from.getAddress(), protocol, false);
      return DROP;
    }
    long now = nanoTime.getAsLong();
    Setup s = setup;
    long deadline = now + s.timeoutNanos();
    Client client = new Client(from, protocol);
    // The common shape is read straight from the bytes; anything else goes through dnsjava.
    Query query = Query.read(packet, client, now, deadline);
    if (query == null) {
      WireCodec.Decoded d = WireCodec.decode(packet);
      if (d.drop()) {
        return DROP;
      }
      if (d.immediateReply != null) {
        // FORMERR for what does not parse (a malformed COOKIE option included, RFC 7873 section
        // 5.2.2). Over the limit, not even that.
        return withinLimit ? CompletableFuture.completedFuture(d.immediateReply) : overLimit(null, from, protocol);
      }
      query = new Query(d.query, client, now, deadline);
    }
    int limit = protocol == Protocol.UDP ? WireCodec.udpLimit(query) : WireCodec.TCP_LIMIT;
    Cookies.Check cookie = cookies.check(query.cookieOption(), from.getAddress());
    if (!withinLimit && cookie.status() != Cookies.Status.VALID) {
      if (cookie.status() == Cookies.Status.CLIENT_ONLY && protocol == Protocol.UDP) {
        // RFC 7873 section 5.2.3 and Unbound's ratelimit with cookies: a client over the limit that
        // speaks cookies gets BADCOOKIE and a fresh server cookie, no larger than its query; with
        // that cookie it proves its address and is no longer limited.
        listener.rateLimited(from.getAddress(), protocol, true);
        listener.badCookie(protocol);
        return CompletableFuture.completedFuture(WireCodec.encode(withCookie(badCookie(query.message()), cookie.reply()), limit));
      }
      return overLimit(query, from, protocol);
    }
    CompletableFuture<Answer> out;
    try {
      out = s.pipeline().handle(query);
    } catch (RuntimeException e) {
      out = CompletableFuture.failedFuture(e);
    }
    byte[] cookieReply = cookie.reply();
    Query asked = query;
    return out.handle(
        (answer, e) -> {
          if (e != null) {
            // ShapeStage turns every failure inside into SERVFAIL: reaching here is a bug of ours.
            log.warn("answering {} failed: {}", from, e.toString());
            listener.unexpectedError(protocol, e);
            return WireCodec.encode(Responses.servfail(asked.message()), limit);
          }
          byte[] wire = answer.wire();
          if (wire != null && cookieReply == null && wire.length <= limit) {
            // Shaped as bytes (a cache hit): ready to send as it is.
            return wire;
          }
          Message reply = answer.message();
          return WireCodec.encode(cookieReply == null ? reply : withCookie(reply, cookieReply), limit);
        });
  }

  private CompletableFuture<byte[]> overLimit(Query query, InetSocketAddress from, Protocol protocol) {
    boolean refuse = rateLimiter.refuses() && query != null;
    listener.rateLimited(from.getAddress(), protocol, refuse);
    if (!refuse) {
      return DROP;
    }
    Message message = query.message();
    Message refused = Responses.error(message, Rcode.REFUSED);
    if (message.getOPT() != null) {
      refused.addRecord(new OPTRecord(Reorigination.EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
    }
    return CompletableFuture.completedFuture(refused.toWire());
  }

  /** The ARCOUNT of a raw message (0 when shorter than a header). */
  private static int additionalCount(byte[] packet) {
    return packet.length < 12 ? 0 : ((packet[10] & 0xff) << 8) | (packet[11] & 0xff);
  }

  private static Message badCookie(Message query) {
    Message m = Responses.error(query, Cookies.BADCOOKIE);
    // Responses.error carries the extended rcode in a bare OPT; give it our payload size.
    m.removeAllRecords(Section.ADDITIONAL);
    m.addRecord(new OPTRecord(Reorigination.EDNS_PAYLOAD, Cookies.BADCOOKIE >>> 4, 0), Section.ADDITIONAL);
    return m;
  }

  /** {@code reply} with the COOKIE option {@code option} added to its OPT (RFC 7873 section 5.2). */
  static Message withCookie(Message reply, byte[] option) {
    OPTRecord opt = reply.getOPT();
    if (opt == null) {
      // Only clients that sent OPT (and so a cookie) reach here, and shaping gave them OPT back.
      return reply;
    }
    List<EDNSOption> options = new ArrayList<>();
    for (EDNSOption o : opt.getOptions()) {
      if (o.getCode() != Cookies.OPTION_CODE) {
        options.add(o);
      }
    }
    byte[] client = java.util.Arrays.copyOf(option, Cookies.CLIENT_COOKIE_LENGTH);
    options.add(option.length > Cookies.CLIENT_COOKIE_LENGTH
        ? new CookieOption(client, java.util.Arrays.copyOfRange(option, Cookies.CLIENT_COOKIE_LENGTH, option.length))
        : new CookieOption(client));
    Message out = reply.clone();
    for (Record r : out.getSection(Section.ADDITIONAL)) {
      if (r.getType() == org.xbill.DNS.Type.OPT) {
        out.removeRecord(r, Section.ADDITIONAL);
      }
    }
    out.addRecord(
        new OPTRecord(opt.getPayloadSize(), opt.getExtendedRcode(), opt.getVersion(), opt.getFlags(), options),
        Section.ADDITIONAL);
    return out;
  }
}

package dev.palisade.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * DNS over HTTPS (RFC 8484) to one server over one HTTP/2 connection carrying many concurrent
 * streams, one query per stream.
 *
 * <p>Threading is DotUpstream's: every piece of state is confined to one event loop, which is also
 * the loop of the connections' channels.
 *
 * <ul>
 *   <li>POST {@code application/dns-message} (GET {@code ?dns=} as an option), message ID 0 on the
 *       wire (RFC 8484 section 4.1: friendlier to HTTP caches); replies are matched by stream and
 *       question, and must carry ID 0.
 *   <li>ALPN must select {@code h2} (RFC 8484 section 5.2: HTTP/2 is the minimum recommended).
 *   <li>No more streams at once than the server's SETTINGS_MAX_CONCURRENT_STREAMS (and our own
 *       {@code limit_outstanding_queries}); queries beyond wait in order, within their deadlines.
 *   <li>GOAWAY (RFC 9113 section 6.8): streams above its last-stream-id were not processed and
 *       are sent again on a new connection (not counted as a resend); the ones below finish on the
 *       old connection, which closes when they are done. A REFUSED_STREAM reset is treated alike.
 *   <li>A stream reset for any other reason, or a connection closing under a query, sends the
 *       query once more; a second loss fails it with CLOSED so the pool can try another upstream.
 *   <li>HTTP errors fail the query: 429 and 503 as OVERLOADED, 408 and 504 as TIMEOUT, anything
 *       else not 200 as PROTOCOL.
 * </ul>
 */
public final class DohUpstream implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(DohUpstream.class);

  private static final int MAX_RESENDS = 1;
  private static final AsciiString DNS_MESSAGE = AsciiString.cached("application/dns-message");
  private static final AsciiString POST = AsciiString.cached("POST");
  private static final AsciiString GET = AsciiString.cached("GET");
  private static final AsciiString HTTPS = AsciiString.cached("https");
  private static final int MAX_BODY = 65535;

  private final DohSettings settings;
  private final UpstreamId id;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final LongSupplier nanoTime;
  private final UpstreamListener listener;
  private final Tls tls;
  private final boolean ipv6;
  private final AsciiString authority;
  private final String path;

  // Confined to loop.
  /** The connection new streams go to; null when there is none or it is going away. */
  private Connection active;
  /** Connections that got GOAWAY and still carry streams. */
  private final List<Connection> draining = new ArrayList<>();
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private boolean closed;

  public DohUpstream(DohSettings settings, EventLoopGroup group, Class<? extends Channel> channelType, LongSupplier nanoTime) {
    this(settings, group, channelType, nanoTime, UpstreamListener.NONE);
  }

  public DohUpstream(
      DohSettings settings,
      EventLoopGroup group,
      Class<? extends Channel> channelType,
      LongSupplier nanoTime,
      UpstreamListener listener) {
    this.settings = settings;
    this.id = settings.id();
    this.loop = group.next();
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.ipv6 = settings.bootstrap().getAddress() instanceof Inet6Address;
    this.authority = new AsciiString(settings.authority());
    this.path = settings.path();
    this.tls = new Tls(settings.tls(), List.of(ApplicationProtocolNames.HTTP_2), id.toString());
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
            .remoteAddress(settings.bootstrap())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("quickack", QuickAck.INSTANCE)
                        .addLast("tls", tls.newHandler(ch.alloc(), settings.bootstrap(), settings.connectTimeout().toMillis()))
                        .addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast("catch", new Catch());
                  }
                });
  }

  @Override
  public UpstreamId id() {
    return id;
  }

  public DohSettings settings() {
    return settings;
  }

  long tlsVerifications() {
    return tls.verifications();
  }

  @Override
  public CompletableFuture<Message> exchange(Message query, long deadlineNanos) {
    CompletableFuture<Message> promise = new CompletableFuture<>();
    byte[] wire;
    try {
      wire = settings.privacy().wire(query, ipv6);
    } catch (RuntimeException e) {
      promise.completeExceptionally(new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": cannot encode query: " + e.getMessage(), e));
      return promise;
    }
    // RFC 8484 section 4.1: "DNS clients SHOULD use a DNS ID of 0 in every DNS request."
    wire[0] = 0;
    wire[1] = 0;
    Pending p = new Pending(wire, query, deadlineNanos, promise);
    loop.execute(() -> submit(p));
    return promise;
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          UpstreamException e = new UpstreamException(UpstreamException.Reason.SHUTDOWN, id + " shut down");
          List<Pending> all = new ArrayList<>(waiting);
          waiting.clear();
          List<Connection> conns = new ArrayList<>(draining);
          if (active != null) {
            conns.add(active);
          }
          for (Connection c : conns) {
            all.addAll(c.streams.values());
            c.streams.clear();
            c.channel.close();
          }
          all.forEach(p -> p.fail(e));
        });
  }

  // ---- everything below runs on loop ----

  private int outstanding() {
    int n = waiting.size();
    if (active != null) {
      n += active.streams.size();
    }
    for (Connection c : draining) {
      n += c.streams.size();
    }
    return n;
  }

  private void submit(Pending p) {
    if (closed) {
      p.fail(new UpstreamException(UpstreamException.Reason.SHUTDOWN, id + " shut down"));
      return;
    }
    int outstanding = outstanding();
    if (outstanding >= settings.maxOutstanding()) {
      p.fail(new UpstreamException(UpstreamException.Reason.OVERLOADED, id + ": " + outstanding + " queries outstanding"));
      return;
    }
    long remaining = p.deadlineNanos - nanoTime.getAsLong();
    if (remaining <= 0) {
      p.fail(new UpstreamException(UpstreamException.Reason.TIMEOUT, id + ": no time left"));
      return;
    }
    p.timer = loop.schedule(() -> expire(p), remaining, TimeUnit.NANOSECONDS);
    waiting.add(p);
    pump();
  }

  /** Sends what waits while the connection has room; opens a connection when none can take streams. */
  private void pump() {
    if (closed) {
      return;
    }
    if (active == null) {
      if (!waiting.isEmpty()) {
        connect();
      }
      return;
    }
    while (!waiting.isEmpty() && active != null && active.canOpen()) {
      Pending p = waiting.poll();
      if (!p.promise.isDone()) {
        active.send(p);
      }
    }
  }

  private void expire(Pending p) {
    if (p.promise.isDone()) {
      return;
    }
    waiting.remove(p);
    if (p.connection != null) {
      p.connection.cancel(p);
    }
    p.fail(new UpstreamException(UpstreamException.Reason.TIMEOUT, id + ": no reply in time"));
  }

  /**
   * A query's stream ended without an answer. {@code processed}: the server may have seen it (a
   * reset, a closed connection), so it counts as a resend; otherwise (above a GOAWAY's last stream,
   * REFUSED_STREAM, a stream we could not open) it is simply sent again.
   */
  private void again(Pending p, boolean processed, String why) {
    p.connection = null;
    p.stream = null;
    p.body = null;
    p.status = 0;
    if (p.promise.isDone()) {
      return;
    }
    if (processed && p.resends++ >= MAX_RESENDS) {
      p.fail(new UpstreamException(UpstreamException.Reason.CLOSED, id + ": " + why));
      return;
    }
    waiting.addFirst(p);
  }

  private void connect() {
    long verifiedBefore = tls.verifications();
    ChannelFuture cf = bootstrap.connect();
    Connection c = new Connection(cf.channel());
    active = c;
    log.debug("{}: connecting", id);
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            c.failed(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": " + DotUpstream.describe(f.cause()), f.cause()));
          }
        });
    c.channel.closeFuture().addListener(f -> c.closed());
    SslHandler ssl = c.channel.pipeline().get(SslHandler.class);
    ssl.handshakeFuture().addListener(
        f -> {
          if (!f.isSuccess()) {
            if (cf.isSuccess()) {
              c.failed(new UpstreamException(UpstreamException.Reason.TLS, id + ": TLS handshake failed: " + DotUpstream.describe(f.cause()), f.cause()));
            }
            return;
          }
          if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
            c.failed(new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": server did not select h2 with ALPN (got " + ssl.applicationProtocol() + ")"));
            return;
          }
          c.protocol = ssl.engine().getSession().getProtocol() + " h2";
          c.resumed = tls.verifications() == verifiedBefore;
          Http2FrameCodec codec =
              Http2FrameCodecBuilder.forClient()
                  .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                  .build();
          c.codec = codec;
          c.channel.pipeline().addBefore("catch", "h2", codec).addBefore("catch", "doh", c.handler);
          // A server that speaks TLS but never sends its SETTINGS would hold every query until it times out.
          loop.schedule(
              () -> {
                if (!c.ready && !c.gone) {
                  c.failed(new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": no HTTP/2 SETTINGS from the server"));
                }
              },
              settings.connectTimeout().toNanos(),
              TimeUnit.NANOSECONDS);
        });
  }

  /** One HTTP/2 connection and the queries on its streams. */
  private final class Connection {
    final Channel channel;
    final Handler handler = new Handler(this);
    final Map<Http2FrameStream, Pending> streams = new IdentityHashMap<>();
    Http2FrameCodec codec;
    ChannelHandlerContext ctx;
    String protocol = "";
    boolean resumed;
    /** The server's SETTINGS arrived: streams may be opened. */
    boolean ready;
    boolean goingAway;
    boolean failed;
    boolean gone;
    long maxStreams = Long.MAX_VALUE;

    Connection(Channel channel) {
      this.channel = channel;
    }

    boolean canOpen() {
      if (!ready || goingAway || failed || gone) {
        return false;
      }
      long limit = maxStreams;
      if (settings.limitOutstandingQueries() > 0) {
        limit = Math.min(limit, settings.limitOutstandingQueries());
      }
      // The codec's own count includes streams whose last frame we are still reading.
      return streams.size() < limit && codec.connection().local().canOpenStream();
    }

    void send(Pending p) {
      Http2FrameStream s = handler.newStream();
      p.connection = this;
      p.stream = s;
      streams.put(s, p);
      Http2Headers h = new DefaultHttp2Headers().scheme(HTTPS).authority(authority);
      ByteBuf body = null;
      if (settings.useGet()) {
        // RFC 8484 section 4.1: base64url without padding in the "dns" variable.
        String dns = Base64.getUrlEncoder().withoutPadding().encodeToString(p.wire);
        h.method(GET).path(path + (path.contains("?") ? "&" : "?") + "dns=" + dns);
      } else {
        h.method(POST).path(path);
        h.set("content-type", DNS_MESSAGE);
        h.setInt("content-length", p.wire.length);
        body = Unpooled.wrappedBuffer(p.wire);
      }
      h.set("accept", DNS_MESSAGE);
      ChannelFuture headers = ctx.write(new DefaultHttp2HeadersFrame(h, body == null).stream(s));
      headers.addListener(f -> {
        if (!f.isSuccess()) {
          notOpened(p, s, f.cause());
        }
      });
      if (body != null) {
        ctx.write(new DefaultHttp2DataFrame(body, true).stream(s));
      }
      ctx.flush();
    }

    /** The stream could not be opened (GOAWAY raced us, or the connection is closing): try again elsewhere. */
    private void notOpened(Pending p, Http2FrameStream s, Throwable cause) {
      if (streams.remove(s) == p) {
        log.debug("{}: stream not opened: {}", id, DotUpstream.describe(cause));
        again(p, false, "stream not opened");
        if (!goingAway) {
          goingAway();
        }
        pump();
      }
    }

    /** Tells the server we gave up on a query, freeing its stream slot. */
    void cancel(Pending p) {
      Http2FrameStream s = p.stream;
      if (s != null && streams.remove(s) == p) {
        if (s.id() > 0 && channel.isActive()) {
          ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(s));
        }
        afterStream();
      }
    }

    void settings(Http2Settings s) {
      Long max = s.maxConcurrentStreams();
      if (max != null) {
        maxStreams = max;
      }
      if (!ready) {
        ready = true;
        log.debug("{}: {} up{}, server allows {} streams", id, protocol, resumed ? " (resumed)" : "", max == null ? "unlimited" : max);
        listener.connectionOpened(id, protocol, resumed);
      }
      if (active == this) {
        pump();
      }
    }

    void headers(Http2HeadersFrame frame) {
      Pending p = streams.get(frame.stream());
      if (p == null) {
        return;
      }
      if (p.status == 0) {
        CharSequence status = frame.headers().status();
        int code;
        try {
          code = status == null ? -1 : Integer.parseInt(status.toString());
        } catch (NumberFormatException e) {
          code = -1;
        }
        if (code >= 100 && code < 200) {
          return; // informational; the real response follows
        }
        p.status = code;
        if (code != 200) {
          answered(p, httpError(code));
          return;
        }
        CharSequence type = frame.headers().get("content-type");
        if (type == null || !type.toString().toLowerCase(Locale.ROOT).startsWith(DNS_MESSAGE.toString())) {
          answered(p, new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": reply is not application/dns-message but " + type));
          return;
        }
        p.body = new ByteArrayOutputStream(512);
      }
      if (frame.isEndStream()) {
        finish(p);
      }
    }

    void data(Http2DataFrame frame) {
      Pending p = streams.get(frame.stream());
      if (p == null || p.body == null) {
        return;
      }
      ByteBuf content = frame.content();
      if (p.body.size() + content.readableBytes() > MAX_BODY) {
        answered(p, new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": reply larger than a DNS message"));
        return;
      }
      byte[] chunk = new byte[content.readableBytes()];
      content.readBytes(chunk);
      p.body.write(chunk, 0, chunk.length);
      if (frame.isEndStream()) {
        finish(p);
      }
    }

    private void finish(Pending p) {
      if (p.body == null) {
        answered(p, new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": no response body"));
        return;
      }
      byte[] bytes = p.body.toByteArray();
      Message reply;
      try {
        reply = new Message(bytes);
      } catch (IOException e) {
        answered(p, new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": unparseable reply: " + e.getMessage()));
        return;
      }
      if (reply.getHeader().getID() != 0 || !Reorigination.answers(p.query, reply)) {
        answered(p, new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": reply does not match the query"));
        return;
      }
      streams.remove(p.stream);
      p.complete(reply);
      afterStream();
    }

    /** A final outcome other than success for a query on this connection. */
    private void answered(Pending p, UpstreamException e) {
      Http2FrameStream s = p.stream;
      if (streams.remove(s) == p && channel.isActive() && s.state() != Http2Stream.State.CLOSED) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(s));
      }
      p.fail(e);
      afterStream();
    }

    /** A stream left: maybe room for a waiting query, maybe a drained connection to close. */
    private void afterStream() {
      if (goingAway && streams.isEmpty()) {
        channel.close();
      }
      // Deferred: the codec counts a stream as active until its last frame has been read.
      loop.execute(DohUpstream.this::pump);
    }

    void reset(Http2ResetFrame frame) {
      Pending p = streams.remove(frame.stream());
      if (p != null) {
        // RFC 9113 section 8.7: REFUSED_STREAM means the request was not processed.
        boolean refused = frame.errorCode() == Http2Error.REFUSED_STREAM.code();
        log.debug("{}: stream {} reset ({})", id, frame.stream().id(), frame.errorCode());
        again(p, !refused, "stream reset by the server, twice");
        afterStream();
      }
    }

    void streamClosed(Http2FrameStream s) {
      Pending p = streams.remove(s);
      if (p != null) {
        // The codec closes the streams above a GOAWAY's last-stream-id before it passes the
        // GOAWAY frame on: those were not processed (RFC 9113 section 6.8).
        boolean unprocessed =
            codec != null
                && codec.connection().goAwayReceived()
                && s.id() > codec.connection().local().lastStreamKnownByPeer();
        if (unprocessed) {
          goingAway();
        }
        again(p, !unprocessed, "stream closed before its reply, twice");
        afterStream();
      }
    }

    void goAway(Http2GoAwayFrame frame) {
      int last = frame.lastStreamId();
      log.debug("{}: GOAWAY, last stream {}, error {}", id, last, frame.errorCode());
      goingAway();
      List<Pending> unprocessed = new ArrayList<>();
      for (var e : new ArrayList<>(streams.entrySet())) {
        if (e.getKey().id() > last || e.getKey().id() <= 0) {
          streams.remove(e.getKey());
          unprocessed.add(e.getValue());
        }
      }
      // RFC 9113 section 6.8: streams above last-stream-id were not processed; safe to send again.
      for (int i = unprocessed.size() - 1; i >= 0; i--) {
        again(unprocessed.get(i), false, "");
      }
      if (streams.isEmpty()) {
        channel.close();
      }
      pump();
    }

    /** No new streams here; new queries go to a new connection. */
    private void goingAway() {
      goingAway = true;
      if (active == this) {
        active = null;
        if (!gone) {
          draining.add(this);
        }
      }
    }

    /** The connection could not be set up: an upstream failure for what waited on it. */
    void failed(UpstreamException e) {
      if (failed) {
        return;
      }
      failed = true;
      if (closed) {
        log.debug("{} (shutting down)", e.getMessage());
      } else {
        log.warn("{}", e.getMessage());
        listener.connectionFailed(id, e);
      }
      if (active == this) {
        active = null;
        List<Pending> all = new ArrayList<>(waiting);
        waiting.clear();
        all.addAll(streams.values());
        streams.clear();
        all.forEach(p -> p.fail(e));
      }
      channel.close();
    }

    void closed() {
      if (gone) {
        return;
      }
      if (!ready && !failed) {
        failed(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": connection closed during setup"));
      }
      gone = true;
      draining.remove(this);
      if (active == this) {
        active = null;
      }
      if (failed) {
        pump();
        return;
      }
      listener.connectionClosed(id);
      log.debug("{}: connection closed, {} unanswered", id, streams.size());
      List<Pending> left = new ArrayList<>(streams.values());
      streams.clear();
      for (int i = left.size() - 1; i >= 0; i--) {
        again(left.get(i), true, "connection closed before reply, twice");
      }
      pump();
    }
  }

  private UpstreamException httpError(int status) {
    UpstreamException.Reason reason =
        switch (status) {
          case 429, 503 -> UpstreamException.Reason.OVERLOADED;
          case 408, 504 -> UpstreamException.Reason.TIMEOUT;
          default -> UpstreamException.Reason.PROTOCOL;
        };
    return new UpstreamException(reason, id + ": HTTP status " + status);
  }

  /** Frames of one connection, on its pipeline after the HTTP/2 codec. */
  private final class Handler extends Http2ChannelDuplexHandler {
    private final Connection c;

    Handler(Connection c) {
      this.c = c;
    }

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
      c.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame s) {
          c.settings(s.settings());
        } else if (msg instanceof Http2HeadersFrame h) {
          c.headers(h);
        } else if (msg instanceof Http2DataFrame d) {
          c.data(d);
        } else if (msg instanceof Http2ResetFrame r) {
          c.reset(r);
        } else if (msg instanceof Http2GoAwayFrame g) {
          c.goAway(g);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof Http2FrameStreamEvent e
          && e.type() == Http2FrameStreamEvent.Type.State
          && e.stream().state() == Http2Stream.State.CLOSED) {
        c.streamClosed(e.stream());
      } else if (evt instanceof IdleStateEvent && c.ready && c.streams.isEmpty() && (active != c || waiting.isEmpty())) {
        log.debug("{}: closing idle connection", id);
        c.goingAway();
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof Http2FrameStreamException e) {
        log.debug("{}: stream error: {}", id, DotUpstream.describe(cause));
        c.streamClosed(e.stream());
        return;
      }
      log.debug("{}: {}", id, DotUpstream.describe(cause));
      ctx.close();
    }
  }

  /** Last in the pipeline: TLS and I/O errors end here; the close and handshake listeners decide. */
  private final class Catch extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{}: {}", id, DotUpstream.describe(cause));
      ctx.close();
    }
  }

  /** A query waiting for a stream or a reply. */
  private static final class Pending {
    final byte[] wire;
    final Message query;
    final long deadlineNanos;
    final CompletableFuture<Message> promise;
    ScheduledFuture<?> timer;
    Connection connection;
    Http2FrameStream stream;
    int status;
    ByteArrayOutputStream body;
    int resends;

    Pending(byte[] wire, Message query, long deadlineNanos, CompletableFuture<Message> promise) {
      this.wire = wire;
      this.query = query;
      this.deadlineNanos = deadlineNanos;
      this.promise = promise;
    }

    void complete(Message m) {
      cancelTimer();
      promise.complete(m);
    }

    void fail(UpstreamException e) {
      cancelTimer();
      promise.completeExceptionally(e);
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }
}

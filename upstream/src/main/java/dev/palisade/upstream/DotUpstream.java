package dev.palisade.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet6Address;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * DNS over TLS (RFC 7858) to one server over one persistent, pipelined connection.
 *
 * <p>All mutable state is confined to one Netty event loop: callers hand work over with
 * {@code loop.execute}, and the channel is registered on the same loop, so no locks are needed.
 *
 * <p>Queries get a random ID unused on the connection, are sent as soon as the connection is up
 * (at most {@code limit_outstanding_queries} at a time when that is set), and their replies may come
 * back in any order (RFC 7766 section 6.2.1.1). A server closing the connection is normal (RFC 7766
 * section 6.2.3 lets either side close idle connections): unanswered queries are sent once more on a
 * new connection. A connection or handshake that fails is an upstream failure: everything waiting on
 * it fails, and the pool moves on to another upstream. Certificates and pins are checked during the
 * handshake ({@link Tls}); one {@code SslContext} serves every connection, so sessions resume.
 */
public final class DotUpstream implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(DotUpstream.class);

  /** How often a query is re-sent after its connection closed under it. */
  private static final int MAX_RESENDS = 1;

  private final DotSettings settings;
  private final UpstreamId id;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final SecureRandom random;
  private final LongSupplier nanoTime;
  private final UpstreamListener listener;
  private final Tls tls;
  private final boolean ipv6;

  // Confined to loop.
  private Connection connection;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private boolean closed;

  /**
   * @param group the event loops; this upstream stays on one of them
   * @param channelType the socket channel class matching {@code group} (epoll or NIO)
   * @param random source of message IDs (RFC 5452 section 4: IDs must be unpredictable)
   * @param nanoTime ticker for deadlines, the same one callers compute deadlines with
   */
  public DotUpstream(
      DotSettings settings,
      EventLoopGroup group,
      Class<? extends Channel> channelType,
      SecureRandom random,
      LongSupplier nanoTime) {
    this(settings, group, channelType, random, nanoTime, UpstreamListener.NONE);
  }

  public DotUpstream(
      DotSettings settings,
      EventLoopGroup group,
      Class<? extends Channel> channelType,
      SecureRandom random,
      LongSupplier nanoTime,
      UpstreamListener listener) {
    this.settings = settings;
    this.id = settings.id();
    this.loop = group.next();
    this.random = random;
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.ipv6 = settings.address().getAddress() instanceof Inet6Address;
    this.tls = new Tls(settings.tls(), List.of(), id.toString());
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
            .remoteAddress(settings.address())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast("quickack", QuickAck.INSTANCE)
                        .addLast("tls", tls.newHandler(ch.alloc(), settings.address(), settings.connectTimeout().toMillis()))
                        .addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        // RFC 7858 section 3.3 / RFC 1035 section 4.2.2: two-byte length prefix.
                        .addLast("frame", new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                        .addLast("reply", new ReplyHandler());
                  }
                });
  }

  @Override
  public UpstreamId id() {
    return id;
  }

  public DotSettings settings() {
    return settings;
  }

  /** Certificate chains checked so far: a connection that did not add one resumed its TLS session. */
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
    Pending p = new Pending(wire, query, deadlineNanos, promise);
    loop.execute(() -> submit(p));
    return p.promise;
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          failWaiting(new UpstreamException(UpstreamException.Reason.SHUTDOWN, id + " shut down"));
          if (connection != null) {
            connection.channel.close();
          }
        });
  }

  // ---- everything below runs on loop ----

  private void submit(Pending p) {
    if (closed) {
      p.fail(new UpstreamException(UpstreamException.Reason.SHUTDOWN, id + " shut down"));
      return;
    }
    int outstanding = waiting.size() + (connection == null ? 0 : connection.inflight.size());
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
    dispatch(p);
  }

  private void dispatch(Pending p) {
    if (connection != null && connection.ready && waiting.isEmpty() && connection.hasRoom()) {
      connection.send(p);
    } else {
      waiting.add(p);
      if (connection == null) {
        connect();
      }
    }
  }

  /** Sends waiting queries while the connection has room for them. */
  private void drain() {
    Connection c = connection;
    while (c != null && c.ready && c.hasRoom() && !waiting.isEmpty()) {
      c.send(waiting.poll());
    }
  }

  private void expire(Pending p) {
    if (p.promise.isDone()) {
      return;
    }
    waiting.remove(p);
    if (connection != null && p.id >= 0) {
      connection.inflight.remove(p.id, p);
    }
    p.fail(new UpstreamException(UpstreamException.Reason.TIMEOUT, id + ": no reply in time"));
    drain();
  }

  private void connect() {
    long verifiedBefore = tls.verifications();
    ChannelFuture cf = bootstrap.connect();
    Connection c = new Connection(cf.channel());
    connection = c;
    log.debug("{}: connecting", id);
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            c.failed(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": " + describe(f.cause()), f.cause()));
          }
        });
    SslHandler ssl = c.channel.pipeline().get(SslHandler.class);
    ssl.handshakeFuture().addListener(
        f -> {
          if (f.isSuccess()) {
            c.ready = true;
            String protocol = ssl.engine().getSession().getProtocol();
            boolean resumed = tls.verifications() == verifiedBefore;
            log.debug("{}: TLS up ({}{})", id, protocol, resumed ? ", resumed" : "");
            listener.connectionOpened(id, protocol, resumed);
            if (connection == c) {
              drain();
            }
          } else if (cf.isSuccess()) {
            c.failed(new UpstreamException(UpstreamException.Reason.TLS, id + ": TLS handshake failed: " + describe(f.cause()), f.cause()));
          }
        });
  }

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }

  private void failWaiting(UpstreamException e) {
    List<Pending> all = new ArrayList<>(waiting);
    waiting.clear();
    if (connection != null) {
      all.addAll(connection.inflight.values());
      connection.inflight.clear();
    }
    all.forEach(p -> p.fail(e));
  }

  /** One TLS connection and the queries sent on it, keyed by message ID. */
  private final class Connection {
    final Channel channel;
    final IntObjectHashMap<Pending> inflight = new IntObjectHashMap<>();
    boolean ready;
    boolean failed;

    Connection(Channel channel) {
      this.channel = channel;
    }

    boolean hasRoom() {
      int limit = settings.limitOutstandingQueries();
      return limit == 0 || inflight.size() < limit;
    }

    void send(Pending p) {
      int qid;
      do {
        qid = random.nextInt(0x10000);
      } while (inflight.containsKey(qid));
      p.id = qid;
      inflight.put(qid, p);
      byte[] wire = p.wire;
      ByteBuf buf = channel.alloc().buffer(2 + wire.length);
      // One write for prefix and message (RFC 7766 section 8).
      buf.writeShort(wire.length).writeBytes(wire);
      buf.setShort(2, qid);
      channel.writeAndFlush(buf, channel.voidPromise());
    }

    /** The connection could not be set up: an upstream failure for everything queued on it. */
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
      if (connection == this) {
        connection = null;
        failWaiting(e);
      }
      channel.close();
    }

    /** Closed by either side after it was up: resend what it left unanswered. */
    void closed() {
      if (connection != this || failed) {
        return;
      }
      connection = null;
      if (!ready) {
        failed(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": connection closed during setup"));
        return;
      }
      listener.connectionClosed(id);
      log.debug("{}: connection closed, {} unanswered", id, inflight.size());
      List<Pending> again = new ArrayList<>();
      for (Pending p : inflight.values()) {
        p.id = -1;
        if (p.resends++ < MAX_RESENDS) {
          again.add(p);
        } else {
          p.fail(new UpstreamException(UpstreamException.Reason.CLOSED, id + ": connection closed before reply"));
        }
      }
      inflight.clear();
      // Unanswered queries go first: they have waited longest.
      for (int i = again.size() - 1; i >= 0; i--) {
        waiting.addFirst(again.get(i));
      }
      if (!waiting.isEmpty() && !closed) {
        connect();
      }
    }

    void reply(byte[] bytes) {
      int qid = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
      Pending p = inflight.remove(qid);
      if (p == null) {
        log.debug("{}: reply with unknown ID {} (late after timeout?)", id, qid);
        return;
      }
      Message reply;
      try {
        reply = new Message(bytes);
      } catch (IOException e) {
        p.fail(new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": unparseable reply: " + e.getMessage()));
        drain();
        return;
      }
      if (!Reorigination.answers(p.query, reply)) {
        p.fail(new UpstreamException(UpstreamException.Reason.PROTOCOL, id + ": reply does not match the question"));
      } else {
        p.complete(reply);
      }
      drain();
    }
  }

  private final class ReplyHandler extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      Connection c = connection;
      if (c == null || c.channel != ctx.channel() || frame.readableBytes() < 12) {
        return;
      }
      byte[] bytes = new byte[frame.readableBytes()];
      frame.readBytes(bytes);
      c.reply(bytes);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      Connection c = connection;
      // Idle only once up and with nothing to do: the handshake itself passes no reads through here.
      if (evt instanceof IdleStateEvent && c != null && c.channel == ctx.channel() && c.ready && c.inflight.isEmpty() && waiting.isEmpty()) {
        log.debug("{}: closing idle connection", id);
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Connection c = connection;
      if (c != null && c.channel == ctx.channel()) {
        c.closed();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // TLS and I/O errors surface here before the channel closes; the close path decides.
      log.debug("{}: {}", id, describe(cause));
      ctx.close();
    }
  }

  /** A query waiting for a connection or a reply. */
  private static final class Pending {
    final byte[] wire;
    final Message query;
    final long deadlineNanos;
    final CompletableFuture<Message> promise;
    ScheduledFuture<?> timer;
    int id = -1;
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

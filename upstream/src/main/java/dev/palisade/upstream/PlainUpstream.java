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
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Plain DNS over UDP with TCP fallback (RFC 1035, RFC 7766), for upstreams configured without
 * encryption. Spoofing resistance per RFC 5452: every query gets a random ID and its own UDP socket
 * on a port the kernel picks at random (section 9.2), and a reply counts only if it comes from the
 * server's address and port and matches the ID and the question (section 9.1); anything else is
 * dropped and the query keeps waiting. A truncated UDP reply (TC) is asked again over TCP.
 */
public final class PlainUpstream implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(PlainUpstream.class);

  private final PlainSettings settings;
  private final UpstreamId id;
  private final EventLoopGroup group;
  private final Class<? extends DatagramChannel> udpType;
  private final Class<? extends Channel> tcpType;
  private final SecureRandom random;
  private final LongSupplier nanoTime;
  private final EdnsPrivacy privacy;
  private final boolean ipv6;
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile boolean closed;

  public PlainUpstream(
      PlainSettings settings,
      EventLoopGroup group,
      Class<? extends DatagramChannel> udpType,
      Class<? extends Channel> tcpType,
      SecureRandom random,
      LongSupplier nanoTime) {
    this.settings = settings;
    this.id = settings.id();
    this.group = group;
    this.udpType = udpType;
    this.tcpType = tcpType;
    this.random = random;
    this.nanoTime = nanoTime;
    this.privacy = new EdnsPrivacy(0, settings.ecsPrivate());
    this.ipv6 = settings.address().getAddress() instanceof Inet6Address;
  }

  @Override
  public UpstreamId id() {
    return id;
  }

  @Override
  public CompletableFuture<Message> exchange(Message query, long deadlineNanos) {
    CompletableFuture<Message> promise = new CompletableFuture<>();
    if (closed) {
      promise.completeExceptionally(new UpstreamException(UpstreamException.Reason.SHUTDOWN, id + " shut down"));
      return promise;
    }
    long remaining = deadlineNanos - nanoTime.getAsLong();
    if (remaining <= 0) {
      promise.completeExceptionally(new UpstreamException(UpstreamException.Reason.TIMEOUT, id + ": no time left"));
      return promise;
    }
    if (outstanding.incrementAndGet() > settings.maxOutstanding()) {
      outstanding.decrementAndGet();
      promise.completeExceptionally(new UpstreamException(UpstreamException.Reason.OVERLOADED, id + ": too many queries outstanding"));
      return promise;
    }
    promise.whenComplete((r, e) -> outstanding.decrementAndGet());
    byte[] wire = privacy.wire(query, ipv6);
    int qid = random.nextInt(0x10000);
    wire[0] = (byte) (qid >> 8);
    wire[1] = (byte) qid;
    EventLoop loop = group.next();
    Exchange x = new Exchange(query, wire, qid, promise);
    loop.execute(() -> {
      x.timer = loop.schedule(() -> x.fail(new UpstreamException(UpstreamException.Reason.TIMEOUT, id + ": no reply in time")), remaining, TimeUnit.NANOSECONDS);
      if (settings.udp()) {
        x.udp(loop);
      } else {
        x.tcp(loop);
      }
    });
    return promise;
  }

  @Override
  public void close() {
    closed = true;
  }

  /** One query: its socket(s), its timer, its promise. */
  private final class Exchange {
    final Message query;
    final byte[] wire;
    final int qid;
    final CompletableFuture<Message> promise;
    ScheduledFuture<?> timer;
    Channel channel;

    Exchange(Message query, byte[] wire, int qid, CompletableFuture<Message> promise) {
      this.query = query;
      this.wire = wire;
      this.qid = qid;
      this.promise = promise;
    }

    void udp(EventLoop loop) {
      ChannelFuture bound =
          new Bootstrap()
              .group(loop)
              .channel(udpType)
              .handler(
                  new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                      if (!packet.sender().equals(settings.address())) {
                        return; // RFC 5452 section 9.1: only the server's address and port
                      }
                      received(packet.content(), true);
                    }
                  })
              // Port 0: the kernel picks a random ephemeral port for each query (RFC 5452 section 9.2).
              .bind(new InetSocketAddress(ipv6 ? "::" : "0.0.0.0", 0));
      channel = bound.channel();
      bound.addListener(
          f -> {
            if (!f.isSuccess()) {
              fail(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": " + DotUpstream.describe(f.cause()), f.cause()));
              return;
            }
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(wire), settings.address()));
          });
    }

    void tcp(EventLoop loop) {
      ChannelFuture connected =
          new Bootstrap()
              .group(loop)
              .channel(tcpType)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                          .addLast(
                              new SimpleChannelInboundHandler<ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                  received(frame, false);
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                  fail(new UpstreamException(UpstreamException.Reason.CLOSED, id + ": TCP connection closed before reply"));
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                  ctx.close();
                                }
                              });
                    }
                  })
              .connect(settings.address());
      channel = connected.channel();
      connected.addListener(
          f -> {
            if (!f.isSuccess()) {
              fail(new UpstreamException(UpstreamException.Reason.CONNECT, id + ": " + DotUpstream.describe(f.cause()), f.cause()));
              return;
            }
            ByteBuf buf = channel.alloc().buffer(2 + wire.length);
            buf.writeShort(wire.length).writeBytes(wire);
            channel.writeAndFlush(buf);
          });
    }

    void received(ByteBuf content, boolean overUdp) {
      if (promise.isDone() || content.readableBytes() < 12) {
        return;
      }
      byte[] bytes = new byte[content.readableBytes()];
      content.readBytes(bytes);
      int rid = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
      if (rid != qid) {
        log.debug("{}: reply with the wrong ID dropped", id);
        return;
      }
      Message reply;
      try {
        reply = new Message(bytes);
      } catch (IOException e) {
        log.debug("{}: unparseable reply dropped: {}", id, e.getMessage());
        return;
      }
      if (!Reorigination.answers(query, reply)) {
        log.debug("{}: reply for another question dropped", id);
        return;
      }
      if (overUdp && reply.getHeader().getFlag(Flags.TC) && settings.tcp()) {
        Channel udpChannel = channel;
        udpChannel.close();
        tcp(udpChannel.eventLoop());
        return;
      }
      timer.cancel(false);
      channel.close();
      promise.complete(reply);
    }

    void fail(UpstreamException e) {
      if (promise.isDone()) {
        return;
      }
      if (timer != null) {
        timer.cancel(false);
      }
      if (channel != null) {
        channel.close();
      }
      promise.completeExceptionally(e);
    }
  }
}

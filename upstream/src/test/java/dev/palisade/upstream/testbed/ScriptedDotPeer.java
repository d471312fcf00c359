package dev.palisade.upstream.testbed;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A DNS-over-TLS peer on loopback that misbehaves on purpose, one {@link Fault} at a time, switchable
 * while it runs (so a test can make it healthy again). TLS with a {@link TestCa} certificate, which
 * may be expired ({@link TestCa#issue(String, java.time.Instant, java.time.Instant, String...)}).
 * Healthy, it answers every A query with 192.0.2.1.
 */
public final class ScriptedDotPeer implements AutoCloseable {

  public enum Fault {
    /** Answers correctly. */
    NONE,
    /** Completes TLS, reads queries, never answers. */
    SILENT,
    /** Answers with the query's ID followed by random bytes. */
    GARBAGE,
    /** Answers correctly but with another message ID (RFC 5452 section 9.1: not an answer). */
    WRONG_ID,
    /** Answers with the query's ID but for another name (RFC 5452 section 9.1: not an answer). */
    WRONG_QUESTION,
    /** Sends the length prefix and half the reply, then resets the connection (SO_LINGER 0). */
    RESET_MID_STREAM
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger queries = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final SplittableRandom random = new SplittableRandom(7);
  private volatile Fault fault;

  private ScriptedDotPeer(String address, TestCa.ServerCert cert, Fault fault) {
    this.fault = fault;
    SslContext ssl;
    try {
      ssl = SslContextBuilder.forServer(cert.certFile().toFile(), cert.keyFile().toFile()).sslProvider(SslProvider.JDK).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    InetAddress host = Loopback.require(address);
    this.server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2), new Handler());
          }
        })
        .bind(new InetSocketAddress(host, 0))
        .syncUninterruptibly()
        .channel();
  }

  public static ScriptedDotPeer start(String address, TestCa.ServerCert cert, Fault fault) {
    return new ScriptedDotPeer(address, cert, fault);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public void fault(Fault fault) {
    this.fault = fault;
  }

  /** Queries received so far. */
  public int queries() {
    return queries.get();
  }

  /** TCP connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The correct answer to {@code query}: 192.0.2.1 for its name. */
  public static Message answer(Message query) {
    Message a = new Message(query.getHeader().getID());
    a.getHeader().setFlag(Flags.QR);
    a.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      a.getHeader().setFlag(Flags.RD);
    }
    Record q = query.getQuestion();
    a.addRecord(q, Section.QUESTION);
    a.addRecord(new ARecord(q.getName(), q.getDClass(), 300, new byte[] {(byte) 192, 0, 2, 1}), Section.ANSWER);
    return a;
  }

  private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
    /** Set once this connection is being reset: queries pipelined behind get nothing. */
    private boolean resetting;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
      queries.incrementAndGet();
      if (resetting) {
        return;
      }
      Message query = new Message(ByteBufUtil.getBytes(frame));
      byte[] reply;
      switch (fault) {
        case SILENT:
          return;
        case GARBAGE: {
          byte[] g = new byte[12 + random.nextInt(200)];
          random.nextBytes(g);
          g[0] = (byte) (query.getHeader().getID() >> 8);
          g[1] = (byte) query.getHeader().getID();
          reply = g;
          break;
        }
        case WRONG_ID: {
          Message a = answer(query);
          a.getHeader().setID((query.getHeader().getID() + 1) & 0xFFFF);
          reply = a.toWire();
          break;
        }
        case WRONG_QUESTION: {
          Message other = Message.newQuery(Record.newRecord(Name.fromString("other.example.test."), query.getQuestion().getType(), query.getQuestion().getDClass()));
          other.getHeader().setID(query.getHeader().getID());
          reply = answer(other).toWire();
          break;
        }
        case RESET_MID_STREAM: {
          byte[] whole = answer(query).toWire();
          ByteBuf half = ctx.alloc().buffer(2 + whole.length / 2);
          half.writeShort(whole.length).writeBytes(whole, 0, whole.length / 2);
          ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          resetting = true;
          ctx.writeAndFlush(half).addListener(ChannelFutureListener.CLOSE);
          return;
        }
        default:
          reply = answer(query).toWire();
      }
      ByteBuf out = ctx.alloc().buffer(2 + reply.length);
      out.writeShort(reply.length).writeBytes(reply);
      ctx.writeAndFlush(out);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel's delayed-ACK mode, seen through getsockopt(TCP_QUICKACK), on a real loopback connection. */
class QuickAckTest {
  private EventLoopGroup group;
  private Channel server;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Epoll.isAvailable(), "epoll only (Linux)");
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    // Answers each read with "pong", as an upstream answers a query.
    server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .childHandler(new SimpleChannelInboundHandler<ByteBuf>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("pong", StandardCharsets.US_ASCII));
          }

          @Override
          public boolean isSharable() {
            return true;
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A client that reads one answer; true: with QuickAck in its pipeline. */
  private EpollSocketChannel exchange(boolean quickAck) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    EpollSocketChannel client = (EpollSocketChannel) new Bootstrap().group(group).channel(EpollSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (quickAck) {
              ch.pipeline().addLast(QuickAck.INSTANCE);
            }
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                answer.complete(msg.toString(StandardCharsets.US_ASCII));
              }

              @Override
              public void channelReadComplete(ChannelHandlerContext ctx) {
                // Read here, on the loop, right after the read: the state a delayed ACK would be sent from.
                boolean quick = ((EpollSocketChannel) ctx.channel()).config().isTcpQuickAck();
                ctx.channel().attr(QUICK).set(quick);
              }
            });
          }
        })
        .connect(server.localAddress()).sync().channel();
    // Delayed ACKs on, as the kernel chooses for a connection that both sends and receives
    // (an interactive one: what a TLS handshake and then queries make of a DoT connection).
    client.config().setTcpQuickAck(false);
    client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)).sync();
    assertEquals("pong", answer.get(10, TimeUnit.SECONDS));
    return client;
  }

  private static final io.netty.util.AttributeKey<Boolean> QUICK = io.netty.util.AttributeKey.valueOf("quick");

  @Test
  void afterEachReadTheConnectionAcknowledgesAtOnce() throws Exception {
    EpollSocketChannel client = exchange(true);
    client.eventLoop().submit(() -> {}).sync(); // channelReadComplete has run
    assertTrue(client.attr(QUICK).get(), "TCP_QUICKACK is on after the answer is read");
    client.close().sync();
  }

  @Test
  void withoutItTheKernelKeepsDelayingAcks() throws Exception {
    // The control: what the test above would see if QuickAck did nothing.
    EpollSocketChannel client = exchange(false);
    client.eventLoop().submit(() -> {}).sync();
    assertFalse(client.attr(QUICK).get(), "delayed ACKs stay on after a read");
    client.close().sync();
  }
}

package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client TCP connection (RFC 7766): length-prefixed queries, pipelined, each answered as soon as
 * it is ready, in whatever order that is (section 6.2.1.1). Idle connections are closed (section
 * 6.2.3); a client that half-closes still gets the answers it is owed before we close.
 */
final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {

  private static final Logger log = LoggerFactory.getLogger(TcpHandler.class);

  private final QueryHandler handler;
  private final AtomicInteger connections;
  private final int maxConnections;
  private final int maxPipelined;
  private final ServerListener listener;

  // Event-loop confined.
  private int outstanding;
  private boolean inputClosed;
  private boolean counted;

  TcpHandler(QueryHandler handler, AtomicInteger connections, int maxConnections, int maxPipelined, ServerListener listener) {
    this.listener = listener;
    this.handler = handler;
    this.connections = connections;
    this.maxConnections = maxConnections;
    this.maxPipelined = maxPipelined;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    // Compare-and-set, so that the count never goes over the cap even for an instant: what it says
    // is what is open (tests and metrics read it while connections pour in).
    int open;
    do {
      open = connections.get();
      if (open >= maxConnections) {
        log.debug("TCP connection cap {} reached, closing {}", maxConnections, ctx.channel().remoteAddress());
        ctx.close();
        return;
      }
    } while (!connections.compareAndSet(open, open + 1));
    counted = true;
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (counted) {
      counted = false;
      connections.decrementAndGet();
    }
    super.channelInactive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    byte[] bytes = ByteBufUtil.getBytes(frame);
    Channel ch = ctx.channel();
    outstanding++;
    if (outstanding >= maxPipelined) {
      ch.config().setAutoRead(false);
    }
    handler
        .handle(bytes, (InetSocketAddress) ch.remoteAddress(), Protocol.TCP)
        .whenComplete((reply, error) -> {
          if (error != null) {
            // handle() never fails; if it did, the slot must still be freed.
            listener.unexpectedError(Protocol.TCP, error);
          }
          ch.eventLoop().execute(() -> answered(ch, error == null ? reply : null));
        });
  }

  private void answered(Channel ch, byte[] reply) {
    outstanding--;
    if (reply != null && ch.isActive()) {
      ByteBuf buf = ch.alloc().buffer(2 + reply.length);
      buf.writeShort(reply.length).writeBytes(reply);
      ch.writeAndFlush(buf, ch.voidPromise());
    }
    handler.done();
    if (!ch.config().isAutoRead() && outstanding < maxPipelined && ch.isWritable()) {
      ch.config().setAutoRead(true);
    }
    if (inputClosed && outstanding == 0) {
      ch.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    // Stop reading queries from a client that does not read its replies.
    ctx.channel().config().setAutoRead(ctx.channel().isWritable() && outstanding < maxPipelined);
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputClosed = true;
      if (outstanding == 0) {
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent && outstanding == 0) {
      ctx.close();
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets, bad framing: this connection ends, the listener does not. Anything but an I/O error
    // or a framing error is a bug of ours, reported so that tests and metrics see it.
    if (cause instanceof java.io.IOException || cause instanceof io.netty.handler.codec.DecoderException) {
      log.debug("TCP {}: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("TCP {}: unexpected", ctx.channel().remoteAddress(), cause);
      listener.unexpectedError(Protocol.TCP, cause);
    }
    ctx.close();
  }
}

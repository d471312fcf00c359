package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Protocol;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One datagram, one query: copy the bytes out, release the buffer, answer when the pipeline does. */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger log = LoggerFactory.getLogger(UdpHandler.class);

  private final QueryHandler handler;
  private final ServerListener listener;

  UdpHandler(QueryHandler handler, ServerListener listener) {
    this.handler = handler;
    this.listener = listener;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    byte[] bytes = ByteBufUtil.getBytes(packet.content());
    InetSocketAddress sender = packet.sender();
    Channel ch = ctx.channel();
    CompletableFuture<byte[]> reply = handler.handle(bytes, sender, Protocol.UDP);
    byte[] now = reply.getNow(null);
    if (reply.isDone()) {
      // Answered on the spot (cache, policy, errors): queue it and flush once when this read burst
      // ends, so that the replies of a burst leave in one sendmmsg instead of one syscall each.
      if (now != null) {
        ctx.write(new DatagramPacket(direct(ch, now), sender), ctx.voidPromise());
      }
      handler.done();
      return;
    }
    reply.whenComplete(
        (r, error) -> {
          if (error != null) {
            listener.unexpectedError(Protocol.UDP, error);
          } else if (r != null) {
            ch.writeAndFlush(new DatagramPacket(direct(ch, r), sender), ch.voidPromise());
          }
          // After the write is queued: a graceful stop closes the channel only behind it.
          handler.done();
        });
  }

  /**
   * The reply in a buffer of the channel's (pooled, direct) allocator: the socket writes from
   * native memory, and a heap buffer would only be copied into one on the way out.
   */
  private static ByteBuf direct(Channel ch, byte[] reply) {
    return ch.alloc().directBuffer(reply.length).writeBytes(reply);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP errors and the like: a UDP listener must keep listening whatever happens. Anything but
    // an I/O error is a bug of ours, reported so that tests and metrics see it.
    if (cause instanceof java.io.IOException) {
      log.debug("UDP listener: {}", cause.toString());
    } else {
      log.warn("UDP listener: unexpected", cause);
      listener.unexpectedError(Protocol.UDP, cause);
    }
  }
}

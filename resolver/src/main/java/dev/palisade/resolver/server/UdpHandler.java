package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Protocol;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One datagram, one query: copy the bytes out, release the buffer, answer when the pipeline does. */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger log = LoggerFactory.getLogger(UdpHandler.class);

  private final QueryHandler handler;

  UdpHandler(QueryHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    byte[] bytes = ByteBufUtil.getBytes(packet.content());
    InetSocketAddress sender = packet.sender();
    Channel ch = ctx.channel();
    handler
        .handle(bytes, sender, Protocol.UDP)
        .thenAccept(
            reply -> {
              if (reply != null) {
                ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), sender), ch.voidPromise());
              }
            });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP errors and the like: a UDP listener must keep listening whatever happens.
    log.debug("UDP listener: {}", cause.toString());
  }
}

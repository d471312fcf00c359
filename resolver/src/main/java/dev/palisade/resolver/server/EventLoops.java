package dev.palisade.resolver.server;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * One event loop group for listeners and upstream connections alike, on epoll when the native
 * transport loads (SO_REUSEPORT, fewer copies), else on NIO.
 */
public final class EventLoops implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean epoll;

  public EventLoops(int threads) {
    this.epoll = Epoll.isAvailable();
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads,
            new DefaultThreadFactory("palisade-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  public EventLoopGroup group() {
    return group;
  }

  public boolean epoll() {
    return epoll;
  }

  public int threads() {
    return ((MultiThreadIoEventLoopGroup) group).executorCount();
  }

  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public Class<? extends ServerSocketChannel> serverSocketChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends DatagramChannel> datagramChannel() {
    return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  /**
   * A UDP socket of the address family of {@code bindTo}: an IPv4 address gets an AF_INET socket,
   * as unbound and every C resolver open it, instead of the dual-stack AF_INET6 socket Netty opens by
   * default, whose every datagram the kernel converts to and from a v4-mapped address.
   */
  public ChannelFactory<DatagramChannel> datagramChannel(InetAddress bindTo) {
    SocketProtocolFamily family = bindTo instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    return epoll ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

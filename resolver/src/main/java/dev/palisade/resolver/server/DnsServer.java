package dev.palisade.resolver.server;

import dev.palisade.config.ListenAddress;
import dev.palisade.resolver.chain.Pipeline;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP and TCP listeners on every configured address. Everything a client sends is handled on an
 * event loop and handed to the {@link Pipeline}; nothing a client sends can close a listener.
 */
public final class DnsServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  /** Per connection: stop reading while this many queries are unanswered (RFC 7766 section 6.2.1.1 allows many). */
  static final int MAX_PIPELINED = 256;

  /** The longest UDP query read whole. */
  static final int MAX_QUERY_SIZE = 4096;

  /**
   * The UDP listeners' buffers: a 64 KiB receive buffer per read burst and a direct copy of each
   * reply. Netty's default (adaptive) allocator kept allocating fresh chunks for them, and the JDK
   * zeroes every direct chunk it allocates: about 1% of a cache hit's CPU. The pooled allocator
   * reuses its chunks; one arena, since one event loop uses it, with 1 MiB chunks (8 KiB pages,
   * order 7) to keep the memory it holds small.
   */
  static final ByteBufAllocator UDP_BUFFERS = new PooledByteBufAllocator(true, 0, 1, 8192, 7, 256, 64, true);

  private final EventLoops loops;
  private final QueryHandler handler;
  private final ServerListener listener;
  private final Duration tcpIdleTimeout;
  private final int tcpMaxConnections;
  private final ChannelGroup channels = new DefaultChannelGroup("palisade-listeners", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup udpChannels = new DefaultChannelGroup("palisade-udp", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup tcpListeners = new DefaultChannelGroup("palisade-tcp", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup tcpClients = new DefaultChannelGroup("palisade-tcp-clients", GlobalEventExecutor.INSTANCE);
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private final List<InetSocketAddress> udpAddresses = new ArrayList<>();
  private final List<InetSocketAddress> tcpAddresses = new ArrayList<>();

  public DnsServer(
      EventLoops loops,
      Pipeline pipeline,
      LongSupplier nanoTime,
      Duration queryTimeout,
      Duration tcpIdleTimeout,
      int tcpMaxConnections) {
    this(loops, pipeline, nanoTime, queryTimeout, tcpIdleTimeout, tcpMaxConnections, RateLimiter.OFF,
        new Cookies(new java.security.SecureRandom(), java.time.Clock.systemUTC()), ServerListener.NONE);
  }

  /**
   * @param rateLimiter per-client token buckets, applied before a query is parsed
   * @param cookies the DNS Cookies of RFC 7873 / RFC 9018, answered whenever a client sends one
   * @param listener told about rate-limited queries, bad cookies and unexpected listener errors
   */
  public DnsServer(
      EventLoops loops,
      Pipeline pipeline,
      LongSupplier nanoTime,
      Duration queryTimeout,
      Duration tcpIdleTimeout,
      int tcpMaxConnections,
      RateLimiter rateLimiter,
      Cookies cookies,
      ServerListener listener) {
    this.loops = loops;
    this.listener = listener;
    this.handler = new QueryHandler(pipeline, nanoTime, queryTimeout.toNanos(), rateLimiter, cookies, listener);
    this.tcpIdleTimeout = tcpIdleTimeout;
    this.tcpMaxConnections = tcpMaxConnections;
  }

  /**
   * Binds UDP and TCP on {@code address}. With port 0, UDP takes a free port and TCP the same one.
   *
   * @throws BindFailure with advice a user can act on
   */
  public void listen(ListenAddress address) throws BindFailure {
    InetSocketAddress udp;
    InetSocketAddress tcp;
    // Port 0: the kernel picks a free UDP port, but TCP on the same number may be taken; then try
    // another pick (tests start many listeners side by side).
    for (int attempt = 1; ; attempt++) {
      List<Channel> before = List.copyOf(udpChannels);
      udp = bindUdp(new InetSocketAddress(address.address(), address.port()), address);
      try {
        tcp = bindTcp(udp, address);
        break;
      } catch (BindFailure e) {
        if (address.port() != 0 || attempt == 5) {
          throw e;
        }
        for (Channel ch : List.copyOf(udpChannels)) {
          if (!before.contains(ch)) {
            udpChannels.remove(ch);
            channels.remove(ch);
            ch.close().awaitUninterruptibly();
          }
        }
      }
    }
    udpAddresses.add(udp);
    tcpAddresses.add(tcp);
    log.info("listening on {} (UDP and TCP{})", address.address().getHostAddress() + "@" + udp.getPort(), loops.epoll() ? ", epoll" : "");
  }

  private InetSocketAddress bindUdp(InetSocketAddress at, ListenAddress configured) throws BindFailure {
    UdpHandler udpHandler = new UdpHandler(handler, listener);
    Bootstrap b =
        new Bootstrap()
            .group(loops.group())
            .channelFactory(loops.datagramChannel(at.getAddress()))
            .option(ChannelOption.ALLOCATOR, UDP_BUFFERS)
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .option(ChannelOption.SO_SNDBUF, 4 << 20)
            .handler(udpHandler);
    // With epoll, one socket per event loop on the same port (SO_REUSEPORT): the kernel spreads
    // datagrams over them, so every core reads.
    int sockets = loops.epoll() ? loops.threads() : 1;
    if (loops.epoll()) {
      b.option(EpollChannelOption.SO_REUSEPORT, true);
      // recvmmsg: up to 16 datagrams per read call. Queries longer than this are cut, fail to parse
      // and get FORMERR; real queries are a few hundred bytes (RFC 6891 leaves query size to us).
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY_SIZE);
      b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(16 * MAX_QUERY_SIZE));
    }
    InetSocketAddress bound = at;
    for (int i = 0; i < sockets; i++) {
      Channel ch = bind(b.bind(bound), configured, "UDP");
      udpChannels.add(ch);
      bound = (InetSocketAddress) ch.localAddress();
    }
    return bound;
  }

  private InetSocketAddress bindTcp(InetSocketAddress at, ListenAddress configured) throws BindFailure {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loops.group())
            .channel(loops.serverSocketChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            // A client that never reads its replies cannot make us buffer without limit.
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    tcpClients.add(ch);
                    ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, tcpIdleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                        .addLast("frame", new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                        .addLast("dns", new TcpHandler(handler, tcpConnections, tcpMaxConnections, MAX_PIPELINED, listener));
                  }
                });
    Channel ch = bind(b.bind(at), configured, "TCP");
    tcpListeners.add(ch);
    return (InetSocketAddress) ch.localAddress();
  }

  private Channel bind(io.netty.channel.ChannelFuture f, ListenAddress configured, String proto) throws BindFailure {
    f.awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw BindFailure.of(configured, proto, f.cause());
    }
    channels.add(f.channel());
    return f.channel();
  }

  public List<InetSocketAddress> udpAddresses() {
    return List.copyOf(udpAddresses);
  }

  public List<InetSocketAddress> tcpAddresses() {
    return List.copyOf(tcpAddresses);
  }

  public int openTcpConnections() {
    return tcpConnections.get();
  }

  /** Queries from now on go through {@code pipeline}, with {@code queryTimeout}; those under way finish as they began. */
  public void swap(Pipeline pipeline, Duration queryTimeout) {
    handler.swap(pipeline, queryTimeout.toNanos());
  }

  /** Whether every configured listener is bound and {@link #stopAccepting} has not been called. */
  public boolean listening() {
    return !stopped && !udpAddresses.isEmpty() && channels.stream().allMatch(Channel::isActive);
  }

  private volatile boolean stopped;

  /**
   * The first step of a graceful stop: TCP listeners close, UDP sockets stop reading, and nothing
   * new is taken from open TCP connections; queries already taken in still get their replies (UDP
   * replies leave through the listening socket, so it stays open until {@link #close}).
   */
  public void stopAccepting() {
    stopped = true;
    handler.stop();
    tcpListeners.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    udpChannels.forEach(ch -> ch.config().setAutoRead(false));
    tcpClients.forEach(ch -> ch.config().setAutoRead(false));
  }

  /** Queries taken in whose replies are not yet written. */
  public int inFlight() {
    return handler.inFlight();
  }

  /**
   * Waits until every query taken in has its reply written, or {@code limit} has passed.
   *
   * @return whether all were answered
   */
  public boolean awaitIdle(Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    while (handler.inFlight() > 0) {
      if (System.nanoTime() - end >= 0) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Stops listening and closes client connections. */
  @Override
  public void close() {
    stopped = true;
    channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    tcpClients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }

  /** A listener could not be bound: the message says why and what to do about it. */
  public static final class BindFailure extends Exception {
    private BindFailure(String message, Throwable cause) {
      super(message, cause);
    }

    static BindFailure of(ListenAddress a, String proto, Throwable cause) {
      String reason = String.valueOf(cause.getMessage());
      String where = proto + " " + a;
      String advice;
      if (reason.contains("Permission denied") || reason.contains("Access denied")) {
        advice =
            "ports below 1024 need root or CAP_NET_BIND_SERVICE (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE;"
                + " by hand: setcap cap_net_bind_service=+ep on the java binary), or listen on another port,"
                + " e.g. listen_addresses: [127.0.0.1@5353]";
      } else if (reason.contains("in use")) {
        advice = "another DNS server already listens there (systemd-resolved, dnsmasq, stubby, unbound?): stop it, or choose another address or port";
      } else if (reason.contains("assign requested address")) {
        advice = "no interface on this host has that address";
      } else {
        advice = "check listen_addresses";
      }
      return new BindFailure("cannot listen on " + where + ": " + reason + " - " + advice, cause);
    }
  }
}

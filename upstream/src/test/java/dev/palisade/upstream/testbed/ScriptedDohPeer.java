package dev.palisade.upstream.testbed;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
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
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * An in-process DoH server on loopback (Netty HTTP/2 over TLS with ALPN h2) whose every answer a
 * test scripts: answer, answer later, drop, reset the stream, send an HTTP error, or GOAWAY. It
 * records the requests it saw and the most streams it ever had open at once. All its work runs on
 * one event loop, so a script needs no locks.
 *
 * <p>Answers are A records {@code 192.0.2.1} for whatever was asked, ID copied from the query.
 */
public final class ScriptedDohPeer implements AutoCloseable {

  /** One request as the peer decoded it. */
  public record Request(int connection, int streamId, String method, String path, Message query, int wireLength) {}

  /** Decides what happens to one request. Runs on the peer's event loop. */
  @FunctionalInterface
  public interface Script {
    void handle(Request request, Exchange exchange);
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final Script script;
  private final int maxConcurrentStreams;
  private final List<Request> requests = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private int open;
  private int maxOpen;

  private ScriptedDohPeer(String address, TestCa.ServerCert cert, int maxConcurrentStreams, Script script) {
    this.script = script;
    this.maxConcurrentStreams = maxConcurrentStreams;
    SslContext ssl;
    try {
      ssl = SslContextBuilder.forServer(cert.certFile().toFile(), cert.keyFile().toFile())
          .sslProvider(SslProvider.JDK)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2))
          .build();
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
            int index = connections.getAndIncrement();
            Http2Settings settings = Http2Settings.defaultSettings();
            if (maxConcurrentStreams > 0) {
              settings.maxConcurrentStreams(maxConcurrentStreams);
            }
            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ChannelInboundHandlerAdapter() {
              // HTTP/2 only once TLS is up, as an ALPN server does: a codec added at once writes its
              // SETTINGS into the TLS handler's queue before the handshake, and a client that then
              // rejects the certificate leaves that buffer behind (the leak detector caught it).
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof SslHandshakeCompletionEvent done) {
                  if (done.isSuccess()) {
                    Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
                    ctx.pipeline().addLast(codec, new Handler(index, codec));
                    ctx.pipeline().remove(this);
                  } else {
                    ctx.close();
                  }
                }
                super.userEventTriggered(ctx, evt);
              }
            });
          }
        })
        .bind(new InetSocketAddress(host, 0))
        .syncUninterruptibly()
        .channel();
  }

  /**
   * Starts a peer on {@code address} (loopback) with {@code cert}.
   *
   * @param maxConcurrentStreams announced SETTINGS_MAX_CONCURRENT_STREAMS; 0: none announced
   */
  public static ScriptedDohPeer start(String address, TestCa.ServerCert cert, int maxConcurrentStreams, Script script) {
    return new ScriptedDohPeer(address, cert, maxConcurrentStreams, script);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public URI url(String host) {
    return URI.create("https://" + host + ":" + port() + "/dns-query");
  }

  /** The requests seen so far, in order of arrival. */
  public List<Request> requests() {
    return onLoop(() -> List.copyOf(requests));
  }

  /** The most streams that were open at the same time, on any one connection or summed over all. */
  public int maxOpenStreams() {
    return onLoop(() -> maxOpen);
  }

  public int connections() {
    return connections.get();
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> task) {
    try {
      return group.next().submit(task).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What the script can do with one request. Each method is final for that request. */
  public final class Exchange {
    private final Handler handler;
    private final Http2FrameStream stream;
    private final Request request;
    private boolean done;

    private Exchange(Handler handler, Http2FrameStream stream, Request request) {
      this.handler = handler;
      this.stream = stream;
      this.request = request;
    }

    public Request request() {
      return request;
    }

    /** 200 with an answer. */
    public void answer() {
      if (finish()) {
        Message reply = new Message(request.query().getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RA);
        if (request.query().getHeader().getFlag(Flags.RD)) {
          reply.getHeader().setFlag(Flags.RD);
        }
        Record q = request.query().getQuestion();
        reply.addRecord(q, Section.QUESTION);
        reply.addRecord(new ARecord(q.getName(), DClass.IN, 60, address("192.0.2.1")), Section.ANSWER);
        send(200, reply.toWire());
      }
    }

    /** 200 with an answer, {@code delay} from now. */
    public void answerAfter(Duration delay) {
      handler.ctx.executor().schedule(this::answer, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Never answer; the stream stays open. */
    public void drop() {
      done = true;
    }

    /** RST_STREAM with {@code error}. */
    public void reset(Http2Error error) {
      if (finish()) {
        handler.ctx.writeAndFlush(new DefaultHttp2ResetFrame(error).stream(stream));
      }
    }

    /** An HTTP error status with an empty body. */
    public void status(int code) {
      if (finish()) {
        send(code, new byte[0]);
      }
    }

    /**
     * GOAWAY on this request's connection with {@code lastStreamId}: streams above it were not
     * processed (the peer forgets them), streams at or below may still be answered.
     */
    public void goAway(int lastStreamId) {
      handler.codec.goAway(handler.codecCtx(), lastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, handler.ctx.newPromise());
      handler.ctx.flush();
    }

    /** Closes this request's connection at once, without GOAWAY. */
    public void closeConnection() {
      done = true;
      handler.ctx.channel().close();
    }

    private boolean finish() {
      if (done || !handler.ctx.channel().isActive()) {
        return false;
      }
      done = true;
      open--;
      return true;
    }

    private void send(int status, byte[] body) {
      DefaultHttp2Headers h = new DefaultHttp2Headers();
      h.status(Integer.toString(status));
      if (status == 200) {
        h.set("content-type", "application/dns-message");
      }
      h.setInt("content-length", body.length);
      handler.ctx.write(new DefaultHttp2HeadersFrame(h, body.length == 0).stream(stream));
      if (body.length > 0) {
        handler.ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream));
      }
      handler.ctx.flush();
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Handler extends Http2ChannelDuplexHandler {
    final int index;
    final Http2FrameCodec codec;
    ChannelHandlerContext ctx;
    private final Map<Http2FrameStream, Http2HeadersFrame> heads = new HashMap<>();
    private final Map<Http2FrameStream, ByteArrayOutputStream> bodies = new HashMap<>();

    Handler(int index, Http2FrameCodec codec) {
      this.index = index;
      this.codec = codec;
    }

    ChannelHandlerContext codecCtx() {
      return ctx.pipeline().context(codec);
    }

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame h) {
          heads.put(h.stream(), h);
          bodies.put(h.stream(), new ByteArrayOutputStream());
          open++;
          maxOpen = Math.max(maxOpen, open);
          if (h.isEndStream()) {
            request(h.stream());
          }
        } else if (msg instanceof Http2DataFrame d) {
          ByteArrayOutputStream body = bodies.get(d.stream());
          if (body != null) {
            ByteBuf c = d.content();
            byte[] chunk = new byte[c.readableBytes()];
            c.readBytes(chunk);
            body.write(chunk, 0, chunk.length);
            if (d.isEndStream()) {
              request(d.stream());
            }
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void request(Http2FrameStream stream) {
      Http2HeadersFrame h = heads.remove(stream);
      byte[] body = bodies.remove(stream).toByteArray();
      String method = String.valueOf(h.headers().method());
      String path = String.valueOf(h.headers().path());
      if (method.equals("GET")) {
        int at = path.indexOf("dns=");
        body = Base64.getUrlDecoder().decode(path.substring(at + 4).replaceAll("&.*", ""));
      }
      Message query;
      try {
        query = new Message(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Request r = new Request(index, stream.id(), method, path, query, body.length);
      requests.add(r);
      script.handle(r, new Exchange(this, stream, r));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

package dev.palisade.resolver.http;

import dev.palisade.config.ListenAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for operators ({@code metrics.listen}): {@code /metrics}, {@code /health},
 * {@code /ready} and whatever else is {@link #register registered}. GET only; requests are read
 * whole up to {@link #MAX_REQUEST} bytes (larger ones get 413); it runs on its own single event
 * loop, so a slow scrape never holds up a DNS query.
 */
public final class HttpEndpoint implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

  /** Request line, headers and body together: a scraper's GET is a few hundred bytes. */
  static final int MAX_REQUEST = 8192;
  /** An idle keep-alive connection is closed after this long. */
  static final int IDLE_SECONDS = 60;

  /** What a route answers. */
  public record Response(int status, String contentType, String body) {
    public Response {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
    }

    public static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }

  /** Answers GET on one path; {@code accept} is the request's Accept header, or null. */
  @FunctionalInterface
  public interface Route {
    Response respond(String accept);
  }

  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("palisade-http", true), NioIoHandler.newFactory());
  private Channel server;

  /** Serves {@code body.get()} with status 200 on GET {@code path} (e.g. {@code /ipset}). */
  public void register(String path, String contentType, Supplier<String> body) {
    Objects.requireNonNull(body, "body");
    route(path, accept -> new Response(200, contentType, body.get()));
  }

  /** Serves {@code path} with a route that chooses its own status and content type. */
  public void route(String path, Route route) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("a path starts with /: " + path);
    }
    routes.put(path, Objects.requireNonNull(route, "route"));
  }

  /**
   * Starts listening.
   *
   * @throws IllegalStateException with a message naming the address when it cannot be bound
   */
  public InetSocketAddress bind(ListenAddress at) {
    var f = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec(4096, MAX_REQUEST, MAX_REQUEST))
                .addLast(new HttpObjectAggregator(MAX_REQUEST))
                .addLast(new Handler());
          }
        })
        .bind(new InetSocketAddress(at.address(), at.port()))
        .awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException(String.valueOf(f.cause().getMessage()), f.cause());
    }
    server = f.channel();
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    log.info("metrics on http://{}:{}/metrics (/health, /ready)", bound.getAddress().getHostAddress(), bound.getPort());
    return bound;
  }

  /** Where it listens, once bound. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      Response r;
      if (!request.decoderResult().isSuccess()) {
        r = Response.text(400, "bad request\n");
        send(ctx, request, r, false);
        return;
      }
      String uri = request.uri();
      int q = uri.indexOf('?');
      String path = q < 0 ? uri : uri.substring(0, q);
      Route route = routes.get(path);
      if (route == null) {
        r = Response.text(404, "not found: try /metrics, /health or /ready\n");
      } else if (!HttpMethod.GET.equals(request.method())) {
        r = Response.text(405, "only GET\n");
      } else {
        try {
          r = route.respond(request.headers().get(HttpHeaderNames.ACCEPT));
        } catch (RuntimeException e) {
          log.warn("HTTP {} failed: {}", path, e.toString());
          r = Response.text(500, "internal error\n");
        }
      }
      send(ctx, request, r, HttpUtil.isKeepAlive(request));
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, Response r, boolean keepAlive) {
      ByteBuf body = Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      if (r.status() == 405) {
        response.headers().set(HttpHeaderNames.ALLOW, "GET");
      }
      if (keepAlive) {
        HttpUtil.setKeepAlive(response, true);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HTTP {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}

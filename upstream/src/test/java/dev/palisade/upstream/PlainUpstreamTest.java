package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Plain UDP/TCP against a real unbound's plain port on loopback. */
class PlainUpstreamTest {

  @TempDir static Path dir;
  static UnboundServer unbound;
  static EventLoopGroup group;

  @BeforeAll
  static void startUnbound() {
    UnboundServer.Builder b =
        UnboundServer.builder()
            .directory(dir.resolve("unbound"))
            .tls(TestCa.create(dir.resolve("ca")).issue("dns", "dns.test"))
            .localZone("example.test.", "static")
            .localData("www.example.test. 300 IN A 192.0.2.1");
    for (int i = 0; i < 30; i++) {
      b.localData("big.example.test. 300 IN TXT \"" + "x".repeat(60) + i + "\"");
    }
    unbound = b.build().start();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stop() {
    unbound.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static PlainUpstream plain(int port, boolean udp, boolean tcp) throws Exception {
    PlainSettings s = new PlainSettings(
        new InetSocketAddress(InetAddress.getByName(unbound.address()), port), udp, tcp, Duration.ofSeconds(2), 1000, false);
    return new PlainUpstream(s, group, NioDatagramChannel.class, NioSocketChannel.class, new SecureRandom(), System::nanoTime);
  }

  private static Message query(String name, int type) throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void answersOverUdp() throws Exception {
    try (PlainUpstream up = plain(unbound.plainPort(), true, false)) {
      Message reply = up.exchange(query("www.example.test.", Type.A), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      assertEquals(Rcode.NOERROR, reply.getRcode());
      assertEquals(1, reply.getSection(Section.ANSWER).size());
    }
  }

  @Test
  void retriesATruncatedUdpReplyOverTcp() throws Exception {
    try (PlainUpstream up = plain(unbound.plainPort(), true, true)) {
      Message reply = up.exchange(query("big.example.test.", Type.TXT), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS);
      assertFalse(reply.getHeader().getFlag(Flags.TC));
      assertEquals(30, reply.getSection(Section.ANSWER).size());
    }
  }

  @Test
  void answersOverTcpAlone() throws Exception {
    try (PlainUpstream up = plain(unbound.plainPort(), false, true)) {
      assertEquals(Rcode.NOERROR, up.exchange(query("www.example.test.", Type.A), in(Duration.ofSeconds(5))).get(10, TimeUnit.SECONDS).getRcode());
    }
  }

  @Test
  void timesOutWhenNothingAnswersOverUdp() throws Exception {
    try (PlainUpstream up = plain(FreePorts.find(unbound.address()), true, false)) {
      CompletableFuture<Message> f = up.exchange(query("www.example.test.", Type.A), in(Duration.ofMillis(500)));
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals(UpstreamException.Reason.TIMEOUT, assertInstanceOf(UpstreamException.class, e.getCause()).reason());
    }
  }

  @Test
  void reportsARefusedTcpConnection() throws Exception {
    try (PlainUpstream up = plain(FreePorts.find(unbound.address()), false, true)) {
      CompletableFuture<Message> f = up.exchange(query("www.example.test.", Type.A), in(Duration.ofSeconds(2)));
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals(UpstreamException.Reason.CONNECT, assertInstanceOf(UpstreamException.class, e.getCause()).reason());
    }
  }
}

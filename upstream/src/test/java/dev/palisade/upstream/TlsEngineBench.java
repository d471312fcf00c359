package dev.palisade.upstream;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * JDK TLS against BoringSSL (netty-tcnative) on loopback against a real unbound, DoT and DoH: CPU of
 * this process (all threads) per full handshake, per resumed handshake, and per 1000 pipelined
 * queries on one connection. Not a unit test: run by hand (see upstream/README.md), results in the
 * README. Each figure is the median of several rounds, engines alternating within a round.
 */
public final class TlsEngineBench {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private TlsEngineBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("tls-bench");
    TestCa ca = TestCa.create(dir.resolve("ca"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try (UnboundServer unbound = UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("s", "dns.test")).doh()
        .localZone("example.test.", "static").localData("www.example.test. 300 IN A 192.0.2.1").build().start()) {
      List<String> lines = new ArrayList<>();
      for (String transport : List.of("DoT", "DoH")) {
        for (String what : List.of("full handshake", "resumed handshake", "1000 queries")) {
          List<List<Double>> samples = List.of(new ArrayList<>(), new ArrayList<>());
          for (int r = 0; r < rounds + 1; r++) {
            for (TlsEngine e : r % 2 == 0 ? List.of(TlsEngine.JDK, TlsEngine.OPENSSL) : List.of(TlsEngine.OPENSSL, TlsEngine.JDK)) {
              double v = measure(transport, what, e, unbound, ca, group);
              if (r > 0) { // round 0 warms up
                samples.get(e.ordinal()).add(v);
              }
            }
          }
          String line = String.format("| %s | %s | %.2f ms | %.2f ms |", transport, what, median(samples.get(0)), median(samples.get(1)));
          System.out.println(line);
          lines.add(line);
        }
      }
      System.out.println("| transport | CPU per | JDK | BoringSSL |\n|---|---|---|---|");
      lines.forEach(System.out::println);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static Upstream upstream(String transport, TlsEngine e, UnboundServer u, TestCa ca, EventLoopGroup g, Duration idle) throws Exception {
    TlsSettings tls = TlsSettings.strict("dns.test").withCaFile(ca.caFile()).withEngine(e);
    InetAddress host = InetAddress.getByName(u.address());
    if (transport.equals("DoT")) {
      DotSettings s = new DotSettings(new InetSocketAddress(host, u.dotPort()), tls, idle, Duration.ofSeconds(2), 8192, 0, EdnsPrivacy.DEFAULT);
      return new DotUpstream(s, g, EpollSocketChannel.class, new SecureRandom(), System::nanoTime);
    }
    DohSettings s = DohSettings.of(u.dohUrl("dns.test"), host, tls, idle, Duration.ofSeconds(2), 8192);
    return new DohUpstream(s, g, EpollSocketChannel.class, System::nanoTime);
  }

  private static Message query() throws Exception {
    return Reorigination.query(Message.newQuery(Record.newRecord(Name.fromString("www.example.test."), Type.A, DClass.IN)));
  }

  /** Process CPU milliseconds per unit of {@code what}. */
  private static double measure(String transport, String what, TlsEngine e, UnboundServer u, TestCa ca, EventLoopGroup g) throws Exception {
    Message q = query();
    switch (what) {
      case "full handshake" -> {
        int n = 100;
        long cpu = 0;
        for (int i = 0; i < n; i++) {
          try (Upstream up = upstream(transport, e, u, ca, g, Duration.ofSeconds(30))) {
            long c0 = OS.getProcessCpuTime();
            up.exchange(q, System.nanoTime() + 5_000_000_000L).get(10, TimeUnit.SECONDS);
            cpu += OS.getProcessCpuTime() - c0;
          }
        }
        return cpu / 1e6 / n;
      }
      case "resumed handshake" -> {
        int n = 100;
        long cpu = 0;
        try (Upstream up = upstream(transport, e, u, ca, g, Duration.ofMillis(2))) {
          up.exchange(q, System.nanoTime() + 5_000_000_000L).get(10, TimeUnit.SECONDS);
          for (int i = 0; i < n; i++) {
            Thread.sleep(20); // our idle timeout closes the connection
            long c0 = OS.getProcessCpuTime();
            up.exchange(q, System.nanoTime() + 5_000_000_000L).get(10, TimeUnit.SECONDS);
            cpu += OS.getProcessCpuTime() - c0;
          }
        }
        return cpu / 1e6 / n;
      }
      default -> {
        try (Upstream up = upstream(transport, e, u, ca, g, Duration.ofSeconds(30))) {
          up.exchange(q, System.nanoTime() + 5_000_000_000L).get(10, TimeUnit.SECONDS);
          int total = 20_000;
          long c0 = OS.getProcessCpuTime();
          for (int done = 0; done < total; done += 100) {
            List<CompletableFuture<Message>> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
              batch.add(up.exchange(q, System.nanoTime() + 5_000_000_000L));
            }
            for (CompletableFuture<Message> f : batch) {
              f.get(10, TimeUnit.SECONDS);
            }
          }
          return (OS.getProcessCpuTime() - c0) / 1e6 / (total / 1000.0);
        }
      }
    }
  }
}

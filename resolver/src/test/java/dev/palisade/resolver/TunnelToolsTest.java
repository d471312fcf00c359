package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palisade.config.DnssecConfig;
import dev.palisade.config.ListenAddress;
import dev.palisade.config.PalisadeConfig;
import dev.palisade.config.PolicyConfig;
import dev.palisade.config.UpstreamServer;
import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Real DNS tunnel tools (Debian's dns2tcp and iodine) against Palisade. Each tool's server is
 * authoritative for a zone under example.com (a real public suffix, so the policy scores it),
 * delegated to it by a recursive unbound (stub zones); Palisade forwards to that unbound over
 * DoT with its default, guarded policy. Control: the same client, pointed at unbound's plain port,
 * carries data. Through Palisade it must not.
 *
 * <p>Everything is on loopback, in 127.83.R.0/24 for one random R: relays .1 and .2, unbound .3,
 * dns2tcpd .4, iodined .5, Palisade .10, iodine's tunnel addresses .65/27 (on its tun devices),
 * and .96/27, routed into the client's tun device, where the test sends packets through
 * iodine's tunnel. The echo server behind dns2tcpd is on 127.0.0.1.
 *
 * <p>Both clients send to port 53 only (neither takes a port), so each is pointed at a
 * {@link Relay} on port 53 of its own loopback address, which passes datagrams on unchanged and
 * counts the answers by rcode: that is how the refusals are counted. Binding port 53 needs root
 * (or CAP_NET_BIND_SERVICE); without it the class is skipped, with the reason.
 */
// The runs through Palisade go first: a control run can leave queries in flight (unbound retries
// those a tunnel server leaves unanswered), which must not be counted against a later run.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelToolsTest {

  static final String DNS2TCP_ZONE = "tun.example.com";
  static final String DNS2TCP_RESOURCE = "echo";
  /** A short top domain, as iodine's documentation advises. */
  static final String IODINE_ZONE = "i.example.com";
  static final String IODINE_PASSWORD = "palisade-test";
  static final String IODINE_CONNECTED = "Connection setup complete";
  /** UDP datagrams sent into iodine's tunnel once it is up, and their size. */
  static final int IODINE_PACKETS = 10;
  static final int IODINE_PACKET_BYTES = 200;
  /** Random bytes, as a stolen secret would be: about 15 dns2tcp queries' worth. */
  static final int PAYLOAD_BYTES = 2000;
  /** Generous, for a loaded 2-core machine; the control takes a few seconds when idle. */
  static final Duration CONTROL_WAIT = Duration.ofSeconds(90);
  /** How long the tunnel gets to carry the data through Palisade. */
  static final Duration BLOCKED_WAIT = Duration.ofSeconds(30);
  static final Duration START_WAIT = Duration.ofSeconds(20);

  @TempDir static Path dir;
  static String net;
  static TestCa ca;
  static EchoServer echo;
  static Daemon dns2tcpd;
  static Daemon iodined;
  /** Why iodine cannot run here, or null when it can. */
  static String iodineUnavailable;
  static UnboundServer unbound;

  @BeforeAll
  static void start() throws Exception {
    net = chooseNet();
    ca = TestCa.create(dir.resolve("ca"));
    echo = new EchoServer();

    int[] ports = FreePorts.find(net + "4", 1);
    Path conf = dir.resolve("dns2tcpd.conf");
    Files.writeString(conf, String.join("\n",
        "listen = " + net + "4",
        "port = " + ports[0],
        "domain = " + DNS2TCP_ZONE,
        "resources = " + DNS2TCP_RESOURCE + ":127.0.0.1:" + echo.port(),
        ""));
    // -d 3 logs every query and the payload bytes it decodes: the figures below come from it.
    dns2tcpd = Daemon.start(dir.resolve("dns2tcpd.log"), find("dns2tcpd"), "-F", "-d", "3", "-f", conf.toString());
    if (!dns2tcpd.awaitLog("Listening on", START_WAIT)) {
      throw new IllegalStateException("dns2tcpd did not start:\n" + dns2tcpd.log());
    }

    int iodinedPort = FreePorts.find(net + "5");
    iodineUnavailable = iodineUnavailable();
    if (iodineUnavailable == null) {
      // -s: iodined leaves its tun device unconfigured (no address, down); -DD logs every query.
      iodined = Daemon.start(dir.resolve("iodined.log"), find("iodined"), "-f", "-s", "-DD", "-l", net + "5",
          "-p", String.valueOf(iodinedPort), "-P", IODINE_PASSWORD, "-d", device("pts"), net + "65/27", IODINE_ZONE);
      if (!iodined.awaitLog("Listening to dns for domain", START_WAIT)) {
        iodineUnavailable = "iodined did not start (it needs a usable /dev/net/tun and CAP_NET_ADMIN):\n" + iodined.log();
        iodined.close();
        iodined = null;
      }
    }

    unbound = UnboundServer.builder().address(net + "3").directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))
        // the test bed refuses "." outright; these zones are resolved, through the stubs below
        .localZone(DNS2TCP_ZONE + ".", "transparent")
        .localZone(IODINE_ZONE + ".", "transparent")
        // a normal name, to show Palisade's path works while the tunnel is refused
        .localZone("www.example.com.", "static")
        .localData("www.example.com. 300 IN A 192.0.2.80")
        .extraConfig(
            "log-queries: yes",
            // the tunnel servers answer only their own query names: ask them the whole name
            "qname-minimisation: no",
            "stub-zone:",
            "  name: \"" + DNS2TCP_ZONE + "\"",
            "  stub-addr: " + net + "4@" + ports[0],
            "stub-zone:",
            "  name: \"" + IODINE_ZONE + "\"",
            "  stub-addr: " + net + "5@" + iodinedPort)
        .build().start();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {unbound, iodined, dns2tcpd, echo}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // go on stopping the others
        }
      }
    }
  }

  // ---------------------------------------------------------------- dns2tcp

  @Test
  @Order(4)
  void dns2tcpCarriesDataThroughAPlainRecursiveResolver() throws Exception {
    try (Relay relay = new Relay(net + "1", new InetSocketAddress(net + "3", unbound.plainPort()))) {
      Dns2tcpRun run = dns2tcp(relay, CONTROL_WAIT);
      report("dns2tcp via unbound", run.toString());
      assertArrayEquals(run.sent, run.echoed, "the echo came back through the tunnel: " + run + "\n" + run.clientLog);
      assertEquals(0, relay.count(Rcode.REFUSED), relay.toString());
    }
  }

  @Test
  @Order(1)
  void dns2tcpCannotCarryDataThroughPalisade() throws Exception {
    try (Palisade palisade = palisade();
        Relay relay = new Relay(net + "2", palisade.udpAddresses().get(0))) {
      DigResult normal = Dig.query(net + "10", palisade.udpAddresses().get(0).getPort(), "www.example.com", "A");
      assertEquals("NOERROR", normal.status(), "Palisade's path to unbound works: " + normal.output());

      Dns2tcpRun run = dns2tcp(relay, BLOCKED_WAIT);
      report("dns2tcp via Palisade", run + "; relay " + relay + "; answered " + relay.passedNames());
      assertEquals(0, run.echoed.length, "no data came back through Palisade: " + run + "\n" + run.clientLog);
      assertTrue(relay.count(Rcode.REFUSED) > 0, "Palisade refused the tunnel's queries: " + relay);
      // the default hourly budget (4096 bits of names per client and domain) is the most that may pass
      assertTrue(run.payloadAtServer <= 512 && run.reachedResource <= 512, "at most the hourly budget reached the tunnel server: " + run);
    }
  }

  record Dns2tcpRun(byte[] sent, byte[] echoed, int queriesAtServer, long payloadAtServer, long reachedResource, String clientLog) {
    @Override
    public String toString() {
      return "sent " + sent.length + " B, echoed back " + echoed.length + " B; the tunnel server got " + queriesAtServer
          + " queries carrying " + payloadAtServer + " B of payload, the echo server " + reachedResource + " B";
    }
  }

  /**
   * dns2tcpc with a local port forwarded to the echo resource, asking {@code relay}: sends
   * {@link #PAYLOAD_BYTES} random bytes through it and reads what comes back within {@code wait}.
   */
  static Dns2tcpRun dns2tcp(Relay relay, Duration wait) throws Exception {
    byte[] payload = new byte[PAYLOAD_BYTES];
    new Random(42).nextBytes(payload);
    int serverMark = dns2tcpd.logLength();
    long echoMark = echo.received();
    int localPort = FreePorts.find("127.0.0.1");
    byte[] echoed;
    String clientLog;
    try (Daemon client = Daemon.start(dir.resolve("dns2tcpc-" + relay.address() + ".log"), find("dns2tcpc"),
        "-f", "/dev/null", "-d", "1", "-r", DNS2TCP_RESOURCE, "-l", String.valueOf(localPort), "-z", DNS2TCP_ZONE, relay.address())) {
      echoed = sendAndReadBack(client, localPort, payload, wait);
      clientLog = client.log();
    }
    String serverLog = dns2tcpd.logSince(serverMark);
    return new Dns2tcpRun(payload, echoed, count(serverLog, "Receive query"),
        sum(serverLog, Pattern.compile("decoded, data_len (\\d+)")), echo.received() - echoMark, clientLog);
  }

  /** What came back, within {@code wait}, of {@code payload} sent through the client's local port. */
  static byte[] sendAndReadBack(Daemon client, int localPort, byte[] payload, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    Socket socket = null;
    // dns2tcpc opens its local port at once; if it gives up instead, nothing can be carried.
    while (socket == null && client.isAlive() && System.nanoTime() < deadline) {
      try {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", localPort), 500);
      } catch (IOException notYet) {
        socket.close();
        socket = null;
        Thread.sleep(100);
      }
    }
    if (socket == null) {
      return new byte[0];
    }
    byte[] back = new byte[payload.length];
    int got = 0;
    try (Socket s = socket) {
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write(payload);
      out.flush();
      InputStream in = s.getInputStream();
      while (got < back.length && System.nanoTime() < deadline) {
        try {
          int n = in.read(back, got, back.length - got);
          if (n < 0) {
            break;
          }
          got += n;
        } catch (SocketTimeoutException again) {
          // check the deadline and read on
        } catch (SocketException reset) {
          break;
        }
      }
    }
    return Arrays.copyOf(back, got);
  }

  // ---------------------------------------------------------------- iodine

  @Test
  @Order(5)
  void iodineCarriesPacketsThroughAPlainRecursiveResolver() throws Exception {
    assumeTrue(iodineUnavailable == null, () -> "iodine skipped: " + iodineUnavailable);
    try (Relay relay = new Relay(net + "1", new InetSocketAddress(net + "3", unbound.plainPort()))) {
      IodineRun run = iodine(relay, CONTROL_WAIT);
      report("iodine via unbound", run + "; relay " + relay);
      assertTrue(run.connected, "iodine's tunnel came up: " + run + "\n" + run.clientLog);
      assertTrue(run.packetsAtServer >= IODINE_PACKETS, "every packet sent into the tunnel reached iodined: " + run + "\n" + run.clientLog);
      assertEquals(0, relay.count(Rcode.REFUSED), relay.toString());
    }
  }

  @Test
  @Order(2)
  void iodineCarriesNoPacketThroughPalisade() throws Exception {
    assumeTrue(iodineUnavailable == null, () -> "iodine skipped: " + iodineUnavailable);
    try (Palisade palisade = palisade();
        Relay relay = new Relay(net + "2", palisade.udpAddresses().get(0))) {
      IodineRun run = iodine(relay, BLOCKED_WAIT);
      report("iodine via Palisade", run + "; relay " + relay + "; answered " + relay.passedNames());
      assertEquals(0, run.packetsAtServer, "no tunnelled packet reached iodined: " + run + "\n" + run.clientLog);
      assertTrue(relay.count(Rcode.REFUSED) > 0, "Palisade refused the tunnel's queries: " + relay);
    }
  }

  /**
   * iodine with the options it suggests itself when it finds no usable fragment size ("try
   * setting -M to 200 or lower, or try other -T or -O options"): short query names, a fixed
   * fragment size (no probing), TXT and base32. Its handshake then gets through, but no packet.
   */
  @Test
  @Order(3)
  void iodineWithShortNamesAndNoProbingStillCarriesNoPacketThroughPalisade() throws Exception {
    assumeTrue(iodineUnavailable == null, () -> "iodine skipped: " + iodineUnavailable);
    try (Palisade palisade = palisade();
        Relay relay = new Relay(net + "2", palisade.udpAddresses().get(0))) {
      IodineRun run = iodine(relay, BLOCKED_WAIT, "-M", "100", "-m", "100", "-T", "TXT", "-O", "Base32");
      report("iodine -M 100 -m 100 -T TXT -O Base32 via Palisade", run + "; relay " + relay + "; answered " + relay.passedNames());
      assertEquals(0, run.packetsAtServer, "no tunnelled packet reached iodined: " + run + "\n" + run.clientLog);
      assertTrue(relay.count(Rcode.REFUSED) > 0, "Palisade refused the tunnel's queries: " + relay);
    }
  }

  record IodineRun(boolean connected, int queriesAtServer, int packetsAtServer, long packetBytesAtServer, String clientLog) {
    @Override
    public String toString() {
      return (connected ? "tunnel up, " + IODINE_PACKETS + " packets sent into it" : "tunnel never up") + "; iodined got "
          + queriesAtServer + " queries and " + packetsAtServer + " tunnelled packets (" + packetBytesAtServer + " B compressed)";
    }
  }

  /**
   * iodine asking {@code relay}, without raw mode (everything goes through DNS), on a tun device
   * made for it. Once its tunnel is up, {@link #IODINE_PACKETS} UDP datagrams are sent into the
   * tunnel, and iodined's log tells how many arrived within {@code wait}.
   *
   * <p>Sending into the tunnel stays on loopback: the device gets a loopback address from iodine,
   * and a route in the local table sends 127.83.R.96/27 out through it (with route_localnet, so
   * that the kernel lets loopback addresses leave through a device other than lo). IPv6 is off on
   * the device, so that the kernel sends nothing of its own (a link-local router solicitation)
   * through the tunnel.
   */
  static IodineRun iodine(Relay relay, Duration wait, String... options) throws Exception {
    int serverMark = iodined.logLength();
    boolean connected;
    String clientLog;
    try (TunDevice tun = new TunDevice(device("ptc"))) {
      List<String> command = new ArrayList<>(List.of(find("iodine"), "-f", "-r", "-P", IODINE_PASSWORD, "-d", tun.name()));
      command.addAll(List.of(options));
      command.addAll(List.of(relay.address(), IODINE_ZONE));
      try (Daemon client = Daemon.start(dir.resolve("iodine-" + relay.address() + ".log"), command.toArray(String[]::new))) {
        connected = client.awaitLog(IODINE_CONNECTED, wait);
        if (connected) {
          tun.routeLocal(net + "96/27");
          try (DatagramSocket out = new DatagramSocket()) {
            Random r = new Random(43);
            for (int i = 0; i < IODINE_PACKETS; i++) {
              byte[] data = new byte[IODINE_PACKET_BYTES];
              r.nextBytes(data);
              out.send(new DatagramPacket(data, data.length, new InetSocketAddress(net + "100", 9)));
            }
          }
          await(() -> count(iodined.logSince(serverMark), "(last=1)") >= IODINE_PACKETS || !client.isAlive(), wait);
        }
        clientLog = client.log();
      }
    }
    String serverLog = iodined.logSince(serverMark);
    // "IN   pkt seq# 1, frag 0 (last=1), fragsize 53, total 53, from user 0": a whole packet, compressed size
    return new IodineRun(connected, count(serverLog, "RX: client"), count(serverLog, "(last=1)"),
        sum(serverLog, Pattern.compile("\\(last=1\\), fragsize \\d+, total (\\d+)")), clientLog);
  }

  /** Null when iodine can run here: it needs a tun device, root (CAP_NET_ADMIN) and iproute2's ip. */
  static String iodineUnavailable() {
    Path tun = Path.of("/dev/net/tun");
    if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
      return "/dev/net/tun is missing or not usable; iodine needs a tun device";
    }
    try {
      new TunDevice(device("ptp")).close();
      return null;
    } catch (RuntimeException | IOException | InterruptedException e) {
      return "cannot make a tun device (iodine needs root, CAP_NET_ADMIN and iproute2): " + e.getMessage();
    }
  }

  /**
   * A persistent tun device made with {@code ip tuntap}, IPv6 off, loopback addresses allowed to
   * leave through it (route_localnet); deleted on close, with every address and route on it.
   */
  static final class TunDevice implements AutoCloseable {
    private final String name;

    TunDevice(String name) throws IOException, InterruptedException {
      this.name = name;
      ip("tuntap", "add", "dev", name, "mode", "tun");
      try {
        Path ipv6 = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
        if (Files.exists(ipv6)) {
          Files.writeString(ipv6, "1\n");
        }
        Files.writeString(Path.of("/proc/sys/net/ipv4/conf", name, "route_localnet"), "1\n");
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    String name() {
      return name;
    }

    /** Sends {@code cidr} (in 127.0.0.0/8) out through this device, which must be up. */
    void routeLocal(String cidr) throws IOException, InterruptedException {
      ip("route", "add", cidr, "dev", name, "table", "local");
    }

    @Override
    public void close() throws IOException {
      try {
        ip("tuntap", "del", "dev", name, "mode", "tun");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while deleting " + name, e);
      }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of(find("ip")));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command + " did not finish within 10 s");
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new IOException(command + " failed: " + output);
      }
    }
  }

  // ---------------------------------------------------------------- the test bed

  /** Palisade on 127.83.R.10, forwarding over DoT to the unbound, with the default (guarded) policy. */
  static Palisade palisade() throws Exception {
    UpstreamServer upstream = new UpstreamServer(InetAddress.getByName(unbound.address()), unbound.dotPort(), Optional.of("dot.test"));
    // No DNSSEC validation: this private hierarchy is unsigned and the test root cannot prove it insecure.
    PalisadeConfig c = EndToEndTest.config(List.of(upstream), ca.caFile(), false, EndToEndTest.LOOPBACK_ONLY, Duration.ofSeconds(10), 100,
        new DnssecConfig(false, List.of()));
    return Palisade.start(c.withListenAddresses(List.of(new ListenAddress(InetAddress.getByName(net + "10"), 0)))
        .withPolicy(PolicyConfig.DEFAULTS));
  }

  /** 127.83.R. for a random R whose relay addresses have port 53 free. */
  static String chooseNet() {
    for (int tries = 0; tries < 20; tries++) {
      String candidate = "127.83." + ThreadLocalRandom.current().nextInt(1, 255) + ".";
      try {
        new DatagramSocket(new InetSocketAddress(candidate + "1", 53)).close();
        new DatagramSocket(new InetSocketAddress(candidate + "2", 53)).close();
        return candidate;
      } catch (BindException e) {
        assumeTrue(!String.valueOf(e.getMessage()).contains("Permission denied"),
            "dns2tcpc and iodine send to port 53 only, and binding it needs root or CAP_NET_BIND_SERVICE");
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no 127.83.R.0/24 with port 53 free on .1 and .2");
  }

  /** A tun device name of our own, so that parallel runs never meet. */
  static String device(String prefix) {
    return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  static void report(String what, String figures) {
    System.out.println("TunnelToolsTest: " + what + ": " + figures);
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  static long sum(String text, Pattern number) {
    long total = 0;
    Matcher m = number.matcher(text);
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  /** The path of a tool, in PATH or the sbin folders; missing is an error (scripts/test installs it). */
  static String find(String name) {
    List<String> dirs = new ArrayList<>(List.of(String.valueOf(System.getenv("PATH")).split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"));
    for (String d : dirs) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(name + " is not installed: run ./scripts/test, which installs the test tools");
  }

  static boolean await(BooleanSupplier condition, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /**
   * A tool run as a process, its output (stdout and stderr) in a file. Its standard input stays
   * an open pipe: dns2tcpd spins on a closed one. Stopped with SIGTERM (the tools clean up their
   * tun devices), killed after 5 s; a shutdown hook kills it should the JVM exit first.
   */
  static final class Daemon implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final Thread hook;

    private Daemon(Process process, Path log) {
      this.process = process;
      this.log = log;
      this.hook = new Thread(process::destroyForcibly, "tunnel-tool-stop");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    static Daemon start(Path log, String... command) throws IOException {
      Files.deleteIfExists(log);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new Daemon(p, log);
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** Whether the log shows {@code line} within {@code wait}; false at once if the process exits without it. */
    boolean awaitLog(String line, Duration wait) throws InterruptedException {
      await(() -> log().contains(line) || !process.isAlive(), wait);
      return log().contains(line);
    }

    /** Latin-1, so that iodine's 8-bit query names neither fail nor shift the offsets. */
    String log() {
      try {
        return Files.readString(log, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        return "";
      }
    }

    int logLength() {
      return log().length();
    }

    String logSince(int mark) {
      String all = log();
      return all.substring(Math.min(mark, all.length()));
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /**
   * UDP port 53 on a loopback address, passing each datagram on unchanged to {@code target} from a
   * socket of its own per client, and the answers back; counts answers by rcode and keeps the
   * first names that were answered without a refusal.
   */
  static final class Relay implements AutoCloseable {
    private final String address;
    private final InetSocketAddress target;
    private final DatagramSocket listen;
    private final Map<SocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> rcodes = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private final List<String> passed = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Relay(String address, InetSocketAddress target) throws IOException {
      this.address = address;
      this.target = target;
      this.listen = new DatagramSocket(new InetSocketAddress(address, 53));
      thread(this::fromClients);
    }

    String address() {
      return address;
    }

    int count(int rcode) {
      AtomicInteger n = rcodes.get(rcode);
      return n == null ? 0 : n.get();
    }

    synchronized List<String> passedNames() {
      return List.copyOf(passed);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(queries.get() + " queries, answers:");
      rcodes.forEach((rcode, n) -> b.append(' ').append(Rcode.string(rcode)).append(' ').append(n.get()));
      return b.toString();
    }

    private void thread(Runnable r) {
      Thread t = new Thread(r, "relay-" + address);
      t.setDaemon(true);
      synchronized (threads) {
        threads.add(t);
      }
      t.start();
    }

    private void fromClients() {
      byte[] buf = new byte[65535];
      while (!listen.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          listen.receive(p);
          queries.incrementAndGet();
          SocketAddress client = p.getSocketAddress();
          DatagramSocket up = upstreams.computeIfAbsent(client, this::upstreamFor);
          up.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), target));
        } catch (IOException | UncheckedIOException e) {
          // closed, or one datagram lost: a tunnel client retries
        }
      }
    }

    private DatagramSocket upstreamFor(SocketAddress client) {
      try {
        DatagramSocket up = new DatagramSocket(new InetSocketAddress(address, 0));
        thread(() -> toClient(up, client));
        return up;
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void toClient(DatagramSocket up, SocketAddress client) {
      byte[] buf = new byte[65535];
      while (!up.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          up.receive(p);
          if (p.getLength() < 4) {
            continue;
          }
          int rcode = p.getData()[p.getOffset() + 3] & 0x0F;
          rcodes.computeIfAbsent(rcode, k -> new AtomicInteger()).incrementAndGet();
          if (rcode != Rcode.REFUSED) {
            notePassed(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()), rcode);
          }
          listen.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), client));
        } catch (IOException e) {
          // closed
        }
      }
    }

    private synchronized void notePassed(byte[] answer, int rcode) {
      if (passed.size() >= 20) {
        return;
      }
      try {
        Message m = new Message(answer);
        passed.add(m.getQuestion().getName() + " " + Type.string(m.getQuestion().getType()) + " " + Rcode.string(rcode));
      } catch (IOException | RuntimeException unparsable) {
        passed.add("(unparsable) " + Rcode.string(rcode));
      }
    }

    @Override
    public void close() {
      listen.close();
      upstreams.values().forEach(DatagramSocket::close);
      List<Thread> all;
      synchronized (threads) {
        all = List.copyOf(threads);
      }
      try {
        for (Thread t : all) {
          t.join(2000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** TCP echo on 127.0.0.1: dns2tcpd's resource. Counts the bytes it receives. */
  static final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicLong received = new AtomicLong();
    private final List<Socket> open = new ArrayList<>();

    EchoServer() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Thread t = new Thread(this::accept, "echo-accept");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    long received() {
      return received.get();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          synchronized (open) {
            open.add(s);
          }
          Thread t = new Thread(() -> echo(s), "echo");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void echo(Socket s) {
      byte[] buf = new byte[4096];
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          received.addAndGet(n);
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException closed) {
        // the tunnel closed the connection
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (open) {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }
}

package dev.palisade.upstream.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real unbound serving local data over DoT and plain DNS on loopback.
 *
 * <pre>{@code
 * try (UnboundServer unbound = UnboundServer.builder()
 *     .tls(ca.issue("dns", "dns.test"))
 *     .localZone("example.test.", "static")
 *     .localData("example.test. 300 IN A 127.0.0.53")
 *     .build()
 *     .start()) { ... unbound.dotPort() ... }
 * }</pre>
 *
 * <p>Names outside the local zones are REFUSED at once ({@code local-zone: "." refuse}). Should
 * it recurse anyway (see {@link Builder#extraConfig}) it still sends nothing off loopback: its root
 * hints name only a loopback address and its outgoing queries leave from its own loopback address.
 *
 * <p>Ports are chosen when built, so a test can configure a client before the server starts
 * (or while it is stopped): {@link #stop()} and {@link #start()} again reuse them.
 */
public final class UnboundServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  /** A loopback address where nothing listens: the root hints of a server that must not recurse. */
  private static final String NOWHERE = "127.255.255.254";
  private static final SSLContext ACCEPT_ANY = acceptAny();

  private final String address;
  private final int dotPort;
  private final int plainPort;
  /** 0 when the server does not serve DoH. */
  private final int httpsPort;
  private final Path directory;
  private final boolean ownsDirectory;
  private final Path configFile;
  private final Path logFile;
  private final Path outputFile;
  private final Thread shutdownHook = new Thread(this::stopQuietly, "unbound-testbed-stop");
  private volatile Process process;
  private boolean hookAdded;
  private boolean closed;

  private UnboundServer(Builder b) throws IOException {
    this.address = b.address;
    int[] free = FreePorts.find(b.address, 3);
    this.dotPort = b.dotPort != 0 ? b.dotPort : free[0];
    this.plainPort = b.plainPort != 0 ? b.plainPort : (free[1] != dotPort ? free[1] : free[0]);
    this.httpsPort = b.doh ? free[2] : 0;
    this.ownsDirectory = b.directory == null;
    this.directory = ownsDirectory ? Files.createTempDirectory("unbound-testbed") : Files.createDirectories(b.directory);
    this.configFile = directory.resolve("unbound.conf");
    this.logFile = directory.resolve("unbound.log");
    this.outputFile = directory.resolve("unbound.out");
    Path rootHints = directory.resolve("root.hints");
    // replaces unbound's built-in hints, which name the Internet's root servers
    Files.writeString(rootHints, ". 3600000 IN NS root.\nroot. 3600000 IN A " + NOWHERE + "\n");
    Files.writeString(configFile, config(b, rootHints));
  }

  public static Builder builder() {
    return new Builder();
  }

  private String config(Builder b, Path rootHints) {
    List<String> lines = new ArrayList<>(List.of(
        "remote-control:",
        "  control-enable: no",
        "server:",
        "  verbosity: 1",
        // foreground, no chroot, no user switch, no pidfile (the default /run/unbound.pid is the
        // system unbound's), log to our own file so a failed start can show it
        "  do-daemonize: no",
        "  chroot: \"\"",
        "  username: \"\"",
        "  pidfile: \"\"",
        "  directory: " + quote(directory.toString()),
        "  use-syslog: no",
        "  logfile: " + quote(logFile.toString()),
        "  log-time-ascii: yes",
        "  interface: " + address + "@" + dotPort,
        "  interface: " + address + "@" + plainPort,
        "  port: " + plainPort,
        "  tls-port: " + dotPort,
        "  tls-service-pem: " + quote(b.certFile.toString()),
        "  tls-service-key: " + quote(b.keyFile.toString()),
        // DoT and DoH may share one TLS context in unbound; ALPN "h2" selects HTTP/2 on the https port.
        // unbound sets SO_REUSEPORT by default: two test beds that picked the same port would
        // then share it and answer each other's queries. Without it, the second fails to start.
        "  so-reuseport: no",
        "  access-control: 127.0.0.0/8 allow",
        "  access-control: ::1 allow",
        "  do-not-query-localhost: no",
        "  outgoing-interface: " + address,
        "  root-hints: " + quote(rootHints.toString()),
        // no validator: a stub's own DNSSEC validation is what gets tested, so bogus data passes
        "  module-config: \"iterator\"",
        "  num-threads: 1",
        // room for many connections at once; unbound shortens idle timeouts when over half are used
        "  incoming-num-tcp: 100",
        // only limits unbound's own outgoing TCP/TLS connections (it reconnects every 200
        // queries by default). Incoming connections have no such limit: 1000 queries pipelined
        // on one TLS connection were all answered.
        "  max-reuse-tcp-queries: 2147483647"));
    if (httpsPort != 0) {
      // DoH (RFC 8484) over HTTP/2 on its own port; unbound 1.17 is built with nghttp2 here.
      lines.add("  interface: " + address + "@" + httpsPort);
      lines.add("  https-port: " + httpsPort);
      lines.add("  http-endpoint: \"/dns-query\"");
      if (b.httpMaxStreams != null) {
        lines.add("  http-max-streams: " + b.httpMaxStreams);
      }
    }
    if (b.tcpIdleTimeoutMillis != null) {
      lines.add("  tcp-idle-timeout: " + b.tcpIdleTimeoutMillis);
    }
    if (!b.hasZone(".")) {
      lines.add("  local-zone: \".\" refuse");
    }
    if (!b.hasZone("test.")) {
      // unbound answers the RFC 6761 name test. itself (NXDOMAIN) unless told not to
      lines.add("  local-zone: \"test.\" nodefault");
    }
    b.zones.forEach(zone -> lines.add("  " + zone));
    b.data.forEach(data -> lines.add("  " + data));
    b.extraConfig.forEach(extra -> lines.add("  " + extra));
    return String.join("\n", lines) + "\n";
  }

  /**
   * Starts unbound and returns once the DoT port completes a TLS handshake and the plain port
   * answers a DNS query. Throws with unbound's output and log if it exits or is not ready within
   * 10 s.
   */
  public synchronized UnboundServer start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (isRunning()) {
      throw new IllegalStateException("already running");
    }
    Path unbound = Tools.find("unbound");
    try {
      process = new ProcessBuilder(unbound.toString(), "-d", "-c", configFile.toString())
          .directory(directory.toFile())
          .redirectErrorStream(true)
          // config errors are printed before the log file is opened
          .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + unbound, e);
    }
    if (!hookAdded) {
      // a test that forgets close() must not leave unbound running after the JVM exits
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      hookAdded = true;
    }
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (!(completesTlsHandshake() && answersDns())) {
      if (!process.isAlive()) {
        int code = process.exitValue();
        process = null;
        throw failure("unbound exited with code " + code);
      }
      if (Instant.now().isAfter(deadline)) {
        stop();
        throw failure("unbound was not ready within " + START_TIMEOUT.toSeconds() + " s");
      }
      sleep(Duration.ofMillis(50));
    }
    return this;
  }

  /** Stops unbound and keeps its ports and configuration, so that {@link #start()} brings it back. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    try {
      process.destroy();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      process = null;
    }
  }

  /** Stops unbound and deletes its directory if the test bed made it. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    if (hookAdded) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: nothing to remove
      }
    }
    if (ownsDirectory) {
      deleteRecursively(directory);
    }
  }

  public String address() {
    return address;
  }

  public int dotPort() {
    return dotPort;
  }

  public int plainPort() {
    return plainPort;
  }

  /** The DoH port (path {@code /dns-query}); only when built with {@link Builder#doh()}. */
  public int httpsPort() {
    if (httpsPort == 0) {
      throw new IllegalStateException("this unbound serves no DoH: build it with doh()");
    }
    return httpsPort;
  }

  /** {@code https://NAME:PORT/dns-query} for a certificate name of this server. */
  public java.net.URI dohUrl(String host) {
    return java.net.URI.create("https://" + host + ":" + httpsPort() + "/dns-query");
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The folder holding unbound.conf, unbound.log and unbound.out (stdout and stderr). */
  public Path directory() {
    return directory;
  }

  public Path configFile() {
    return configFile;
  }

  /** unbound's log so far, e.g. for a failed assertion's message. */
  public String log() {
    return Tools.readQuietly(outputFile) + Tools.readQuietly(logFile);
  }

  /** The shutdown hook: not synchronized, so that it cannot wait on a start() in progress. */
  private void stopQuietly() {
    Process running = process;
    if (running != null) {
      running.destroyForcibly();
    }
  }

  private IllegalStateException failure(String what) {
    return new IllegalStateException(what + " (" + configFile + ")\n--- unbound.conf\n"
        + Tools.readQuietly(configFile) + "--- output and log\n" + log());
  }

  /**
   * Whether the DoT port completes a TLS handshake. The certificate is not checked: this only
   * asks whether the server is up, and checking the certificate is the tests' business. A bare
   * TCP connect would do, but unbound logs it as a failed handshake, a red herring in the log.
   */
  private boolean completesTlsHandshake() {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress(InetAddress.getByName(address), dotPort), (int) PROBE_TIMEOUT.toMillis());
      tcp.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
      try (SSLSocket tls = (SSLSocket) ACCEPT_ANY.getSocketFactory().createSocket(tcp, address, dotPort, false)) {
        tls.startHandshake();
        return true;
      }
    } catch (IOException e) {
      return false;
    }
  }

  private boolean answersDns() {
    try {
      SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(address), plainPort));
      resolver.setTimeout(PROBE_TIMEOUT);
      resolver.send(Message.newQuery(Record.newRecord(Name.fromConstantString("localhost."), Type.A, DClass.IN)));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static SSLContext acceptAny() {
    TrustManager acceptAny = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {acceptAny}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String value) {
    if (value.contains("\"") || value.contains("\n")) {
      throw new IllegalArgumentException("cannot be quoted in unbound.conf: " + value);
    }
    return "\"" + value + "\"";
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for unbound", e);
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temp folder is harmless
    }
  }

  /** Settings checked as they are given; {@link #build()} picks free ports and writes the files. */
  public static final class Builder {
    private String address = "127.0.0.1";
    private int dotPort;
    private int plainPort;
    private Path certFile;
    private Path keyFile;
    private final List<String> zones = new ArrayList<>();
    private final List<String> zoneNames = new ArrayList<>();
    private final List<String> data = new ArrayList<>();
    private final List<String> extraConfig = new ArrayList<>();
    private Integer tcpIdleTimeoutMillis;
    private Path directory;
    private boolean doh;
    private Integer httpMaxStreams;

    private Builder() {}

    /** The loopback address to listen on (default 127.0.0.1); ::1 and any 127.x.y.z work. */
    public Builder address(String address) {
      Loopback.require(address);
      this.address = address;
      return this;
    }

    /** The DoT port; by default a free one. */
    public Builder dotPort(int port) {
      this.dotPort = checkPort(port);
      return this;
    }

    /** The plain DNS (UDP and TCP) port; by default a free one. */
    public Builder plainPort(int port) {
      this.plainPort = checkPort(port);
      return this;
    }

    public Builder tls(TestCa.ServerCert cert) {
      return tls(cert.certFile(), cert.keyFile());
    }

    /** The server's certificate chain and key, PEM. */
    public Builder tls(Path certFile, Path keyFile) {
      this.certFile = certFile.toAbsolutePath();
      this.keyFile = keyFile.toAbsolutePath();
      return this;
    }

    /** {@code local-zone: "zone" type}, e.g. {@code localZone("example.test.", "static")}. */
    public Builder localZone(String zone, String type) {
      if (!type.matches("[a-z_]+")) {
        throw new IllegalArgumentException("not an unbound local-zone type: " + type);
      }
      zones.add("local-zone: " + quote(zone) + " " + type);
      zoneNames.add(absolute(zone));
      return this;
    }

    /** {@code local-data: "rr"}, e.g. {@code localData("example.test. 300 IN A 127.0.0.53")}. */
    public Builder localData(String rr) {
      if (rr.contains("\n") || rr.contains("'") && rr.contains("\"")) {
        throw new IllegalArgumentException("cannot be quoted in unbound.conf: " + rr);
      }
      // TXT data has double quotes of its own: unbound also takes single-quoted strings
      data.add("local-data: " + (rr.contains("\"") ? "'" + rr + "'" : "\"" + rr + "\""));
      return this;
    }

    /** unbound's {@code tcp-idle-timeout}: how long an idle TCP or TLS client connection is kept open. */
    public Builder tcpIdleTimeoutMillis(int millis) {
      if (millis <= 0) {
        throw new IllegalArgumentException("tcp-idle-timeout must be positive: " + millis);
      }
      this.tcpIdleTimeoutMillis = millis;
      return this;
    }

    /**
     * Raw lines appended to the {@code server:} clause, last, so they override the test bed's
     * settings (e.g. {@code "verbosity: 4"}, {@code "log-queries: yes"}); a line such as
     * {@code "stub-zone:"} starts a new clause. A later setting wins, so recursion from a private
     * root on loopback is {@code "local-zone: \".\" transparent"} plus {@code "root-hints: FILE"}.
     */
    public Builder extraConfig(String... lines) {
      extraConfig.addAll(List.of(lines));
      return this;
    }

    /** Also serve DNS over HTTPS ({@code https-port}, endpoint {@code /dns-query}) on a free port. */
    public Builder doh() {
      this.doh = true;
      return this;
    }

    /** unbound's {@code http-max-streams}: the SETTINGS_MAX_CONCURRENT_STREAMS it announces (default 100). */
    public Builder httpMaxStreams(int streams) {
      if (streams < 1) {
        throw new IllegalArgumentException("http-max-streams must be positive: " + streams);
      }
      this.doh = true;
      this.httpMaxStreams = streams;
      return this;
    }

    /** Where to write unbound.conf and the logs; by default a temp folder deleted by close(). */
    public Builder directory(Path directory) {
      this.directory = directory.toAbsolutePath();
      return this;
    }

    /** Picks the ports and writes the files; does not start unbound. */
    public UnboundServer build() {
      if (certFile == null) {
        throw new IllegalStateException("a DoT server needs tls(cert): issue one with TestCa");
      }
      if (dotPort != 0 && dotPort == plainPort) {
        throw new IllegalStateException("the DoT and plain ports must differ: " + dotPort);
      }
      try {
        return new UnboundServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private boolean hasZone(String zone) {
      return zoneNames.contains(zone);
    }

    private static String absolute(String zone) {
      String lower = zone.toLowerCase(Locale.ROOT);
      return lower.endsWith(".") ? lower : lower + ".";
    }

    private static int checkPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("not a port: " + port);
      }
      return port;
    }
  }
}

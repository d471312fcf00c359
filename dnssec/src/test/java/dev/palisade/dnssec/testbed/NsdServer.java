package dev.palisade.dnssec.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real NSD, authoritative for the given zones, on port 53 of one loopback address: what a
 * recursive resolver finds through delegations, since delegations carry addresses and no ports.
 * Port 53 needs root or CAP_NET_BIND_SERVICE (as in CI, which runs as root).
 */
public final class NsdServer implements AutoCloseable {
  static final int PORT = 53;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);

  private final String address;
  private final Path directory;
  private final Map<String, Path> zones;
  private final Path configFile;
  private final Path logFile;
  private final Path outputFile;
  private Process process;
  private final Thread shutdownHook = new Thread(this::kill, "nsd-testbed-stop");
  private boolean hookAdded;

  /** @param zones zone name (absolute, e.g. "rsa.test.") → its signed zone file */
  NsdServer(String address, Path directory, Map<String, Path> zones) {
    this.address = Loopback.require(address);
    this.directory = directory;
    this.zones = new LinkedHashMap<>(zones);
    this.configFile = directory.resolve("nsd.conf");
    this.logFile = directory.resolve("nsd.log");
    this.outputFile = directory.resolve("nsd.out");
    try {
      Files.createDirectories(directory);
      Files.writeString(configFile, config());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String config() {
    List<String> lines = new ArrayList<>(List.of(
        "server:",
        "  ip-address: " + address,
        "  port: " + PORT,
        "  do-ip6: no",
        "  server-count: 1",
        // foreground, no user switch, no chroot, everything in our own folder
        "  username: \"\"",
        "  chroot: \"\"",
        "  zonesdir: " + quote(directory),
        "  database: \"\"",
        "  zonelistfile: " + quote(directory.resolve("zone.list")),
        "  xfrdfile: " + quote(directory.resolve("xfrd.state")),
        "  xfrdir: " + quote(directory),
        "  pidfile: " + quote(directory.resolve("nsd.pid")),
        "  logfile: " + quote(logFile),
        "  verbosity: 1",
        "  reuseport: no",
        // nsd rate-limits each source to 200 qps by default (LAB-NOTES): a test's burst is not an attack
        "  rrl-ratelimit: 0",
        "  rrl-whitelist-ratelimit: 0",
        "remote-control:",
        "  control-enable: no"));
    zones.forEach((name, file) -> {
      lines.add("zone:");
      lines.add("  name: " + quote(name));
      lines.add("  zonefile: " + quote(file));
    });
    return String.join("\n", lines) + "\n";
  }

  /** Starts nsd and returns once it answers an SOA query with AA for each of its zones. */
  synchronized NsdServer start() {
    if (process != null) {
      throw new IllegalStateException("already running");
    }
    Path nsd = Tool.find("nsd", "nsd");
    try {
      process = new ProcessBuilder(nsd.toString(), "-d", "-c", configFile.toString())
          .directory(directory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + nsd, e);
    }
    if (!hookAdded) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      hookAdded = true;
    }
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    for (String zone : zones.keySet()) {
      while (!answersSoa(zone)) {
        if (!process.isAlive()) {
          int code = process.exitValue();
          process = null;
          throw failure("nsd exited with code " + code + (log().contains("Permission denied")
              ? " (port 53 needs root or CAP_NET_BIND_SERVICE: run ./scripts/test as root, as CI does)" : ""));
        }
        if (Instant.now().isAfter(deadline)) {
          stop();
          throw failure("nsd did not answer for " + zone + " within " + START_TIMEOUT.toSeconds() + " s");
        }
        sleep(Duration.ofMillis(50));
      }
    }
    return this;
  }

  /** Stops nsd and its children (it forks a server and xfrd). */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    try {
      process.destroy();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      // nsd's children exit with it; any that did not are ended here, by their own pids
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      process = null;
    }
  }

  @Override
  public synchronized void close() {
    stop();
    if (hookAdded) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
      hookAdded = false;
    }
  }

  public String address() {
    return address;
  }

  public List<String> zones() {
    return List.copyOf(zones.keySet());
  }

  public String log() {
    return Tool.readQuietly(outputFile) + Tool.readQuietly(logFile);
  }

  private void kill() {
    Process running = process;
    if (running != null) {
      running.descendants().forEach(ProcessHandle::destroyForcibly);
      running.destroyForcibly();
    }
  }

  private boolean answersSoa(String zone) {
    try {
      SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(address), PORT));
      resolver.setTimeout(PROBE_TIMEOUT);
      Message query = Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, DClass.IN));
      query.getHeader().unsetFlag(Flags.RD);
      Message reply = resolver.send(query);
      return reply.getRcode() == Rcode.NOERROR && reply.getHeader().getFlag(Flags.AA);
    } catch (IOException e) {
      return false;
    }
  }

  private IllegalStateException failure(String what) {
    return new IllegalStateException(what + " (" + configFile + ")\n--- nsd.conf\n" + Tool.readQuietly(configFile)
        + "--- output and log\n" + log());
  }

  private static String quote(Object value) {
    String s = value.toString();
    if (s.contains("\"") || s.contains("\n")) {
      throw new IllegalArgumentException("cannot be quoted in nsd.conf: " + s);
    }
    return "\"" + s + "\"";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for nsd", e);
    }
  }
}

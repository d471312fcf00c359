package dev.palisade.resolver.ipset;

import dev.palisade.upstream.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace this test creates (and deletes): its own interfaces, addresses, ipsets and
 * nftables, so nothing the tests do touches the host's network.
 */
final class Netns implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  final String name;
  private final List<ProcessHandle> started = new ArrayList<>();

  private Netns(String name) {
    this.name = name;
  }

  /** Namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN); the tools must be installed (scripts/test does). */
  static void assumeRoot() {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "network namespaces, ipset and nft need root: run the tests as root (CI does)");
    Tools.find("ip", "iproute2");
    Tools.find("ipset", "ipset");
    Tools.find("nft", "nftables");
  }

  static Netns create(String name) {
    run(List.of("ip", "netns", "del", name)); // a leftover from a killed run
    Netns ns = new Netns(name);
    check(run(List.of("ip", "netns", "add", name)), "ip netns add " + name);
    ns.ok("ip", "link", "set", "lo", "up");
    return ns;
  }

  static Tools.Output run(List<String> command) {
    return Tools.run(command, TIMEOUT);
  }

  static Tools.Output check(Tools.Output o, String what) {
    if (o.exitCode() != 0) {
      throw new IllegalStateException(what + " failed (exit " + o.exitCode() + "): " + o.text());
    }
    return o;
  }

  List<String> prefix() {
    return List.of("ip", "netns", "exec", name);
  }

  /** Runs {@code command} inside the namespace. */
  Tools.Output exec(String... command) {
    List<String> c = new ArrayList<>(prefix());
    c.addAll(List.of(command));
    return run(c);
  }

  /** As {@link #exec}, failing the test unless it exits 0; returns its output. */
  String ok(String... command) {
    return check(exec(command), String.join(" ", command) + " in " + name).text();
  }

  /** Starts a long-running {@code command} in the namespace, output to {@code log}; stopped at close. */
  Process start(Path log, List<String> command) {
    List<String> c = new ArrayList<>(prefix());
    c.addAll(command);
    try {
      Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      started.add(p.toHandle());
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether a TCP connection to {@code address:port} from inside the namespace is accepted. */
  boolean connects(String address, int port) {
    return exec("nc", "-z", "-w", "2", address, Integer.toString(port)).exitCode() == 0;
  }

  @Override
  public void close() {
    for (ProcessHandle h : started) {
      h.destroyForcibly();
      h.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    run(List.of("ip", "netns", "del", name));
  }
}

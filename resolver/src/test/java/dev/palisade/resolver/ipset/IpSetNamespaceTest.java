package dev.palisade.resolver.ipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.Tools;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allowlist firewall end to end, with the real kernel, in two network namespaces this test
 * creates:
 *
 * <ul>
 *   <li>"server": 10.77.0.2–10.77.0.5, a TCP listener on port 8080 of each;
 *   <li>"client": 10.77.0.1, its OUTPUT default-deny except loopback and the allow set, installed by
 *       deploy/firewall's scripts; a real unbound on its loopback serving names for the server's
 *       addresses over DoT; Palisade (a child process, apply mode) on its loopback, writing the
 *       client namespace's ipset or nft set.
 * </ul>
 *
 * A resolved address is reachable at once; one never resolved is not; after TTL + grace it is not
 * any more; after a restart (with the kernel set emptied meanwhile) the saved set is back.
 */
class IpSetNamespaceTest {

  static final String CLIENT_IP = "10.77.0.1";
  static final List<String> SERVER_IPS = List.of("10.77.0.2", "10.77.0.3", "10.77.0.4", "10.77.0.5");
  static final int PORT = 8080;
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Path DEPLOY = Path.of("..", "deploy", "firewall").toAbsolutePath().normalize();

  @TempDir static Path dir;
  static Netns client;
  static Netns server;
  static TestCa ca;
  static UnboundServer unbound;

  @BeforeAll
  static void network() throws Exception {
    Netns.assumeRoot();
    Tools.find("nc", "netcat-openbsd");
    Tools.find("iptables", "iptables");
    long pid = ProcessHandle.current().pid();
    client = Netns.create("pal-client-" + pid);
    server = Netns.create("pal-server-" + pid);
    String vc = "pvc" + pid % 1_000_000;
    String vs = "pvs" + pid % 1_000_000;
    Netns.check(Netns.run(List.of("ip", "link", "add", vc, "netns", client.name, "type", "veth", "peer", "name", vs, "netns", server.name)), "veth");
    client.ok("ip", "addr", "add", CLIENT_IP + "/24", "dev", vc);
    client.ok("ip", "link", "set", vc, "up");
    for (String a : SERVER_IPS) {
      server.ok("ip", "addr", "add", a + "/24", "dev", vs);
    }
    server.ok("ip", "link", "set", vs, "up");
    for (String a : SERVER_IPS) {
      server.start(dir.resolve("nc-" + a + ".log"), List.of("nc", "-lk", a, Integer.toString(PORT)));
    }

    ca = TestCa.create(dir.resolve("ca"));
    // Built here (ports, config), run inside the client namespace, where Palisade can reach it.
    unbound = UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))
        .localZone("ns.test.", "static")
        .localData("short.ns.test. 1 IN A 10.77.0.2")
        .localData("long.ns.test. 300 IN A 10.77.0.3")
        .localData("other.ns.test. 300 IN A 10.77.0.4")
        .build();
    client.start(dir.resolve("unbound-process.log"), List.of(Tools.find("unbound").toString(), "-d", "-c", unbound.configFile().toString()));
    waitFor("unbound answers in " + client.name, () -> client.exec("dig", "@127.0.0.1", "-p", Integer.toString(unbound.plainPort()),
        "+time=1", "+tries=1", "long.ns.test", "A").text().contains("10.77.0.3"));
    // Without a firewall, every server address is reachable: the listeners are up.
    for (String a : SERVER_IPS) {
      waitFor(a + " reachable before the firewall is up", () -> client.connects(a, PORT));
    }
  }

  @AfterAll
  static void teardown() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A Palisade child process inside the client namespace. */
  static final class Resolver implements AutoCloseable {
    final Process process;
    final Path log;

    Resolver(Path config, Path log) throws Exception {
      this.log = log;
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      process = client.start(log, List.of(java, "-cp", cp, "dev.palisade.resolver.Main", "-C", config.toString()));
      waitFor("Palisade ready", () -> Tools.readQuietly(log).contains("ready") || !process.isAlive());
      assertTrue(process.isAlive(), "Palisade exited:\n" + Tools.readQuietly(log));
    }

    @Override
    public void close() throws Exception {
      process.toHandle().destroy(); // SIGTERM: the shutdown hook saves the state file
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.toHandle().destroyForcibly();
      }
    }
  }

  static Path config(String backend, Path state) throws IOException {
    String table = backend.equals("nft") ? "\n      nft_table: \"inet palisade\"" : "";
    Path f = dir.resolve(backend + ".yml");
    Files.writeString(f, String.join("\n",
        "listen_addresses: [127.0.0.1@53]",
        "dns_transport_list: [GETDNS_TRANSPORT_TLS]",
        "tls_authentication: GETDNS_AUTHENTICATION_REQUIRED",
        "tls_ca_file: " + ca.caFile(),
        "dnssec: GETDNS_EXTENSION_FALSE",
        "policy: {local_zones: [test]}",
        "metrics: {enabled: false}",
        "upstream_recursive_servers:",
        "  - address_data: 127.0.0.1",
        "    tls_port: " + unbound.dotPort(),
        "    tls_auth_name: dot.test",
        "ipset:",
        "  grace: 1",
        "  apply: true",
        "  state_file: " + state,
        "  sets:",
        "    - name: allow4",
        "      backend: " + backend + table,
        "      match: [\"*\"]",
        ""));
    return f;
  }

  static String resolve(String name) {
    return client.ok("dig", "@127.0.0.1", "-p", "53", "+short", "+time=2", "+tries=1", name, "A").strip();
  }

  static void waitFor(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  static String kernelSet(String backend) {
    return backend.equals("nft") ? client.ok("nft", "list", "set", "inet", "palisade", "allow4") : client.ok("ipset", "list", "allow4");
  }

  static void emptyKernelSet(String backend) {
    if (backend.equals("nft")) {
      client.ok("nft", "flush", "set", "inet", "palisade", "allow4");
    } else {
      client.ok("ipset", "flush", "allow4");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ipset", "nft"})
  void onlyResolvedAddressesAreReachableUntilTheyExpireAndARestartKeepsThem(String backend) throws Exception {
    List<String> up = backend.equals("nft")
        ? List.of("bash", DEPLOY.resolve("nft-allowlist.sh").toString(), "up", "--set4", "allow4", "--set6", "allow6")
        : List.of("bash", DEPLOY.resolve("iptables-allowlist.sh").toString(), "up", "--set4", "allow4", "--set6", "allow6");
    List<String> down = List.of(up.get(0), up.get(1), "down");
    Path state = dir.resolve(backend + ".state");
    client.ok(up.toArray(String[]::new));
    try {
      assertFalse(client.connects("10.77.0.3", PORT), "the firewall denies what was not resolved");

      try (Resolver palisade = new Resolver(config(backend, state), dir.resolve(backend + "-1.log"))) {
        assertTrue(kernelSet(backend).contains("127.0.0.1"), "the upstream's address is always in:\n" + kernelSet(backend));

        // The address is in the kernel before dig has the answer (CNAME chains: IpSetStageTest).
        assertEquals("10.77.0.3", resolve("long.ns.test"));
        assertTrue(client.connects("10.77.0.3", PORT), "resolved, so reachable at once\n" + kernelSet(backend));
        assertFalse(client.connects("10.77.0.5", PORT), "never resolved, so unreachable");

        assertEquals("10.77.0.2", resolve("short.ns.test"));
        assertTrue(client.connects("10.77.0.2", PORT));
        // TTL 1 s + grace 1 s, rounded up to whole seconds by the kernel.
        waitFor("10.77.0.2 unreachable after TTL + grace", () -> !client.connects("10.77.0.2", PORT));
        assertTrue(client.connects("10.77.0.3", PORT), "the long-lived address stays");
      }
      assertTrue(Files.readString(state).contains("10.77.0.3"), "saved at shutdown:\n" + Files.readString(state));

      // As after a reboot or a firewall reload: the kernel set is empty, and so the address is unreachable...
      emptyKernelSet(backend);
      assertFalse(client.connects("10.77.0.3", PORT));
      // ...until Palisade starts again and loads its saved set, before any query.
      try (Resolver again = new Resolver(config(backend, state), dir.resolve(backend + "-2.log"))) {
        assertTrue(client.connects("10.77.0.3", PORT), "restored from the state file\n" + kernelSet(backend) + Tools.readQuietly(again.log));
        assertFalse(client.connects("10.77.0.2", PORT), "the expired address was not restored");
        assertFalse(client.connects("10.77.0.4", PORT), "still never resolved");
      }
    } finally {
      client.exec(down.toArray(String[]::new));
    }
  }
}

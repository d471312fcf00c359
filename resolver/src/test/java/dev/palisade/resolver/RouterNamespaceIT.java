package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router setup of deploy/router as a user runs it, in three network namespaces this test
 * creates (every address is theirs): {@code pal-dev}, a LAN device (10.88.1.2, fd88:1::2);
 * {@code pal-rtr}, the router (LAN 10.88.1.1 and fd88:1::1 on lan0, WAN 10.88.2.1 and fd88:2::1,
 * forwarding), running Palisade on its LAN addresses with a real unbound DoT upstream on the
 * router's own loopback; {@code pal-far}, the device's hard-coded DNS server (10.88.2.53,
 * fd88:2::53), an unbound that answers plain DNS and DoT with a different address. The device asks
 * its hard-coded server; with the DNAT rules (iptables, then nftables) Palisade answers, and DoT to
 * the hard-coded server is refused. Needs root.
 */
class RouterNamespaceIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path JAR = Path.of("target", "palisade.jar").toAbsolutePath();
  static final String DEV = "pal-dev";
  static final String RTR = "pal-rtr";
  static final String FAR = "pal-far";
  /** What Palisade's upstream answers, and what the hard-coded server answers: who answered. */
  static final String PALISADE_ANSWER = "192.0.2.1";
  static final String FAR_ANSWER = "198.51.100.53";

  @TempDir static Path dir;
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void buildTheNetwork() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
    assertTrue(Files.exists(JAR), "package the jar first: " + JAR);
    deleteNamespaces();
    for (String ns : List.of(DEV, RTR, FAR)) {
      ok("ip", "netns", "add", ns);
      ns(ns, "ip", "link", "set", "lo", "up");
    }
    ok("ip", "link", "add", "pal-dev0", "netns", DEV, "type", "veth", "peer", "name", "lan0", "netns", RTR);
    ok("ip", "link", "add", "pal-far0", "netns", FAR, "type", "veth", "peer", "name", "wan0", "netns", RTR);
    address(DEV, "pal-dev0", "10.88.1.2/24", "fd88:1::2/64");
    address(RTR, "lan0", "10.88.1.1/24", "fd88:1::1/64");
    address(RTR, "wan0", "10.88.2.1/24", "fd88:2::1/64");
    address(FAR, "pal-far0", "10.88.2.53/24", "fd88:2::53/64");
    ns(DEV, "ip", "route", "add", "default", "via", "10.88.1.1");
    ns(DEV, "ip", "-6", "route", "add", "default", "via", "fd88:1::1");
    ns(FAR, "ip", "route", "add", "default", "via", "10.88.2.1");
    ns(FAR, "ip", "-6", "route", "add", "default", "via", "fd88:2::1");
    ns(RTR, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");

    TestCa ca = TestCa.create(dir.resolve("ca"));
    // The hard-coded server: plain DNS and DoT, answering a different address.
    unbound(FAR, "far", ca.issue("far", "far.test"), "10.88.2.53", "fd88:2::53", FAR_ANSWER);
    // Palisade's upstream, on the router's loopback.
    unbound(RTR, "upstream", ca.issue("dot", "dot.test"), "127.0.0.1", null, PALISADE_ANSWER);
    Path cfg = dir.resolve("palisade.yml");
    Files.writeString(cfg, String.join("\n",
        "listen_addresses: [10.88.1.1, fd88:1::1]",
        "access: [10.88.1.0/24, \"fd88:1::/64\"]",
        "upstream_recursive_servers:",
        "  - address_data: 127.0.0.1",
        "    tls_auth_name: dot.test",
        "tls_ca_file: " + ca.caFile(),
        "dnssec: GETDNS_EXTENSION_FALSE",
        "policy: {local_zones: [test]}",
        "metrics: {enabled: false}",
        ""));
    start(RTR, "palisade", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "-C", cfg.toString()));
    for (int i = 0; i < 300 && !PALISADE_ANSWER.equals(dig(RTR, "10.88.1.1", "name.test")); i++) {
      assertTrue(processes.get(processes.size() - 1).isAlive(), "Palisade exited:\n" + Files.readString(dir.resolve("palisade.log")));
      Thread.sleep(100);
    }
    assertEquals(PALISADE_ANSWER, dig(RTR, "10.88.1.1", "name.test"), Files.readString(dir.resolve("palisade.log")));
    // The hard-coded server is up on both families, and the device's routes work (neighbour
    // discovery, unbound binding its addresses), before any test relies on it.
    for (int i = 0; i < 100 && !(FAR_ANSWER.equals(dig(DEV, "10.88.2.53", "name.test", "+time=1"))
        && FAR_ANSWER.equals(dig(DEV, "fd88:2::53", "name.test", "+time=1")) && FAR_ANSWER.equals(dotQuery("10.88.2.53"))); i++) {
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void tearDown() {
    for (Process p : processes) {
      p.toHandle().destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.toHandle().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteNamespaces(); // the veths go with them
  }

  @Test
  void withTheIptablesRulesADevicesHardCodedServerIsAnsweredByPalisadeAndDotIsRefused() {
    String script = REPO.resolve("deploy/router/dnat-iptables.sh").toString();
    assertTheHardCodedServerAnswersItself();
    ok("ip", "netns", "exec", RTR, script, "lan0", "10.88.1.1", "fd88:1::1");
    try {
      assertPalisadeAnswersForTheHardCodedServer();
    } finally {
      ok("ip", "netns", "exec", RTR, script, "--delete", "lan0", "10.88.1.1", "fd88:1::1");
    }
    assertTheHardCodedServerAnswersItself();
  }

  @Test
  void withTheNftablesRulesADevicesHardCodedServerIsAnsweredByPalisadeAndDotIsRefused() {
    String script = REPO.resolve("deploy/router/dnat-nft.sh").toString();
    assertTheHardCodedServerAnswersItself();
    ok("ip", "netns", "exec", RTR, script, "lan0", "10.88.1.1", "fd88:1::1");
    try {
      assertPalisadeAnswersForTheHardCodedServer();
    } finally {
      ok("ip", "netns", "exec", RTR, script, "--delete");
    }
    assertTheHardCodedServerAnswersItself();
  }

  /** Without rules the device reaches its hard-coded server over 53 and 853: the checks below can fail. */
  static void assertTheHardCodedServerAnswersItself() {
    assertEquals(FAR_ANSWER, dig(DEV, "10.88.2.53", "name.test"));
    assertEquals(FAR_ANSWER, dig(DEV, "fd88:2::53", "name.test"));
    assertEquals(FAR_ANSWER, dotQuery("10.88.2.53"));
  }

  static void assertPalisadeAnswersForTheHardCodedServer() {
    assertEquals(PALISADE_ANSWER, dig(DEV, "10.88.2.53", "name.test"), "UDP");
    assertEquals(PALISADE_ANSWER, dig(DEV, "10.88.2.53", "name.test", "+tcp"), "TCP");
    assertEquals(PALISADE_ANSWER, dig(DEV, "fd88:2::53", "name.test"), "UDP over IPv6");
    assertEquals(PALISADE_ANSWER, dig(DEV, "fd88:2::53", "name.test", "+tcp"), "TCP over IPv6");
    assertEquals(PALISADE_ANSWER, dig(DEV, "10.88.1.1", "name.test"), "Palisade asked directly");
    String dot = dotQuery("10.88.2.53");
    assertNotEquals(FAR_ANSWER, dot, "DoT to the hard-coded server must not get through");
    assertTrue(dot.contains("can't connect") || dot.contains("failed to query"), "kdig reports the failure: " + dot);
  }

  /** dig +short run in a namespace: the first address of the answer, or dig's whole output. */
  static String dig(String ns, String server, String name, String... options) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Tools.find("dig").toString(), "@" + server, name, "A", "+short", "+time=2", "+tries=1"));
    cmd.addAll(List.of(options));
    Tools.Output out = Tools.run(cmd, Duration.ofSeconds(30));
    String text = out.text().strip();
    return text.lines().filter(l -> l.matches("[0-9.]+")).findFirst().orElse(text);
  }

  /** kdig over TLS from the device to SERVER:853 (no certificate check: only reachability counts). */
  static String dotQuery(String server) {
    Tools.Output out = Tools.run(List.of("ip", "netns", "exec", DEV, Tools.find("kdig").toString(), "@" + server, "+tls", "+short",
        "+timeout=2", "+retry=0", "name.test", "A"), Duration.ofSeconds(30));
    String text = out.text().strip();
    return text.lines().filter(l -> l.matches("[0-9.]+")).findFirst().orElse(text.toLowerCase(java.util.Locale.ROOT));
  }

  static void unbound(String ns, String name, TestCa.ServerCert cert, String v4, String v6, String answer) throws IOException {
    List<String> iface = new ArrayList<>();
    for (String a : v6 == null ? List.of(v4) : List.of(v4, v6)) {
      iface.add("  interface: " + a + "@53");
      iface.add("  interface: " + a + "@853");
    }
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, String.join("\n",
        "remote-control:",
        "  control-enable: no",
        "server:",
        "  verbosity: 1",
        "  do-daemonize: no",
        "  chroot: \"\"",
        "  username: \"\"",
        "  pidfile: \"\"",
        "  directory: \"" + dir + "\"",
        "  use-syslog: no",
        "  logfile: \"" + dir.resolve(name + ".unbound.log") + "\"",
        String.join("\n", iface),
        "  tls-port: 853",
        "  tls-service-key: \"" + cert.keyFile() + "\"",
        "  tls-service-pem: \"" + cert.certFile() + "\"",
        "  do-ip6: " + (v6 == null ? "no" : "yes"),
        "  num-threads: 1",
        "  access-control: 0.0.0.0/0 allow",
        "  access-control: ::/0 allow",
        "  local-zone: \".\" refuse",
        "  local-zone: \"test.\" static",
        "  local-data: \"name.test. 300 IN A " + answer + "\"",
        ""));
    start(ns, name, List.of(Tools.find("unbound").toString(), "-d", "-c", conf.toString()));
  }

  static void start(String ns, String name, List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(command);
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start());
  }

  static void address(String ns, String dev, String v4, String v6) {
    ns(ns, "ip", "addr", "add", v4, "dev", dev);
    // nodad: the address is usable at once, not after duplicate address detection
    ns(ns, "ip", "addr", "add", v6, "dev", dev, "nodad");
    ns(ns, "ip", "link", "set", dev, "up");
  }

  static void ns(String ns, String... command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(List.of(command));
    ok(cmd.toArray(String[]::new));
  }

  static void ok(String... command) {
    Tools.Output out = Tools.run(List.of(command), Duration.ofSeconds(30));
    assertEquals(0, out.exitCode(), String.join(" ", command) + ":\n" + out.text());
  }

  static void deleteNamespaces() {
    for (String ns : List.of(DEV, RTR, FAR)) {
      Tools.run(List.of("ip", "netns", "delete", ns), Duration.ofSeconds(30));
    }
  }
}

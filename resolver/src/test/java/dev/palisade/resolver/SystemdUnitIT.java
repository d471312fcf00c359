package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.Tools;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/palisade.service: systemd's own checks of the unit, and the sandbox it asks for
 * rebuilt by hand (this machine does not run systemd as PID 1, so the unit itself cannot be
 * started here): every mount read-only (ProtectSystem=strict), a private /tmp and a writable
 * /var/cache/palisade (PrivateTmp, CacheDirectory), an unprivileged user with CAP_NET_BIND_SERVICE
 * as its only capability, ambient (AmbientCapabilities, CapabilityBoundingSet), no new privileges,
 * and the unit's own java options: Palisade must bind port 53 and answer through a DoT upstream.
 * Not rebuilt: the seccomp filter (SystemCallFilter), RestrictAddressFamilies, ProtectKernel*,
 * PrivateDevices. Needs root.
 */
class SystemdUnitIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path UNIT = REPO.resolve("deploy/systemd/palisade.service");
  static final Path JAR = Path.of("target", "palisade.jar").toAbsolutePath();
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir static Path dir;

  /** ExecStart= with its continuation lines joined. */
  static String execStart() throws Exception {
    String unit = Files.readString(UNIT).replace("\\\n", " ");
    return unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length()).trim();
  }

  @Test
  void systemdAnalyzeVerifiesTheUnit() throws Exception {
    Path unit = dir.resolve("palisade.service");
    // verify checks that ExecStart's program exists: point it at this JVM's java.
    Files.writeString(unit, Files.readString(UNIT).replace("/opt/palisade/bin/java", JAVA));
    Tools.Output out = Tools.run(List.of(Tools.find("systemd-analyze", "systemd").toString(), "verify", unit.toString()), Duration.ofMinutes(1));
    assertEquals(0, out.exitCode(), out.text());
    assertEquals("", out.text().strip(), "no warning about any directive");
  }

  @Test
  void systemdRatesTheUnitsExposureLow() throws Exception {
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("etc/systemd/system"));
    Files.copy(UNIT, root.resolve("etc/systemd/system/palisade.service"));
    // --threshold is exposure x10: fail above 2.5 ("OK" is below 4.0; most services score 9+).
    Tools.Output out = Tools.run(List.of(Tools.find("systemd-analyze", "systemd").toString(), "security", "--offline=true", "--root=" + root,
        "--threshold=25", "palisade.service"), Duration.ofMinutes(1));
    assertEquals(0, out.exitCode(), out.text());
    assertTrue(out.text().contains("Overall exposure level for palisade.service"), out.text());
  }

  @Test
  void underTheUnitsSandboxAnUnprivilegedPalisadeBindsPort53AndAnswers() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "rebuilding the sandbox needs root (mount namespace, setpriv)");
    TestCa ca = TestCa.create(dir.resolve("ca"));
    String address = "127.77.1.53"; // port 53 on an address of our own
    try (UnboundServer unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start()) {
      Path cfg = dir.resolve("palisade.yml");
      Files.writeString(cfg, String.join("\n",
          "listen_addresses: [" + address + "]",
          "upstream_recursive_servers:",
          "  - address_data: 127.0.0.1",
          "    tls_port: " + unbound.dotPort(),
          "    tls_auth_name: dot.test",
          "tls_ca_file: /var/cache/palisade-test/ca.pem   # copied there: the private /tmp hides the test's folder",
          "dnssec: GETDNS_EXTENSION_FALSE",
          "policy: {local_zones: [test]}",
          "metrics: {enabled: false}",
          ""));
      for (Path p : List.of(dir, cfg, ca.caFile().getParent(), ca.caFile())) {
        p.toFile().setReadable(true, false);
        p.toFile().setExecutable(true, false);
      }
      // The unit's java options (those before the @argfile) and the image's argfile options
      // that matter here are taken from the unit itself.
      List<String> unitOptions = Arrays.stream(execStart().split("\\s+")).filter(a -> a.startsWith("-D")).collect(Collectors.toList());
      assertTrue(unitOptions.contains("-Dio.netty.native.workdir=/var/cache/palisade"), execStart());
      String java = String.join(" ", JAVA, String.join(" ", unitOptions), "-Xmx64m", "-XX:+UseSerialGC", "-jar", JAR.toString(), "-C", "/var/cache/palisade-test/palisade.yml");
      String sandbox = String.join("\n",
          "set -e",
          // ProtectSystem=strict: every mount read-only, in this private mount namespace only.
          "for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do",
          "  case $m in /proc*|/sys*|/dev*) continue ;; esac",
          "  mount -o remount,bind,ro \"$m\" 2>/dev/null || true",
          "done",
          "touch /usr/.palisade-rw-check 2>/dev/null && { echo 'root still writable'; exit 3; }",
          // CacheDirectory and PrivateTmp: the writable places, owned by the service user.
          "mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /var/cache",
          "mkdir /var/cache/palisade && chown 65534:65534 /var/cache/palisade && chmod 750 /var/cache/palisade",
          "mkdir /var/cache/palisade-test && cp " + cfg + " " + ca.caFile() + " /var/cache/palisade-test/ && chmod -R a+rX /var/cache/palisade-test",
          "mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp",
          // User=, AmbientCapabilities=CAP_NET_BIND_SERVICE, CapabilityBoundingSet=, NoNewPrivileges=yes
          "exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service"
              + " --bounding-set=-all,+net_bind_service --no-new-privs " + java);
      Path log = dir.resolve("sandboxed.log");
      Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "sh", "-c", sandbox).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      try {
        DigResult answer = null;
        for (int i = 0; i < 300 && p.isAlive() && (answer == null || !answer.replied()); i++) {
          Thread.sleep(100);
          answer = dev.palisade.upstream.testbed.Dig.query(address, 53, "www.example.test", "A", "+time=2");
        }
        assertTrue(answer != null && answer.replied(), "no answer on port 53; log:\n" + Files.readString(log));
        assertEquals(List.of("192.0.2.1"), answer.answersOf("A"), answer.output());
        String status = procStatus(p.pid());
        assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+65534\\s.*")), status);
        assertTrue(status.lines().anyMatch(l -> l.equals("CapEff:\t0000000000000400")), "CAP_NET_BIND_SERVICE only:\n" + status);
        assertTrue(status.lines().anyMatch(l -> l.equals("NoNewPrivs:\t1")), status);
        assertTrue(Files.readString(log).contains("epoll"), "Netty's natives loaded from /var/cache/palisade:\n" + Files.readString(log));
      } finally {
        p.toHandle().destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits on SIGTERM");
      }
    }
  }

  static String procStatus(long pid) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "status"))) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}

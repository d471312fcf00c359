package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import dev.palisade.upstream.testbed.FreePorts;
import dev.palisade.upstream.testbed.TestCa;
import dev.palisade.upstream.testbed.Tools;
import dev.palisade.upstream.testbed.UnboundServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime image as a user gets it: {@code deploy/image/build.sh} builds it from the packaged
 * jar, its tarball is unpacked into an empty folder, and Palisade runs from that folder alone
 * (chroot in a private mount namespace with /proc, /dev and /tmp, as a container runtime gives a
 * FROM-scratch container) as the image's unprivileged user, answering dig through a real unbound
 * DoT upstream on loopback. Needs root (mount namespace, chroot).
 */
class RuntimeImageIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path JAR = Path.of("target", "palisade.jar").toAbsolutePath();
  static final int IMAGE_UID = 65532;

  @TempDir static Path dir;
  static Path rootfs;
  static TestCa ca;
  static UnboundServer unbound;

  @BeforeAll
  static void buildAndUnpackTheImage() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the image test needs root (chroot, mount namespace)");
    assertTrue(Files.exists(JAR), "package the jar first: " + JAR);
    Path out = dir.resolve("out");
    ProcessBuilder build = new ProcessBuilder(REPO.resolve("deploy/image/build.sh").toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("build.log").toFile());
    build.environment().put("OUT", out.toString());
    build.environment().put("PALISADE_JAR", JAR.toString());
    Process p = build.start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "build.sh finishes");
    assertEquals(0, p.exitValue(), "build.sh:\n" + Files.readString(dir.resolve("build.log")));

    rootfs = Files.createDirectory(dir.resolve("unpacked"));
    Tools.Output untar = Tools.run(List.of("tar", "-xzf", out.resolve("palisade-rootfs.tar.gz").toString(), "-C", rootfs.toString()), Duration.ofMinutes(2));
    assertEquals(0, untar.exitCode(), untar.text());

    ca = TestCa.create(dir.resolve("ca"));
    unbound = EndToEndTest.zone(UnboundServer.builder().directory(dir.resolve("unbound")).tls(ca.issue("dot", "dot.test"))).build().start();
  }

  @AfterAll
  static void stopUpstream() {
    if (unbound != null) {
      unbound.close();
    }
  }

  /** Runs COMMAND inside the unpacked image with deploy/image/rootfs-run.sh, as palisade (or root). */
  static ProcessBuilder inImage(boolean asRoot, String... command) {
    List<String> cmd = new java.util.ArrayList<>(List.of(REPO.resolve("deploy/image/rootfs-run.sh").toString()));
    if (asRoot) {
      cmd.add("--root");
    }
    cmd.add(rootfs.toString());
    cmd.addAll(List.of(command));
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  static Tools.Output runInImage(String... command) {
    List<String> cmd = new java.util.ArrayList<>(inImage(false, command).command());
    return Tools.run(cmd, Duration.ofMinutes(1));
  }

  @Test
  void theImagesDefaultConfigLoadsAndNamesQuad9OverTls() {
    // -i only prints the effective config: nothing is started, nothing leaves the machine.
    Tools.Output r = runInImage("/opt/palisade/bin/java", "@/opt/palisade/lib/palisade.args", "-C", "/etc/palisade/palisade.yml", "-i");
    assertEquals(0, r.exitCode(), r.text());
    assertTrue(r.text().contains("dns.quad9.net"), r.text());
    assertTrue(r.text().contains("0.0.0.0@53"), r.text());
  }

  @Test
  void theUnpackedTarballAloneResolvesANameThroughALoopbackDotUpstream() throws Exception {
    int port = FreePorts.find("127.0.0.1");
    int metricsPort = FreePorts.find("127.0.0.1");
    Path conf = rootfs.resolve("etc/palisade/it");
    Files.createDirectories(conf);
    Files.copy(ca.caFile(), conf.resolve("ca.pem"));
    Files.writeString(conf.resolve("palisade.yml"), String.join("\n",
        "listen_addresses: [127.0.0.1@" + port + "]",
        "upstream_recursive_servers:",
        "  - address_data: 127.0.0.1",
        "    tls_port: " + unbound.dotPort(),
        "    tls_auth_name: dot.test",
        "tls_ca_file: /etc/palisade/it/ca.pem   # a path inside the image",
        "dnssec: GETDNS_EXTENSION_FALSE         # the test zone is unsigned",
        "policy: {local_zones: [test]}",
        // On, as in the image's default config: the runtime must hold what Micrometer's JVM meters need.
        "metrics: {listen: 127.0.0.1@" + metricsPort + "}",
        ""));
    for (Path f : List.of(conf, conf.resolve("ca.pem"), conf.resolve("palisade.yml"))) {
      f.toFile().setReadable(true, false);
    }
    Path log = dir.resolve("palisade.log");
    Process p = inImage(false, "/opt/palisade/bin/java", "@/opt/palisade/lib/palisade.args", "-C", "/etc/palisade/it/palisade.yml")
        .redirectOutput(log.toFile()).start();
    try {
      DigResult udp = null;
      for (int i = 0; i < 300 && p.isAlive() && (udp == null || !udp.replied()); i++) {
        Thread.sleep(100);
        udp = Dig.query("127.0.0.1", port, "www.example.test", "A", "+time=2");
      }
      assertTrue(udp != null && udp.replied(), "no answer; log:\n" + Files.readString(log));
      assertEquals("NOERROR", udp.status(), udp.output());
      assertEquals(List.of("192.0.2.1"), udp.answersOf("A"));
      DigResult tcp = Dig.query("127.0.0.1", port, "www.example.test", "AAAA", "+tcp");
      assertEquals(List.of("2001:db8::1"), tcp.answersOf("AAAA"), tcp.output());
      java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("palisade_queries_total{") && metrics.body().contains("jvm_memory_used_bytes{"),
          "Palisade's and the JVM's meters from the image's runtime: " + metrics.body().lines().limit(20).toList());

      // It runs from the image's folder alone, as the image's user, with the class-data archive.
      assertEquals(rootfs.toRealPath(), Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "root")));
      assertTrue(procStatus(p.pid()).lines().anyMatch(l -> l.matches("Uid:\\s+" + IMAGE_UID + "\\s.*")), procStatus(p.pid()));
      assertTrue(Files.readString(Path.of("/proc", Long.toString(p.pid()), "maps")).contains("/opt/palisade/lib/palisade.jsa"),
          "the class-data archive is mapped");
      assertTrue(Files.readString(log).contains("epoll"), "Netty's native transport loaded from /tmp:\n" + Files.readString(log));
    } finally {
      p.toHandle().destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exits on SIGTERM");
    }
    assertTrue(Files.readString(log).contains("shutting down"), Files.readString(log));
  }

  /** procfs read as a stream: Files.readString trusts the size procfs reports and truncates. */
  static String procStatus(long pid) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "status"))) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}

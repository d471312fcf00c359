package dev.palisade.dnssec.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.Dig;
import dev.palisade.upstream.testbed.DigResult;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test bed itself: on loopback only, reachable over DoT, and gone after close. */
class SignedHierarchyTest {
  private static SignedHierarchy hierarchy;
  private static Path directory;

  @BeforeAll
  static void start() throws Exception {
    directory = Files.createTempDirectory("signed-hierarchy-test");
    hierarchy = SignedHierarchy.start(directory);
  }

  @AfterAll
  static void closeStopsEveryProcess() throws Exception {
    hierarchy.close();
    Thread.sleep(200);
    List<String> left = ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(cmd -> cmd.contains(directory.toString()))
        .toList();
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
    assertEquals(List.of(), left, "processes left running after close()");
  }

  @Test
  void everyServerListensOnLoopbackOnly() throws Exception {
    for (NsdServer nsd : hierarchy.authorities()) {
      assertTrue(InetAddress.getByName(nsd.address()).isLoopbackAddress(), nsd.address());
    }
    assertTrue(InetAddress.getByName(hierarchy.recursive().address()).isLoopbackAddress());
    assertTrue(InetAddress.getByName(hierarchy.validating().address()).isLoopbackAddress());
    String hints = Files.readString(hierarchy.rootHints());
    assertTrue(hints.contains(hierarchy.address(".")), hints);
    String config = Files.readString(hierarchy.recursive().configFile());
    assertTrue(config.contains("outgoing-interface: " + hierarchy.recursive().address()), config);
    assertTrue(config.contains("module-config: \"iterator\""), "the recursive must not validate");
  }

  @Test
  void recursiveAnswersOverDotWithTheTestCa() {
    DigResult result = Dig.query(hierarchy.recursive().address(), hierarchy.recursive().dotPort(), "www.rsa.test.", "A",
        "+tls", "+tls-ca=" + hierarchy.ca().caFile(), "+tls-hostname=" + SignedHierarchy.TLS_NAME, "+dnssec");

    assertEquals("NOERROR", result.status(), result.toString());
    assertEquals(List.of("127.0.0.3"), result.answersOf("A"), result.toString());
    assertFalse(result.answersOf("RRSIG").isEmpty(), "RRSIGs for a DO query: " + result);
    assertFalse(result.hasFlag("ad"), "a non-validating recursive never sets AD: " + result);
  }

  @Test
  void recursiveLiesAboutTheForgedName() {
    DigResult result = Dig.query(hierarchy.recursive().address(), hierarchy.recursive().plainPort(), "forged.ecdsa.test.",
        "A", "+dnssec");

    assertEquals(List.of(SignedHierarchy.FORGED_ADDRESS), result.answersOf("A"), result.toString());
    assertTrue(result.answersOf("RRSIG").isEmpty(), result.toString());
  }

  @Test
  void validatingUnboundServesDotToo() {
    DigResult result = Dig.query(hierarchy.validating().address(), hierarchy.validating().dotPort(), "www.ed.test.", "A",
        "+tls", "+tls-ca=" + hierarchy.ca().caFile(), "+tls-hostname=" + SignedHierarchy.TLS_NAME, "+dnssec");

    assertEquals("NOERROR", result.status(), result.toString());
    assertTrue(result.hasFlag("ad"), result.toString());
  }

  @Test
  void trustAnchorFileHoldsTheRootKskDs() throws Exception {
    String text = Files.readString(hierarchy.trustAnchorFile());

    assertTrue(text.startsWith(". ") || text.startsWith(".\t"), text);
    assertEquals(hierarchy.trustAnchors().records().size(), text.strip().split("\n").length, text);
  }
}

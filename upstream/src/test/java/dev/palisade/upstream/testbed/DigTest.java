package dev.palisade.upstream.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigTest {
  private static UnboundServer unbound;

  @BeforeAll
  static void startUnbound(@TempDir Path dir) {
    UnboundServer.Builder builder = UnboundServer.builder()
        .tls(TestCa.create(dir).issue("dns", "dns.test"))
        .localZone("example.test.", "static")
        .localData("example.test. 300 IN A 127.0.0.53")
        .localData("example.test. 300 IN TXT \"two words\"");
    // enough TXT data to overflow a 512-byte UDP reply
    for (int i = 0; i < 20; i++) {
      builder.localData("big.example.test. 300 IN TXT \"" + "x".repeat(60) + i + "\"");
    }
    unbound = builder.build().start();
  }

  @AfterAll
  static void stopUnbound() {
    unbound.close();
  }

  private static DigResult dig(String name, String type, String... options) {
    return Dig.query(unbound.address(), unbound.plainPort(), name, type, options);
  }

  @Test
  void readsStatusFlagsAndTheOptRecord() {
    DigResult result = dig("example.test.", "A", "+dnssec", "+bufsize=1400");

    assertEquals("NOERROR", result.status(), result::toString);
    assertEquals(Set.of("qr", "aa", "rd", "ra"), result.flags(), result::toString);
    assertTrue(result.edns(), result::toString);
    assertEquals(1232, result.udpSize(), result::toString); // unbound's edns-buffer-size caps it
    assertEquals(Set.of("do"), result.ednsFlags(), result::toString);
    assertEquals(List.of("example.test. 300 IN A 127.0.0.53"), result.answers(), result::toString);
  }

  @Test
  void keepsSpacesInsideRdata() {
    assertEquals(List.of("\"two words\""), dig("example.test.", "TXT").answersOf("TXT"));
  }

  @Test
  void showsTheQuestionNameInTheCaseTheServerEchoed() {
    assertEquals("ExAmPlE.TeSt.", dig("ExAmPlE.TeSt.", "A").questionName());
  }

  @Test
  void seesNoOptRecordWhenAskedWithoutEdns() {
    DigResult result = dig("example.test.", "A", "+noedns");

    assertFalse(result.edns(), result::toString);
    assertEquals(-1, result.udpSize());
  }

  @Test
  void keepsATruncatedUdpReplyWhenToldToIgnoreTc() {
    DigResult truncated = dig("big.example.test.", "TXT", "+notcp", "+ignore", "+bufsize=512");
    assertTrue(truncated.hasFlag("tc"), truncated::toString);

    DigResult retried = dig("big.example.test.", "TXT", "+notcp", "+bufsize=512");
    assertFalse(retried.hasFlag("tc"), retried::toString);
    assertEquals(20, retried.answersOf("TXT").size(), retried::toString);
  }

  @Test
  void reportsNoReplyWhenNothingAnswers() {
    DigResult result = Dig.query("127.0.0.1", FreePorts.find("127.0.0.1"), "example.test.", "A", "+time=1");

    assertFalse(result.replied(), result::toString);
  }

  @Test
  void refusesToQueryAnAddressOffLoopback() {
    assertThrows(IllegalArgumentException.class, () -> Dig.query("192.0.2.1", 53, "example.test.", "A"));
    assertThrows(IllegalArgumentException.class, () -> dig("example.test.", "A", "@192.0.2.1"));
  }
}

package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.upstream.testbed.TestCa;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinSetTest {

  @TempDir Path dir;

  @Test
  void aPinIsTheBase64Sha256OfTheSubjectPublicKeyInfo() throws Exception {
    TestCa ca = TestCa.create(dir);
    var cert = ca.issue("s", "dns.test").certificate();
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
    assertEquals(Base64.getEncoder().encodeToString(expected), PinSet.pinOf(cert));
    PinSet pins = PinSet.ofBase64(PinSet.pinOf(cert));
    assertTrue(pins.matches(cert));
    assertFalse(pins.matches(ca.certificate()));
  }

  @Test
  void readsStubbysExampleValues() {
    // From stubby.yml's Quad9 example.
    PinSet pins = PinSet.ofBase64(List.of("/SlsviBkb05Y/8XiKF9+CZsgCtrqPQk5bh47o0R3/Cg="));
    assertEquals(1, pins.size());
  }

  @Test
  void rejectsValuesThatAreNotBase64Of32Octets() {
    assertThrows(IllegalArgumentException.class, () -> PinSet.ofBase64("not base64!"));
    assertThrows(IllegalArgumentException.class, () -> PinSet.ofBase64(Base64.getEncoder().encodeToString(new byte[20])));
  }
}

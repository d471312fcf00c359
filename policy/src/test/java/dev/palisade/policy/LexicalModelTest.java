package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LexicalModelTest {
  private final LexicalModel model = LexicalModel.bundled();

  @Test
  void commonLabelsCostFewBitsPerCharacter() {
    assertTrue(model.score("www").bitsPerChar() < 3.5);
    assertTrue(model.score("mail").bits() < 25);
    assertTrue(model.score("static").bitsPerChar() < 5);
  }

  @Test
  void randomEncodingsCostAtLeastTheirEntropy() {
    // Gibbs: the model's code length for uniform data is never below its entropy.
    Random r = new Random(1);
    for (String alphabet : List.of("0123456789abcdef", "abcdefghijklmnopqrstuvwxyz234567")) {
      double bits = 0;
      int chars = 0;
      for (int k = 0; k < 500; k++) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        bits += model.score(sb).bits();
        chars += 40;
      }
      double entropy = Math.log(alphabet.length()) / Math.log(2);
      assertTrue(bits / chars > entropy, alphabet + ": " + bits / chars + " bits/char");
    }
  }

  @Test
  void base64StyleMixedCaseAddsABitPerLetter() {
    double lower = model.bits("abcdefgh", 0, 8);
    LexicalScore mixed = model.score("aBcDeFgH");
    assertTrue(mixed.mixedCase());
    assertEquals(lower + 8, mixed.bits(), 1e-6);
  }

  @Test
  void titleCaseIsNotMixedCase() {
    LexicalScore s = model.score("Default-First-Site-Name");
    assertFalse(s.mixedCase());
    assertEquals(model.bits("default-first-site-name", 0, 23), s.bits(), 1e-6);
  }

  @Test
  void dotsSeparateLabelsThroughTheBoundarySymbol() {
    double ab = model.bits("a.b", 0, 3);
    double expected = model.cost(LexicalModel.BOUNDARY, 0) + model.cost(0, LexicalModel.BOUNDARY)
        + model.cost(LexicalModel.BOUNDARY, 1) + model.cost(1, LexicalModel.BOUNDARY);
    assertEquals(expected, ab, 1e-4);
  }

  @Test
  void readRejectsATruncatedTable() {
    InputStream in = new ByteArrayInputStream("# comment\n1 2 3\n".getBytes(StandardCharsets.US_ASCII));
    assertThrows(java.io.IOException.class, () -> LexicalModel.read(in));
  }

  @Test
  void shippedTableIsWhatTheTrainerProducesFromDnsrecon() throws Exception {
    Path list = Path.of("/usr/share/dnsrecon/subdomains-top1mil.txt");
    assumeTrue(Files.isReadable(list), "dnsrecon not installed (apt-get install dnsrecon)");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BigramTrainer.write(List.of(list), new PrintStream(out, true, StandardCharsets.US_ASCII));
    byte[] shipped;
    try (InputStream in = LexicalModel.class.getResourceAsStream(LexicalModel.RESOURCE)) {
      shipped = in.readAllBytes();
    }
    assertEquals(new String(shipped, StandardCharsets.US_ASCII), out.toString(StandardCharsets.US_ASCII));
  }
}

package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainListTest {
  @TempDir
  Path dir;

  @Test
  void exactEntryMatchesOnlyThatName() {
    DomainList l = DomainList.of("example.org");
    assertTrue(l.matches("example.org"));
    assertTrue(l.matches("EXAMPLE.org."));
    assertFalse(l.matches("www.example.org"));
    assertFalse(l.matches("org"));
    assertFalse(l.matches("notexample.org"));
  }

  @Test
  void suffixEntryMatchesTheDomainAndEverythingBelowIt() {
    DomainList l = DomainList.of("*.example.com");
    assertTrue(l.matches("example.com"));
    assertTrue(l.matches("a.b.example.com"));
    assertTrue(l.matches(Names.of("WWW.Example.COM")));
    assertFalse(l.matches("example.com.evil.net"));
    assertFalse(l.matches("badexample.com"));
    assertFalse(l.matches("com"));
  }

  @Test
  void parseRejectsAnEntryThatIsNotARuleAndNamesIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DomainList.parse(List.of("good.example", "bad entry.example")));
    assertTrue(e.getMessage().contains("bad entry.example"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DomainList.of("*."));
    assertThrows(IllegalArgumentException.class, () -> DomainList.of("a..b"));
  }

  @Test
  void loadReadsPlainHostsAndAdblockLinesAndSkipsTheRest() throws IOException {
    Path f = dir.resolve("list.txt");
    Files.writeString(f, String.join("\n",
        "# a comment",
        "! an adblock comment",
        "",
        "plain.example",
        "*.wild.example   # trailing comment",
        "0.0.0.0 hosts1.example hosts2.example",
        "127.0.0.1 localhost",
        "::1 ip6-localhost",
        "||adblock.example^",
        "||option.example^$third-party",
        "not a rule at all",
        "Mixed.Case.Example.",
        "\tindented.example  "), StandardCharsets.US_ASCII);
    DomainList l = DomainList.load(f);
    assertTrue(l.matches("plain.example"));
    assertTrue(l.matches("x.wild.example"));
    assertTrue(l.matches("hosts1.example"));
    assertTrue(l.matches("hosts2.example"));
    assertTrue(l.matches("deep.adblock.example"));
    assertTrue(l.matches("mixed.case.example"));
    assertTrue(l.matches("indented.example"));
    assertFalse(l.matches("localhost"));
    assertFalse(l.matches("option.example"));
    assertFalse(l.matches("sub.plain.example"));
    assertEquals(7, l.size());
    assertEquals(2, l.skipped());
  }

  @Test
  void aLargeListLoadsAndMatchesEveryEntry() throws IOException {
    Random r = new Random(4);
    List<String> names = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      String n = "h" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + ".example" + (i % 97) + ".net";
      names.add(n);
      sb.append(n).append('\n');
    }
    Path f = dir.resolve("big.txt");
    Files.writeString(f, sb, StandardCharsets.US_ASCII);
    DomainList l = DomainList.load(f);
    assertEquals(200_000, l.size());
    for (String n : names) {
      assertTrue(l.matches(n), n);
    }
    int falseMatches = 0;
    for (int i = 0; i < 100_000; i++) {
      falseMatches += l.matches("absent" + i + ".example.net") ? 1 : 0;
    }
    assertEquals(0, falseMatches);
    assertTrue(l.memoryBytes() < 200_000L * 24, "bytes: " + l.memoryBytes());
  }

  @Test
  void unionHoldsBothListsRules() throws IOException {
    Path a = dir.resolve("a.txt");
    Path b = dir.resolve("b.txt");
    Files.writeString(a, "a.example\n");
    Files.writeString(b, "*.b.example\n");
    DomainList l = DomainList.load(List.of(a, b)).union(DomainList.of("c.example"));
    assertTrue(l.matches("a.example"));
    assertTrue(l.matches("x.b.example"));
    assertTrue(l.matches("c.example"));
    assertEquals(3, l.size());
  }

  @Test
  void emptyListMatchesNothing() {
    assertFalse(DomainList.empty().matches("example.com"));
    assertEquals(0, DomainList.empty().size());
  }
}

package dev.palisade.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.LogLevel;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void readsStubbysOptions() {
    CommandLine c = CommandLine.parse("-C", "/etc/stubby/stubby.yml", "-i", "-v", "3");
    assertEquals(Optional.of(Path.of("/etc/stubby/stubby.yml")), c.configFile());
    assertTrue(c.printConfig());
    assertEquals(Optional.of(LogLevel.ERR), c.logLevel());
  }

  @Test
  void withoutOptionsUsesTheBuiltInConfig() {
    CommandLine c = CommandLine.parse();
    assertTrue(c.configFile().isEmpty());
    assertFalse(c.printConfig());
    assertEquals(LogLevel.NOTICE, c.effectiveLevel(LogLevel.NOTICE));
  }

  @Test
  void dashLLogsEverythingUnlessDashVSaysOtherwise() {
    assertEquals(LogLevel.DEBUG, CommandLine.parse("-l").effectiveLevel(LogLevel.NOTICE));
    assertEquals(LogLevel.WARNING, CommandLine.parse("-l", "-v", "4").effectiveLevel(LogLevel.NOTICE));
    assertTrue(CommandLine.parse("-l").logToStdout());
  }

  @Test
  void rejectsUnknownOptionsAndMissingOrBadValues() {
    assertEquals("unknown option \"-x\"", assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("-x")).getMessage());
    assertEquals("-C needs a value", assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("-C")).getMessage());
    assertEquals("-v expects a level from 0 to 7, got \"9\"", assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("-v", "9")).getMessage());
  }
}

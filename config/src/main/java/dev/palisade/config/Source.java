package dev.palisade.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The config being read: its name for messages, its directory for relative paths, and the warnings
 * so far. One per load; not shared.
 */
final class Source {
  private record Warning(int line, String text) {}

  private final String name;
  private final Path dir;
  private final List<Warning> warnings = new ArrayList<>();

  Source(String name, Path file) {
    this.name = name;
    Path absolute = file.toAbsolutePath();
    this.dir = absolute.getParent() == null ? absolute : absolute.getParent();
  }

  /** The directory that relative paths in the config are resolved against. */
  Path dir() {
    return dir;
  }

  ConfigException error(int line, String keyPath, String expected, String actual) {
    return new ConfigException(name, line, keyPath, expected, actual, null);
  }

  void warn(int line, String keyPath, String text) {
    warnings.add(new Warning(line, ConfigException.where(name, line, keyPath) + text));
  }

  /** In file order rather than the order keys happened to be checked in. */
  List<String> warnings() {
    return warnings.stream().sorted(Comparator.comparingInt(Warning::line)).map(Warning::text).toList();
  }
}

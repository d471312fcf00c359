package dev.palisade.config;

/**
 * A config that cannot be used, with where and why: {@code file:line: key.path: expected X, got Y}.
 * It is the only exception {@link ConfigLoader} throws, whatever the input.
 */
public final class ConfigException extends Exception {
  private final String file;
  private final int line;
  private final String keyPath;
  private final String expected;

  /**
   * @param line 1-based, 0 if unknown
   * @param keyPath empty if the problem is not at a key (unreadable file, YAML syntax)
   * @param actual what was found instead, already quoted or described; null to say nothing
   */
  ConfigException(String file, int line, String keyPath, String expected, String actual, Throwable cause) {
    super(format(file, line, keyPath, expected, actual), cause);
    this.file = file;
    this.line = line;
    this.keyPath = keyPath;
    this.expected = expected;
  }

  private static String format(String file, int line, String keyPath, String expected, String actual) {
    return where(file, line, keyPath) + "expected " + expected + (actual == null ? "" : ", got " + actual);
  }

  /** The {@code file:line: key.path: } prefix that errors and warnings share. */
  static String where(String file, int line, String keyPath) {
    return file + (line > 0 ? ":" + line : "") + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ");
  }

  /** The file (or source name) as the caller gave it. */
  public String file() {
    return file;
  }

  /** 1-based line of the offending node, 0 if unknown. */
  public int line() {
    return line;
  }

  /** Such as {@code upstream_recursive_servers[1].tls_port}; empty if not at a key. */
  public String keyPath() {
    return keyPath;
  }

  /** What would have been accepted, such as {@code an integer port 1..65535}. */
  public String expected() {
    return expected;
  }
}

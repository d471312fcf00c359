package dev.palisade.resolver;

import dev.palisade.config.LogLevel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Stubby's command line: {@code -C FILE}, {@code -i}, {@code -l}, {@code -v N}, {@code -h}.
 *
 * @param configFile {@code -C}; empty: the built-in default config
 * @param printConfig {@code -i}: print the effective config and exit
 * @param logToStdout {@code -l}: log to standard output, everything unless {@code -v} says otherwise
 * @param logLevel {@code -v}: overrides the config's {@code log_level}
 */
record CommandLine(
    Optional<Path> configFile, boolean printConfig, boolean logToStdout, Optional<LogLevel> logLevel, boolean help) {

  static final String USAGE =
      String.join(
          "\n",
          "usage: palisade [-C FILE] [-i] [-l] [-v N] [-h]",
          "  -C FILE  read the configuration from FILE (YAML; Stubby's stubby.yml keys work)",
          "           without -C: the built-in default (Quad9 over DNS-over-TLS, listening on 127.0.0.1 and ::1 port 53)",
          "  -i       check the configuration, print the effective configuration and exit",
          "  -l       log to standard output, at debug level unless -v is given",
          "  -v N     log level 0 (emergencies only) to 7 (debug); overrides log_level",
          "  -h       print this help and exit",
          "");

  /** @throws IllegalArgumentException with a message meant for the user */
  static CommandLine parse(String... args) {
    Optional<Path> file = Optional.empty();
    boolean print = false;
    boolean stdout = false;
    boolean help = false;
    Optional<LogLevel> level = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-C":
          file = Optional.of(Path.of(value(args, ++i, a)));
          break;
        case "-i":
          print = true;
          break;
        case "-l":
          stdout = true;
          break;
        case "-v":
          String v = value(args, ++i, a);
          try {
            level = Optional.of(LogLevel.ofNumber(Integer.parseInt(v)));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-v expects a level from 0 to 7, got \"" + v + "\"");
          }
          break;
        case "-h":
        case "--help":
          help = true;
          break;
        default:
          throw new IllegalArgumentException("unknown option \"" + a + "\"");
      }
    }
    return new CommandLine(file, print, stdout, level, help);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** The level to log at: {@code -v}, else debug with {@code -l}, else the config's. */
  LogLevel effectiveLevel(LogLevel configured) {
    return logLevel.orElse(logToStdout ? LogLevel.DEBUG : configured);
  }
}

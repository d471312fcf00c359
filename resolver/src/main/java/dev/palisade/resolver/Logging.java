package dev.palisade.resolver;

import dev.palisade.config.LogLevel;

/**
 * Sets up slf4j-simple. It reads its settings once, when the first logger is made, so this runs
 * before anything logs.
 */
final class Logging {
  private Logging() {}

  static void configure(LogLevel level, boolean toStdout) {
    set("org.slf4j.simpleLogger.logFile", toStdout ? "System.out" : "System.err");
    set("org.slf4j.simpleLogger.defaultLogLevel", slf4jLevel(level));
    set("org.slf4j.simpleLogger.showDateTime", "true");
    set("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    set("org.slf4j.simpleLogger.showShortLogName", "true");
    set("org.slf4j.simpleLogger.levelInBrackets", "true");
    // Library chatter is only interesting when debugging the libraries themselves.
    set("org.slf4j.simpleLogger.log.io.netty", level == LogLevel.DEBUG ? "info" : "warn");
    set("org.slf4j.simpleLogger.log.org.xbill", "warn");
  }

  /** getdns/syslog levels onto slf4j's: everything from ERR up is an error. */
  static String slf4jLevel(LogLevel level) {
    switch (level) {
      case EMERG:
      case ALERT:
      case CRIT:
      case ERR:
        return "error";
      case WARNING:
        return "warn";
      case NOTICE:
      case INFO:
        return "info";
      default:
        return "debug";
    }
  }

  private static void set(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}

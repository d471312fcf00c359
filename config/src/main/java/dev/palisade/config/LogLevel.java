package dev.palisade.config;

/** {@code log_level}: getdns/syslog levels 0 to 7, by number or as {@code GETDNS_LOG_<NAME>}. */
public enum LogLevel {
  EMERG,
  ALERT,
  CRIT,
  ERR,
  WARNING,
  NOTICE,
  INFO,
  DEBUG;

  public static LogLevel ofNumber(int n) {
    if (n < 0 || n > 7) {
      throw new IllegalArgumentException("log level must be 0..7, got " + n);
    }
    return values()[n];
  }
}

package dev.palisade.config;

import java.util.Objects;

/**
 * The {@code metrics:} section: one HTTP listener serving {@code /metrics} (Prometheus text),
 * {@code /health} and {@code /ready}.
 *
 * @param enabled {@code enabled}: false serves no HTTP at all
 * @param listen {@code listen}: address and port in Stubby's notation, {@code 127.0.0.1@9153}
 */
public record MetricsConfig(boolean enabled, ListenAddress listen) {
  public static final int DEFAULT_PORT = 9153;
  public static final MetricsConfig DEFAULTS =
      new MetricsConfig(true, new ListenAddress(InetLiterals.parse("127.0.0.1"), DEFAULT_PORT));
  /** For tests and embedders that want no HTTP listener. */
  public static final MetricsConfig OFF = new MetricsConfig(false, DEFAULTS.listen());

  public MetricsConfig {
    Objects.requireNonNull(listen, "listen");
  }
}

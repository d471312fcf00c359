package dev.palisade.resolver.metrics;

import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.server.ServerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the listeners report: {@code palisade_rate_limited_total{protocol,action}} (queries over
 * {@code rate_limit}, dropped or refused), {@code palisade_bad_cookies_total{protocol}} (BADCOOKIE
 * answers to limited clients, RFC 7873) and {@code palisade_listener_errors_total{protocol}}
 * (exceptions that reached a listener: bugs, expected to stay 0). Every counter is registered up
 * front, so a scrape shows 0 rather than nothing.
 */
final class ServerMetrics implements ServerListener {
  private final Map<Protocol, Counter> dropped = new EnumMap<>(Protocol.class);
  private final Map<Protocol, Counter> refused = new EnumMap<>(Protocol.class);
  private final Map<Protocol, Counter> badCookies = new EnumMap<>(Protocol.class);
  private final Map<Protocol, Counter> errors = new EnumMap<>(Protocol.class);

  ServerMetrics(MeterRegistry registry) {
    for (Protocol p : Protocol.values()) {
      String protocol = p.name().toLowerCase(Locale.ROOT);
      dropped.put(p, Counter.builder("palisade.rate.limited").description("Queries over rate_limit, by what happened to them")
          .tags("protocol", protocol, "action", "drop").register(registry));
      refused.put(p, Counter.builder("palisade.rate.limited").description("Queries over rate_limit, by what happened to them")
          .tags("protocol", protocol, "action", "refuse").register(registry));
      badCookies.put(p, Counter.builder("palisade.bad.cookies").description("BADCOOKIE answers with a fresh server cookie to rate-limited clients (RFC 7873)")
          .tag("protocol", protocol).register(registry));
      errors.put(p, Counter.builder("palisade.listener.errors").description("Unexpected exceptions in a listener (bugs; expected 0)")
          .tag("protocol", protocol).register(registry));
    }
  }

  @Override
  public void rateLimited(InetAddress client, Protocol protocol, boolean wasRefused) {
    (wasRefused ? refused : dropped).get(protocol).increment();
  }

  @Override
  public void badCookie(Protocol protocol) {
    badCookies.get(protocol).increment();
  }

  @Override
  public void unexpectedError(Protocol protocol, Throwable error) {
    errors.get(protocol).increment();
  }
}

package dev.palisade.resolver.server;

import dev.palisade.resolver.chain.Protocol;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/** Counts what the listeners report; the metrics layer reads these or attaches its own listener. */
public final class ServerCounters implements ServerListener {

  private final LongAdder rateLimitedDropped = new LongAdder();
  private final LongAdder rateLimitedRefused = new LongAdder();
  private final LongAdder badCookies = new LongAdder();
  private final LongAdder unexpectedErrors = new LongAdder();

  @Override
  public void rateLimited(InetAddress client, Protocol protocol, boolean refused) {
    (refused ? rateLimitedRefused : rateLimitedDropped).increment();
  }

  @Override
  public void badCookie(Protocol protocol) {
    badCookies.increment();
  }

  @Override
  public void unexpectedError(Protocol protocol, Throwable error) {
    unexpectedErrors.increment();
  }

  public long rateLimitedDropped() {
    return rateLimitedDropped.sum();
  }

  public long rateLimitedRefused() {
    return rateLimitedRefused.sum();
  }

  public long rateLimited() {
    return rateLimitedDropped() + rateLimitedRefused();
  }

  public long badCookies() {
    return badCookies.sum();
  }

  public long unexpectedErrors() {
    return unexpectedErrors.sum();
  }
}

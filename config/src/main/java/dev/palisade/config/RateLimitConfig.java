package dev.palisade.config;

import java.util.Objects;

/**
 * The {@code rate_limit:} section: a token bucket per client address, so that one device cannot
 * starve the others. Off while {@link #qps} is 0 (the default, as in Unbound).
 *
 * @param qps {@code qps}: queries per second each client address may send, sustained
 * @param burst {@code burst}: queries a client may send at once after a quiet spell (bucket size)
 * @param action {@code action}: {@code drop} (silently, as Unbound's ratelimit does; no reply to
 *     amplify) or {@code refuse} (REFUSED)
 * @param maxClients {@code max_clients}: bound on the client addresses tracked at once; the least
 *     recently seen are forgotten first
 */
public record RateLimitConfig(int qps, int burst, String action, int maxClients) {
  public static final RateLimitConfig DEFAULTS = new RateLimitConfig(0, 0, "drop", 65_536);

  public RateLimitConfig {
    Objects.requireNonNull(action, "action");
    if (!action.equals("drop") && !action.equals("refuse")) {
      throw new IllegalArgumentException("action must be drop or refuse: " + action);
    }
    if (qps < 0 || burst < 0 || (qps > 0 && burst < 1) || maxClients < 1) {
      throw new IllegalArgumentException("bad rate limit: qps " + qps + ", burst " + burst + ", max_clients " + maxClients);
    }
  }

  public boolean enabled() {
    return qps > 0;
  }
}

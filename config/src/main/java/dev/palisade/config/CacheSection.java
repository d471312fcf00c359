package dev.palisade.config;

import static dev.palisade.config.Keys.*;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and prints the {@code cache:} section. */
final class CacheSection {
  private static final Set<String> KEYS = Set.of(
      CACHE_SIZE, CACHE_MIN_TTL, CACHE_MAX_TTL, CACHE_PREFETCH, CACHE_SERVE_STALE, CACHE_STALE_MAX_AGE);

  static final long MAX_SIZE = 64L << 30;
  private static final String SIZE = "a size in bytes such as 67108864, 512KiB, 64MiB or 1GiB (0 turns the cache off, at most 64GiB)";
  private static final Pattern SIZE_TEXT = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB|K|M|G|KB|MB|GB)?");
  private static final long MAX_TTL_SECONDS = 7L * 86_400;

  private CacheSection() {}

  static CacheConfig read(Value value) throws ConfigException {
    CacheConfig d = CacheConfig.DEFAULTS;
    if (value.isNull()) {
      throw value.fail("a mapping with size, min_ttl, max_ttl, prefetch, serve_stale, stale_max_age", null);
    }
    Map<String, Value> keys = value.mapping("a mapping with size, min_ttl, max_ttl, prefetch, serve_stale, stale_max_age");
    ConfigReader.warnIgnored(keys, KEYS, Set.of());
    long size = ConfigReader.get(keys, CACHE_SIZE, CacheSection::size, d.sizeBytes());
    Duration minTtl = ConfigReader.get(keys, CACHE_MIN_TTL, v -> seconds(v, MAX_TTL_SECONDS), d.minTtl());
    Duration maxTtl = ConfigReader.get(keys, CACHE_MAX_TTL, v -> seconds(v, MAX_TTL_SECONDS), d.maxTtl());
    if (minTtl.compareTo(maxTtl) > 0) {
      Value at = keys.containsKey(CACHE_MIN_TTL) ? keys.get(CACHE_MIN_TTL) : keys.get(CACHE_MAX_TTL);
      throw at.fail("min_ttl no greater than max_ttl (" + maxTtl.toSeconds() + ")", Long.toString(minTtl.toSeconds()));
    }
    return new CacheConfig(
        size,
        minTtl,
        maxTtl,
        ConfigReader.get(keys, CACHE_PREFETCH, v -> v.flag("true or false"), d.prefetch()),
        ConfigReader.get(keys, CACHE_SERVE_STALE, v -> v.flag("true or false"), d.serveStale()),
        ConfigReader.get(keys, CACHE_STALE_MAX_AGE, v -> seconds(v, MAX_TTL_SECONDS), d.staleMaxAge()));
  }

  static Map<String, Object> print(CacheConfig c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(CACHE_SIZE, c.sizeBytes());
    out.put(CACHE_MIN_TTL, c.minTtl().toSeconds());
    out.put(CACHE_MAX_TTL, c.maxTtl().toSeconds());
    out.put(CACHE_PREFETCH, c.prefetch());
    out.put(CACHE_SERVE_STALE, c.serveStale());
    out.put(CACHE_STALE_MAX_AGE, c.staleMaxAge().toSeconds());
    return out;
  }

  /** Binary units, as memory is counted: KiB = 1024 bytes; K and KB mean the same here. */
  private static long size(Value value) throws ConfigException {
    Matcher m = SIZE_TEXT.matcher(value.text(SIZE).trim());
    if (!m.matches()) {
      throw value.fail(SIZE);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).substring(0, 1);
    int shift = switch (unit) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      default -> 0;
    };
    if (n > (MAX_SIZE >> shift)) {
      throw value.fail(SIZE);
    }
    return n << shift;
  }

  private static Duration seconds(Value value, long max) throws ConfigException {
    return Duration.ofSeconds(value.integer(0, max, "a number of seconds 0.." + max));
  }
}

package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sets as text for other tools. Timeouts are the seconds left, rounded up, so that an entry
 * loaded from an export never leaves before Palisade would drop it; pinned entries have none.
 */
public final class IpSetExport {

  /** ipset's largest timeout (seconds); nft takes longer ones, but one bound keeps both formats alike. */
  static final long MAX_TIMEOUT = 2_147_483;

  /** The output formats. */
  public enum Format {
    /** {@code ipset restore} input: a {@code create … -exist} line per set, then {@code add} lines. */
    IPSET,
    /** {@code nft -f} input: the table and sets (with {@code flags timeout}), then their elements. */
    NFT,
    /** One line per address: set, address, seconds left ({@code -} for never). */
    PLAIN,
    JSON;

    /** The format named {@code s} ("ipset", "nft", "plain", "json"), for a query parameter. */
    public static Format parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public String contentType() {
      return this == JSON ? "application/json" : "text/plain; charset=utf-8";
    }
  }

  /** A set and what it held at one moment. */
  record View(SetSpec spec, int maxEntries, List<ResolvedSet.Entry> entries) {}

  private IpSetExport() {}

  static String render(Format format, List<View> sets, long now) {
    return switch (format) {
      case IPSET -> ipset(sets, now);
      case NFT -> nft(sets, now);
      case PLAIN -> plain(sets, now);
      case JSON -> json(sets, now);
    };
  }

  /** Seconds left, rounded up (at least 1); 0 for a pinned entry. */
  static long timeout(ResolvedSet.Entry e, long now) {
    if (e.pinned()) {
      return 0;
    }
    return Math.min(MAX_TIMEOUT, Math.max(1, (e.expiresAt() - now + 999) / 1000));
  }

  /** Every set, whatever its backend: ipset can hold an nft set's addresses too. */
  static String ipset(List<View> sets, long now) {
    StringBuilder out = new StringBuilder();
    for (View v : sets) {
      out.append(IpsetBackend.createLine(v.spec(), v.maxEntries())).append('\n');
      for (ResolvedSet.Entry e : v.entries()) {
        out.append(IpsetBackend.line(KernelOp.add(v.spec(), e.address(), timeout(e, now)))).append('\n');
      }
    }
    return out.toString();
  }

  static String nft(List<View> sets, long now) {
    StringBuilder out = new StringBuilder();
    Map<String, List<View>> byTable = new LinkedHashMap<>();
    for (View v : sets) {
      byTable.computeIfAbsent(v.spec().nftTable(), t -> new ArrayList<>()).add(v);
    }
    for (Map.Entry<String, List<View>> t : byTable.entrySet()) {
      out.append("table ").append(t.getKey()).append(" {\n");
      for (View v : t.getValue()) {
        out.append("\tset ").append(v.spec().name()).append(" {\n")
            .append("\t\ttype ").append(NftBackend.type(v.spec().family())).append("\n")
            .append("\t\tflags timeout\n")
            .append("\t}\n");
      }
      out.append("}\n");
    }
    for (View v : sets) {
      if (v.entries().isEmpty()) {
        continue;
      }
      out.append("add element ").append(v.spec().nftTable()).append(' ').append(v.spec().name()).append(" {");
      String sep = " ";
      for (ResolvedSet.Entry e : v.entries()) {
        out.append(sep).append(Addresses.text(e.address()));
        long t = timeout(e, now);
        if (t > 0) {
          out.append(" timeout ").append(t).append('s');
        }
        sep = ", ";
      }
      out.append(" }\n");
    }
    return out.toString();
  }

  static String plain(List<View> sets, long now) {
    StringBuilder out = new StringBuilder();
    for (View v : sets) {
      for (ResolvedSet.Entry e : v.entries()) {
        long t = timeout(e, now);
        out.append(v.spec().name()).append(' ').append(Addresses.text(e.address())).append(' ')
            .append(t == 0 ? "-" : Long.toString(t)).append('\n');
      }
    }
    return out.toString();
  }

  static String json(List<View> sets, long now) {
    StringBuilder out = new StringBuilder("{\"sets\":[");
    String setSep = "";
    for (View v : sets) {
      SetSpec s = v.spec();
      out.append(setSep).append("{\"name\":").append(quote(s.name()))
          .append(",\"backend\":").append(quote(s.backend().name().toLowerCase(Locale.ROOT)))
          .append(",\"family\":").append(quote(IpsetBackend.family(s.family())));
      if (s.backend() == Backend.NFT) {
        out.append(",\"table\":").append(quote(s.nftTable()));
      }
      out.append(",\"match\":[");
      for (int i = 0; i < s.match().size(); i++) {
        out.append(i == 0 ? "" : ",").append(quote(s.match().get(i)));
      }
      out.append("],\"max_entries\":").append(v.maxEntries()).append(",\"size\":").append(v.entries().size()).append(",\"entries\":[");
      String sep = "";
      for (ResolvedSet.Entry e : v.entries()) {
        out.append(sep).append("{\"address\":").append(quote(Addresses.text(e.address())));
        if (e.pinned()) {
          out.append(",\"pinned\":true");
        } else {
          out.append(",\"expires\":").append(quote(Instant.ofEpochMilli(e.expiresAt()).toString()))
              .append(",\"timeout\":").append(timeout(e, now));
        }
        out.append('}');
        sep = ",";
      }
      out.append("]}");
      setSep = ",";
    }
    return out.append("]}\n").toString();
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}

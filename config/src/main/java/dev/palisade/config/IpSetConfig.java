package dev.palisade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ipset:} section: the set of addresses that allowed names resolved to, and the kernel
 * sets (ipset or nftables) it feeds. Off while {@link #sets} is empty.
 *
 * @param grace {@code grace}: seconds added to each record's TTL before its address leaves the set,
 *     so that a connection opened just before expiry is not cut
 * @param apply {@code apply}: keep the kernel sets in sync ourselves (needs {@code CAP_NET_ADMIN});
 *     false only exports
 * @param stateFile {@code state_file}: where the set is saved so that a restart does not empty the
 *     firewall; empty ({@code ""}) keeps it in memory only
 * @param maxEntries {@code max_entries}: bound on addresses per set (also the ipset {@code maxelem})
 * @param sets {@code sets}: the named sets, each fed by the names its {@code match} suffixes cover
 */
public record IpSetConfig(Duration grace, boolean apply, Optional<Path> stateFile, int maxEntries, List<SetSpec> sets) {

  public static final Path DEFAULT_STATE_FILE = Path.of("/var/lib/palisade/ipset.state");
  public static final IpSetConfig DEFAULTS =
      new IpSetConfig(Duration.ofSeconds(60), false, Optional.of(DEFAULT_STATE_FILE), 65_536, List.of());

  /** Which kernel facility a set lives in. */
  public enum Backend { IPSET, NFT }

  /** Address family of a set: {@code inet} holds IPv4 (A), {@code inet6} IPv6 (AAAA). */
  public enum Family { INET, INET6 }

  /**
   * One {@code sets} entry.
   *
   * @param name ipset name, or nft set name
   * @param backend {@code backend}: {@code ipset} or {@code nft}
   * @param family {@code family}: {@code inet} or {@code inet6}
   * @param nftTable {@code nft_table}: the nft table holding the set, as {@code "<family> <name>"},
   *     such as {@code "inet filter"}; used by the nft backend only
   * @param match {@code match}: name suffixes whose addresses enter this set ({@code example.org}
   *     covers the name and everything under it); {@code "*"} covers every name
   */
  public record SetSpec(String name, Backend backend, Family family, String nftTable, List<String> match) {
    public static final String DEFAULT_NFT_TABLE = "inet filter";

    public SetSpec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(nftTable, "nftTable");
      match = List.copyOf(match);
      if (match.isEmpty()) {
        throw new IllegalArgumentException("set " + name + " matches no names");
      }
    }

    /** True when this set takes every name ({@code match: ["*"]}). */
    public boolean matchesAll() {
      return match.contains("*");
    }
  }

  public IpSetConfig {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(stateFile, "stateFile");
    sets = List.copyOf(sets);
    if (maxEntries < 1) {
      throw new IllegalArgumentException("max_entries must be >= 1: " + maxEntries);
    }
    Set<String> seen = new HashSet<>();
    for (SetSpec s : sets) {
      if (!seen.add(s.backend() + " " + s.nftTable() + " " + s.name())) {
        throw new IllegalArgumentException("set " + s.name() + " twice");
      }
    }
  }

  public boolean enabled() {
    return !sets.isEmpty();
  }
}

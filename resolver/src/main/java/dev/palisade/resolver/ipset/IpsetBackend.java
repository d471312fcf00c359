package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * ipset: {@code hash:ip} sets with timeouts. There is no long-lived channel to the kernel short of
 * netlink, so each batch is one {@code ipset -exist restore} run reading add/del lines.
 */
final class IpsetBackend implements KernelBackend {

  /** The set's default timeout; Palisade gives every entry its own, so this only fills the syntax. */
  static final int DEFAULT_TIMEOUT = 60;

  private final List<String> ipset;
  private final CommandRunner runner;

  IpsetBackend(List<String> ipset, CommandRunner runner) {
    this.ipset = List.copyOf(ipset);
    this.runner = runner;
  }

  @Override
  public String name() {
    return "ipset";
  }

  /** The {@code create} line, as also written by the export (and by deploy/firewall's script). */
  static String createLine(SetSpec set, int maxEntries) {
    return "create " + set.name() + " hash:ip family " + family(set.family()) + " timeout " + DEFAULT_TIMEOUT
        + " maxelem " + maxEntries + " -exist";
  }

  static String family(Family f) {
    return f == Family.INET ? "inet" : "inet6";
  }

  /** One restore line; {@code -exist} so that an add refreshes the timeout and a del of a gone entry is no error. */
  static String line(KernelOp op) {
    String address = Addresses.text(op.address());
    return op.delete()
        ? "del " + op.set().name() + " " + address + " -exist"
        : "add " + op.set().name() + " " + address + " timeout " + op.timeoutSeconds() + " -exist";
  }

  @Override
  public void ensure(SetSpec set, int maxEntries) throws KernelException {
    List<String> list = new ArrayList<>(ipset);
    list.addAll(List.of("-t", "list", set.name()));
    CommandRunner.Result existing = runner.run(list, "");
    if (existing.exitCode() == 0) {
      // Made by the deploy script or an earlier run: use it as it is, if it can do what we need.
      String header = existing.output();
      if (!header.contains("timeout")) {
        throw new KernelException("ipset " + set.name() + " exists without timeout support; recreate it with "
            + "'" + createLine(set, maxEntries) + "' (ipset restore syntax)");
      }
      if (!header.contains("family " + family(set.family()) + " ")) {
        throw new KernelException("ipset " + set.name() + " exists with another family than " + family(set.family()) + ": " + header);
      }
      return;
    }
    run(createLine(set, maxEntries) + "\n");
  }

  @Override
  public void apply(List<KernelOp> ops) throws KernelException {
    StringBuilder input = new StringBuilder();
    for (KernelOp op : ops) {
      input.append(line(op)).append('\n');
    }
    run(input.toString());
  }

  private void run(String input) throws KernelException {
    List<String> restore = new ArrayList<>(ipset);
    restore.addAll(List.of("-exist", "restore"));
    CommandRunner.Result r = runner.run(restore, input);
    if (r.exitCode() != 0) {
      throw new KernelException("ipset restore failed (exit " + r.exitCode() + "): " + r.output()
          + (r.output().contains("ermission") || r.output().contains("not permitted") ? " (apply mode needs CAP_NET_ADMIN)" : ""));
    }
  }
}

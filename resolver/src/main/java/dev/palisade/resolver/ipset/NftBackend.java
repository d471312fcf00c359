package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * nftables: sets with {@code flags timeout} in the configured table. Each batch is one
 * {@code nft -f -} run, which the kernel applies as one transaction.
 */
final class NftBackend implements KernelBackend {

  private final List<String> nft;
  private final CommandRunner runner;

  NftBackend(List<String> nft, CommandRunner runner) {
    this.nft = List.copyOf(nft);
    this.runner = runner;
  }

  @Override
  public String name() {
    return "nft";
  }

  static String type(Family f) {
    return f == Family.INET ? "ipv4_addr" : "ipv6_addr";
  }

  /**
   * Lines that set an element's timeout whether or not it is there: add (a no-op if present),
   * delete, add with the timeout. Older kernels keep an existing element's timeout on a plain
   * add, and deleting a missing element would fail the whole transaction.
   */
  static void lines(KernelOp op, StringBuilder out) {
    String element = "element " + op.set().nftTable() + " " + op.set().name() + " { " + Addresses.text(op.address());
    out.append("add ").append(element).append(" }\n");
    out.append("delete ").append(element).append(" }\n");
    if (!op.delete()) {
      out.append("add ").append(element).append(op.timeoutSeconds() > 0 ? " timeout " + op.timeoutSeconds() + "s" : "").append(" }\n");
    }
  }

  static String createLines(SetSpec set) {
    return "add table " + set.nftTable() + "\n"
        + "add set " + set.nftTable() + " " + set.name() + " { type " + type(set.family()) + "; flags timeout; }\n";
  }

  @Override
  public void ensure(SetSpec set, int maxEntries) throws KernelException {
    // "add" leaves an identical table and set as they are, and fails on a set of another type or
    // without flags timeout, which is what we want to hear about.
    run(createLines(set));
  }

  @Override
  public void apply(List<KernelOp> ops) throws KernelException {
    StringBuilder input = new StringBuilder();
    for (KernelOp op : ops) {
      lines(op, input);
    }
    run(input.toString());
  }

  private void run(String input) throws KernelException {
    List<String> command = new ArrayList<>(nft);
    command.addAll(List.of("-f", "-"));
    CommandRunner.Result r = runner.run(command, input);
    if (r.exitCode() != 0) {
      throw new KernelException("nft -f failed (exit " + r.exitCode() + "): " + r.output()
          + (r.output().contains("ermission") || r.output().contains("not permitted") ? " (apply mode needs CAP_NET_ADMIN)" : ""));
    }
  }
}

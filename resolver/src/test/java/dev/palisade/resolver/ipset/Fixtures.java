package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig;
import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Sets, addresses and a kernel that answers when the test says so. */
final class Fixtures {
  private Fixtures() {}

  static final SetSpec ALLOW4 = new SetSpec("allow4", Backend.IPSET, Family.INET, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
  static final SetSpec ALLOW6 = new SetSpec("allow6", Backend.IPSET, Family.INET6, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
  static final SetSpec WEB = new SetSpec("web", Backend.NFT, Family.INET, "inet palisade", List.of("example.org"));

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static IpSetConfig config(boolean apply, int max, SetSpec... sets) {
    return new IpSetConfig(java.time.Duration.ofSeconds(10), apply, java.util.Optional.empty(), max, List.of(sets));
  }

  /** A backend that records batches; fails while {@link #failing} is set. */
  static final class FakeBackend implements KernelBackend {
    final String name;
    final List<List<KernelOp>> batches = new ArrayList<>();
    final List<SetSpec> ensured = new ArrayList<>();
    volatile boolean failing;

    FakeBackend(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public synchronized void ensure(SetSpec set, int maxEntries) {
      ensured.add(set);
    }

    @Override
    public synchronized void apply(List<KernelOp> ops) throws KernelException {
      if (failing) {
        throw new KernelException("no CAP_NET_ADMIN");
      }
      batches.add(List.copyOf(ops));
    }

    synchronized List<KernelOp> all() {
      List<KernelOp> out = new ArrayList<>();
      batches.forEach(out::addAll);
      return out;
    }
  }

  /** Runs scheduled tasks only when the test calls {@link #runAll}: the kernel "acknowledges" then. */
  static final class ManualScheduler implements KernelWriter.Scheduler {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void schedule(Runnable task, long delayMillis) {
      tasks.add(task);
    }

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      List<Runnable> now;
      synchronized (this) {
        now = new ArrayList<>(tasks);
        tasks.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  static boolean done(CompletableFuture<?> f) {
    return f.isDone();
  }
}

package dev.palisade.resolver.ipset;

import dev.palisade.config.IpSetConfig;
import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import dev.palisade.resolver.chain.Stage;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolved-IP sets (the {@code ipset:} section): the stage that feeds them, their exports, the
 * kernel sets they keep in sync in apply mode, and the state file. Everything slow (tool runs,
 * file writes, expiry) happens on one "palisade-ipset" thread, never on an event loop.
 */
public final class IpSets implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IpSets.class);

  /** How often expired addresses leave Palisade's view (the kernel times them out itself). */
  static final long TICK_MS = 1_000;

  /** How often a changed set is saved; also at close. */
  static final long PERSIST_EVERY_MS = 10_000;

  /** Bound on one tool run; an answer waits at most this long on the kernel. */
  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(3);

  /** Bound on loading the restored and pinned addresses at start. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final IpSetConfig config;
  private final List<ResolvedSet> sets;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Optional<KernelWriter> writer;
  private final IpSetStage stage;
  private long lastPersist;

  private IpSets(IpSetConfig config, List<ResolvedSet> sets, Clock clock, ScheduledExecutorService thread, Optional<KernelWriter> writer) {
    this.config = config;
    this.sets = sets;
    this.clock = clock;
    this.thread = thread;
    this.writer = writer;
    this.stage = new IpSetStage(sets, config.grace().toMillis(), clock);
    this.lastPersist = clock.millis();
  }

  /**
   * Starts the sets: restores the state file, pins the upstreams' addresses and, in apply mode,
   * creates the kernel sets if missing and loads them, before returning.
   *
   * @throws KernelException in apply mode, when a kernel set cannot be created or loaded
   */
  public static IpSets start(IpSetConfig config, List<InetAddress> upstreams, Clock clock, IpSetListener listener) throws KernelException {
    CommandRunner runner = CommandRunner.processes(TOOL_TIMEOUT);
    return start(config, upstreams, clock, listener, List.of(), runner);
  }

  /** As above, with {@code prefix} before each tool's command (tests: {@code ip netns exec NS}). */
  static IpSets start(IpSetConfig config, List<InetAddress> upstreams, Clock clock, IpSetListener listener,
      List<String> prefix, CommandRunner runner) throws KernelException {
    Map<Backend, KernelBackend> backends = new EnumMap<>(Backend.class);
    backends.put(Backend.IPSET, new IpsetBackend(CommandRunner.command(prefix, "ipset"), runner));
    backends.put(Backend.NFT, new NftBackend(CommandRunner.command(prefix, "nft"), runner));
    return start(config, upstreams, clock, listener, backends);
  }

  static IpSets start(IpSetConfig config, List<InetAddress> upstreams, Clock clock, IpSetListener listener,
      Map<Backend, KernelBackend> backends) throws KernelException {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("palisade-ipset", true));
    try {
      Optional<KernelWriter> writer = Optional.empty();
      if (config.apply()) {
        for (SetSpec s : config.sets()) {
          backends.get(s.backend()).ensure(s, config.maxEntries());
        }
        writer = Optional.of(new KernelWriter(backends, scheduler(thread), listener, System::nanoTime));
      }
      List<ResolvedSet> sets = new ArrayList<>();
      for (SetSpec s : config.sets()) {
        sets.add(new ResolvedSet(s, config.maxEntries(), writer.orElse(null), listener));
      }
      IpSets ipsets = new IpSets(config, sets, clock, thread, writer);
      ipsets.load(upstreams);
      thread.scheduleWithFixedDelay(ipsets::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
      log.info("ipset: {} set(s), {} addresses in, {}", sets.size(), ipsets.sets.stream().mapToInt(ResolvedSet::size).sum(),
          config.apply() ? "kept in sync with the kernel" : "export only (apply: false)");
      return ipsets;
    } catch (KernelException | RuntimeException e) {
      thread.shutdownNow();
      throw e;
    }
  }

  private static KernelWriter.Scheduler scheduler(ScheduledExecutorService thread) {
    return new KernelWriter.Scheduler() {
      @Override
      public void schedule(Runnable task, long delayMillis) {
        thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
      }

      @Override
      public void execute(Runnable task) {
        thread.execute(task);
      }
    };
  }

  /** The saved addresses that are still due, then the upstreams' addresses, for good. */
  private void load(List<InetAddress> upstreams) throws KernelException {
    long now = clock.millis();
    Map<String, List<StateFile.Saved>> saved = config.stateFile().map(f -> StateFile.read(f, now)).orElse(Map.of());
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (ResolvedSet set : sets) {
      for (StateFile.Saved s : saved.getOrDefault(StateFile.key(set.spec()), List.of())) {
        if (fits(set.spec(), s.address())) {
          writes.add(set.add(s.address(), s.expiresAt(), now));
        }
      }
    }
    for (InetAddress a : upstreams) {
      for (ResolvedSet set : pinSets(a)) {
        writes.add(set.pin(a, now));
      }
    }
    if (writer.isEmpty()) {
      return;
    }
    try {
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new KernelException("could not load the sets into the kernel within " + START_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KernelException("interrupted while loading the sets into the kernel", e);
    }
    if (writer.get().failures() > 0) {
      throw new KernelException("could not load the restored and upstream addresses into the kernel sets (see the error above)");
    }
  }

  /**
   * Where an upstream's address goes: the sets of its family that take every name, or, when its
   * family has none, every set of its family. Under a default-deny policy, the resolver itself
   * must always reach its upstreams.
   */
  private List<ResolvedSet> pinSets(InetAddress a) {
    List<ResolvedSet> all = new ArrayList<>();
    List<ResolvedSet> everyName = new ArrayList<>();
    for (ResolvedSet s : sets) {
      if (fits(s.spec(), a)) {
        all.add(s);
        if (s.spec().matchesAll()) {
          everyName.add(s);
        }
      }
    }
    return everyName.isEmpty() ? all : everyName;
  }

  private static boolean fits(SetSpec s, InetAddress a) {
    return (s.family() == Family.INET) == (a instanceof Inet4Address);
  }

  /** The chain stage that feeds the sets; it belongs outside the policy stage. */
  public Stage stage() {
    return stage;
  }

  /** The sets in {@code format} (for HTTP: {@code Format.contentType()}). */
  public String export(IpSetExport.Format format) {
    return IpSetExport.render(format, views(), clock.millis());
  }

  /** The sets as JSON: every set with its addresses, their expiry and seconds left. */
  public String json() {
    return export(IpSetExport.Format.JSON);
  }

  /** Addresses in each set, by set name (for a size gauge). */
  public Map<String, Integer> sizes() {
    Map<String, Integer> out = new LinkedHashMap<>();
    sets.forEach(s -> out.merge(s.spec().name(), s.size(), Integer::sum));
    return out;
  }

  /** Addresses dropped early because a set was full, over all sets. */
  public long evictions() {
    return sets.stream().mapToLong(ResolvedSet::evictions).sum();
  }

  List<ResolvedSet> setsForTest() {
    return sets;
  }

  private List<IpSetExport.View> views() {
    List<IpSetExport.View> out = new ArrayList<>(sets.size());
    for (ResolvedSet s : sets) {
      out.add(new IpSetExport.View(s.spec(), s.maxEntries(), s.snapshot()));
    }
    return out;
  }

  /** On the ipset thread: expiry, and a save when something changed and the last is old enough. */
  private void tick() {
    try {
      long now = clock.millis();
      for (ResolvedSet s : sets) {
        s.expire(now);
      }
      if (now - lastPersist >= PERSIST_EVERY_MS) {
        persist(false);
      }
    } catch (RuntimeException e) {
      log.error("ipset housekeeping failed", e);
    }
  }

  private void persist(boolean always) {
    Optional<Path> file = config.stateFile();
    if (file.isEmpty()) {
      return;
    }
    boolean changed = false;
    for (ResolvedSet s : sets) {
      changed |= s.takeChanged();
    }
    if (!changed && !always) {
      return;
    }
    lastPersist = clock.millis();
    try {
      StateFile.write(file.get(), views());
    } catch (IOException e) {
      log.error("ipset state {}: cannot save ({}); a restart would start from the last saved state", file.get(), e.toString());
    }
  }

  /** Saves the sets, lets pending kernel writes run and stops the ipset thread. The kernel sets stay. */
  @Override
  public void close() {
    Future<?> last = thread.submit(() -> {
      writer.ifPresent(KernelWriter::flush);
      persist(true);
    });
    try {
      last.get(TOOL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.error("ipset: final save did not complete: {}", e.toString());
    }
    thread.shutdownNow();
  }
}

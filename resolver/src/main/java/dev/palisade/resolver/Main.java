package dev.palisade.resolver;

import dev.palisade.config.ConfigException;
import dev.palisade.config.ConfigLoader;
import dev.palisade.config.ConfigPrinter;
import dev.palisade.config.LoadedConfig;
import dev.palisade.config.PalisadeConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar palisade.jar [-C FILE] [-i] [-l] [-v N] [-h]}, as Stubby's command line. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    boundDefaultAsyncPool();
    System.exit(run(args, System.out, System.err));
  }

  /** Read by the JDK once, when CompletableFuture is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * dnsjava's validator (3.7.1) continues some steps with {@code thenComposeAsync(fn)} and no
   * executor, on a future of its own (NXDOMAIN and NODATA proofs when the zone's key is already
   * known), so those steps run on CompletableFuture's default executor, whatever executor we pass.
   * With fewer than three cores the common pool's parallelism is 1 and that default executor
   * starts a new thread for every task: a stream of NXDOMAIN answers ran at 3,000 per second and
   * 450 ms of CPU per 1000 on the bench's 2-core machine. Two common-pool threads instead (unless
   * the command line chose): set before anything touches CompletableFuture.
   */
  static void boundDefaultAsyncPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /**
   * SIGHUP re-reads the config file (and the list files it names) and applies it without dropping
   * a query ({@link Palisade#reload}). A file that no longer loads leaves everything as it was and
   * says why; changes that need a restart are named.
   */
  private static void reloadOnHangup(Palisade palisade, java.nio.file.Path file, Logger log) {
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload(palisade, file, log));
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // A process started with SIGHUP ignored (nohup, some supervisors) keeps ignoring it: the JVM
        // installs no handler over an ignored HUP, INT or TERM. Say so, or kill -HUP silently does
        // nothing.
        log.warn("SIGHUP is ignored in this process (started under nohup?): kill -HUP will not reload {}; restart to apply changes", file);
      }
    } catch (IllegalArgumentException e) {
      log.warn("no SIGHUP on this platform: reload by restarting ({})", e.getMessage());
    }
  }

  static void reload(Palisade palisade, java.nio.file.Path file, Logger log) {
    try {
      LoadedConfig loaded = ConfigLoader.load(file);
      loaded.warnings().forEach(w -> log.warn("config: {}", w));
      List<String> restart = palisade.reload(loaded.config());
      for (String key : restart) {
        log.warn("reload: {} changed: restart to apply", key);
      }
      log.info("reloaded {}", file);
    } catch (ConfigException e) {
      log.error("reload failed, keeping the running config: {}", e.getMessage());
    } catch (Palisade.StartFailure | RuntimeException e) {
      log.error("reload failed, keeping the running config: {}", e.getMessage());
    }
  }

  /**
   * SIGTERM and SIGINT stop gracefully ({@link Palisade#close}: stop listening, answer the queries
   * already taken in, close upstreams) and exit 0. Handled here rather than in a shutdown hook
   * alone, because a JVM ended by a signal exits 143 whatever its hooks do.
   */
  private static void stopOn(String name, Runnable stop, Logger log) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.run());
    } catch (IllegalArgumentException e) {
      log.debug("no SIG{} handler on this platform: {}", name, e.getMessage());
    }
  }

  /** Runs until shut down; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli;
    try {
      cli = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("palisade: " + e.getMessage());
      err.print(CommandLine.USAGE);
      return 2;
    }
    if (cli.help()) {
      out.print(CommandLine.USAGE);
      return 0;
    }
    LoadedConfig loaded;
    try {
      loaded =
          cli.configFile().isPresent()
              ? ConfigLoader.load(cli.configFile().get())
              : new LoadedConfig(ConfigLoader.defaults(), List.of());
    } catch (ConfigException e) {
      err.println("palisade: bad configuration: " + e.getMessage());
      return 1;
    }
    PalisadeConfig config = loaded.config();
    if (cli.printConfig()) {
      loaded.warnings().forEach(w -> err.println("palisade: warning: " + w));
      out.print(ConfigPrinter.toYaml(config));
      return 0;
    }
    Logging.configure(cli.effectiveLevel(config.logLevel()), cli.logToStdout());
    Logger log = LoggerFactory.getLogger(Main.class);
    loaded.warnings().forEach(w -> log.warn("config: {}", w));
    log.info("starting with {}", config.source().map(p -> "config " + p).orElse("the built-in default config"));
    Palisade palisade;
    try {
      palisade = Palisade.start(config);
    } catch (Palisade.StartFailure e) {
      log.error("{}", e.getMessage());
      return 1;
    }
    cli.configFile().ifPresent(file -> reloadOnHangup(palisade, file, log));
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      log.info("shutting down");
      palisade.close();
      stopped.countDown();
    };
    stopOn("TERM", stop, log);
    stopOn("INT", stop, log);
    // Any other way the JVM ends (System.exit elsewhere, SIGQUIT is not one): still close.
    Runtime.getRuntime().addShutdownHook(new Thread(palisade::close, "palisade-shutdown"));
    log.info("ready");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}

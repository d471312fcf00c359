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
    System.exit(run(args, System.out, System.err));
  }

  /**
   * SIGHUP re-reads the config file and applies its {@code policy:} section, allow and deny list
   * files included. A file that no longer loads leaves everything as it was; changes to other
   * sections are reported as needing a restart.
   */
  private static void reloadOnHangup(Palisade palisade, java.nio.file.Path file, PalisadeConfig running, Logger log) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
        try {
          PalisadeConfig next = ConfigLoader.load(file).config();
          palisade.reloadPolicy(next.policy());
          if (!next.withPolicy(running.policy()).equals(running)) {
            log.warn("reload: {} changed outside the policy section; those changes need a restart", file);
          }
        } catch (ConfigException e) {
          log.error("reload failed, keeping the running config: {}", e.getMessage());
        } catch (Palisade.StartFailure e) {
          log.error("reload failed, keeping the running policy: {}", e.getMessage());
        }
      });
    } catch (IllegalArgumentException e) {
      log.warn("no SIGHUP on this platform: reload by restarting ({})", e.getMessage());
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
    cli.configFile().ifPresent(file -> reloadOnHangup(palisade, file, config, log));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  palisade.close();
                  stopped.countDown();
                },
                "palisade-shutdown"));
    log.info("ready");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}

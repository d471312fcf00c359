package dev.palisade.upstream.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Finds the DNS tools on this machine and runs them (the dnssec module's test bed uses it too). */
public final class Tools {
  static final String NOT_INSTALLED = " is not installed: run ./scripts/test, which installs the test tools";

  private Tools() {}

  /**
   * The path of {@code name}, searched in PATH and then in the sbin folders, which PATH often
   * lacks for non-root users although unbound lives there. A missing tool is an error, never a
   * skipped test: a silently skipped integration test looks like a passing one.
   */
  public static Path find(String name) {
    return find(name, null);
  }

  /** As {@link #find(String)}, naming the Debian package that provides it in the error. */
  public static Path find(String name, String debianPackage) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(name + (debianPackage == null ? "" : " (Debian package " + debianPackage + ")") + NOT_INSTALLED);
  }

  public record Output(int exitCode, String text) {}

  /** Runs a short-lived command, stdout and stderr merged, and kills it if it outlives {@code timeout}. */
  public static Output run(List<String> command, Duration timeout) {
    return run(null, command, timeout);
  }

  /** As {@link #run(List, Duration)}, in working directory {@code dir} (null: ours). */
  public static Output run(Path dir, List<String> command, Duration timeout) {
    Process process;
    try {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        b.directory(dir.toFile());
      }
      process = b.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
    // Read on another thread: a full pipe would otherwise block the tool and waitFor forever.
    CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(command + " did not finish within " + timeout + ":\n" + text.get());
      }
      return new Output(process.exitValue(), text.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the output of " + command, e.getCause());
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file's text for a failure message, or a note saying why there is none. */
  public static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}

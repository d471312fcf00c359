package dev.palisade.dnssec.testbed;

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

/** Finds the DNS tools the test bed drives (nsd, bind9's signer) and runs them. */
final class Tool {
  private Tool() {}

  /**
   * The path of {@code name} in PATH or the sbin folders (nsd lives in /usr/sbin, which a
   * non-root PATH often lacks). Missing is an error, never a skip: a skipped integration test
   * looks like a passing one.
   */
  static Path find(String name, String debianPackage) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(name + " is not installed (Debian package " + debianPackage
        + "): run ./scripts/test, which installs the test tools");
  }

  record Output(int exitCode, String text) {}

  /** Runs a short-lived command in {@code dir}; stdout and stderr merged; fails if it exits non-zero. */
  static String run(Path dir, Duration timeout, List<String> command) {
    Output out = runQuietly(dir, timeout, command);
    if (out.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + out.exitCode() + ":\n" + out.text());
    }
    return out.text();
  }

  static Output runQuietly(Path dir, Duration timeout, List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
    // read on another thread: a full pipe would otherwise block the tool and waitFor forever
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

  static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}

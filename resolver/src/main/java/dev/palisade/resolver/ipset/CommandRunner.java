package dev.palisade.resolver.ipset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

/** Runs a set tool with a batch on its standard input. Injected so that backends can be tested without the kernel. */
interface CommandRunner {

  /** What the command printed (stdout and stderr) and its exit code. */
  record Result(int exitCode, String output) {}

  Result run(List<String> command, String input) throws KernelException;

  /** The real thing: a process per batch, killed if it outlives {@code timeout}. */
  static CommandRunner processes(Duration timeout) {
    return (command, input) -> {
      Process p;
      try {
        p = new ProcessBuilder(command).redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new KernelException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
      }
      // Read while writing: a tool that reports many errors must not block on a full pipe.
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // the tool exited early; its exit code and output say why
      }
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new KernelException(String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
        }
        return new Result(p.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS).strip());
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new KernelException("interrupted while running " + String.join(" ", command), e);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new KernelException("cannot read the output of " + String.join(" ", command), e);
      }
    };
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code tool} as a command: the sbin folders first, which a service's PATH may lack, then PATH.
   * {@code prefix} goes before it (tests use {@code ip netns exec NS}).
   */
  static List<String> command(List<String> prefix, String tool) {
    List<String> out = new ArrayList<>(prefix);
    String found = tool;
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/local/sbin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        found = p.toString();
        break;
      }
    }
    out.add(found);
    return out;
  }
}

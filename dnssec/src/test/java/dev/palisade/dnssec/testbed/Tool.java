package dev.palisade.dnssec.testbed;

import dev.palisade.upstream.testbed.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The tools this test bed drives (nsd, bind9's signer), found and run by the upstream test bed's {@link Tools}. */
final class Tool {
  private Tool() {}

  /** The path of {@code name}; missing is an error naming its Debian package, never a skip. */
  static Path find(String name, String debianPackage) {
    return Tools.find(name, debianPackage);
  }

  /** Runs a short-lived command in {@code dir}; stdout and stderr merged; fails if it exits non-zero. */
  static String run(Path dir, Duration timeout, List<String> command) {
    Tools.Output out = Tools.run(dir, command, timeout);
    if (out.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + out.exitCode() + ":\n" + out.text());
    }
    return out.text();
  }

  static String readQuietly(Path file) {
    return Tools.readQuietly(file);
  }
}

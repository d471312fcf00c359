package dev.palisade.upstream.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real {@code dig} against a loopback server. The server is always named, never taken
 * from /etc/resolv.conf (which points off this machine), and ~/.digrc is ignored ({@code -r}).
 * Unless overridden, {@code +time=5 +tries=1}: one try, so a dropped query shows as no reply.
 *
 * <p>Options go straight to dig: {@code +tcp}, {@code +notcp}, {@code +ignore} (keep a truncated
 * UDP reply instead of retrying over TCP), {@code +noedns}, {@code +bufsize=N}, {@code +dnssec},
 * {@code +tls}, {@code +tls-ca=FILE}, {@code +tls-hostname=NAME}... Not {@code +short}: the
 * result is parsed from the full output.
 */
public final class Dig {
  /** Longer than any +time × +tries a test should use: a hung dig fails the test instead of hanging it. */
  static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

  private Dig() {}

  public static DigResult query(String server, int port, String name, String type, String... options) {
    List<String> command = new ArrayList<>(List.of(
        Tools.find("dig").toString(), "-r", "@" + server, "-p", Integer.toString(port), "-q", name, "-t", type));
    command.addAll(withDefaults(server, options, "+tries=1"));
    Tools.Output out = Tools.run(command, PROCESS_TIMEOUT);
    return DigResult.parse(out.exitCode(), out.text());
  }

  /**
   * Checks that the server is loopback and that no option names another server, then adds
   * {@code +time=5} and {@code retryDefault} (dig: +tries=1, kdig: +retry=0) unless given.
   */
  static List<String> withDefaults(String server, String[] options, String retryDefault) {
    Loopback.require(server);
    List<String> all = new ArrayList<>(List.of(options));
    if (all.stream().anyMatch(o -> o.startsWith("@"))) {
      throw new IllegalArgumentException("the server is chosen by the test bed, not an option: " + all);
    }
    if (all.stream().noneMatch(o -> o.startsWith("+time="))) {
      all.add("+time=5");
    }
    if (all.stream().noneMatch(o -> o.startsWith("+tries=") || o.startsWith("+retry="))) {
      all.add(retryDefault);
    }
    return all;
  }
}

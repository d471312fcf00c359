package dev.palisade.upstream.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real {@code kdig} (Knot) against a loopback server: a second, independent DoT client
 * whose certificate checks are strict ({@code +tls-ca} plus {@code +tls-hostname}). Defaults to
 * {@code +time=5 +retry=0}.
 */
public final class Kdig {
  private Kdig() {}

  public static DigResult query(String server, int port, String name, String type, String... options) {
    List<String> command = new ArrayList<>(List.of(
        Tools.find("kdig").toString(), "@" + server, "-p", Integer.toString(port), "-q", name, "-t", type));
    command.addAll(Dig.withDefaults(server, options, "+retry=0"));
    Tools.Output out = Tools.run(command, Dig.PROCESS_TIMEOUT);
    return DigResult.parse(out.exitCode(), out.text());
  }

  /** A DoT query that trusts only {@code caFile} and requires {@code tlsHostname} in the server's certificate. */
  public static DigResult queryTls(
      String server, int port, Path caFile, String tlsHostname, String name, String type, String... options) {
    List<String> all = new ArrayList<>(List.of("+tls", "+tls-ca=" + caFile, "+tls-hostname=" + tlsHostname));
    all.addAll(List.of(options));
    return query(server, port, name, type, all.toArray(String[]::new));
  }
}

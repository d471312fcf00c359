package dev.palisade.dnssec;

import dev.palisade.dnssec.testbed.Case;
import dev.palisade.dnssec.testbed.SignedHierarchy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.SimpleResolver;

/**
 * What validation adds to a warm query, measured against the signed hierarchy (README "Caches"):
 * sequential queries for names whose zone keys are cached, through the validator (one upstream
 * query to the non-validating recursive, plus the signature checks), against the same queries
 * sent straight to the recursive (the upstream alone) and to the validating unbound (which answers
 * from its own cache). Not a test; run by hand, needs root (port 53):
 *
 * <pre>java -cp ... dev.palisade.dnssec.WarmValidationMeasurement [jdk|dnssec-provider]</pre>
 */
public final class WarmValidationMeasurement {
  private static final int ROUNDS = 3000;

  private WarmValidationMeasurement() {}

  public static void main(String[] args) throws Exception {
    if (!(args.length > 0 && args[0].equals("jdk"))) {
      CryptoProviders.install();
    }
    ExecutorService crypto = Executors.newFixedThreadPool(2);
    try (SignedHierarchy h = SignedHierarchy.start()) {
      SimpleResolver recursive = resolver(h.recursive().address(), h.recursive().plainPort());
      SimpleResolver validating = resolver(h.validating().address(), h.validating().plainPort());
      try (DnssecValidator validator = new DnssecValidator(h.trustAnchors(), recursive, crypto, Clock.systemUTC())) {
        List<Case> cases = h.cases().stream().filter(c -> c.expected() == SecurityStatus.SECURE).toList();
        for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT and every cache
          long viaValidator = 0;
          long viaRecursive = 0;
          long viaUnbound = 0;
          for (int i = 0; i < ROUNDS; i++) {
            Case c = cases.get(i % cases.size());
            long t0 = System.nanoTime();
            Verdict v = validator.resolve(c.query()).get(5, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            recursive.send(c.query());
            long t2 = System.nanoTime();
            validating.send(c.query());
            long t3 = System.nanoTime();
            if (v.status() != SecurityStatus.SECURE) {
              throw new IllegalStateException(c + ": " + v);
            }
            viaValidator += t1 - t0;
            viaRecursive += t2 - t1;
            viaUnbound += t3 - t2;
          }
          if (pass == 1) {
            System.out.printf(Locale.ROOT, "%s, %d warm secure queries over %d names, mean per query:%n",
                CryptoProviders.installed() ? "provider installed" : "JDK providers", ROUNDS, cases.size());
            System.out.printf(Locale.ROOT, "  Palisade validator via the recursive  %7.1f us%n", viaValidator / 1e3 / ROUNDS);
            System.out.printf(Locale.ROOT, "  the recursive alone (no validation)  %7.1f us%n", viaRecursive / 1e3 / ROUNDS);
            System.out.printf(Locale.ROOT, "  validating unbound (its cache)       %7.1f us%n", viaUnbound / 1e3 / ROUNDS);
            System.out.printf(Locale.ROOT, "  upstream queries sent by the validator in total: %d%n", validator.upstreamQueries());
          }
        }
      }
    } finally {
      crypto.shutdownNow();
    }
  }

  private static SimpleResolver resolver(String address, int port) throws Exception {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getByName(address), port));
    r.setTimeout(Duration.ofSeconds(5));
    return r;
  }
}

package dev.palisade.bench.exfil;

import dev.palisade.bench.exfil.ServiceNames.Entry;
import dev.palisade.policy.Decision;
import dev.palisade.policy.LexicalModel;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicyListener;
import dev.palisade.policy.PolicySettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.Name;

/**
 * Scoring latency: one {@link PolicyEngine#onQuery} decision, and the lexical score alone, in
 * sample-time mode (JMH reports p50/p99/p99.9). Goal: p99 ≤ 5 µs.
 *
 * <pre>java -jar bench/target/benchmarks.jar PolicyBenchmark</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PolicyBenchmark {
  private PolicyEngine engine;
  private LexicalModel model;
  private Name[] benign;
  private int[] benignTypes;
  private Name[] tunnel;
  private int[] tunnelTypes;
  private Name[] fresh;
  private String[] leftParts;
  private int i;

  @Setup
  public void setup() throws IOException {
    engine = new PolicyEngine(PolicySettings.defaults(), System::nanoTime, PolicyListener.NONE, LexicalModel.bundled(), 9);
    model = LexicalModel.bundled();
    List<Entry> corpus = new ArrayList<>(BenignCorpus.handAssembled());
    List<String> bases = new ArrayList<>();
    for (Entry e : corpus) {
      String b = BenignCorpus.naiveBase(e.name());
      if (b != null && !e.name().endsWith("arpa")) {
        bases.add(b);
      }
    }
    corpus.addAll(ServiceNames.generate(77, bases, 400));
    benign = new Name[corpus.size()];
    benignTypes = new int[corpus.size()];
    for (int k = 0; k < benign.length; k++) {
      benign[k] = Evaluate.name(corpus.get(k).name());
      benignTypes[k] = corpus.get(k).type();
    }
    List<Tool> tools = Tools.all(5);
    tunnel = new Name[4096];
    tunnelTypes = new int[tunnel.length];
    for (int k = 0; k < tunnel.length; k++) {
      Tool t = tools.get(k % 14);
      Probe p = t.next();
      t.result(true, 0);
      tunnel[k] = Evaluate.name(p.name());
      tunnelTypes[k] = p.type();
    }
    Random r = new Random(3);
    fresh = new Name[1 << 16];
    for (int k = 0; k < fresh.length; k++) {
      fresh[k] = Evaluate.name(ServiceNames.rand(r, Codecs.B32, 6) + ".site" + r.nextInt(5000) + ".com");
    }
    leftParts = new String[tunnel.length];
    for (int k = 0; k < tunnel.length; k++) {
      String text = tunnel[k].toString(true);
      leftParts[k] = text.substring(0, Math.max(0, text.indexOf(".tunnel-example")));
    }
    // Warm the seen-name table so benign queries take the repeat path as in steady state.
    for (int k = 0; k < benign.length; k++) {
      engine.onQuery("10.0.0.1", benign[k], benignTypes[k]);
    }
  }

  /** A benign name already seen (the common case: most queries repeat). */
  @Benchmark
  public Decision onQueryBenign() {
    int k = (i++ & 0x7fffffff) % benign.length;
    return engine.onQuery("10.0.0.1", benign[k], benignTypes[k]);
  }

  /** A new name under one of 5,000 domains: the budget admission path. */
  @Benchmark
  public Decision onQueryNewName() {
    int k = i++ & (fresh.length - 1);
    return engine.onQuery("10.0.0." + (k & 63), fresh[k], 1);
  }

  /** A classic tunnel query (iodine, dnscat2, dns2tcp…): refused by structure or lexical rules. */
  @Benchmark
  public Decision onQueryTunnel() {
    int k = i++ & (tunnel.length - 1);
    return engine.onQuery("10.0.0.2", tunnel[k], tunnelTypes[k]);
  }

  /** The lexical score alone over a tunnel name's left part (~200 characters). */
  @Benchmark
  public double lexicalScoreLong() {
    String s = leftParts[i++ & (leftParts.length - 1)];
    return model.bits(s, 0, s.length());
  }
}

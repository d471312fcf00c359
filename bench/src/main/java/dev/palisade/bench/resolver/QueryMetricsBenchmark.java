package dev.palisade.bench.resolver;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.metrics.Metrics;
import dev.palisade.resolver.stage.QueryObserver;
import java.net.InetSocketAddress;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * What recording one answered query costs on the hot path: the queries counter (looked up by array
 * index), the answers counter and the latency histogram. Run: java -jar bench/target/benchmarks.jar
 * QueryMetrics (with -prof gc for the allocation per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueryMetricsBenchmark {

  private Metrics metrics;
  private QueryObserver observer;
  private Query query;
  private Answer answer;
  private long nanos;

  @Setup
  public void setUp() throws Exception {
    metrics = new Metrics();
    observer = metrics.queries();
    Message m = Message.newQuery(Record.newRecord(Name.fromString("www.example.org."), Type.A, DClass.IN));
    query = new Query(m, new Client(new InetSocketAddress("127.0.0.1", 40000), Protocol.UDP), 0, 1);
    answer = Answer.local(Responses.error(m, Rcode.NOERROR), Source.CACHE);
  }

  @TearDown
  public void tearDown() {
    metrics.close();
  }

  @Benchmark
  public void recordAnsweredQuery() {
    // Latencies spread over the buckets, as real ones are.
    nanos = (nanos + 37_337) % 50_000_000;
    observer.answered(query, answer, nanos);
  }
}

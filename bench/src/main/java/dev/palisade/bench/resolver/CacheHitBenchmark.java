package dev.palisade.bench.resolver;

import dev.palisade.config.CacheConfig;
import dev.palisade.resolver.cache.CacheCounters;
import dev.palisade.resolver.cache.CacheStage;
import dev.palisade.resolver.cache.DnsCache;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Source;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicySettings;
import dev.palisade.resolver.stage.PolicyStage;
import dev.palisade.resolver.stage.ShapeStage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cache-hit path without the network: read the client's bytes, shape (and policy) and cache
 * stages, and the reply's bytes (shaped from the cached bytes, without a parse and an encode). What a hit costs Palisade in CPU beyond the socket calls (the end-to-end figure is in
 * bench/RESULTS.md, measured with dnsperf). Run: java -jar bench/target/benchmarks.jar CacheHit
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheHitBenchmark {

  private Pipeline pipeline;
  private Pipeline withPolicy;
  private byte[] queryWire;
  private final Client client = new Client(new InetSocketAddress("127.0.0.1", 40000), Protocol.UDP);

  @Setup
  public void setUp() throws Exception {
    Name name = Name.fromString("www.example.org.");
    Message reply = new Message(0);
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setFlag(Flags.RD);
    reply.getHeader().setFlag(Flags.RA);
    reply.addRecord(Record.newRecord(name, Type.A, DClass.IN), Section.QUESTION);
    reply.addRecord(new ARecord(name, DClass.IN, 3600, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    reply.addRecord(new ARecord(name, DClass.IN, 3600, InetAddress.getByName("192.0.2.2")), Section.ANSWER);
    reply.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    CompletableFuture<Answer> upstream = CompletableFuture.completedFuture(new Answer(reply, Source.UPSTREAM, Optional.empty()));
    DnsCache cache = new DnsCache(CacheConfig.DEFAULTS, System::nanoTime, new CacheCounters());
    CacheStage cacheStage = new CacheStage(cache, CacheConfig.DEFAULTS, System::nanoTime, new CacheCounters());
    pipeline = new Pipeline(List.of(new ShapeStage(), cacheStage, c -> upstream));
    // The policy's default settings, for a public name: structure, lists, the lexical and budget
    // layers on the query, and the rebinding check on the answer.
    PolicyStage policy = new PolicyStage(new PolicyEngine(PolicySettings.defaults(), System::nanoTime));
    withPolicy = new Pipeline(List.of(new ShapeStage(), policy, cacheStage, c -> upstream));
    Message q = Message.newQuery(Record.newRecord(Name.fromString("WWW.Example.ORG."), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    q.getHeader().setID(4242);
    queryWire = q.toWire();
    hit(); // the first query fills the cache; every measured one is a hit
  }

  @Benchmark
  public byte[] hit() throws Exception {
    return through(pipeline);
  }

  /** The same through the policy stage too, as the server runs it. */
  @Benchmark
  public byte[] hitThroughPolicy() throws Exception {
    return through(withPolicy);
  }

  private byte[] through(Pipeline p) {
    long now = System.nanoTime();
    // As the listener does: the query read from its bytes, and a hit shaped as bytes goes out as
    // it is, anything else encoded.
    Answer a = p.handle(Query.read(queryWire, client, now, now + 1_000_000_000L)).getNow(null);
    return a.wire() != null ? a.wire() : a.message().toWire(1232);
  }

  /** The same without the cache stage's work: parse and encode only, as a floor. */
  @Benchmark
  public byte[] parseAndEncodeOnly() throws Exception {
    return new Message(queryWire).toWire(1232);
  }
}

package dev.palisade.bench.dnssec;

import dev.palisade.dnssec.CryptoProviders;
import dev.palisade.dnssec.DnssecValidator;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.dnssec.TrustAnchors;
import dev.palisade.dnssec.Verdict;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Validation of a warm answer: the zone's keys and the root's are validated and cached, so each
 * query costs one upstream answer (served from memory here) and one ECDSA P-256 signature check,
 * plus dnsjava's validator bookkeeping. A two-level hierarchy (. and example.) is signed in memory
 * at setup, as the signed test bed does with real tools. What one validated cache miss costs
 * Palisade beyond the network. Run: java -jar bench/target/benchmarks.jar ValidationBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ValidationBenchmark {
  private static final int NAMES = 256;
  private static final Executor DIRECT = Runnable::run;

  private final Map<String, List<Record>> zone = new HashMap<>();
  private DnssecValidator validator;
  private Message[] queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    CryptoProviders.install();
    Instant now = Instant.now();
    Instant inception = now.minus(Duration.ofHours(1));
    Instant expiration = now.plus(Duration.ofDays(30));
    Name root = Name.root;
    Name example = Name.fromString("example.");
    KeyPair rootPair = p256();
    KeyPair zonePair = p256();
    DNSKEYRecord rootKey = new DNSKEYRecord(root, DClass.IN, 3600, 257, DNSKEYRecord.Protocol.DNSSEC,
        DNSSEC.Algorithm.ECDSAP256SHA256, rootPair.getPublic());
    DNSKEYRecord zoneKey = new DNSKEYRecord(example, DClass.IN, 3600, 257, DNSKEYRecord.Protocol.DNSSEC,
        DNSSEC.Algorithm.ECDSAP256SHA256, zonePair.getPublic());
    DSRecord rootDs = new DSRecord(root, DClass.IN, 3600, DNSSEC.Digest.SHA256, rootKey);
    DSRecord zoneDs = new DSRecord(example, DClass.IN, 3600, DNSSEC.Digest.SHA256, zoneKey);
    put(new RRset(rootKey), rootKey, rootPair, inception, expiration);
    put(new RRset(zoneDs), rootKey, rootPair, inception, expiration);
    put(new RRset(zoneKey), zoneKey, zonePair, inception, expiration);
    queries = new Message[NAMES];
    for (int i = 0; i < NAMES; i++) {
      Name name = Name.fromString("n" + i + ".example.");
      put(new RRset(new ARecord(name, DClass.IN, 3600, InetAddress.getByAddress(new byte[] {127, 9, 0, (byte) i}))),
          zoneKey, zonePair, inception, expiration);
      Message q = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
      q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
      queries[i] = q;
    }
    validator = new DnssecValidator(TrustAnchors.of(List.of(rootDs)), new MemoryResolver(), DIRECT, Clock.systemUTC());
    for (Message q : queries) { // warm: every key validated and cached, every name answered once
      Verdict v = validator.resolve(q).get(5, TimeUnit.SECONDS);
      if (v.status() != SecurityStatus.SECURE) {
        throw new IllegalStateException("setup: " + q.getQuestion() + " is " + v.status());
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    validator.close();
  }

  @Benchmark
  public Verdict warmAnswer() throws Exception {
    Message q = queries[next++ & (NAMES - 1)];
    return validator.resolve(q).get(5, TimeUnit.SECONDS);
  }

  private void put(RRset set, DNSKEYRecord key, KeyPair pair, Instant inception, Instant expiration) throws Exception {
    List<Record> records = new java.util.ArrayList<>(set.rrs());
    records.add(DNSSEC.sign(set, key, pair.getPrivate(), inception, expiration));
    zone.put(set.getName() + "/" + set.getType(), records);
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** The upstream: answers every question from the signed records in memory, RRSIGs included. */
  private final class MemoryResolver implements Resolver {
    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
      Record question = query.getQuestion();
      Message reply = new Message(query.getHeader().getID());
      reply.getHeader().setFlag(Flags.QR);
      reply.getHeader().setFlag(Flags.RD);
      reply.getHeader().setFlag(Flags.RA);
      reply.addRecord(question, Section.QUESTION);
      for (Record r : zone.getOrDefault(question.getName() + "/" + question.getType(), List.of())) {
        reply.addRecord(r, Section.ANSWER);
      }
      reply.addRecord(new OPTRecord(1232, 0, 0, Flags.DO), Section.ADDITIONAL);
      // Through the wire, as a real upstream's answer would come: parsing is part of the cost.
      try {
        return CompletableFuture.completedFuture(new Message(reply.toWire()));
      } catch (java.io.IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public void setPort(int port) {}

    @Override
    public void setTCP(boolean flag) {}

    @Override
    public void setIgnoreTruncation(boolean flag) {}

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

    @Override
    public void setTSIGKey(TSIG key) {}

    @Override
    public void setTimeout(Duration timeout) {}
  }
}

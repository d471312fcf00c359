package dev.palisade.bench.codec;

import java.net.InetAddress;
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
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Decoding and encoding DNS messages with dnsjava, as Palisade does for every query it receives and
 * every answer it forwards: a client's query (name, OPT) and a typical upstream answer (a CNAME and
 * two A records, compressed, with OPT). Run: java -jar bench/target/benchmarks.jar CodecBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
  private byte[] queryWire;
  private byte[] answerWire;
  private Message answer;

  @Setup
  public void setUp() throws Exception {
    Name name = Name.fromString("www.example.org.");
    Name target = Name.fromString("edge.cdn.example.net.");
    Message q = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    queryWire = q.toWire();
    Message a = new Message(4242);
    a.getHeader().setFlag(Flags.QR);
    a.getHeader().setFlag(Flags.RD);
    a.getHeader().setFlag(Flags.RA);
    a.addRecord(Record.newRecord(name, Type.A, DClass.IN), Section.QUESTION);
    a.addRecord(new CNAMERecord(name, DClass.IN, 300, target), Section.ANSWER);
    a.addRecord(new ARecord(target, DClass.IN, 60, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    a.addRecord(new ARecord(target, DClass.IN, 60, InetAddress.getByName("192.0.2.2")), Section.ANSWER);
    a.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    answerWire = a.toWire();
    answer = new Message(answerWire);
  }

  @Benchmark
  public Message decodeQuery() throws Exception {
    return new Message(queryWire);
  }

  @Benchmark
  public Message decodeAnswer() throws Exception {
    return new Message(answerWire);
  }

  @Benchmark
  public byte[] encodeAnswer() {
    return answer.toWire(1232);
  }

  /** Without a size limit: what the limit's bookkeeping costs (UDP answers need the limit). */
  @Benchmark
  public byte[] encodeAnswerUnlimited() {
    return answer.toWire();
  }
}

package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dnssec.DnssecValidator;
import dev.palisade.dnssec.ScriptedResolver;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.dnssec.TrustAnchors;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.log.LogLimiter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A validation failure is answered SERVFAIL and logged once with name, type and reason; a flood of
 * them is limited. The upstream here answers without any signature, under the real root anchor,
 * so every answer is bogus.
 */
class ValidateStageTest {

  /** Answers every question with unsigned data: an A record, or a root DNSKEY no anchor matches. */
  static ScriptedResolver unsignedUpstream(Executor executor) {
    return new ScriptedResolver(query -> {
      Record q = query.getQuestion();
      Message reply = new Message(query.getHeader().getID());
      reply.getHeader().setFlag(Flags.QR);
      reply.getHeader().setFlag(Flags.RA);
      reply.addRecord(q, Section.QUESTION);
      try {
        if (q.getType() == Type.A) {
          reply.addRecord(new ARecord(q.getName(), DClass.IN, 300, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
        } else if (q.getType() == Type.DNSKEY) {
          reply.addRecord(new DNSKEYRecord(q.getName(), DClass.IN, 300, 257, 3, 8, new byte[132]), Section.ANSWER);
        }
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
      return CompletableFuture.supplyAsync(() -> reply, executor);
    });
  }

  @Test
  void aBogusAnswerIsServfailAndLoggedWithNameTypeAndReasonAtMostTheLimitPerSecond() throws Exception {
    ExecutorService crypto = Executors.newSingleThreadExecutor();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long[] now = {0};
    try (DnssecValidator validator = new DnssecValidator(TrustAnchors.builtIn(), unsignedUpstream(crypto), crypto, Clock.systemUTC())) {
      LogLimiter limiter = new LogLimiter(LoggerFactory.getLogger(ValidateStage.class), "validation failure", 2, () -> now[0]);
      Pipeline p = new Pipeline(List.of(new ValidateStage(validator, limiter)));
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      for (int i = 0; i < 5; i++) {
        Message m = Message.newQuery(Record.newRecord(Name.fromString("bogus" + i + ".example.com."), Type.A, DClass.IN));
        Answer a = p.handle(new Query(m, new Client(new InetSocketAddress("127.0.0.1", 5300), Protocol.UDP), 0, Long.MAX_VALUE))
            .get(20, TimeUnit.SECONDS);
        assertEquals(SecurityStatus.BOGUS, a.security().orElseThrow());
        assertEquals(Rcode.SERVFAIL, a.message().getRcode());
      }
    } finally {
      System.setErr(err);
      crypto.shutdown();
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    List<String> lines = log.lines().filter(l -> l.contains("validation failed: ")).toList();
    assertEquals(2, lines.size(), "two lines a second at most:\n" + log);
    assertTrue(lines.get(0).contains("validation failed: bogus0.example.com. A is bogus: "), lines.get(0));
  }
}

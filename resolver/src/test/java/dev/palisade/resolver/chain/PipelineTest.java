package dev.palisade.resolver.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class PipelineTest {

  private static Query query() throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString("example.org."), Type.A, DClass.IN));
    return new Query(m, new Client(new InetSocketAddress("127.0.0.1", 5353), Protocol.UDP), 0, 1);
  }

  @Test
  void runsStagesInOrderAndLetsTheLastOneAnswer() throws Exception {
    List<String> seen = new ArrayList<>();
    Stage first = c -> {
      seen.add("first");
      return c.proceed(c.query());
    };
    Stage last = c -> {
      seen.add("last");
      return CompletableFuture.completedFuture(Answer.local(Responses.error(c.query().message(), Rcode.NXDOMAIN), Source.LOCAL));
    };
    Answer a = new Pipeline(List.of(first, last)).handle(query()).get();
    assertEquals(List.of("first", "last"), seen);
    assertEquals(Rcode.NXDOMAIN, a.message().getRcode());
  }

  @Test
  void aStageCanShortCircuit() throws Exception {
    List<String> seen = new ArrayList<>();
    Stage refuse = c -> CompletableFuture.completedFuture(Answer.local(Responses.error(c.query().message(), Rcode.REFUSED), Source.POLICY));
    Stage never = c -> {
      seen.add("never");
      return c.proceed(c.query());
    };
    Answer a = new Pipeline(List.of(refuse, never)).handle(query()).get();
    assertEquals(Source.POLICY, a.source());
    assertEquals(List.of(), seen);
  }

  @Test
  void aThrowingStageBecomesAFailedFutureNotAnException() throws Exception {
    Stage boom = c -> {
      throw new IllegalStateException("boom");
    };
    CompletableFuture<Answer> f = new Pipeline(List.of(boom)).handle(query());
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void proceedingPastTheLastStageFails() throws Exception {
    Stage pass = c -> c.proceed(c.query());
    assertThrows(ExecutionException.class, () -> new Pipeline(List.of(pass)).handle(query()).get());
  }
}

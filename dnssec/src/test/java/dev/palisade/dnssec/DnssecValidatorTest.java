package dev.palisade.dnssec;

import static dev.palisade.dnssec.DnssecValidatorSignedHierarchyTest.ede;
import static dev.palisade.dnssec.DnssecValidatorSignedHierarchyTest.hasDo;
import static dev.palisade.dnssec.DnssecValidatorSignedHierarchyTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The validator's edges, with a scripted upstream: what it sends, and upstream failures. */
class DnssecValidatorTest {
  private final ExecutorService crypto = Executors.newFixedThreadPool(2, r -> new Thread(r, "dnssec-crypto"));
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "upstream-io"));

  @AfterEach
  void stop() {
    crypto.shutdownNow();
    io.shutdownNow();
  }

  @Test
  void upstreamQueriesCarryDoCdAndRdAndNoOptionOfOurs() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.SERVFAIL)));
    Message client = query("www.example.", Type.A);
    client.getHeader().setFlag(Flags.CD); // a client's bits never reach the upstream: the query is ours

    verdict(validator(upstream), client);

    Message sent = upstream.received.get(0);
    assertTrue(hasDo(sent), sent.toString());
    assertTrue(sent.getHeader().getFlag(Flags.CD), sent.toString());
    assertTrue(sent.getHeader().getFlag(Flags.RD), sent.toString());
    assertEquals(UpstreamAdapter.PAYLOAD_SIZE, sent.getOPT().getPayloadSize());
    assertTrue(sent.getOPT().getOptions().isEmpty(), "the private marker option never leaves: " + sent);
    assertEquals(client.getQuestion(), sent.getQuestion());
  }

  @Test
  void upstreamServfailIsIndeterminateNotBogus() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.SERVFAIL)));

    Verdict v = verdict(validator(upstream), query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status(), v.toString());
    assertEquals(Rcode.SERVFAIL, v.message().getRcode());
    assertTrue(v.message().getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void upstreamRefusedBecomesServfail() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.REFUSED)));

    Verdict v = verdict(validator(upstream), query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status());
    assertEquals(Rcode.SERVFAIL, v.message().getRcode());
  }

  @Test
  void failedUpstreamIsIndeterminateWithNetworkError() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.failedFuture(new IOException("connection reset")));

    Verdict v = verdict(validator(upstream), query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status());
    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.NETWORK_ERROR), v.extendedError());
    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.NETWORK_ERROR), ede(v.message()));
    assertTrue(v.reason().contains("connection reset"), v.reason());
  }

  @Test
  void throwingUpstreamNeverMakesResolveThrow() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> {
      throw new IllegalStateException("pool closed");
    });

    Verdict v = verdict(validator(upstream), query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status());
    assertEquals(Rcode.SERVFAIL, v.message().getRcode());
  }

  @Test
  void silentUpstreamIsIndeterminateAfterTheTimeout() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> new CompletableFuture<>());
    DnssecValidator validator = new DnssecValidator(TrustAnchors.builtIn(), upstream, crypto, Clock.systemUTC(),
        ValidationLimits.defaults().withTimeout(Duration.ofMillis(200)));

    Verdict v = verdict(validator, query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status());
    assertEquals(OptionalInt.of(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY), v.extendedError());
  }

  @Test
  void replyToAnotherQuestionIsNotTaken() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> {
      Message other = reply(query("evil.example.", Type.A), Rcode.NOERROR);
      other.getHeader().setID(q.getHeader().getID());
      return CompletableFuture.completedFuture(other);
    });

    Verdict v = verdict(validator(upstream), query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status(), v.toString());
    assertTrue(v.reason().contains("evil.example."), v.reason());
  }

  @Test
  void queryWithTwoQuestionsIsFormerr() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.NOERROR)));
    Message two = query("a.example.", Type.A);
    two.addRecord(query("b.example.", Type.A).getQuestion(), Section.QUESTION);

    Verdict v = verdict(validator(upstream), two);

    assertEquals(Rcode.FORMERR, v.message().getRcode());
    assertTrue(upstream.received.isEmpty());
  }

  @Test
  void closedValidatorSendsNothing() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.NOERROR)));
    DnssecValidator validator = validator(upstream);
    validator.close();

    Verdict v = verdict(validator, query("www.example.", Type.A));

    assertEquals(SecurityStatus.INDETERMINATE, v.status());
    assertTrue(upstream.received.isEmpty());
  }

  @Test
  void theOnlyQueryInFlightIsValidatedOnTheThreadThatDeliversItsReply() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.supplyAsync(() -> {
      sleep(50); // so that the test's continuation is registered before the answer arrives
      return reply(q, Rcode.SERVFAIL);
    }, io));

    String thread = validator(upstream).resolve(query("www.example.", Type.A))
        .thenApply(v -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);

    // No hand-over to the pool and back (InlineWhenIdle): the reply's thread judges it.
    assertEquals("upstream-io", thread);
  }

  @Test
  void withOtherQueriesInFlightValidationContinuesOnTheCryptoExecutor() throws Exception {
    CompletableFuture<Message> never = new CompletableFuture<>();
    ScriptedResolver upstream = new ScriptedResolver(q -> q.getQuestion().getName().toString().startsWith("slow.")
        ? never
        : CompletableFuture.supplyAsync(() -> {
          sleep(50);
          return reply(q, Rcode.SERVFAIL);
        }, io));
    DnssecValidator validator = validator(upstream);
    CompletableFuture<Verdict> slow = validator.resolve(query("slow.example.", Type.A));

    String thread = validator.resolve(query("www.example.", Type.A))
        .thenApply(v -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);

    assertEquals("dnssec-crypto", thread, "never on the upstream's I/O thread when it has other work");
    assertFalse(slow.isDone());
  }

  @Test
  void verdictKeepsTheClientsIdAndQuestion() throws Exception {
    ScriptedResolver upstream = new ScriptedResolver(q -> CompletableFuture.completedFuture(reply(q, Rcode.SERVFAIL)));
    Message client = query("WwW.ExAmple.", Type.A);
    client.getHeader().setID(4242);

    Verdict v = verdict(validator(upstream), client);

    assertEquals(4242, v.message().getHeader().getID());
    assertEquals("WwW.ExAmple.", v.message().getQuestion().getName().toString());
    assertFalse(v.message().getHeader().getFlag(Flags.AD));
  }

  private DnssecValidator validator(ScriptedResolver upstream) {
    return new DnssecValidator(TrustAnchors.builtIn(), upstream, crypto, Clock.systemUTC());
  }

  private static Verdict verdict(DnssecValidator validator, Message query) throws Exception {
    return validator.resolve(query).get(5, TimeUnit.SECONDS);
  }

  private static Message reply(Message query, int rcode) {
    Message reply = new Message(query.getHeader().getID());
    reply.getHeader().setFlag(Flags.QR);
    reply.getHeader().setRcode(rcode);
    Record q = query.getQuestion();
    reply.addRecord(q, Section.QUESTION);
    return reply;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

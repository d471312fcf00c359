package dev.palisade.resolver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.resolver.server.MalformedPackets.Kind;
import dev.palisade.resolver.stage.RequestCheckStage;
import dev.palisade.resolver.stage.ShapeStage;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * Property test of everything between the socket and the chain (issue 10, part 1): for every
 * generated packet, valid or malformed, {@link QueryHandler} returns at once, never throws, and
 * either drops the packet or replies with a response carrying the packet's ID that fits the UDP
 * limit; malformed names never reach a stage behind the checks. Seeded; the seed, case number and
 * bytes of a failure are printed so it can be replayed.
 */
class DecoderPropertyTest {

  static final long SEED = Long.getLong("fuzz.seed", 0x5EED_DEC0DEL);
  static final int CASES = Integer.getInteger("fuzz.decoder.cases", 20_000);

  @Test
  void everyPacketIsDroppedOrAnsweredWithItsIdAndMalformedNamesNeverGoOn() {
    AtomicInteger reached = new AtomicInteger();
    Stage answering = chain -> {
      reached.incrementAndGet();
      Message q = chain.query().message();
      Message a = new Message(q.getHeader().getID());
      a.getHeader().setFlag(Flags.QR);
      a.addRecord(q.getQuestion(), Section.QUESTION);
      a.addRecord(new ARecord(q.getQuestion().getName(), q.getQuestion().getDClass(), 60, new byte[] {(byte) 192, 0, 2, 1}), Section.ANSWER);
      return CompletableFuture.completedFuture(Answer.local(a, Source.LOCAL));
    };
    QueryHandler handler = new QueryHandler(
        new Pipeline(List.of(new ShapeStage(), new RequestCheckStage(), answering)),
        System::nanoTime, 1_000_000_000L, RateLimiter.OFF, new Cookies(new SecureRandom(), Clock.systemUTC()), ServerListener.NONE);
    InetSocketAddress client = new InetSocketAddress("192.0.2.7", 5353);
    MalformedPackets gen = new MalformedPackets(SEED);
    Map<Kind, Integer> seen = new EnumMap<>(Kind.class);
    for (int i = 0; i < CASES; i++) {
      MalformedPackets.Case c = gen.next();
      seen.merge(c.kind(), 1, Integer::sum);
      int before = reached.get();
      try {
        for (Protocol protocol : new Protocol[] {Protocol.UDP, Protocol.TCP}) {
          CompletableFuture<byte[]> f = handler.handle(c.bytes(), client, protocol);
          assertTrue(f.isDone(), "answered at once");
          byte[] reply = f.join();
          if (reply == null) {
            continue;
          }
          Header h = new Header(reply);
          assertTrue(h.getFlag(Flags.QR), "a reply is a response");
          int sentId = ((c.bytes()[0] & 0xff) << 8) | (c.bytes()[1] & 0xff);
          assertEquals(sentId, h.getID(), "a reply carries the query's ID");
          if (protocol == Protocol.UDP) {
            assertTrue(reply.length <= 1232, "fits the largest UDP size we answer with");
          }
          if (reply.length > Header.LENGTH) {
            new Message(reply); // what we send parses
          }
          switch (c.kind()) {
            case SEVERAL_OPT, OPT_IN_ANSWER, OPT_IN_AUTHORITY, MANY_QUESTIONS, LABEL_OVER_63, NAME_OVER_255,
                POINTER_TO_SELF, COMPRESSION_LOOP, POINTER_FORWARD, BAD_COOKIE_LENGTH ->
                assertEquals(Rcode.FORMERR, h.getRcode(), "a format error");
            case VALID -> assertNotNull(reply);
            default -> {}
          }
        }
        if (MalformedPackets.NEVER_A_QUERY.contains(c.kind())) {
          assertEquals(before, reached.get(), "never passed on as a query");
        }
        if (c.kind() == Kind.VALID) {
          assertTrue(reached.get() > before || new Message(c.bytes()).getOPT() != null, "a valid query goes on");
        }
      } catch (Throwable e) {
        throw new AssertionError(
            "seed " + Long.toHexString(SEED) + ", case " + i + " (" + c.kind() + "): " + HexFormat.of().formatHex(c.bytes()), e);
      }
    }
    for (Kind k : Kind.values()) {
      assertTrue(seen.getOrDefault(k, 0) >= CASES / Kind.values().length / 2, "enough cases of " + k + ": " + seen);
    }
  }
}

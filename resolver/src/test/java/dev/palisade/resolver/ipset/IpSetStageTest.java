package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ALLOW4;
import static dev.palisade.resolver.ipset.Fixtures.ALLOW6;
import static dev.palisade.resolver.ipset.Fixtures.WEB;
import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.upstream.UpstreamId;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The stage between a client and a scripted rest of the pipeline, with a fake kernel. */
class IpSetStageTest {

  static final long T0 = 1_700_000_000_000L;
  final Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
  final Fixtures.FakeBackend ipset = new Fixtures.FakeBackend("ipset");
  final Fixtures.FakeBackend nft = new Fixtures.FakeBackend("nft");
  final Fixtures.ManualScheduler scheduler = new Fixtures.ManualScheduler();
  final KernelWriter kernel = new KernelWriter(Map.of(Backend.IPSET, ipset, Backend.NFT, nft), scheduler, IpSetListener.NONE, System::nanoTime);
  final ResolvedSet allow4 = new ResolvedSet(ALLOW4, 100, kernel, IpSetListener.NONE);
  final ResolvedSet allow6 = new ResolvedSet(ALLOW6, 100, kernel, IpSetListener.NONE);
  final ResolvedSet web = new ResolvedSet(WEB, 100, kernel, IpSetListener.NONE);
  final IpSetStage stage = new IpSetStage(List.of(allow4, allow6, web), 10_000, clock);

  static Name name(String s) {
    return Name.fromConstantString(s);
  }

  static Message reply(String qname, int type, int rcode, Record... answers) {
    Message m = new Message(1);
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setRcode(rcode);
    m.addRecord(Record.newRecord(name(qname), type, DClass.IN), Section.QUESTION);
    for (Record r : answers) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }

  static Record a(String owner, long ttl, String address) {
    return new ARecord(name(owner), DClass.IN, ttl, ip(address));
  }

  static Record cname(String owner, String target) {
    return new CNAMERecord(name(owner), DClass.IN, 300, name(target));
  }

  CompletableFuture<Answer> ask(String qname, int type, Answer answer) {
    Stage rest = chain -> CompletableFuture.completedFuture(answer);
    Message q = Message.newQuery(Record.newRecord(name(qname), type, DClass.IN));
    Client client = new Client(new InetSocketAddress("127.0.0.1", 5353), Protocol.UDP);
    return new Pipeline(List.of(stage, rest)).handle(new Query(q, client, 0, Long.MAX_VALUE));
  }

  static Answer upstream(Message m) {
    return new Answer(m, Source.UPSTREAM, Optional.of(new UpstreamId("up")));
  }

  List<ResolvedSet.Entry> entries(ResolvedSet s) {
    return s.snapshot();
  }

  @Test
  void addsEachAddressUntilItsTtlPlusTheGrace() {
    ask("www.example.com.", Type.A, upstream(reply("www.example.com.", Type.A, Rcode.NOERROR,
        a("www.example.com.", 60, "192.0.2.1"), a("www.example.com.", 30, "192.0.2.2"))));
    assertEquals(List.of(new ResolvedSet.Entry(ip("192.0.2.2"), T0 + 40_000), new ResolvedSet.Entry(ip("192.0.2.1"), T0 + 70_000)),
        entries(allow4));
    assertEquals(List.of(), entries(web), "www.example.com is not under example.org");
  }

  @Test
  void aaaaGoesToTheInet6SetOnly() {
    ask("www.example.com.", Type.AAAA, upstream(reply("www.example.com.", Type.AAAA, Rcode.NOERROR,
        new AAAARecord(name("www.example.com."), DClass.IN, 60, ip("2001:db8::1")))));
    assertEquals(List.of(ip("2001:db8::1")), entries(allow6).stream().map(ResolvedSet.Entry::address).toList());
    assertEquals(List.of(), entries(allow4));
  }

  @Test
  void followsTheCnameChainAndMatchesAnyNameOnIt() {
    // www.example.com → cdn.example.org → edge.cdn.net: the address counts for "example.org".
    ask("www.example.com.", Type.A, upstream(reply("www.example.com.", Type.A, Rcode.NOERROR,
        a("edge.cdn.net.", 60, "192.0.2.7"), cname("cdn.example.org.", "edge.cdn.net."), cname("www.example.com.", "cdn.example.org."),
        a("unrelated.example.org.", 60, "192.0.2.66"))));
    assertEquals(List.of(ip("192.0.2.7")), entries(web).stream().map(ResolvedSet.Entry::address).toList(),
        "an address owned by a name off the chain is not taken");
    assertEquals(List.of(ip("192.0.2.7")), entries(allow4).stream().map(ResolvedSet.Entry::address).toList());
  }

  @Test
  void bogusRefusedPolicyAndErrorAnswersAddNothing() {
    Message m = reply("www.example.org.", Type.A, Rcode.NOERROR, a("www.example.org.", 60, "192.0.2.1"));
    ask("www.example.org.", Type.A, new Answer(m, Source.UPSTREAM, Optional.empty(), Optional.of(SecurityStatus.BOGUS)));
    ask("www.example.org.", Type.A, Answer.local(m, Source.POLICY));
    ask("www.example.org.", Type.A, Answer.local(m, Source.LOCAL));
    ask("www.example.org.", Type.A, upstream(reply("www.example.org.", Type.A, Rcode.REFUSED, a("www.example.org.", 60, "192.0.2.1"))));
    assertEquals(List.of(), entries(allow4));
    assertEquals(List.of(), entries(web));
    ask("www.example.org.", Type.A, new Answer(m, Source.UPSTREAM, Optional.empty(), Optional.of(SecurityStatus.SECURE)));
    assertEquals(1, entries(web).size(), "a secure answer is taken");
  }

  @Test
  void theAnswerCompletesOnlyAfterTheKernelHoldsItsAddresses() {
    Answer answer = upstream(reply("www.example.org.", Type.A, Rcode.NOERROR, a("www.example.org.", 60, "192.0.2.1")));
    CompletableFuture<Answer> f = ask("www.example.org.", Type.A, answer);
    assertFalse(f.isDone(), "the client must not have the address before the kernel does");
    assertTrue(ipset.batches.isEmpty());
    scheduler.runAll();
    assertTrue(f.isDone());
    assertSame(answer, f.join());
    assertEquals(List.of(List.of(KernelOp.add(ALLOW4, ip("192.0.2.1"), 70))), ipset.batches);
    assertEquals(List.of(List.of(KernelOp.add(WEB, ip("192.0.2.1"), 70))), nft.batches, "one batch per backend");
  }

  @Test
  void aCacheHitOfAKnownAddressDoesNotWaitAndRefreshesNothingEarlier() {
    ask("www.example.org.", Type.A, upstream(reply("www.example.org.", Type.A, Rcode.NOERROR, a("www.example.org.", 60, "192.0.2.1"))));
    scheduler.runAll();
    // The same record from the cache 0 s later carries the same TTL: no wait, no write.
    CompletableFuture<Answer> hit = ask("www.example.org.", Type.A,
        Answer.local(reply("www.example.org.", Type.A, Rcode.NOERROR, a("www.example.org.", 60, "192.0.2.1")), Source.CACHE));
    assertTrue(hit.isDone());
    scheduler.runAll();
    assertEquals(1, ipset.batches.size());
  }

  @Test
  void aFailingKernelNeverLosesTheAnswer() {
    ipset.failing = true;
    nft.failing = true;
    CompletableFuture<Answer> f = ask("www.example.org.", Type.A,
        upstream(reply("www.example.org.", Type.A, Rcode.NOERROR, a("www.example.org.", 60, "192.0.2.1"))));
    scheduler.runAll();
    assertTrue(f.isDone() && !f.isCompletedExceptionally());
    assertEquals(2, kernel.failures());
  }
}

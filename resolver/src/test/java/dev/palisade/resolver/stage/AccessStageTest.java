package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.Cidr;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class AccessStageTest {

  private final AccessStage loopbackOnly = new AccessStage(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));

  @Test
  void allowsLoopbackAndItsIpv4MappedForm() throws Exception {
    assertTrue(loopbackOnly.allows(InetAddress.getByName("127.0.0.1")));
    assertTrue(loopbackOnly.allows(InetAddress.getByName("127.9.8.7")));
    assertTrue(loopbackOnly.allows(InetAddress.getByName("::1")));
    assertTrue(loopbackOnly.allows(InetAddress.getByName("::ffff:127.0.0.1")));
    assertFalse(loopbackOnly.allows(InetAddress.getByName("192.0.2.1")));
    assertFalse(loopbackOnly.allows(InetAddress.getByName("2001:db8::1")));
  }

  @Test
  void refusesClientsOutsideTheAccessNetworksWithoutProceeding() throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString("example.org."), Type.A, DClass.IN));
    boolean[] reached = {false};
    Pipeline p =
        new Pipeline(
            List.of(
                loopbackOnly,
                c -> {
                  reached[0] = true;
                  return CompletableFuture.completedFuture(Answer.local(Responses.error(c.query().message(), Rcode.NOERROR), Source.LOCAL));
                }));
    Answer outside = p.handle(new Query(m, new Client(new InetSocketAddress("192.0.2.9", 40000), Protocol.UDP), 0, 1)).get();
    assertEquals(Rcode.REFUSED, outside.message().getRcode());
    assertEquals(Source.POLICY, outside.source());
    assertFalse(reached[0]);
    Answer inside = p.handle(new Query(m, new Client(new InetSocketAddress("127.0.0.1", 40000), Protocol.UDP), 0, 1)).get();
    assertEquals(Rcode.NOERROR, inside.message().getRcode());
    assertTrue(reached[0]);
  }
}

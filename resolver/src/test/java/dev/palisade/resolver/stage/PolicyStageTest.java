package dev.palisade.resolver.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.policy.Decision;
import dev.palisade.policy.LexicalModel;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicyListener;
import dev.palisade.policy.PolicySettings;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Client;
import dev.palisade.resolver.chain.Pipeline;
import dev.palisade.resolver.chain.Protocol;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class PolicyStageTest {

  @Test
  void judgesEachQueryAsItsOwnClients() throws Exception {
    List<String> judged = new ArrayList<>();
    PolicyListener listener = new PolicyListener() {
      @Override
      public void onDecision(String client, Decision decision, boolean answer) {
        if (!answer) {
          judged.add(client);
        }
      }
    };
    PolicyEngine engine = new PolicyEngine(PolicySettings.defaults(), System::nanoTime, listener, LexicalModel.bundled(), 42);
    Pipeline p = new Pipeline(List.of(new PolicyStage(engine),
        c -> CompletableFuture.completedFuture(Answer.local(Responses.error(c.query().message(), Rcode.NOERROR), Source.LOCAL))));
    Message m = Message.newQuery(Record.newRecord(Name.fromString("www.example.org."), Type.A, DClass.IN));
    List<String> from = List.of("127.0.0.1", "127.0.0.2", "127.0.0.2", "0:0:0:0:0:0:0:1", "127.0.0.1", "127.0.0.1");
    for (String address : from) {
      p.handle(new Query(m, new Client(new InetSocketAddress(address, 40000), Protocol.UDP), 0, 1)).get();
    }
    assertEquals(from, judged);
  }
}

package dev.palisade.dnssec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

/**
 * An upstream that answers from a script and records what it was sent. Public for the resolver
 * module's tests (through this module's test-jar).
 */
public final class ScriptedResolver implements Resolver {
  final List<Message> received = new CopyOnWriteArrayList<>();
  private final Function<Message, CompletionStage<Message>> script;

  public ScriptedResolver(Function<Message, CompletionStage<Message>> script) {
    this.script = script;
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    received.add(query.clone());
    return script.apply(query);
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

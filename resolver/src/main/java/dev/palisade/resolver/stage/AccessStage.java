package dev.palisade.resolver.stage;

import dev.palisade.config.Cidr;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Rcode;

/**
 * Answers only clients in the configured networks; everyone else gets REFUSED. An open resolver is a
 * DDoS amplifier and leaks what it caches, so the default is loopback only.
 */
public final class AccessStage implements Stage {

  private final List<Cidr> allowed;
  private final RefusalListener refusals;

  public AccessStage(List<Cidr> allowed) {
    this(allowed, RefusalListener.NONE);
  }

  /** @param refusals told of every client refused (the refusal log, metrics) */
  public AccessStage(List<Cidr> allowed, RefusalListener refusals) {
    this.allowed = List.copyOf(allowed);
    this.refusals = refusals;
  }

  public boolean allows(InetAddress address) {
    for (Cidr c : allowed) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    InetAddress from = chain.query().client().address().getAddress();
    if (allows(from)) {
      return chain.proceed(chain.query());
    }
    refusals.refused(chain.query(), "access", "client not in access networks", true);
    return CompletableFuture.completedFuture(
        Answer.local(Responses.error(chain.query().message(), Rcode.REFUSED), Source.POLICY));
  }
}

package dev.palisade.resolver.stage;

import dev.palisade.policy.Decision;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.chain.Responses;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * The exfiltration and list policy (policy module), decided on the event loop before anything is
 * spent, cached or sent: once a query has gone upstream, the data in its name is gone. Answers are
 * checked too (rebinding, data-looking targets), and upstream answers are charged to the budgets;
 * cache hits reach no one outside, so they are not.
 */
public final class PolicyStage implements Stage {

  private final PolicyEngine engine;
  private final RefusalListener refusals;

  public PolicyStage(PolicyEngine engine) {
    this(engine, RefusalListener.NONE);
  }

  /** @param refusals told of every refusal (and, in monitor mode, of every would-be refusal) */
  public PolicyStage(PolicyEngine engine, RefusalListener refusals) {
    this.engine = engine;
    this.refusals = refusals;
  }

  public PolicyEngine engine() {
    return engine;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    Query query = chain.query();
    // The name as the client sent it, without making a dnsjava Name of it.
    byte[] name = query.nameBytes();
    int at = query.nameOffset();
    int length = query.nameLength();
    int type = query.type();
    String client = clientText(query.client().address().getAddress());
    Decision d = engine.onQuery(client, name, at, length, type);
    report(query, d);
    if (d.refuse()) {
      return CompletableFuture.completedFuture(Answer.local(refusal(query.message(), d), Source.POLICY));
    }
    if (d.answerLocally()) {
      // Single-label and special-use names: nobody outside can answer them (RFC 6761).
      return CompletableFuture.completedFuture(Answer.local(Responses.error(query.message(), Rcode.NXDOMAIN), Source.POLICY));
    }
    return chain.proceed(query).thenApply(answer -> {
      boolean fromUpstream = answer.source() == Source.UPSTREAM;
      Decision a = engine.onAnswer(client, name, at, length, type, answer.wire(), answer::message, fromUpstream);
      report(query, a);
      return a.refuse() ? Answer.local(refusal(query.message(), a), Source.POLICY) : answer;
    });
  }

  /** The last client's address and its text form. */
  private record LastClient(InetAddress address, String text) {}

  private volatile LastClient lastClient = new LastClient(null, "");

  /**
   * The client's address as text, the engine's key for its budgets. Queries mostly come in runs from
   * one host (a machine's own resolver, a router's busiest device), and formatting an address costs
   * more than comparing it with the last one.
   */
  private String clientText(InetAddress address) {
    LastClient last = lastClient;
    if (address.equals(last.address())) {
      return last.text();
    }
    String text = address.getHostAddress();
    lastClient = new LastClient(address, text);
    return text;
  }

  private void report(Query query, Decision d) {
    if (d.verdict() == Decision.Verdict.REFUSE || d.verdict() == Decision.Verdict.WOULD_REFUSE) {
      refusals.refused(query, layer(d), d.reason(), d.refuse());
    }
  }

  static String layer(Decision d) {
    return d.layer() == null ? "policy" : d.layer().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The refusal, with an Extended DNS Error (RFC 8914: 15 Blocked, 17 Filtered) saying which layer. */
  static Message refusal(Message query, Decision d) {
    Message r = Responses.error(query, d.rcode());
    if (d.extendedError() > 0) {
      String text = d.layer() == null ? "policy" : "policy: " + d.layer().name().toLowerCase(java.util.Locale.ROOT);
      r.addRecord(new OPTRecord(0, 0, 0, 0, List.of(new ExtendedErrorCodeOption(d.extendedError(), text))), Section.ADDITIONAL);
    }
    return r;
  }
}

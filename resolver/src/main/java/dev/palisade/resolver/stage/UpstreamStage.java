package dev.palisade.resolver.stage;

import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.upstream.Reorigination;
import dev.palisade.upstream.UpstreamPool;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The last stage: re-originates the query (fresh ID, lower-cased name, our own EDNS) and sends it
 * through the upstream pool, which fails over between upstreams within the query's deadline.
 */
public final class UpstreamStage implements Stage {

  private final UpstreamPool pool;

  public UpstreamStage(UpstreamPool pool) {
    this.pool = pool;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    var query = chain.query();
    return pool.exchange(Reorigination.query(query.message()), query.deadlineNanos())
        .thenApply(r -> new Answer(r.message(), Source.UPSTREAM, Optional.of(r.upstream())));
  }
}

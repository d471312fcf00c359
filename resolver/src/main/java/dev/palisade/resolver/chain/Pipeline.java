package dev.palisade.resolver.chain;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ordered stages every client query goes through; the only way a query is answered. The order is
 * chosen where the pipeline is built ({@code Palisade}), with the reason for each position.
 */
public final class Pipeline {

  private final List<Stage> stages;

  public Pipeline(List<Stage> stages) {
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a pipeline needs at least one stage");
    }
    this.stages = List.copyOf(stages);
  }

  public CompletableFuture<Answer> handle(Query query) {
    return new Link(0, query).run();
  }

  private final class Link implements Chain {
    private final int index;
    private final Query query;

    Link(int index, Query query) {
      this.index = index;
      this.query = query;
    }

    CompletableFuture<Answer> run() {
      try {
        return stages.get(index).handle(this);
      } catch (RuntimeException e) {
        // A stage that throws instead of failing its future must not take the listener down.
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public Query query() {
      return query;
    }

    @Override
    public CompletableFuture<Answer> proceed(Query next) {
      if (index + 1 >= stages.size()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the last stage proceeded: no stage answered"));
      }
      return new Link(index + 1, next).run();
    }
  }
}

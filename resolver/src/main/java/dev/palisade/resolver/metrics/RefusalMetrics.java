package dev.palisade.resolver.metrics;

import dev.palisade.policy.PolicyListener;
import dev.palisade.resolver.chain.Query;
import dev.palisade.resolver.stage.RefusalListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code palisade_policy_refusals_total{layer}} (queries refused, by the layer that refused them:
 * access, the policy layers, rate_limit), {@code palisade_policy_flagged_total{layer}} (monitor
 * mode: would have been refused) and {@code palisade_policy_budget_exceeded_total{budget}}. Layer
 * and budget names come from code, not from queries, so the label sets are small.
 */
final class RefusalMetrics implements RefusalListener, PolicyListener {

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> refusals = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> flagged = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> budgets = new ConcurrentHashMap<>();

  RefusalMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String layer : new String[] {"access", "structure", "list", "lexical", "budget", "record_type", "answer"}) {
      counter(refusals, "palisade.policy.refusals", "Queries refused, by the layer that refused them", "layer", layer);
    }
  }

  private Counter counter(ConcurrentMap<String, Counter> map, String name, String description, String tag, String value) {
    Counter c = map.get(value);
    return c != null ? c : map.computeIfAbsent(value,
        v -> Counter.builder(name).description(description).tag(tag, v).register(registry));
  }

  @Override
  public void refused(Query query, String layer, String reason, boolean enforced) {
    if (enforced) {
      counter(refusals, "palisade.policy.refusals", "Queries refused, by the layer that refused them", "layer", layer).increment();
    } else {
      counter(flagged, "palisade.policy.flagged", "Monitor mode: queries that would have been refused", "layer", layer).increment();
    }
  }

  @Override
  public void onBudgetExceeded(String client, String registrableDomain, String budget, double spentBits, double limitBits) {
    counter(budgets, "palisade.policy.budget.exceeded", "Information budgets tripped", "budget", budget).increment();
  }
}

package dev.palisade.policy;

/**
 * Events from the {@link PolicyEngine}, for metrics (the resolver implements this with
 * Micrometer). Called on the deciding thread (the event loop): implementations must be quick and
 * never block. Every method has a no-op default.
 */
public interface PolicyListener {
  PolicyListener NONE = new PolicyListener() {};

  /** Every decision on a query or answer ({@code answer} tells which). */
  default void onDecision(String client, Decision decision, boolean answer) {}

  /**
   * A budget tripped: {@code registrableDomain} is now refused for {@code client} (or, for
   * {@code clientTotal}, the client's new names are), for the configured block time.
   */
  default void onBudgetExceeded(String client, String registrableDomain, String budget, double spentBits, double limitBits) {}
}

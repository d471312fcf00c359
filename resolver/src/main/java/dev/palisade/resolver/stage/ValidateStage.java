package dev.palisade.resolver.stage;

import dev.palisade.dnssec.DnssecValidator;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;

/**
 * Resolves and validates DNSSEC in Palisade itself, so that an upstream (or anyone between us and
 * it) cannot hand a client forged data. A client that sets CD validates for itself (RFC 4035
 * section 3.2.2): its query goes on unvalidated, with CD, and gets the data as the upstream has it.
 */
public final class ValidateStage implements Stage {

  private static final Logger log = LoggerFactory.getLogger(ValidateStage.class);

  private final DnssecValidator validator;

  public ValidateStage(DnssecValidator validator) {
    this.validator = validator;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    if (chain.query().message().getHeader().getFlag(Flags.CD)) {
      return chain.proceed(chain.query());
    }
    return validator
        .resolve(chain.query().message())
        .thenApply(
            v -> {
              if (v.status() == SecurityStatus.BOGUS) {
                log.warn(
                    "bogus answer for {} from the upstreams: {}{}",
                    chain.query().message().getQuestion().getName(),
                    v.reason(),
                    v.extendedError().isPresent() ? " (EDE " + v.extendedError().getAsInt() + ")" : "");
              }
              return new Answer(v.message(), Source.UPSTREAM, Optional.empty(), Optional.of(v.status()));
            });
  }
}

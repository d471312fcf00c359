package dev.palisade.resolver.stage;

import dev.palisade.dnssec.DnssecValidator;
import dev.palisade.dnssec.SecurityStatus;
import dev.palisade.resolver.chain.Answer;
import dev.palisade.resolver.chain.Chain;
import dev.palisade.resolver.chain.Source;
import dev.palisade.resolver.chain.Stage;
import dev.palisade.resolver.log.LogLimiter;
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
  private final LogLimiter failures;

  public ValidateStage(DnssecValidator validator) {
    this(validator, new LogLimiter(log, "validation failure", 20, System::nanoTime));
  }

  /** @param failures limits the validation-failure lines (a bogus zone under load is a flood) */
  public ValidateStage(DnssecValidator validator, LogLimiter failures) {
    this.validator = validator;
    this.failures = failures;
  }

  @Override
  public CompletableFuture<Answer> handle(Chain chain) {
    if (chain.query().flag(Flags.CD)) {
      return chain.proceed(chain.query());
    }
    return validator
        .resolve(chain.query().message())
        .thenApply(
            v -> {
              if (v.status() == SecurityStatus.BOGUS && failures.tryAcquire()) {
                log.warn(
                    "validation failed: {} {} is bogus: {}{}",
                    chain.query().message().getQuestion().getName(),
                    org.xbill.DNS.Type.string(chain.query().message().getQuestion().getType()),
                    v.reason(),
                    v.extendedError().isPresent() ? " (EDE " + v.extendedError().getAsInt() + ")" : "");
              }
              return new Answer(v.message(), Source.UPSTREAM, Optional.empty(), Optional.of(v.status()));
            });
  }
}

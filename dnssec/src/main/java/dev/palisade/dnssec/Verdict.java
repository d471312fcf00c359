package dev.palisade.dnssec;

import java.util.Objects;
import java.util.OptionalInt;
import org.xbill.DNS.Message;

/**
 * What the validator made of one query.
 *
 * @param message for SECURE and INSECURE the answer (AD set only when SECURE; RRSIG, NSEC and NSEC3
 *     records kept, with DO set in its OPT — {@link DnssecRecords#strip} removes them for clients
 *     that did not set DO); for BOGUS and INDETERMINATE a SERVFAIL to the question with no data,
 *     carrying the Extended DNS Error in its OPT when there is one. Its ID and question are the
 *     client's. Never carries dnsjava's validation-reason TXT record.
 * @param status the security status
 * @param extendedError the RFC 8914 INFO-CODE, e.g. 6 (DNSSEC Bogus), 7 (Signature Expired), 9
 *     (DNSKEY Missing), 10 (RRSIGs Missing), 27 (Unsupported NSEC3 Iterations Value); empty when
 *     there is nothing to report
 * @param reason why, in words, for logs (never sent to clients apart from the EDE EXTRA-TEXT)
 */
public record Verdict(Message message, SecurityStatus status, OptionalInt extendedError, String reason) {
  public Verdict {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(extendedError, "extendedError");
    Objects.requireNonNull(reason, "reason");
  }
}

package dev.palisade.config;

import java.nio.file.Path;
import java.util.List;

/**
 * DNSSEC settings, in Stubby's keys.
 *
 * @param validate {@code dnssec} (or the older {@code dnssec_return_status}):
 *     {@code GETDNS_EXTENSION_TRUE} validates in Palisade; on unless a file turns it off, since a stub
 *     that trusts its upstream's AD bit can be lied to by anyone on the path to it
 * @param trustAnchorFiles {@code dnssec_trust_anchors}: files of DS or DNSKEY records (zone-file
 *     format) or RFC 7958 {@code root-anchors.xml}; empty: the built-in IANA root anchors
 */
public record DnssecConfig(boolean validate, List<Path> trustAnchorFiles) {
  public static final DnssecConfig DEFAULTS = new DnssecConfig(true, List.of());

  public DnssecConfig {
    trustAnchorFiles = List.copyOf(trustAnchorFiles);
  }
}

package dev.palisade.config;

/** {@code dns_transport_list} values, Stubby's names {@code GETDNS_TRANSPORT_TLS|TCP|UDP}. */
public enum Transport {
  TLS,
  TCP,
  UDP
}

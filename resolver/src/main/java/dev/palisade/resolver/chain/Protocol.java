package dev.palisade.resolver.chain;

/** The transport a client query arrived on. */
public enum Protocol {
  UDP,
  TCP
}

package dev.palisade.upstream;

import java.util.Objects;

/** A stable, low-cardinality name for an upstream, such as {@code 9.9.9.9@853#dns.quad9.net}. */
public record UpstreamId(String label) {
  public UpstreamId {
    Objects.requireNonNull(label, "label");
  }

  @Override
  public String toString() {
    return label;
  }
}

package dev.palisade.upstream;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * An unencrypted DNS server ({@code dns_transport_list} with {@code GETDNS_TRANSPORT_UDP} and/or
 * {@code GETDNS_TRANSPORT_TCP}). Anyone on the path sees and can change these queries: only used
 * when configured, and resolver warns at start.
 *
 * @param address the server's IP and port (53 unless configured)
 * @param udp try UDP first (a truncated reply is retried over TCP when {@code tcp})
 * @param tcp use TCP (alone, or as the fallback for truncated UDP replies)
 * @param connectTimeout TCP connect budget
 * @param maxOutstanding queries in flight before new ones fail fast (OVERLOADED)
 * @param ecsPrivate {@code edns_client_subnet_private}: send ECS with source prefix 0
 */
public record PlainSettings(
    InetSocketAddress address, boolean udp, boolean tcp, Duration connectTimeout, int maxOutstanding, boolean ecsPrivate) {

  public PlainSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!udp && !tcp) {
      throw new IllegalArgumentException("a plain upstream needs UDP or TCP");
    }
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("the address must be an IP literal: " + address);
    }
    if (maxOutstanding < 1 || maxOutstanding > 65535) {
      throw new IllegalArgumentException("maxOutstanding must be 1..65535: " + maxOutstanding);
    }
  }

  public UpstreamId id() {
    return new UpstreamId(
        (udp ? "udp" : "") + (udp && tcp ? "+" : "") + (tcp ? "tcp" : "") + ":"
            + address.getAddress().getHostAddress() + "@" + address.getPort());
  }
}

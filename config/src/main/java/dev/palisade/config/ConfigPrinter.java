package dev.palisade.config;

import static dev.palisade.config.Keys.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Prints the effective config (what {@code -i} shows) in the keys {@link ConfigLoader} reads, with
 * every default spelled out, so that the output saved as a file loads back to an equal config.
 */
public final class ConfigPrinter {
  private ConfigPrinter() {}

  public static String toYaml(PalisadeConfig config) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(LISTEN_ADDRESSES, config.listenAddresses().stream().map(ListenAddress::toString).toList());
    out.put(UPSTREAMS, config.upstreams().stream().map(UpstreamSection::printUpstream).toList());
    out.put(TRANSPORTS, config.transports().stream().map(t -> TRANSPORT_PREFIX + t.name()).toList());
    out.put(TLS_AUTHENTICATION, AUTHENTICATION_PREFIX + config.tlsAuthentication().name());
    config.tlsCaFile().ifPresent(path -> out.put(TLS_CA_FILE, path.toString()));
    out.put(TIMEOUT, config.timeout().toMillis());
    out.put(IDLE_TIMEOUT, config.idleTimeout().toMillis());
    out.put(ROUND_ROBIN, config.roundRobin() ? 1 : 0);
    out.put(LOG_LEVEL, LOG_PREFIX + config.logLevel().name());
    out.put(ACCESS, config.access().stream().map(Cidr::toString).toList());
    out.put(TCP_IDLE_TIMEOUT, config.tcpIdleTimeout().toMillis());
    out.put(TCP_MAX_CONNECTIONS, config.tcpMaxConnections());
    UpstreamSection.print(config.upstreamOptions(), out);
    out.put(CACHE, CacheSection.print(config.cache()));
    out.put(POLICY, PolicySection.print(config.policy()));
    out.put(DNSSEC, EXTENSION_PREFIX + (config.dnssec().validate() ? "TRUE" : "FALSE"));
    if (!config.dnssec().trustAnchorFiles().isEmpty()) {
      out.put(DNSSEC_TRUST_ANCHORS, config.dnssec().trustAnchorFiles().stream().map(Object::toString).toList());
    }
    OperationsSection.print(config, out);
    String from = config.source()
        .map(path -> Value.printable(path.toString(), Integer.MAX_VALUE))
        .orElse("built-in defaults");
    return "# Effective configuration, from " + from + "\n" + dump().dumpToString(out);
  }

  private static Dump dump() {
    return new Dump(DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setSchema(new CoreSchema())
        .setIndent(2)
        .setIndicatorIndent(2)
        .setIndentWithIndicator(true)
        // A long path must stay on one line to read back as the same path.
        .setSplitLines(false)
        // Equal lists share one instance; print each in place, not as &id001 / *id001.
        .setDereferenceAliases(true)
        .build());
  }
}

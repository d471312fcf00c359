package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stubby.yml that Debian's stubby 1.6.0 package installs as /etc/stubby/stubby.yml, verbatim. */
class StubbyDefaultConfigTest {
  static String debianStubbyYml() throws IOException {
    try (InputStream in = StubbyDefaultConfigTest.class.getResourceAsStream("stubby-debian.yml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void debianStubbyYmlLoadsWithOnlyWarnings() throws Exception {
    LoadedConfig loaded = ConfigLoader.parse(debianStubbyYml(), "/etc/stubby/stubby.yml");
    String f = "/etc/stubby/stubby.yml:";
    // Every key of Debian's stubby.yml is implemented now: it loads without a single warning.
    assertEquals(List.of(), loaded.warnings());
    assertEquals(6, loaded.config().upstreams().stream().filter(u -> !u.pins().isEmpty()).count(), "the pins are read");
  }

  @Test
  void debianStubbyYmlMeansWhatStubbyMakesOfIt() throws Exception {
    PalisadeConfig c = ConfigLoader.parse(debianStubbyYml(), "stubby.yml").config();
    assertEquals(List.of(
        new ListenAddress(InetLiterals.parse("127.0.0.1"), 53), new ListenAddress(InetLiterals.parse("::1"), 53)),
        c.listenAddresses());
    assertEquals(List.of(
        "145.100.185.15@853#dnsovertls.sinodun.com",
        "145.100.185.16@853#dnsovertls1.sinodun.com",
        "185.49.141.37@853#getdnsapi.net",
        "2001:610:1:40ba:145:100:185:15@853#dnsovertls.sinodun.com",
        "2001:610:1:40ba:145:100:185:16@853#dnsovertls1.sinodun.com",
        "2a04:b900:0:100::38@853#getdnsapi.net"),
        c.upstreams().stream().map(UpstreamServer::label).toList());
    assertEquals(List.of(Transport.TLS), c.transports());
    assertEquals(TlsAuthentication.REQUIRED, c.tlsAuthentication());
    assertEquals(true, c.roundRobin());
    assertEquals(10_000, c.idleTimeout().toMillis());
    assertEquals(Optional.empty(), c.tlsCaFile());
  }
}

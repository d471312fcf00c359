package dev.palisade.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever the text, the loader either returns a config or throws {@link ConfigException}
 * naming the source; and whatever it returns prints to YAML that loads back to the same config.
 * Inputs are mutations of valid configs, which reach deeper into the checks than random bytes.
 */
class ConfigLoaderFuzzTest {
  private static final long SEED = 0x9A115ADEL;
  private static final int MUTANTS = 4000;
  private static final int SOUPS = 1000;

  private static final String VALID = """
      listen_addresses:
        - 127.0.0.1@5353
        - address_data: 0::1
          port: 5353
      upstream_recursive_servers:
        - address_data: 9.9.9.9
          tls_auth_name: "dns.quad9.net"
          tls_port: 853
          tls_pubkey_pinset:
            - digest: "sha256"
              value: 62lKu9HsDVbyiPenApnc4sfmSYTHOVfFgL3pyB+cBL4=
        - address_data: 2620:fe::fe
          tls_auth_name: dns.quad9.net
        - address_data: 9.9.9.9
          doh_url: https://dns.quad9.net/dns-query
      dns_transport_list: [GETDNS_TRANSPORT_TLS, GETDNS_TRANSPORT_UDP]
      tls_authentication: GETDNS_AUTHENTICATION_REQUIRED
      tls_ca_file: ca.pem
      timeout: 5000
      idle_timeout: 10000
      round_robin_upstreams: 1
      log_level: GETDNS_LOG_NOTICE
      access: [127.0.0.0/8, "::1/128", "::ffff:10.0.0.0/104"]
      tcp_idle_timeout: 10000
      tcp_max_connections: 1024
      anchors: &a {x: [1, 2]}
      reuse: *a
      cache: {size: 64MiB}
      """;

  /** YAML punctuation, edge values and key names: the pieces that change how a document parses. */
  private static final String[] TOKENS = {
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "\n", "\n  ", "  ", "\t", "#", "&a ", "*a", "*b",
    "!!str ", "!!int ", "!!map ", "!foo ", "? ", "|", ">", "'", "\"", "\\", "~", "null", "true", "on",
    "-1", "0", "65536", "99999999999999999999", "0x1F", "1e3", "1.5", "@", "@0", "/", "/129", "%",
    "%eth0", "::", "::ffff:", "[::1]", "\u0000", "\u0007", "\u00e9", "\ud800", "\ud83d\ude00", "\ufeff",
    "---", "...", "<<: *a", "%YAML 1.2\n", "listen_addresses", "upstream_recursive_servers",
    "address_data", "tls_auth_name", "tls_port", "tls_ca_file", "access", "log_level",
    "GETDNS_TRANSPORT_UDP", "GETDNS_AUTHENTICATION_NONE", "GETDNS_LOG_DEBUG", "9.9.9.9", "2620:fe::fe",
    "localhost", "../", "/dev/null", "ca.pem", "[[[[[[[[", "{a: {b: {c: [",
  };

  @TempDir Path dir;

  @Test
  void loaderReturnsAConfigOrAConfigExceptionForMutatedConfigs() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "pem");
    String name = dir.resolve("fuzz.yml").toString();
    List<String> bases = List.of(VALID, StubbyDefaultConfigTest.debianStubbyYml(),
        ConfigPrinter.toYaml(ConfigLoader.defaults()));
    // The bases themselves must load, or the mutants would only test the first error.
    for (String base : bases) {
      ConfigLoader.parse(base, name);
    }
    Random random = new Random(SEED);
    int loaded = 0;
    for (int i = 0; i < MUTANTS; i++) {
      String doc = bases.get(random.nextInt(bases.size()));
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        doc = mutate(doc, random);
      }
      loaded += check(doc, name) ? 1 : 0;
    }
    for (int i = 0; i < SOUPS; i++) {
      StringBuilder soup = new StringBuilder();
      int length = random.nextInt(40);
      for (int t = 0; t < length; t++) {
        soup.append(TOKENS[random.nextInt(TOKENS.length)]);
      }
      loaded += check(soup.toString(), name) ? 1 : 0;
    }
    // Guards the generator: if every mutant failed at parse time, the checks behind it went untested.
    assertTrue(loaded > MUTANTS / 10, "only " + loaded + " inputs loaded");
  }

  /** @return whether the document loaded */
  private static boolean check(String doc, String name) {
    try {
      PalisadeConfig config = ConfigLoader.parse(doc, name).config();
      PalisadeConfig again = ConfigLoader.parse(ConfigPrinter.toYaml(config), name).config();
      assertEquals(config, again, () -> "printed config did not load back the same; input:\n" + doc);
      return true;
    } catch (ConfigException e) {
      assertTrue(e.getMessage().startsWith(name + (e.line() > 0 ? ":" + e.line() : "") + ": "), e.getMessage());
      assertTrue(e.getMessage().lines().count() == 1, () -> "message spans lines: " + e.getMessage());
      return false;
    } catch (Throwable t) {
      fail("threw " + t + " for input:\n" + doc, t);
      return false;
    }
  }

  private static String mutate(String doc, Random random) {
    if (doc.isEmpty()) {
      return TOKENS[random.nextInt(TOKENS.length)];
    }
    int at = random.nextInt(doc.length() + 1);
    switch (random.nextInt(6)) {
      case 0: // delete a short run
        return doc.substring(0, Math.min(at, doc.length()))
            + doc.substring(Math.min(doc.length(), at + 1 + random.nextInt(10)));
      case 1: // insert a token
        return doc.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + doc.substring(at);
      case 2: // truncate
        return doc.substring(0, at);
      case 3: { // replace the value on one line
        List<String> lines = new ArrayList<>(doc.lines().toList());
        int line = random.nextInt(lines.size());
        String text = lines.get(line);
        int colon = text.indexOf(": ");
        if (colon >= 0) {
          lines.set(line, text.substring(0, colon + 2) + TOKENS[random.nextInt(TOKENS.length)]);
        }
        return String.join("\n", lines);
      }
      case 4: { // duplicate a line elsewhere
        List<String> lines = new ArrayList<>(doc.lines().toList());
        lines.add(random.nextInt(lines.size() + 1), lines.get(random.nextInt(lines.size())));
        return String.join("\n", lines);
      }
      default: { // re-indent a line
        List<String> lines = new ArrayList<>(doc.lines().toList());
        int line = random.nextInt(lines.size());
        lines.set(line, " ".repeat(random.nextInt(6)) + lines.get(line).stripLeading());
        return String.join("\n", lines);
      }
    }
  }

  @Test
  void sourceNameThatIsNotAPathIsAConfigException() {
    assertEquals("bad\u0000name: expected a source name that is a valid path",
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("timeout: 5", "bad\u0000name")).getMessage());
  }

  @Test
  void aliasBombIsRejectedNotExpanded() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 30; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [")
          .append(String.join(", ", Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
    }
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml.toString(), "bomb.yml"));
    assertEquals("valid YAML", e.expected());
  }
}

package dev.palisade.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads a Stubby-compatible YAML config into a checked {@link PalisadeConfig}. Whatever the input,
 * the only exception is {@link ConfigException}, which names the file, line and key path.
 *
 * <p>YAML 1.2 (snakeyaml-engine): {@code on}/{@code off}/{@code yes} are strings, not booleans. The
 * document is composed into a node tree rather than constructed into Java objects, so that every
 * value keeps the line it came from.
 */
public final class ConfigLoader {
  /** Far beyond any real config; bounds the memory and time one load can take. */
  private static final int MAX_SIZE = 3 * 1024 * 1024;

  private static final PalisadeConfig DEFAULTS = new PalisadeConfig(
      Optional.empty(),
      List.of(listen("127.0.0.1"), listen("::1")),
      List.of(quad9("9.9.9.9"), quad9("149.112.112.112")),
      List.of(Transport.TLS),
      TlsAuthentication.REQUIRED,
      Optional.empty(),
      Duration.ofMillis(5_000),
      Duration.ofMillis(10_000),
      true,
      LogLevel.NOTICE,
      List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")),
      Duration.ofMillis(10_000),
      1024,
      CacheConfig.DEFAULTS,
      DnssecConfig.DEFAULTS,
      PolicyConfig.DEFAULTS,
      UpstreamOptions.DEFAULTS,
      RateLimitConfig.DEFAULTS,
      false,
      MetricsConfig.DEFAULTS,
      IpSetConfig.DEFAULTS);

  private ConfigLoader() {}

  /** Reads {@code file} as UTF-8; relative paths in it resolve against its directory. */
  public static LoadedConfig load(Path file) throws ConfigException {
    String name = file.toString();
    byte[] bytes;
    String yaml;
    try (InputStream in = Files.newInputStream(file)) {
      // Bounded, so that pointing us at a huge file or a device fails here rather than in memory.
      bytes = in.readNBytes(MAX_SIZE + 1);
      yaml = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IOException e) {
      throw new ConfigException(name, 0, "", "a readable UTF-8 file", reason(e), e);
    }
    if (bytes.length > MAX_SIZE) {
      throw tooLarge(name);
    }
    return read(yaml, name, file);
  }

  /**
   * Parses config text as if it had been read from {@code sourceName}, which messages name and
   * against whose directory relative paths resolve.
   */
  public static LoadedConfig parse(String yaml, String sourceName) throws ConfigException {
    Path file;
    try {
      file = Path.of(sourceName);
    } catch (InvalidPathException e) {
      throw new ConfigException(sourceName, 0, "", "a source name that is a valid path", null, e);
    }
    return read(yaml, sourceName, file);
  }

  /** Stubby's defaults: listen on localhost port 53, Quad9 over TLS, strict authentication. */
  public static PalisadeConfig defaults() {
    return DEFAULTS;
  }

  private static LoadedConfig read(String yaml, String name, Path file) throws ConfigException {
    if (yaml.length() > MAX_SIZE) {
      throw tooLarge(name);
    }
    Source source = new Source(name, file);
    Optional<Node> root = compose(yaml, name);
    Value rootValue = root.map(node -> Value.root(source, node)).orElse(null);
    PalisadeConfig config = ConfigReader.read(rootValue, source, file);
    return new LoadedConfig(config, source.warnings());
  }

  private static Optional<Node> compose(String yaml, String name) throws ConfigException {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(name)
        .setSchema(new CoreSchema())
        // Only the constructor reads this, and we stop at the composer: Value checks duplicates.
        .setAllowDuplicateKeys(false)
        // Let non-scalar keys through to Value, which rejects them with their line.
        .setAllowNonScalarKeys(true)
        .build();
    try {
      return new Compose(settings).composeString(yaml);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
      throw syntax(name, line, e.getProblem(), e);
    } catch (ReaderException e) {
      throw syntax(name, lineAt(yaml, e.getPosition()),
          String.format("character U+%04X is not allowed", e.getCodePoint()), e);
    } catch (YamlEngineException e) {
      throw syntax(name, 0, e.getMessage(), e);
    } catch (StackOverflowError e) {
      // The composer recurses once per nesting level; a hostile file can nest deeper than the
      // stack. The stack has unwound by the time we get here, so carrying on is safe.
      throw syntax(name, 0, "nesting too deep to parse", null);
    }
  }

  private static ConfigException tooLarge(String name) {
    String expected = "a config of at most " + (MAX_SIZE >> 20) + " MiB";
    return new ConfigException(name, 0, "", expected, "a larger one", null);
  }

  private static ConfigException syntax(String name, int line, String problem, Throwable cause) {
    String actual = "a syntax error: " + Value.printable(String.valueOf(problem), 200);
    return new ConfigException(name, line, "", "valid YAML", actual, cause);
  }

  /** 1-based line of a code point offset, as the reader counts. */
  private static int lineAt(String yaml, int codePointOffset) {
    return 1 + (int) yaml.codePoints().limit(Math.max(0, codePointOffset)).filter(c -> c == '\n').count();
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "bytes that are not UTF-8";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : Value.quote(e.getMessage());
  }

  private static ListenAddress listen(String ip) {
    return new ListenAddress(InetLiterals.parse(ip), ListenAddress.DEFAULT_PORT);
  }

  private static UpstreamServer quad9(String ip) {
    return new UpstreamServer(
        InetLiterals.parse(ip), UpstreamServer.DEFAULT_TLS_PORT, Optional.of("dns.quad9.net"));
  }
}

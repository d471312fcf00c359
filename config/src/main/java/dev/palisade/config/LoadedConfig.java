package dev.palisade.config;

import java.util.List;
import java.util.Objects;

/**
 * A config that loaded, and what the loader had to say about it: keys it ignored (unknown, or
 * Stubby's that we do not implement yet), each as {@code file:line: key.path: text}, in file order.
 * The caller logs them; a config with warnings is still fully usable.
 */
public record LoadedConfig(PalisadeConfig config, List<String> warnings) {
  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    warnings = List.copyOf(warnings);
  }
}

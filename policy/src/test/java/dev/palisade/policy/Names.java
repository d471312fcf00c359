package dev.palisade.policy;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Test helper: text to an absolute dnsjava name. */
final class Names {
  private Names() {}

  static Name of(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}

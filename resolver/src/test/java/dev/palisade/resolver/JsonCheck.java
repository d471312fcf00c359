package dev.palisade.resolver;

/**
 * A strict JSON syntax check (RFC 8259), for the Grafana dashboard: no JSON library is a test
 * dependency, and a dashboard that is not JSON fails only when someone imports it.
 */
final class JsonCheck {
  private final String s;
  private int i;

  private JsonCheck(String s) {
    this.s = s;
  }

  /** Throws IllegalArgumentException, with the offset, unless {@code text} is one JSON value. */
  static void parse(String text) {
    JsonCheck p = new JsonCheck(text);
    p.value();
    p.ws();
    if (p.i != text.length()) {
      throw p.error("trailing data");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("not JSON at offset " + i + ": " + what);
  }

  private void ws() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }

  private char peek() {
    ws();
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(i);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    i++;
  }

  private void value() {
    char c = peek();
    switch (c) {
      case '{' -> {
        i++;
        if (peek() == '}') {
          i++;
          return;
        }
        do {
          string();
          expect(':');
          value();
        } while (comma());
        expect('}');
      }
      case '[' -> {
        i++;
        if (peek() == ']') {
          i++;
          return;
        }
        do {
          value();
        } while (comma());
        expect(']');
      }
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    }
  }

  private boolean comma() {
    if (peek() == ',') {
      i++;
      return true;
    }
    return false;
  }

  private void literal(String word) {
    if (!s.startsWith(word, i)) {
      throw error("expected " + word);
    }
    i += word.length();
  }

  private void string() {
    expect('"');
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return;
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c == '\\') {
        char e = s.charAt(i++);
        if (e == 'u') {
          for (int k = 0; k < 4; k++) {
            if (Character.digit(s.charAt(i++), 16) < 0) {
              throw error("bad \\u escape");
            }
          }
        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
          throw error("bad escape");
        }
      }
    }
  }

  private void number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    if (!s.substring(start, i).matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
      throw error("bad value");
    }
  }
}

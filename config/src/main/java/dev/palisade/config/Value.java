package dev.palisade.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML node with the key path that reached it and the line to blame, so that every typed read
 * can fail with a message naming all three.
 *
 * <p>Reads go by the text of scalars, not by the tag YAML resolved: {@code tls_port: "853"} is a
 * port, and {@code tls_auth_name: 1.1} is a name. Explicit tags are ignored, as in Stubby.
 */
final class Value {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d{1,18}");
  private static final Pattern NUMBER = Pattern.compile("[-+]?\\d{1,15}(\\.\\d{1,15})?");
  private static final int MAX_QUOTED = 60;

  private final Source source;
  private final Node node;
  private final String path;
  private final int line;

  private Value(Source source, Node node, String path, int line) {
    this.source = source;
    this.node = node;
    this.path = path;
    this.line = line;
  }

  static Value root(Source source, Node node) {
    return new Value(source, node, "", lineOf(node));
  }

  String path() {
    return path;
  }

  boolean isNull() {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  boolean isMapping() {
    return node instanceof MappingNode;
  }

  boolean isList() {
    return node instanceof SequenceNode;
  }

  void warn(String text) {
    source.warn(line, path, text);
  }

  /** Fails here, describing what the node holds. */
  ConfigException fail(String expected) {
    return fail(expected, describe());
  }

  /** @param actual already quoted or described; null for none */
  ConfigException fail(String expected, String actual) {
    return source.error(line, path, expected, actual);
  }

  /** The text of a scalar that is not null. */
  String text(String expected) throws ConfigException {
    if (!(node instanceof ScalarNode) || isNull()) {
      throw fail(expected);
    }
    return ((ScalarNode) node).getValue();
  }

  /** A decimal integer in {@code min..max}; YAML 1.2's hex and octal forms are not accepted. */
  long integer(long min, long max, String expected) throws ConfigException {
    String text = text(expected).trim();
    if (!DECIMAL.matcher(text).matches()) {
      throw fail(expected);
    }
    long n = Long.parseLong(text);
    if (n < min || n > max) {
      throw fail(expected);
    }
    return n;
  }

  /** A decimal number (integer or fraction) in {@code min..max}. */
  double number(double min, double max, String expected) throws ConfigException {
    String text = text(expected).trim();
    if (!NUMBER.matcher(text).matches()) {
      throw fail(expected);
    }
    double n = Double.parseDouble(text);
    if (!(n >= min && n <= max)) {
      throw fail(expected);
    }
    return n;
  }

  /** Stubby's {@code 1}/{@code 0}, or YAML's {@code true}/{@code false}. */
  boolean flag(String expected) throws ConfigException {
    String text = text(expected).trim();
    if (text.equals("1") || text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equals("0") || text.equalsIgnoreCase("false")) {
      return false;
    }
    throw fail(expected);
  }

  /** The items of a sequence, which must not be empty: no list key means "none" in this config. */
  List<Value> list(String expected) throws ConfigException {
    List<Value> values = listOrEmpty(expected);
    if (values.isEmpty()) {
      throw fail(expected, "an empty list");
    }
    return values;
  }

  /** The items of a sequence, possibly none (for lists where empty means "nothing", like allow: []). */
  List<Value> listOrEmpty(String expected) throws ConfigException {
    if (!(node instanceof SequenceNode)) {
      throw fail(expected);
    }
    List<Node> items = ((SequenceNode) node).getValue();
    List<Value> values = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      values.add(new Value(source, item, path + "[" + i + "]", lineOf(item)));
    }
    return values;
  }

  /**
   * The entries of a mapping, in file order, each blamed on the line of its key. Rejects
   * duplicate keys here because the composer, unlike the constructor, does not check them.
   */
  Map<String, Value> mapping(String expected) throws ConfigException {
    if (!(node instanceof MappingNode)) {
      throw fail(expected);
    }
    Map<String, Value> entries = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      Node keyNode = tuple.getKeyNode();
      int keyLine = lineOf(keyNode);
      if (!(keyNode instanceof ScalarNode)) {
        Value key = new Value(source, keyNode, path, keyLine);
        throw key.fail("a key that is a name");
      }
      String key = ((ScalarNode) keyNode).getValue();
      Value value = new Value(source, tuple.getValueNode(), child(key), keyLine);
      Integer previous = firstLine.putIfAbsent(key, keyLine);
      if (previous != null) {
        throw value.fail("each key once", "a duplicate key (first on line " + previous + ")");
      }
      entries.put(key, value);
    }
    return entries;
  }

  private String child(String key) {
    String name = PLAIN_KEY.matcher(key).matches() ? key : quote(key);
    return path.isEmpty() ? name : path + "." + name;
  }

  private String describe() {
    if (isNull()) {
      return "nothing";
    }
    if (node instanceof ScalarNode) {
      return quote(((ScalarNode) node).getValue());
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return node instanceof MappingNode ? "a mapping" : "a " + node.getNodeType();
  }

  /** Text from the config, in double quotes for a message; see {@link #printable}. */
  static String quote(String text) {
    return '"' + printable(text.replace("\\", "\\\\").replace("\"", "\\\""), MAX_QUOTED) + '"';
  }

  /**
   * Text from the config made safe for a message: control characters escaped, so a hostile file
   * cannot forge log lines, and anything past {@code max} code points cut off.
   */
  static String printable(String text, int max) {
    StringBuilder out = new StringBuilder();
    text.codePoints().limit(max).forEach(c -> {
      if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    if (text.codePointCount(0, text.length()) > max) {
      out.append("...");
    }
    return out.toString();
  }

  private static int lineOf(Node node) {
    return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
  }
}

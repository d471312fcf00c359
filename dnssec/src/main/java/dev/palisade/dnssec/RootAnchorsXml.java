package dev.palisade.dnssec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xml.sax.SAXException;

/**
 * RFC 7958 §2 {@code root-anchors.xml}: a TrustAnchor element with a Zone and KeyDigest entries,
 * each a DS record (KeyTag, Algorithm, DigestType, Digest) valid from {@code validFrom} until
 * {@code validUntil} (absent: no end). RFC 9718 adds optional PublicKey and Flags elements, which
 * are not needed to build the DS and are ignored.
 */
final class RootAnchorsXml {
  /** Anchors from the file live as long as the process; the TTL only matters to dnsjava's cache of them. */
  private static final long TTL = 172800;

  private RootAnchorsXml() {}

  /** The DS records of the entries valid at {@code now}; at least one, or an exception naming the file. */
  static List<Record> parse(byte[] xml, Instant now, Path file) throws TrustAnchorException {
    Element root = document(xml, file).getDocumentElement();
    if (!"TrustAnchor".equals(root.getTagName())) {
      throw new TrustAnchorException(file + ": not an RFC 7958 file: the top element is <" + root.getTagName()
          + ">, not <TrustAnchor>");
    }
    Name zone = zone(text(root, "Zone", file), file);
    NodeList digests = root.getElementsByTagName("KeyDigest");
    if (digests.getLength() == 0) {
      throw new TrustAnchorException(file + ": has no <KeyDigest> entry");
    }
    List<Record> valid = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (int i = 0; i < digests.getLength(); i++) {
      Element entry = (Element) digests.item(i);
      String id = entry.getAttribute("id");
      Instant from = time(entry, "validFrom", file, id);
      Instant until = entry.hasAttribute("validUntil") ? time(entry, "validUntil", file, id) : null;
      DSRecord ds = ds(zone, entry, file, id);
      if (from == null) {
        throw new TrustAnchorException(file + ": KeyDigest " + id + " has no validFrom (RFC 7958 §2.2 requires it)");
      }
      if (now.isBefore(from)) {
        rejected.add("key tag " + ds.getFootprint() + " not valid before " + from);
      } else if (until != null && !now.isBefore(until)) {
        rejected.add("key tag " + ds.getFootprint() + " expired " + until);
      } else {
        valid.add(ds);
      }
    }
    if (valid.isEmpty()) {
      throw new TrustAnchorException(file + ": none of its " + digests.getLength()
          + " KeyDigest entries is valid at " + now + " (" + String.join("; ", rejected) + ")");
    }
    return valid;
  }

  private static Document document(byte[] xml, Path file) throws TrustAnchorException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      // The file comes from outside: no DTDs, no external entities, no XInclude (XXE).
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a secure-processing feature", e);
    } catch (SAXException | IOException e) {
      throw new TrustAnchorException(file + ": not well-formed XML: " + e.getMessage(), e);
    }
  }

  private static DSRecord ds(Name zone, Element entry, Path file, String id) throws TrustAnchorException {
    String where = file + ": KeyDigest " + id;
    int keyTag = number(text(entry, "KeyTag", file), 0xFFFF, where + " KeyTag");
    int algorithm = number(text(entry, "Algorithm", file), 0xFF, where + " Algorithm");
    int digestType = number(text(entry, "DigestType", file), 0xFF, where + " DigestType");
    byte[] digest;
    try {
      digest = HexFormat.of().parseHex(text(entry, "Digest", file).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new TrustAnchorException(where + " Digest is not hexadecimal", e);
    }
    if (digest.length == 0) {
      throw new TrustAnchorException(where + " Digest is empty");
    }
    return new DSRecord(zone, DClass.IN, TTL, keyTag, algorithm, digestType, digest);
  }

  private static String text(Element parent, String tag, Path file) throws TrustAnchorException {
    NodeList nodes = parent.getElementsByTagName(tag);
    if (nodes.getLength() == 0) {
      throw new TrustAnchorException(file + ": <" + parent.getTagName() + "> lacks <" + tag + ">");
    }
    return nodes.item(0).getTextContent().strip();
  }

  private static Name zone(String text, Path file) throws TrustAnchorException {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      throw new TrustAnchorException(file + ": <Zone> is not a domain name: " + text, e);
    }
  }

  private static int number(String text, int max, String what) throws TrustAnchorException {
    try {
      int value = Integer.parseInt(text);
      if (value < 0 || value > max) {
        throw new TrustAnchorException(what + " out of range 0.." + max + ": " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new TrustAnchorException(what + " is not a number: " + text, e);
    }
  }

  /** An xsd:dateTime; without an offset it is taken as UTC, as IANA's files always mean. */
  private static Instant time(Element entry, String attribute, Path file, String id) throws TrustAnchorException {
    if (!entry.hasAttribute(attribute)) {
      return null;
    }
    String text = entry.getAttribute(attribute).strip();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw new TrustAnchorException(file + ": KeyDigest " + id + " " + attribute + " is not a date-time: " + text, e);
      }
    }
  }
}

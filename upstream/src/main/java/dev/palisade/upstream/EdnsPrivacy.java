package dev.palisade.upstream;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;

/**
 * The EDNS(0) options we add to a re-originated query as it goes on the wire of an encrypted
 * transport: padding and, when asked, a "do not send my subnet" Client Subnet option. Applied by the
 * DoT and DoH transports, never by plain UDP/TCP (RFC 7830 section 6: padding without encryption is
 * pointless), after {@link Reorigination} has dropped every option the client sent.
 *
 * @param paddingBlockSize {@code tls_query_padding_blocksize}: pad each query to a multiple of this
 *     many octets (RFC 8467 section 4.1, block-length padding; 128 recommended for queries). 0: no
 *     padding; 1: Stubby's "sensible default", 128
 * @param ecsPrivate {@code edns_client_subnet_private}: send an ECS option with source prefix 0
 *     (RFC 7871 section 7.1.2), which tells the resolver not to add the client's subnet to its own
 *     queries; the family follows the upstream's address, as getdns does
 */
public record EdnsPrivacy(int paddingBlockSize, boolean ecsPrivate) {

  /** RFC 8467 section 4.1: the recommended query block size. */
  public static final int DEFAULT_BLOCK_SIZE = 128;

  /** Padding to 128-octet blocks, no ECS: Stubby's defaults. */
  public static final EdnsPrivacy DEFAULT = new EdnsPrivacy(DEFAULT_BLOCK_SIZE, false);

  /** Nothing added. */
  public static final EdnsPrivacy NONE = new EdnsPrivacy(0, false);

  public EdnsPrivacy {
    if (paddingBlockSize < 0 || paddingBlockSize > 4096) {
      throw new IllegalArgumentException("tls_query_padding_blocksize must be 0..4096: " + paddingBlockSize);
    }
    if (paddingBlockSize == 1) {
      paddingBlockSize = DEFAULT_BLOCK_SIZE; // getdns: 1 means "use a sensible default policy"
    }
  }

  /**
   * The wire form of {@code query} with our options added to its OPT record (one is added if it has
   * none). {@code query} itself is not changed. The message ID on the wire is the query's; transports
   * overwrite those two octets, which does not change the length.
   *
   * @param ipv6Upstream the family of the ECS option (RFC 7871 section 6: FAMILY SHOULD be set even
   *     with prefix 0)
   */
  public byte[] wire(Message query, boolean ipv6Upstream) {
    if (paddingBlockSize == 0 && !ecsPrivate) {
      return query.toWire();
    }
    Message m = query.clone();
    OPTRecord opt = m.getOPT();
    List<EDNSOption> options = new ArrayList<>();
    int payload = Reorigination.EDNS_PAYLOAD;
    int xrcode = 0;
    int version = 0;
    int flags = 0;
    if (opt != null) {
      m.removeRecord(opt, Section.ADDITIONAL);
      options.addAll(opt.getOptions());
      payload = opt.getPayloadSize();
      xrcode = opt.getExtendedRcode();
      version = opt.getVersion();
      flags = opt.getFlags();
    }
    if (ecsPrivate) {
      options.add(new ClientSubnetOption(0, 0, ipv6Upstream ? ANY6 : ANY4));
    }
    if (paddingBlockSize == 0) {
      m.addRecord(new OPTRecord(payload, xrcode, version, flags, options), Section.ADDITIONAL);
      return m.toWire();
    }
    // Measure with an empty padding option (its 4-octet header counts), then fill the block.
    List<EDNSOption> measured = new ArrayList<>(options);
    measured.add(new GenericEDNSOption(EDNSOption.Code.PADDING, new byte[0]));
    OPTRecord probe = new OPTRecord(payload, xrcode, version, flags, measured);
    m.addRecord(probe, Section.ADDITIONAL);
    int length = m.toWire().length;
    m.removeRecord(probe, Section.ADDITIONAL);
    int pad = (paddingBlockSize - length % paddingBlockSize) % paddingBlockSize;
    // RFC 7830 section 4: the padding octets SHOULD be zero.
    options.add(new GenericEDNSOption(EDNSOption.Code.PADDING, new byte[pad]));
    m.addRecord(new OPTRecord(payload, xrcode, version, flags, options), Section.ADDITIONAL);
    return m.toWire();
  }

  private static final InetAddress ANY4 = literal(new byte[4]);
  private static final InetAddress ANY6 = literal(new byte[16]);

  private static InetAddress literal(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}

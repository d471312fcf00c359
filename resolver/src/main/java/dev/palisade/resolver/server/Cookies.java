package dev.palisade.resolver.server;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * DNS Cookies (RFC 7873), server side, with the interoperable server cookie of RFC 9018: version 1,
 * three reserved bytes, a 32-bit timestamp (seconds) and SipHash-2-4 over client cookie, version,
 * reserved, timestamp and client address, keyed with a secret drawn at start. A server cookie proves
 * that the client received an earlier reply at its address, so it cannot be a spoofed victim.
 */
public final class Cookies {

  /** RFC 7873 section 4: the COOKIE option's code. */
  public static final int OPTION_CODE = 10;

  /** RFC 7873 section 8: BADCOOKIE. */
  public static final int BADCOOKIE = 23;

  static final int CLIENT_COOKIE_LENGTH = 8;
  static final int SERVER_COOKIE_LENGTH = 16;

  /** RFC 9018 section 4.3: a cookie older than this is no longer valid ... */
  private static final long MAX_AGE_SECONDS = 3600;
  /** ... one from further in the future than this neither ... */
  private static final long MAX_SKEW_SECONDS = 300;
  /** ... and one older than this is replaced by a fresh one in the reply. */
  private static final long REFRESH_AFTER_SECONDS = 1800;

  private final byte[] secret;
  private final Clock clock;

  public Cookies(SecureRandom random, Clock clock) {
    this(randomSecret(random), clock);
  }

  Cookies(byte[] secret, Clock clock) {
    if (secret.length != 16) {
      throw new IllegalArgumentException("SipHash-2-4 takes a 128-bit key");
    }
    this.secret = secret.clone();
    this.clock = clock;
  }

  private static byte[] randomSecret(SecureRandom random) {
    byte[] s = new byte[16];
    random.nextBytes(s);
    return s;
  }

  /** What a query's COOKIE option says. */
  enum Status {
    /** No COOKIE option. */
    ABSENT,
    /** Length not 8 and not 16..40 (RFC 7873 section 5.2.2): FORMERR. */
    MALFORMED,
    /** A client cookie only, or with a server cookie we did not make (or made too long ago). */
    CLIENT_ONLY,
    /** A client cookie with a valid server cookie of ours. */
    VALID
  }

  /** A parsed COOKIE option and the server cookie to send back. */
  record Check(Status status, byte[] clientCookie, byte[] reply) {}

  /** Most queries carry no cookie: one shared answer for them, nothing allocated per query. */
  private static final Check ABSENT = new Check(Status.ABSENT, null, null);

  /** Checks the COOKIE option {@code option} (null when absent) sent from {@code client}. */
  Check check(byte[] option, InetAddress client) {
    if (option == null) {
      return ABSENT;
    }
    int n = option.length;
    if (n != CLIENT_COOKIE_LENGTH && (n < 16 || n > 40)) {
      return new Check(Status.MALFORMED, null, null);
    }
    byte[] clientCookie = Arrays.copyOf(option, CLIENT_COOKIE_LENGTH);
    long now = clock.instant().getEpochSecond();
    if (n == CLIENT_COOKIE_LENGTH + SERVER_COOKIE_LENGTH && option[8] == 1) {
      long ts = readUint32(option, 12);
      // Serial number arithmetic on 32-bit seconds (RFC 1982), as RFC 9018 section 4.3 asks.
      long age = (int) ((now & 0xFFFFFFFFL) - ts);
      if (age <= MAX_AGE_SECONDS && age >= -MAX_SKEW_SECONDS) {
        byte[] expected = serverCookie(clientCookie, ts, client);
        if (java.security.MessageDigest.isEqual(expected, Arrays.copyOfRange(option, 8, n))) {
          byte[] reply = age > REFRESH_AFTER_SECONDS ? option(clientCookie, serverCookie(clientCookie, now, client)) : option.clone();
          return new Check(Status.VALID, clientCookie, reply);
        }
      }
    }
    return new Check(Status.CLIENT_ONLY, clientCookie, option(clientCookie, serverCookie(clientCookie, now, client)));
  }

  /** The RFC 9018 server cookie for {@code clientCookie} at {@code timestamp} for {@code client}. */
  byte[] serverCookie(byte[] clientCookie, long timestamp, InetAddress client) {
    byte[] ip = client.getAddress();
    byte[] input = new byte[CLIENT_COOKIE_LENGTH + 8 + ip.length];
    System.arraycopy(clientCookie, 0, input, 0, CLIENT_COOKIE_LENGTH);
    input[8] = 1; // version; bytes 9..11 reserved, zero
    writeUint32(input, 12, timestamp);
    System.arraycopy(ip, 0, input, 16, ip.length);
    SipHash mac = new SipHash(2, 4);
    mac.init(new KeyParameter(secret));
    mac.update(input, 0, input.length);
    byte[] out = new byte[SERVER_COOKIE_LENGTH];
    System.arraycopy(input, 8, out, 0, 8);
    mac.doFinal(out, 8);
    return out;
  }

  private static byte[] option(byte[] clientCookie, byte[] serverCookie) {
    byte[] o = new byte[CLIENT_COOKIE_LENGTH + serverCookie.length];
    System.arraycopy(clientCookie, 0, o, 0, CLIENT_COOKIE_LENGTH);
    System.arraycopy(serverCookie, 0, o, CLIENT_COOKIE_LENGTH, serverCookie.length);
    return o;
  }

  private static long readUint32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
  }

  private static void writeUint32(byte[] b, int at, long v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}

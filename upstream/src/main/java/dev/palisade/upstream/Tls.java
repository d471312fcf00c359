package dev.palisade.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of one upstream: one {@link SslContext} built once and reused for every connection,
 * so that the engine's client session cache (keyed by peer host and port) can resume sessions
 * across reconnects (RFC 8446 section 2.2; RFC 7858 section 3.4 recommends resumption).
 *
 * <p>Certificates are checked in the trust manager, during the handshake, so a failed check never
 * lets a query out:
 *
 * <ul>
 *   <li>no pins, authenticate: PKIX to the CA file or the system store, and the auth name
 *       (endpoint identification "HTTPS", RFC 6125 rules as the JDK applies them);
 *   <li>pins (getdns semantics, see {@link PinSet}): a certificate in the presented chain must
 *       match a pin; that certificate becomes the only trust anchor, the chain from the leaf up to
 *       it must verify (signatures; dates below the anchor), and the auth name is checked when
 *       there is one. The CA store is not consulted: as with DANE-TA/DANE-EE in getdns, the pins
 *       replace it. No auth name: no name check, the pin alone authenticates;
 *   <li>no pins, not authenticated: anything is accepted (opportunistic, warned by the caller).
 * </ul>
 */
final class Tls {

  private final TlsSettings settings;
  private final SslContext context;
  /**
   * Certificate checks so far. A handshake during which this did not move was resumed: the server
   * sent no certificate. (Counting is engine-neutral; Netty wraps JDK engines for ALPN, so the
   * engine the trust manager sees is not always the handler's.)
   */
  private final AtomicLong verifications = new AtomicLong();

  /**
   * @param alpn protocols to offer (DoH: {@code h2}); empty: no ALPN extension
   */
  Tls(TlsSettings settings, List<String> alpn, String what) {
    this.settings = settings;
    try {
      SslContextBuilder b =
          SslContextBuilder.forClient()
              .sslProvider(settings.engine() == TlsEngine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK)
              .protocols(protocols(settings))
              .trustManager(new RecordingTrustManager(trustManager(settings)))
              // Names are checked by the trust manager with the engine's endpoint identification.
              .endpointIdentificationAlgorithm(settings.checksName() ? "HTTPS" : null);
      if (!settings.cipherSuites().isEmpty()) {
        b.ciphers(settings.cipherSuites());
      }
      if (!alpn.isEmpty()) {
        b.applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                alpn));
      }
      this.context = b.build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + what + ": " + e.getMessage(), e);
    }
  }

  TlsSettings settings() {
    return settings;
  }

  private static List<String> protocols(TlsSettings s) {
    List<String> p = new ArrayList<>();
    for (TlsVersion v : TlsVersion.values()) {
      if (v.compareTo(s.minVersion()) >= 0 && v.compareTo(s.maxVersion()) <= 0) {
        p.add(v.protocol());
      }
    }
    return p;
  }

  /**
   * A handler for a new connection to {@code address}. The peer host given to the engine is the
   * auth name when there is one (it drives SNI and the name check), else the IP literal (no SNI is
   * sent for an IP); with the port it is also the session cache's key.
   */
  SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress address, long handshakeTimeoutMillis) {
    String host = settings.authName().orElse(address.getAddress().getHostAddress());
    SslHandler h = context.newHandler(alloc, host, address.getPort());
    h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return h;
  }

  /** How many certificate chains were checked so far (a resumed handshake checks none). */
  long verifications() {
    return verifications.get();
  }

  private static X509ExtendedTrustManager trustManager(TlsSettings s) throws GeneralSecurityException, IOException {
    if (!s.pins().isEmpty()) {
      return new PinningTrustManager(s.pins());
    }
    if (!s.authenticate()) {
      return new AcceptAny();
    }
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (s.caFile().isPresent()) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (InputStream in = Files.newInputStream(s.caFile().get())) {
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw new CertificateException("no certificate in " + s.caFile().get());
      }
      f.init(ks);
    } else {
      f.init((KeyStore) null);
    }
    return x509(f.getTrustManagers());
  }

  static X509ExtendedTrustManager x509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509ExtendedTrustManager");
  }

  /** Pins as getdns uses them: DANE-EE (usage 3) or DANE-TA (usage 2), selector SPKI, SHA-256. */
  static final class PinningTrustManager extends ServerCheckOnly {
    private final PinSet pins;

    PinningTrustManager(PinSet pins) {
      this.pins = pins;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      anchored(chain).checkServerTrusted(below(chain), authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      anchored(chain).checkServerTrusted(below(chain), authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      anchored(chain).checkServerTrusted(below(chain), authType);
    }

    private int match(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("the server sent no certificate");
      }
      for (int i = 0; i < chain.length; i++) {
        if (pins.matches(chain[i])) {
          return i;
        }
      }
      throw new CertificateException("pinset validation failure: no certificate in the server's chain matches a pin");
    }

    /** The chain from the leaf up to and including the pinned certificate. */
    private X509Certificate[] below(X509Certificate[] chain) throws CertificateException {
      return Arrays.copyOf(chain, match(chain) + 1);
    }

    /** A PKIX trust manager whose only anchor is the pinned certificate. */
    private X509ExtendedTrustManager anchored(X509Certificate[] chain) throws CertificateException {
      X509Certificate anchor = chain[match(chain)];
      try {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("pin", anchor);
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(ks);
        return x509(f.getTrustManagers());
      } catch (GeneralSecurityException | IOException e) {
        throw new CertificateException("cannot check the pinned chain: " + e.getMessage(), e);
      }
    }

  }

  /**
   * The client half of a trust manager for one that only ever checks servers: we never accept TLS
   * clients on these connections.
   */
  abstract static class ServerCheckOnly extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** GETDNS_AUTHENTICATION_NONE without pins: encrypted, not authenticated. */
  static final class AcceptAny extends ServerCheckOnly {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

  }

  /** Notes which engines checked a certificate, to tell a resumed handshake from a full one. */
  private final class RecordingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    RecordingTrustManager(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
      verifications.incrementAndGet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
      verifications.incrementAndGet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}

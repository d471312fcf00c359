package dev.palisade.upstream.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class UnboundServerTest {
  @TempDir Path dir;
  private TestCa ca;
  private TestCa.ServerCert cert;

  @BeforeEach
  void issueServerCertificate() {
    ca = TestCa.create(dir.resolve("ca"));
    cert = ca.issue("dns", "dns.test", "127.0.0.1");
  }

  private UnboundServer.Builder exampleTest() {
    return UnboundServer.builder()
        .tls(cert)
        .localZone("example.test.", "static")
        .localData("example.test. 300 IN A 127.0.0.53");
  }

  @Test
  void answersLocalDataOverDotToAClientThatTrustsTheTestCa() {
    try (UnboundServer unbound = exampleTest().build().start()) {
      DigResult result =
          Kdig.queryTls(unbound.address(), unbound.dotPort(), ca.caFile(), "dns.test", "example.test.", "A");

      assertEquals("NOERROR", result.status(), result::toString);
      assertEquals(List.of("127.0.0.53"), result.answersOf("A"), result::toString);
    }
  }

  @Test
  void answersLocalDataOverPlainUdpAndTcp() {
    try (UnboundServer unbound = exampleTest().build().start()) {
      for (String transport : List.of("+notcp", "+tcp")) {
        DigResult result = Dig.query(unbound.address(), unbound.plainPort(), "example.test.", "A", transport);

        assertEquals("NOERROR", result.status(), result::toString);
        assertTrue(result.hasFlag("aa"), result::toString);
        assertEquals(List.of("127.0.0.53"), result.answersOf("A"), result::toString);
      }
    }
  }

  @Test
  void failsTheHandshakeOfADotClientThatTrustsAnUnrelatedCa() {
    TestCa unrelated = TestCa.create(dir.resolve("unrelated"));
    try (UnboundServer unbound = exampleTest().build().start()) {
      DigResult result =
          Kdig.queryTls(unbound.address(), unbound.dotPort(), unrelated.caFile(), "dns.test", "example.test.", "A");

      assertFalse(result.replied(), result::toString);
      assertTrue(result.output().contains("TLS"), result::toString); // a failed handshake, not a refused connection
    }
  }

  @Test
  void refusesNamesOutsideItsLocalZonesWithoutRecursing() {
    try (UnboundServer unbound = exampleTest().build().start()) {
      for (String name : List.of("example.com.", "other.test.")) {
        DigResult result = Dig.query(unbound.address(), unbound.plainPort(), name, "A");

        assertEquals("REFUSED", result.status(), result::toString);
      }
    }
  }

  @Test
  void answersAgainOnTheSamePortsAfterStopAndStart() {
    try (UnboundServer unbound = exampleTest().build().start()) {
      unbound.stop();
      assertFalse(Dig.query(unbound.address(), unbound.plainPort(), "example.test.", "A", "+time=1").replied());

      unbound.start();
      DigResult result =
          Kdig.queryTls(unbound.address(), unbound.dotPort(), ca.caFile(), "dns.test", "example.test.", "A");
      assertEquals(List.of("127.0.0.53"), result.answersOf("A"), result::toString);
    }
  }

  /** The resolver's reconnect test relies on this: the upstream hangs up and must be redialled. */
  @Test
  void closesAnIdleTlsConnectionAfterItsTcpIdleTimeout() throws IOException {
    try (UnboundServer unbound = exampleTest().tcpIdleTimeoutMillis(1000).build().start();
        SSLSocket tls = connectTls(unbound)) {
      Message reply = exchange(tls, Message.newQuery(Record.newRecord(
          Name.fromConstantString("example.test."), Type.A, DClass.IN)));
      assertEquals("127.0.0.53", ((ARecord) reply.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());

      tls.setSoTimeout(15_000); // a guard against hanging, far above the 1 s idle timeout
      assertEquals(-1, tls.getInputStream().read(), "unbound should close the idle connection");
    }
  }

  @Test
  void reportsUnboundsOutputWhenItCannotStart() {
    try (UnboundServer unbound = exampleTest().extraConfig("no-such-option: yes").build()) {
      IllegalStateException failure = assertThrows(IllegalStateException.class, unbound::start);

      assertTrue(failure.getMessage().contains("no-such-option"), failure::getMessage);
      assertFalse(unbound.isRunning());
    }
  }

  /** A JDK TLS client that checks the certificate's name and chain, as the resolver will. */
  private SSLSocket connectTls(UnboundServer unbound) throws IOException {
    Socket tcp = new Socket();
    tcp.connect(new InetSocketAddress(unbound.address(), unbound.dotPort()), 5_000);
    SSLSocket tls = (SSLSocket) ca.clientSslContext().getSocketFactory().createSocket(tcp, "dns.test", unbound.dotPort(), true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    tls.setSSLParameters(parameters);
    tls.setSoTimeout(5_000);
    tls.startHandshake();
    return tls;
  }

  /** One DNS message over TCP framing (RFC 1035 4.2.2: a two-byte length before each message). */
  private static Message exchange(Socket socket, Message query) throws IOException {
    byte[] wire = query.toWire();
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeShort(wire.length);
    out.write(wire);
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] reply = new byte[in.readUnsignedShort()];
    in.readFully(reply);
    return new Message(reply);
  }
}

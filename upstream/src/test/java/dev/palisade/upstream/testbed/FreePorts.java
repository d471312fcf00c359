package dev.palisade.upstream.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports that are free for both TCP and UDP on a loopback address. DNS servers bind both
 * protocols on a port (unbound even binds UDP on its DoT port), so a port free for TCP alone
 * is not enough.
 */
public final class FreePorts {
  private static final int MAX_TRIES = 50;

  private FreePorts() {}

  /** One port free for TCP and UDP on {@code address} (a loopback literal). */
  public static int find(String address) {
    return find(address, 1)[0];
  }

  /**
   * {@code count} distinct ports free for TCP and UDP on {@code address}. All are held open
   * until the last is found, so the kernel cannot hand out the same one twice. Another process
   * may still take a port after this returns; that is rare and makes a server fail to start
   * with "Address already in use" in its log.
   */
  public static int[] find(String address, int count) {
    InetAddress host = Loopback.require(address);
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[count];
    try {
      for (int i = 0, tries = 0; i < count; tries++) {
        if (tries == MAX_TRIES) {
          throw new IllegalStateException("no port free for both TCP and UDP on " + address);
        }
        ServerSocket tcp = new ServerSocket();
        held.add(tcp);
        tcp.bind(new InetSocketAddress(host, 0));
        try {
          held.add(new DatagramSocket(new InetSocketAddress(host, tcp.getLocalPort())));
          ports[i++] = tcp.getLocalPort();
        } catch (SocketException udpTaken) {
          // the kernel chose a TCP port whose UDP twin is in use: keep it held and try another
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (AutoCloseable socket : held) {
        try {
          socket.close();
        } catch (Exception ignored) {
          // closing a probe socket cannot fail in a way that matters here
        }
      }
    }
  }
}

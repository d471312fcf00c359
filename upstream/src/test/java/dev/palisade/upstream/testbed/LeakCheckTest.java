package dev.palisade.upstream.testbed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LeakCheckTest {

  @Test
  void aBufferNeverReleasedIsReportedAsALeak() throws Exception {
    Assumptions.assumeTrue(LeakRecorder.installed(), "runs under the parent pom's argLine");
    leak();
    List<String> leaks = List.of();
    for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
      leaks = LeakCheck.collect();
    }
    assertTrue(leaks.stream().anyMatch(l -> l.startsWith("LEAK: ByteBuf")), leaks.toString());
  }

  private static void leak() {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    b.writeLong(42);
    // never released
  }
}

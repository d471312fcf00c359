package dev.palisade.upstream.testbed;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class in which Netty reported a leaked buffer. Registered for every test class by
 * JUnit's extension auto-detection (META-INF/services; enabled in the parent pom). Netty reports a
 * leak when it next tracks an allocation after the garbage collector found the leaked buffer
 * unreachable, so after each class: collect, allocate a few tracked buffers, then look.
 */
public final class LeakCheck implements AfterAllCallback {

  /** Lets the collector find unreachable buffers, makes Netty look, and returns (and forgets) its reports. */
  public static List<String> collect() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 64; j++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        a.release();
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        b.release();
      }
    }
    return LeakRecorder.drain();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (!LeakRecorder.installed()) {
      return;
    }
    List<String> leaks = collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported " + leaks.size() + " leaked buffer(s) in " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
    }
  }
}

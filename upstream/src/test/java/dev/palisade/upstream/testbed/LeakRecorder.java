package dev.palisade.upstream.testbed;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector, recording every leak report so that {@link LeakCheck} can fail the test
 * class that leaked. Installed for every test JVM by the parent pom's surefire/failsafe argLine
 * ({@code -Dio.netty.customResourceLeakDetector}, with {@code -Dio.netty.leakDetection.level=paranoid}).
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {

  private static final List<String> REPORTS = new ArrayList<>();

  public LeakRecorder(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  /** Netty also looks for this older signature, and logs an error when it is missing. */
  public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record("LEAK: " + resourceType + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record("LEAK: " + resourceType + " (untraced)");
    super.reportUntracedLeak(resourceType);
  }

  private static void record(String report) {
    synchronized (REPORTS) {
      REPORTS.add(report);
    }
  }

  /** The reports since the last call, and forgets them. */
  public static List<String> drain() {
    synchronized (REPORTS) {
      List<String> out = List.copyOf(REPORTS);
      REPORTS.clear();
      return out;
    }
  }

  /** Whether Netty actually uses this detector (the argLine may be missing, e.g. in an IDE). */
  public static boolean installed() {
    return LeakRecorder.class.getName().equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }
}

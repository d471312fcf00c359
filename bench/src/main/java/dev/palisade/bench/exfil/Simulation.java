package dev.palisade.bench.exfil;

import dev.palisade.policy.Decision;
import dev.palisade.policy.LexicalModel;
import dev.palisade.policy.PolicyEngine;
import dev.palisade.policy.PolicyListener;
import dev.palisade.policy.PolicySettings;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/** Runs one tool against a fresh engine on a simulated clock and measures what got through. */
final class Simulation {
  static final long MINUTE = 60 * Tool.SECOND;
  static final String CLIENT = "192.0.2.7";

  /** What a run measured. */
  record Result(
      String tool,
      long queries,
      long dataQueries,
      long dataRefused,
      double bitsThrough,
      double maxHourBitsPerDomain,
      double maxDayBitsPerDomain,
      double maxHourBitsAllDomains,
      int domains,
      Map<dev.palisade.policy.Layer, Long> refusalsByLayer,
      long alerts) {

    double refusedShare() {
      return dataQueries == 0 ? 1 : (double) dataRefused / dataQueries;
    }
  }

  private Simulation() {}

  static Result run(Tool tool, PolicySettings settings, long durationNanos) {
    long[] clock = {0};
    long[] alerts = {0};
    PolicyListener listener = new PolicyListener() {
      @Override
      public void onBudgetExceeded(String client, String domain, String budget, double spent, double limit) {
        alerts[0]++;
      }
    };
    PolicyEngine engine = new PolicyEngine(settings, () -> clock[0], listener, LexicalModel.bundled(), 42);
    Random random = new Random(7);
    int minutes = (int) (durationNanos / MINUTE) + 1;
    Map<String, double[]> perDomain = new HashMap<>();
    double[] all = new double[minutes];
    Map<dev.palisade.policy.Layer, Long> layers = new EnumMap<>(dev.palisade.policy.Layer.class);
    long queries = 0;
    long data = 0;
    long refusedData = 0;
    double through = 0;
    while (tool.nextAt < durationNanos) {
      clock[0] = tool.nextAt;
      Probe p = tool.next();
      Name name;
      try {
        name = Name.fromString(p.name() + ".");
      } catch (TextParseException e) {
        throw new IllegalStateException(tool.name + " built an invalid name: " + p.name(), e);
      }
      queries++;
      boolean isData = p.payloadBits() > 0;
      data += isData ? 1 : 0;
      Decision d = engine.onQuery(CLIENT, name, p.type());
      boolean forwarded = d.forward();
      if (forwarded) {
        // The query reached the attacker's server: its payload is out, whatever the answer rules say.
        engine.onAnswer(CLIENT, name, p.type(), answer(name, p, random), true);
        if (isData) {
          through += p.payloadBits();
          int m = (int) (clock[0] / MINUTE);
          perDomain.computeIfAbsent(p.domain(), k -> new double[minutes])[m] += p.payloadBits();
          all[m] += p.payloadBits();
        }
      } else {
        if (isData) {
          refusedData++;
        }
        layers.merge(d.layer(), 1L, Long::sum);
      }
      tool.result(forwarded, clock[0]);
    }
    double maxHour = 0;
    double maxDay = 0;
    for (double[] bins : perDomain.values()) {
      maxHour = Math.max(maxHour, maxWindow(bins, 60));
      maxDay = Math.max(maxDay, maxWindow(bins, 24 * 60));
    }
    return new Result(tool.name, queries, data, refusedData, through, maxHour, maxDay, maxWindow(all, 60),
        perDomain.size(), layers, alerts[0]);
  }

  /** The largest sum over any {@code width} consecutive minutes. */
  static double maxWindow(double[] bins, int width) {
    double sum = 0;
    double max = 0;
    for (int i = 0; i < bins.length; i++) {
      sum += bins[i];
      if (i >= width) {
        sum -= bins[i - width];
      }
      max = Math.max(max, sum);
    }
    return max;
  }

  static Message answer(Name name, Probe p, Random random) {
    Message m = new Message();
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(Record.newRecord(name, p.type(), DClass.IN), Section.QUESTION);
    if (p.answerTxtBytes() > 0) {
      m.addRecord(new TXTRecord(name, DClass.IN, 0, List.of(ServiceNames.rand(random, Codecs.B64URL, p.answerTxtBytes()))),
          Section.ANSWER);
    } else {
      byte[] a = {(byte) 203, 0, 113, (byte) random.nextInt(256)};
      try {
        m.addRecord(new ARecord(name, DClass.IN, 0, java.net.InetAddress.getByAddress(a)), Section.ANSWER);
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    return m;
  }
}

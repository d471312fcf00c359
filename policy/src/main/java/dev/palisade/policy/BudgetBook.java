package dev.palisade.policy;

/**
 * The information budgets: what each (client, registrable domain) key and each client spent, the
 * names already charged, velocity tokens and blocks. All memory is allocated up front from
 * {@link PolicySettings.Limits}; nothing grows with traffic.
 *
 * <p>Layout: keys and seen names live in {@link #SHARDS} shards chosen by the key's hash, each a
 * set-associative table ({@link #WAYS} ways) in flat primitive arrays, guarded by the shard's
 * monitor; clients live in a separate table with its own shards. Lock order is always shard, then
 * client shard. The budgets are sliding windows of buckets: a charge is admitted only if the sum
 * over the current bucket and the previous full window stays within the budget, so no 60-minute
 * (or 24-hour) span is ever charged more than the budget, unlike a fixed-window or token-bucket
 * scheme, which lets twice through across a boundary.
 *
 * <p>Eviction: a new key replaces the least recently used key of its set, sparing keys that are
 * blocked or have spent at least an eighth of their day budget while others remain (forgetting
 * those is what an attacker flooding the table would want). Hashes are keyed, so an attacker
 * cannot aim at a set.
 */
final class BudgetBook {
  static final int SHARDS = 16;
  static final int WAYS = 8;
  static final int NAME_WAYS = 4;
  static final int HOUR_BUCKETS = 6;
  static final long HOUR_BUCKET = 12 * 60 * 1_000_000_000L;
  static final int DAY_BUCKETS = 9;
  static final long DAY_BUCKET = 3 * 3600 * 1_000_000_000L;
  /** How long a charged name stays "seen" (free to repeat). */
  static final long SEEN_SECONDS = 24 * 3600;

  // Outcomes of admit()
  static final int NEW = 0;
  static final int REPEAT = 1;
  static final int BLOCKED = 2;
  static final int VELOCITY = 3;
  static final int OVER_HOUR = 4;
  static final int OVER_DAY = 5;
  static final int OVER_CLIENT = 6;
  static final int OVER_REPEAT = 7;

  /** Details of a refusal (allocated only then). */
  record Spend(double spent, double limit, boolean tripped) {}

  private final Shard[] shards = new Shard[SHARDS];
  private final ClientShard[] clients = new ClientShard[SHARDS];
  final int keyCapacity;
  final int nameCapacity;
  final int clientCapacity;

  BudgetBook(PolicySettings.Limits limits) {
    int keySets = pow2(Math.max(1, limits.maxKeys() / (SHARDS * WAYS)));
    int nameSets = pow2(Math.max(1, limits.maxNames() / (SHARDS * NAME_WAYS)));
    int clientSets = pow2(Math.max(1, limits.maxClients() / (SHARDS * WAYS)));
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = new Shard(keySets, nameSets);
      clients[i] = new ClientShard(clientSets);
    }
    keyCapacity = keySets * WAYS * SHARDS;
    nameCapacity = nameSets * NAME_WAYS * SHARDS;
    clientCapacity = clientSets * WAYS * SHARDS;
  }

  private static int pow2(int n) {
    int p = 1;
    while (p < n) {
      p <<= 1;
    }
    return p;
  }

  /** Heap held by the state arrays, in bytes (approximate). */
  long memoryBytes() {
    long keys = (long) keyCapacity * (8 * 6 + 4 * (HOUR_BUCKETS + DAY_BUCKETS + 3));
    long names = (long) nameCapacity * (8 + 4);
    long cl = (long) clientCapacity * (8 * 4 + 4 * DAY_BUCKETS);
    return keys + names + cl;
  }

  /** Keys currently tracked (for tests and reports). */
  int trackedKeys() {
    int n = 0;
    for (Shard s : shards) {
      synchronized (s) {
        for (long fp : s.keyFp) {
          n += fp != 0 ? 1 : 0;
        }
      }
    }
    return n;
  }

  /** Clients currently tracked. */
  int trackedClients() {
    int n = 0;
    for (ClientShard s : clients) {
      synchronized (s) {
        for (long fp : s.fp) {
          n += fp != 0 ? 1 : 0;
        }
      }
    }
    return n;
  }

  /**
   * Decides and, when admitted, charges a query. {@code bits} is the name's cost (0 allowed);
   * {@code chargeable} false means repeats and new names are admitted without any budget check
   * (allowlisted), only recorded as seen.
   *
   * @param spendOut receives details when the outcome is a refusal (index 0), may be null
   */
  int admit(long keyFp, long nameFp, long clientFp, double bits, long now, PolicySettings.Budgets b, Spend[] spendOut) {
    Shard s = shards[(int) (keyFp >>> 60) & (SHARDS - 1)];
    synchronized (s) {
      int slot = s.slot(keyFp, now, b.dayBits());
      s.lastUse[slot] = now;
      if (s.blockedUntil[slot] > now) {
        return BLOCKED;
      }
      int seen = s.findName(nameFp, now);
      if (seen >= 0) {
        // A repeat leaks only which of the key's known names is asked; that costs log2(distinct)
        // bits, charged when it reaches upstream (onAnswer). Refuse here only when even that would
        // not fit, so a cache hit never pays.
        double choice = b.chargeRepeats() ? choiceBits(s.distinct[slot]) : 0;
        if (choice > 0) {
          double hour = s.hourSum(slot, now);
          double day = s.daySum(slot, now);
          if (hour + choice > b.hourBits() || day + choice > b.dayBits()) {
            s.blockedUntil[slot] = now + b.blockFor().toNanos();
            out(spendOut, hour + choice > b.hourBits() ? hour : day, hour + choice > b.hourBits() ? b.hourBits() : b.dayBits(), true);
            return OVER_REPEAT;
          }
        }
        s.touchName(seen, now);
        return REPEAT;
      }
      if (bits > 0) {
        s.refill(slot, now, b);
        if (s.tokSec[slot] < 1 || s.tokMin[slot] < 1) {
          out(spendOut, 0, s.tokSec[slot] < 1 ? b.newNamesPerSecond() : b.newNamesPerMinute(), false);
          return VELOCITY;
        }
        double hour = s.hourSum(slot, now);
        if (hour + bits > b.hourBits()) {
          s.blockedUntil[slot] = now + b.blockFor().toNanos();
          out(spendOut, hour, b.hourBits(), true);
          return OVER_HOUR;
        }
        double day = s.daySum(slot, now);
        if (day + bits > b.dayBits()) {
          s.blockedUntil[slot] = now + b.blockFor().toNanos();
          out(spendOut, day, b.dayBits(), true);
          return OVER_DAY;
        }
        ClientShard c = clients[(int) (clientFp >>> 60) & (SHARDS - 1)];
        synchronized (c) {
          int cs = c.slot(clientFp, now, b.clientDayBits());
          c.lastUse[cs] = now;
          double total = c.daySum(cs, now);
          if (total + bits > b.clientDayBits()) {
            boolean trip = c.alertedUntil[cs] <= now;
            if (trip) {
              c.alertedUntil[cs] = now + b.blockFor().toNanos();
            }
            out(spendOut, total, b.clientDayBits(), trip);
            return OVER_CLIENT;
          }
          c.addDay(cs, now, bits);
        }
        s.tokSec[slot] -= 1;
        s.tokMin[slot] -= 1;
        s.addHour(slot, now, bits);
        s.addDay(slot, now, bits);
      }
      if (s.distinct[slot] < Integer.MAX_VALUE) {
        s.distinct[slot]++;
      }
      s.addName(nameFp, now);
      return NEW;
    }
  }

  /** log2 of the number of distinct names a key asked: the information in picking one of them. */
  static double choiceBits(int distinct) {
    return distinct <= 1 ? 0 : Math.log(distinct) / Math.log(2);
  }

  /**
   * Charges what an upstream answer revealed: {@code extraBits} (data in the answer) plus, when the
   * query was a repeat rather than the first sight of the name, its choice bits. Returns the
   * outcome: NEW or REPEAT when within budget, OVER_* when this charge tripped a budget (the key is
   * then blocked).
   */
  int chargeAnswer(long keyFp, long nameFp, long clientFp, double extraBits, long now, PolicySettings.Budgets b, Spend[] spendOut) {
    Shard s = shards[(int) (keyFp >>> 60) & (SHARDS - 1)];
    synchronized (s) {
      int slot = s.slot(keyFp, now, b.dayBits());
      double bits = extraBits;
      int name = s.findName(nameFp, now);
      if (name >= 0 && s.takeFirstUse(name)) {
        // The answer to the query that first charged this name: already paid.
      } else if (b.chargeRepeats()) {
        bits += choiceBits(s.distinct[slot]);
      }
      if (bits <= 0) {
        return REPEAT;
      }
      s.addHour(slot, now, bits);
      s.addDay(slot, now, bits);
      ClientShard c = clients[(int) (clientFp >>> 60) & (SHARDS - 1)];
      synchronized (c) {
        int cs = c.slot(clientFp, now, b.clientDayBits());
        c.addDay(cs, now, bits);
      }
      double hour = s.hourSum(slot, now);
      double day = s.daySum(slot, now);
      if (hour > b.hourBits() || day > b.dayBits()) {
        boolean trip = s.blockedUntil[slot] <= now;
        s.blockedUntil[slot] = now + b.blockFor().toNanos();
        out(spendOut, hour > b.hourBits() ? hour : day, hour > b.hourBits() ? b.hourBits() : b.dayBits(), trip);
        return hour > b.hourBits() ? OVER_HOUR : OVER_DAY;
      }
      return NEW;
    }
  }

  private static void out(Spend[] spendOut, double spent, double limit, boolean tripped) {
    if (spendOut != null) {
      spendOut[0] = new Spend(spent, limit, tripped);
    }
  }

  /** Sliding window helpers over a ring of buckets stored at {@code base} in {@code a}. */
  static void advance(float[] a, int base, int buckets, long[] epochs, int slot, long epoch) {
    long last = epochs[slot];
    if (epoch <= last) {
      return;
    }
    if (epoch - last >= buckets) {
      java.util.Arrays.fill(a, base, base + buckets, 0f);
    } else {
      for (long e = last + 1; e <= epoch; e++) {
        a[base + (int) (e % buckets)] = 0f;
      }
    }
    epochs[slot] = epoch;
  }

  static double sum(float[] a, int base, int buckets) {
    double t = 0;
    for (int i = 0; i < buckets; i++) {
      t += a[base + i];
    }
    return t;
  }

  /** Keys and names of one shard. */
  static final class Shard {
    final int setMask;
    final long[] keyFp;
    final long[] lastUse;
    final long[] blockedUntil;
    final long[] hourEpoch;
    final long[] dayEpoch;
    final long[] tokTime;
    final float[] hour;
    final float[] day;
    final float[] tokSec;
    final float[] tokMin;
    final int[] distinct;
    final int nameMask;
    final long[] nameFp;
    /** Seconds since the engine started, shifted left once; the low bit marks "not answered yet". */
    final int[] nameSeen;

    Shard(int sets, int nameSets) {
      int n = sets * WAYS;
      setMask = sets - 1;
      keyFp = new long[n];
      lastUse = new long[n];
      blockedUntil = new long[n];
      hourEpoch = new long[n];
      dayEpoch = new long[n];
      tokTime = new long[n];
      hour = new float[n * HOUR_BUCKETS];
      day = new float[n * DAY_BUCKETS];
      tokSec = new float[n];
      tokMin = new float[n];
      distinct = new int[n];
      nameMask = nameSets - 1;
      nameFp = new long[nameSets * NAME_WAYS];
      nameSeen = new int[nameSets * NAME_WAYS];
    }

    /** Finds the key's slot, or takes one (evicting) and resets it. */
    int slot(long fp, long now, double dayBudget) {
      long f = fp == 0 ? 1 : fp;
      int base = (int) (NameHash.mix(f) & setMask) * WAYS;
      int empty = -1;
      for (int i = base; i < base + WAYS; i++) {
        if (keyFp[i] == f) {
          return i;
        }
        if (empty < 0 && keyFp[i] == 0) {
          empty = i;
        }
      }
      int victim = empty >= 0 ? empty : victim(base, now, dayBudget);
      keyFp[victim] = f;
      lastUse[victim] = now;
      blockedUntil[victim] = 0;
      hourEpoch[victim] = now / HOUR_BUCKET;
      dayEpoch[victim] = now / DAY_BUCKET;
      java.util.Arrays.fill(hour, victim * HOUR_BUCKETS, (victim + 1) * HOUR_BUCKETS, 0f);
      java.util.Arrays.fill(day, victim * DAY_BUCKETS, (victim + 1) * DAY_BUCKETS, 0f);
      tokTime[victim] = now;
      tokSec[victim] = Float.MAX_VALUE;
      tokMin[victim] = Float.MAX_VALUE;
      distinct[victim] = 0;
      return victim;
    }

    private int victim(int base, long now, double dayBudget) {
      int lru = base;
      int spareLru = -1;
      for (int i = base; i < base + WAYS; i++) {
        if (lastUse[i] < lastUse[lru]) {
          lru = i;
        }
        boolean precious = blockedUntil[i] > now || daySum(i, now) >= dayBudget / 8;
        if (!precious && (spareLru < 0 || lastUse[i] < lastUse[spareLru])) {
          spareLru = i;
        }
      }
      return spareLru >= 0 ? spareLru : lru;
    }

    double hourSum(int slot, long now) {
      advance(hour, slot * HOUR_BUCKETS, HOUR_BUCKETS, hourEpoch, slot, now / HOUR_BUCKET);
      return sum(hour, slot * HOUR_BUCKETS, HOUR_BUCKETS);
    }

    double daySum(int slot, long now) {
      advance(day, slot * DAY_BUCKETS, DAY_BUCKETS, dayEpoch, slot, now / DAY_BUCKET);
      return sum(day, slot * DAY_BUCKETS, DAY_BUCKETS);
    }

    void addHour(int slot, long now, double bits) {
      long e = now / HOUR_BUCKET;
      advance(hour, slot * HOUR_BUCKETS, HOUR_BUCKETS, hourEpoch, slot, e);
      hour[slot * HOUR_BUCKETS + (int) (e % HOUR_BUCKETS)] += (float) bits;
    }

    void addDay(int slot, long now, double bits) {
      long e = now / DAY_BUCKET;
      advance(day, slot * DAY_BUCKETS, DAY_BUCKETS, dayEpoch, slot, e);
      day[slot * DAY_BUCKETS + (int) (e % DAY_BUCKETS)] += (float) bits;
    }

    void refill(int slot, long now, PolicySettings.Budgets b) {
      double seconds = (now - tokTime[slot]) / 1e9;
      tokTime[slot] = now;
      tokSec[slot] = (float) Math.min(b.newNamesPerSecond(), tokSec[slot] + seconds * b.newNamesPerSecond());
      tokMin[slot] = (float) Math.min(b.newNamesPerMinute(), tokMin[slot] + seconds * b.newNamesPerMinute() / 60.0);
    }

    int findName(long fp, long now) {
      long f = fp == 0 ? 1 : fp;
      int base = (int) (NameHash.mix(f) & nameMask) * NAME_WAYS;
      int sec = (int) (now / 1_000_000_000L);
      for (int i = base; i < base + NAME_WAYS; i++) {
        if (nameFp[i] == f) {
          return sec - (nameSeen[i] >>> 1) < SEEN_SECONDS ? i : -1;
        }
      }
      return -1;
    }

    void touchName(int i, long now) {
      nameSeen[i] = ((int) (now / 1_000_000_000L) << 1) | (nameSeen[i] & 1);
    }

    /** Clears and returns the "first answer still to come" mark. */
    boolean takeFirstUse(int i) {
      boolean first = (nameSeen[i] & 1) != 0;
      nameSeen[i] &= ~1;
      return first;
    }

    void addName(long fp, long now) {
      long f = fp == 0 ? 1 : fp;
      int base = (int) (NameHash.mix(f) & nameMask) * NAME_WAYS;
      int victim = base;
      for (int i = base; i < base + NAME_WAYS; i++) {
        if (nameFp[i] == f || nameFp[i] == 0) {
          victim = i;
          break;
        }
        if ((nameSeen[i] >>> 1) < (nameSeen[victim] >>> 1)) {
          victim = i;
        }
      }
      nameFp[victim] = f;
      nameSeen[victim] = ((int) (now / 1_000_000_000L) << 1) | 1;
    }
  }

  /** Per-client daily totals. */
  static final class ClientShard {
    final int setMask;
    final long[] fp;
    final long[] lastUse;
    final long[] alertedUntil;
    final long[] dayEpoch;
    final float[] day;

    ClientShard(int sets) {
      int n = sets * WAYS;
      setMask = sets - 1;
      fp = new long[n];
      lastUse = new long[n];
      alertedUntil = new long[n];
      dayEpoch = new long[n];
      day = new float[n * DAY_BUCKETS];
    }

    int slot(long clientFp, long now, double budget) {
      long f = clientFp == 0 ? 1 : clientFp;
      int base = (int) (NameHash.mix(f) & setMask) * WAYS;
      int empty = -1;
      int lru = base;
      int spare = -1;
      for (int i = base; i < base + WAYS; i++) {
        if (fp[i] == f) {
          return i;
        }
        if (empty < 0 && fp[i] == 0) {
          empty = i;
        }
        if (lastUse[i] < lastUse[lru]) {
          lru = i;
        }
        if (fp[i] != 0 && daySum(i, now) < budget / 8 && (spare < 0 || lastUse[i] < lastUse[spare])) {
          spare = i;
        }
      }
      int v = empty >= 0 ? empty : spare >= 0 ? spare : lru;
      fp[v] = f;
      lastUse[v] = now;
      alertedUntil[v] = 0;
      dayEpoch[v] = now / DAY_BUCKET;
      java.util.Arrays.fill(day, v * DAY_BUCKETS, (v + 1) * DAY_BUCKETS, 0f);
      return v;
    }

    double daySum(int slot, long now) {
      advance(day, slot * DAY_BUCKETS, DAY_BUCKETS, dayEpoch, slot, now / DAY_BUCKET);
      return sum(day, slot * DAY_BUCKETS, DAY_BUCKETS);
    }

    void addDay(int slot, long now, double bits) {
      long e = now / DAY_BUCKET;
      advance(day, slot * DAY_BUCKETS, DAY_BUCKETS, dayEpoch, slot, e);
      day[slot * DAY_BUCKETS + (int) (e % DAY_BUCKETS)] += (float) bits;
    }
  }
}

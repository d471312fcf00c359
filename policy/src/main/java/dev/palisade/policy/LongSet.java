package dev.palisade.policy;

import java.util.Arrays;

/**
 * An immutable open-addressing set of non-zero longs (linear probing, load ≤ 0.7): 8 bytes a
 * slot, about 11–23 bytes an entry.
 */
final class LongSet {
  static final LongSet EMPTY = new LongSet(new long[1], 0);

  private final long[] table;
  private final int mask;
  private final int size;

  private LongSet(long[] table, int size) {
    this.table = table;
    this.mask = table.length - 1;
    this.size = size;
  }

  /** Builds a set from {@code values[0, n)}; zero is remapped to 1 (callers do the same on lookup). */
  static LongSet of(long[] values, int n) {
    if (n == 0) {
      return EMPTY;
    }
    long want = (long) (n / 0.7) + 1;
    int capacity = 2;
    while (capacity < want && capacity < (1 << 30)) {
      capacity <<= 1;
    }
    long[] table = new long[capacity];
    int m = capacity - 1;
    int size = 0;
    for (int i = 0; i < n; i++) {
      long v = values[i] == 0 ? 1 : values[i];
      int slot = (int) NameHash.mix(v) & m;
      while (true) {
        long t = table[slot];
        if (t == 0) {
          table[slot] = v;
          size++;
          break;
        }
        if (t == v) {
          break;
        }
        slot = (slot + 1) & m;
      }
    }
    return new LongSet(table, size);
  }

  boolean contains(long v) {
    if (size == 0) {
      return false;
    }
    if (v == 0) {
      v = 1;
    }
    int slot = (int) NameHash.mix(v) & mask;
    while (true) {
      long t = table[slot];
      if (t == v) {
        return true;
      }
      if (t == 0) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  long bytes() {
    return this == EMPTY ? 0 : 16L + 8L * table.length;
  }

  /** All members (for unions). */
  long[] values() {
    long[] out = new long[size];
    int n = 0;
    for (long t : table) {
      if (t != 0) {
        out[n++] = t;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}

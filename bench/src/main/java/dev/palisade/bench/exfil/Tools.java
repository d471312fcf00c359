package dev.palisade.bench.exfil;

import dev.palisade.policy.LexicalModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.xbill.DNS.Type;

/**
 * The tunnel and exfiltration tools, each building names the way the real tool does (alphabets,
 * framing, label splitting and length limits from their sources), pushing an endless random
 * payload. Rates are the tools' defaults or typical settings.
 */
final class Tools {
  private Tools() {}

  /** Everything the evaluation runs, classic tools first, then the adaptive evaders. */
  static List<Tool> all(long seed) {
    List<Tool> t = new ArrayList<>();
    t.add(iodine("iodine base32 (NULL)", Codecs.IODINE_B32, Type.NULL, seed + 1));
    t.add(iodine("iodine base32 (TXT)", Codecs.IODINE_B32, Type.TXT, seed + 2));
    t.add(iodine("iodine base64 (TXT)", Codecs.IODINE_B64, Type.TXT, seed + 3));
    t.add(iodine("iodine base64u (TXT)", Codecs.IODINE_B64U, Type.TXT, seed + 4));
    t.add(iodine("iodine base128 (TXT)", null, Type.TXT, seed + 5));
    t.add(dnscat2("dnscat2 hex, domain mode", false, seed + 6));
    t.add(dnscat2("dnscat2 hex, tag mode", true, seed + 7));
    t.add(dns2tcp(seed + 8));
    t.add(dnsExfiltrator("DNSExfiltrator base64url", false, seed + 9));
    t.add(dnsExfiltrator("DNSExfiltrator base32", true, seed + 10));
    t.add(sliver("Sliver base32", false, seed + 11));
    t.add(sliver("Sliver base58", true, seed + 12));
    t.add(det(seed + 13));
    t.add(cobalt(seed + 14));
    t.add(shortLabels(seed + 15));
    t.add(throttled(seed + 16));
    t.add(rotating(seed + 17));
    t.add(modelMatched(seed + 18));
    t.add(choice(seed + 19));
    return t;
  }

  /** Classic tools: the goal for them is 0 bytes through. */
  static boolean classic(Tool t) {
    return !t.name.startsWith("evader");
  }

  /**
   * iodine 0.7 (src/client.c, encoding.c): a user-id character and a 3-character header, then
   * data in the upstream codec, a dot every 57 characters, then the top domain; at most 255
   * bytes. Default query type NULL; TXT is where its type autodetection lands when NULL and
   * PRIVATE are refused.
   */
  static Tool iodine(String name, String alphabet, int type, long seed) {
    String top = "t1.tunnel-example.com";
    return new Tool(name, seed) {
      int seq;

      @Override
      Probe build() {
        int space = 255 - top.length() - 8;
        space -= space / 57;
        int dataChars = space - 4;
        double bpc = alphabet == null ? 7 : Codecs.bitsPerChar(alphabet);
        int bytes = (int) Math.floor(dataChars * bpc / 8);
        byte[] payload = randomBytes(bytes);
        String data = alphabet == null ? Codecs.iodineBase128(payload) : Codecs.encodeBits(payload, alphabet);
        String header = "0" + Codecs.encodeBits(new byte[] {(byte) seq, (byte) (seq >> 8)}, Codecs.IODINE_B32).substring(0, 3);
        seq++;
        return new Probe(Codecs.dotify(header + data, 57) + "." + top, type, bytes * 8.0, "tunnel-example.com",
            type == Type.TXT ? 200 : 0);
      }

      @Override
      long interval() {
        return SECOND / 10;
      }
    };
  }

  /**
   * dnscat2 client (client/tunnel_drivers/driver_dns.c): the packet (9-byte MSG header plus data)
   * in hex, labels of at most 62 characters, the domain appended (domain mode) or "dnscat."
   * prepended (tag mode, no domain); TXT, CNAME or MX at random; about one query a second.
   */
  static Tool dnscat2(String name, boolean tag, long seed) {
    String domain = "dc.tunnel-example.net";
    return new Tool(name, seed) {
      @Override
      Probe build() {
        int maxPacket = (255 / 2) - (tag ? 6 : domain.length()) - 1 - ((255 / 62) + 1);
        int data = maxPacket - 9;
        byte[] packet = randomBytes(maxPacket);
        String hex = Codecs.dotify(Codecs.hex(packet), 62);
        String qname = tag ? "dnscat." + hex : hex + "." + domain;
        int[] types = {Type.TXT, Type.CNAME, Type.MX};
        return new Probe(qname, types[random.nextInt(3)], data * 8.0, tag ? "dnscat" : "tunnel-example.net", 120);
      }

      @Override
      long interval() {
        return SECOND;
      }
    };
  }

  /**
   * dns2tcp 0.5 client: base64 of (request header + data), labels of 63, the domain appended, TXT
   * queries; bulk transfer, answers carry the downstream in TXT.
   */
  static Tool dns2tcp(long seed) {
    String domain = "d2t.tunnel-example.org";
    return new Tool("dns2tcp base64 (TXT)", seed) {
      @Override
      Probe build() {
        int available = 253 - domain.length() - 1;
        int chars = available - available / 64;
        int bytes = chars * 6 / 8;
        int data = bytes - 8;
        String enc = Codecs.encodeBits(randomBytes(bytes), Codecs.B64URL);
        return new Probe(Codecs.dotify(enc, 63) + "." + domain, Type.TXT, data * 8.0, "tunnel-example.org", 180);
      }

      @Override
      long interval() {
        return SECOND / 10;
      }
    };
  }

  /**
   * DNSExfiltrator (Arno0x): an init query "init.&lt;base32(name|chunks)&gt;.base64|base32.&lt;domain&gt;",
   * then "&lt;chunk number&gt;.&lt;data in labels of 63&gt;.&lt;domain&gt;", at most 255 characters,
   * TXT queries; data base64url (default) or base32.
   */
  static Tool dnsExfiltrator(String name, boolean base32, long seed) {
    String domain = "dx.tunnel-example.com";
    return new Tool(name, seed) {
      int chunk = -1;

      @Override
      Probe build() {
        if (chunk < 0) {
          chunk = 0;
          String init = Codecs.encodeBits("secrets.zip|100000".getBytes(), Codecs.B32);
          return new Probe("init." + init + "." + (base32 ? "base32" : "base64") + "." + domain, Type.TXT, 0,
              "tunnel-example.com", 2);
        }
        String idx = Integer.toString(chunk++);
        int room = 253 - domain.length() - idx.length() - 2;
        int chars = room - room / 64;
        String alphabet = base32 ? Codecs.B32 : Codecs.B64URL;
        int bytes = (int) (chars * Codecs.bitsPerChar(alphabet) / 8);
        String enc = Codecs.encodeBits(randomBytes(bytes), alphabet);
        return new Probe(idx + "." + Codecs.dotify(enc, 63) + "." + domain, Type.TXT, bytes * 8.0,
            "tunnel-example.com", 8);
      }

      @Override
      long interval() {
        return SECOND / 10;
      }
    };
  }

  /**
   * Sliver DNS C2 (implant/sliver/transports/dnsclient): a protobuf DNSMessage (about 12 bytes of
   * header) encoded base32 (lower case) or base58 (when the resolver keeps case), labels of 63, at
   * most 254 characters with the parent domain; A queries from parallel workers.
   */
  static Tool sliver(String name, boolean base58, long seed) {
    String domain = "1.tunnel-example.io";
    return new Tool(name, seed) {
      @Override
      Probe build() {
        int room = 253 - domain.length() - 1;
        int chars = room - room / 64 - 1;
        int bytes = base58 ? (int) (chars * 5.857 / 8) - 1 : chars * 5 / 8;
        byte[] msg = randomBytes(bytes);
        String enc = base58 ? Codecs.base58(msg) : Codecs.encodeBits(msg, Codecs.B32);
        if (enc.length() > chars) {
          enc = enc.substring(0, chars);
        }
        return new Probe(Codecs.dotify(enc, 63) + "." + domain, Type.A, (bytes - 12) * 8.0, "tunnel-example.io", 0);
      }

      @Override
      long interval() {
        return SECOND / 10;
      }
    };
  }

  /**
   * DET (sensepost, plugins/dns.py): hex of the data, the 7-character job id in front of each
   * query's data, labels of 63, at most 252 characters with the key domain; A queries, fast.
   */
  static Tool det(long seed) {
    String key = "det.tunnel-example.com";
    return new Tool("DET hex", seed) {
      final String job = Codecs.hex(randomBytes(4)).substring(0, 7);

      @Override
      Probe build() {
        int rem = 252 - key.length();
        int labels = rem / 64;
        int chars = labels * 63 - job.length();
        int bytes = chars / 2;
        String data = job + Codecs.hex(randomBytes(bytes));
        return new Probe(Codecs.dotify(data, 63) + "." + key, Type.A, bytes * 8.0, "tunnel-example.com", 0);
      }

      @Override
      long interval() {
        return SECOND / 10;
      }
    };
  }

  /**
   * A Cobalt-Strike-style DNS beacon: an A check-in "&lt;beacon id&gt;.&lt;domain&gt;" every 60 s (±20%
   * jitter) and, with output to send, "post.&lt;hex&gt;.&lt;hex&gt;.&lt;counter&gt;.&lt;beacon id&gt;.&lt;domain&gt;" at one
   * a second (56 hex characters a label).
   */
  static Tool cobalt(long seed) {
    String domain = "ns.tunnel-example.net";
    return new Tool("Cobalt-Strike-style beacon", seed) {
      final String id = Integer.toHexString(random.nextInt() | 0x10000000);
      int counter;
      long lastCheckin = -60 * SECOND;
      boolean checkin;

      @Override
      Probe build() {
        checkin = nextAt - lastCheckin >= 60 * SECOND;
        if (checkin) {
          lastCheckin = nextAt;
          return new Probe(id + "." + domain, Type.A, 0, "tunnel-example.net", 0);
        }
        String data = Codecs.hex(randomBytes(56));
        return new Probe("post." + data.substring(0, 56) + "." + data.substring(56) + "." + String.format("%08x", counter++)
            + "." + id + "." + domain, Type.A, 56 * 8.0, "tunnel-example.net", 0);
      }

      @Override
      long interval() {
        return SECOND;
      }
    };
  }

  /** An evader backs off when refused: doubling up to an hour. */
  abstract static class Evader extends Tool {
    Evader(String name, long seed) {
      super(name, seed);
    }

    @Override
    long retryDelay(int n) {
      return Math.min(3600 * SECOND, interval() << Math.min(20, n));
    }
  }

  /** Evader: one short base32 label a query (8 characters, 40 bits), one query every 10 s. */
  static Tool shortLabels(long seed) {
    String domain = "ev-short.example-evader.com";
    return new Evader("evader: short labels", seed) {
      @Override
      Probe build() {
        return new Probe(Codecs.encodeBits(randomBytes(5), Codecs.B32) + "." + domain, Type.A, 40, "example-evader.com", 0);
      }

      @Override
      long interval() {
        return 10 * SECOND;
      }
    };
  }

  /**
   * Evader that knows the defaults: 4-character labels (20 bits) paced to spend just under the
   * hourly budget at the model's charge for such names, waiting an hour when refused.
   */
  static Tool throttled(long seed) {
    String domain = "th.example-evader.net";
    return new Evader("evader: throttled", seed) {
      @Override
      Probe build() {
        String label = Codecs.encodeBits(randomBytes(3), Codecs.B32).substring(0, 4);
        return new Probe(label + "." + domain, Type.A, 20, "example-evader.net", 0);
      }

      @Override
      long interval() {
        // ~35 bits charged per name (model cost of 4 random base32 characters plus "th"),
        // 4096 bits an hour: 117 names an hour.
        return 31 * SECOND;
      }

      @Override
      long retryDelay(int n) {
        return 3600 * SECOND;
      }
    };
  }

  /** Evader: short labels over 16 registrable domains in turn, one query every 2 s. */
  static Tool rotating(long seed) {
    return new Evader("evader: rotating 16 domains", seed) {
      int i;

      @Override
      Probe build() {
        String d = "rot" + (i++ % 16) + "-evader.com";
        return new Probe(Codecs.encodeBits(randomBytes(5), Codecs.B32) + "." + d, Type.A, 40, d, 0);
      }

      @Override
      long interval() {
        return 2 * SECOND;
      }
    };
  }

  /**
   * Evader that knows the bigram model: names sampled from the model itself (what ideal arithmetic
   * decoding of the payload with the model yields), so they look like ordinary labels; the
   * payload is the name's code length under the model, the most any encoding can carry per bit
   * charged. One query every 5 s.
   */
  static Tool modelMatched(long seed) {
    String domain = "mm.example-evader.org";
    LexicalModel model = LexicalModel.bundled();
    return new Evader("evader: model-matched", seed) {
      @Override
      Probe build() {
        StringBuilder sb = new StringBuilder();
        double bits = 0;
        int prev = LexicalModel.BOUNDARY;
        while (true) {
          int next = sample(model, prev, random, sb.length() >= 24);
          bits += model.cost(prev, next);
          if (next == LexicalModel.BOUNDARY) {
            if (sb.length() == 0) {
              continue;
            }
            break;
          }
          sb.append(LexicalModel.ALPHABET.charAt(next));
          prev = next;
        }
        return new Probe(sb + "." + domain, Type.A, bits, "example-evader.org", 0);
      }

      @Override
      long interval() {
        return 5 * SECOND;
      }
    };
  }

  static int sample(LexicalModel model, int prev, Random random, boolean forceEnd) {
    if (forceEnd) {
      return LexicalModel.BOUNDARY;
    }
    double total = 0;
    double[] p = new double[LexicalModel.SYMBOLS];
    for (int s = 0; s < LexicalModel.SYMBOLS; s++) {
      p[s] = Math.pow(2, -model.cost(prev, s));
      if (prev == LexicalModel.BOUNDARY && s == LexicalModel.BOUNDARY) {
        p[s] = 0;
      }
      total += p[s];
    }
    double r = random.nextDouble() * total;
    for (int s = 0; s < LexicalModel.SYMBOLS; s++) {
      r -= p[s];
      if (r <= 0) {
        return s;
      }
    }
    return LexicalModel.BOUNDARY;
  }

  /**
   * Evader that encodes in the choice among names already seen: 16 names asked once, then each
   * query picks one of them (4 bits), TTL 0 so every query reaches the server. One every 2 s.
   */
  static Tool choice(long seed) {
    String domain = "ch.example-evader.io";
    return new Evader("evader: choice among seen names", seed) {
      final String[] names = new String[16];
      int seeded;

      {
        for (int i = 0; i < names.length; i++) {
          names[i] = "w" + Integer.toString(i, 16);
        }
      }

      @Override
      Probe build() {
        if (seeded < names.length) {
          return new Probe(names[seeded++] + "." + domain, Type.A, 0, "example-evader.io", 0);
        }
        return new Probe(names[random.nextInt(names.length)] + "." + domain, Type.A, 4, "example-evader.io", 0);
      }

      @Override
      long interval() {
        return 2 * SECOND;
      }
    };
  }
}

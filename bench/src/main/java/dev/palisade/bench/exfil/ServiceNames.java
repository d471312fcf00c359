package dev.palisade.bench.exfil;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.xbill.DNS.Type;

/**
 * Benign query names of the kinds that look most like data: CDN and cloud host names with random
 * tokens, reverse look-ups, SRV, DKIM, ACME, DNS-SD, anti-virus and DNSBL look-ups, in the formats
 * those services document, over given base domains. Seeded: the tuning and evaluation corpora
 * use different seeds and different base domains.
 */
final class ServiceNames {
  private ServiceNames() {}

  record Entry(int type, String name, String category) {}

  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String[] REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1",
    "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "sa-east-1", "ca-central-1",
  };
  private static final String[] AZURE_REGIONS = {"eastus", "westeurope", "northeurope", "westus2", "southeastasia", "uksouth", "centralus"};
  private static final String[] DKIM = {
    "google", "selector1", "selector2", "s1", "s2", "k1", "k2", "k3", "default", "dkim", "mail", "mandrill",
    "mxvault", "smtpapi", "pm", "protonmail", "protonmail2", "protonmail3", "fm1", "fm2", "fm3", "zendesk1",
    "zendesk2", "mailjet", "everlytickey1", "sig1", "s1024", "s2048", "key1", "dk", "mta", "krs", "m1", "ml",
  };
  private static final String[][] SRV = {
    {"_sip", "_tcp"}, {"_sip", "_udp"}, {"_sips", "_tcp"}, {"_sipfederationtls", "_tcp"}, {"_xmpp-client", "_tcp"},
    {"_xmpp-server", "_tcp"}, {"_ldap", "_tcp"}, {"_kerberos", "_udp"}, {"_kerberos", "_tcp"}, {"_kpasswd", "_udp"},
    {"_autodiscover", "_tcp"}, {"_caldavs", "_tcp"}, {"_carddavs", "_tcp"}, {"_imaps", "_tcp"}, {"_imap", "_tcp"},
    {"_submission", "_tcp"}, {"_submissions", "_tcp"}, {"_pop3s", "_tcp"}, {"_minecraft", "_tcp"}, {"_matrix", "_tcp"},
    {"_matrix-fed", "_tcp"}, {"_turn", "_udp"}, {"_turns", "_tcp"}, {"_stun", "_udp"}, {"_h323cs", "_tcp"},
    {"_jabber", "_tcp"}, {"_gc", "_tcp"}, {"_ts3", "_udp"}, {"_mongodb", "_tcp"}, {"_http", "_tcp"},
  };
  private static final String[] DNSSD = {
    "_ipp._tcp", "_ipps._tcp", "_printer._tcp", "_pdl-datastream._tcp", "_airplay._tcp", "_raop._tcp",
    "_googlecast._tcp", "_smb._tcp", "_afpovertcp._tcp", "_http._tcp", "_scanner._tcp", "_uscan._tcp",
    "_homekit._tcp", "_hap._tcp", "_spotify-connect._tcp", "_companion-link._tcp", "_sleep-proxy._udp",
  };
  private static final String[] DNSBL_IP = {
    "zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "dnsbl.sorbs.net", "list.dnswl.org",
    "bl.mailspike.net", "psbl.surriel.com", "dnsbl-1.uceprotect.net", "all.spamrats.com", "ix.dnsbl.manitu.net",
    "truncate.gbudb.net", "bl.blocklist.de", "dnsbl.dronebl.org", "combined.mail.abusix.zone", "bl.score.senderscore.com",
  };
  private static final String[] DNSBL_DOMAIN = {"dbl.spamhaus.org", "multi.uribl.com", "multi.surbl.org", "black.uribl.com", "uribl.spameatingmonkey.net"};

  /** About {@code perFamily} names of each family over {@code bases}. */
  static List<Entry> generate(long seed, List<String> bases, int perFamily) {
    Random r = new Random(seed);
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < perFamily; i++) {
      String base = bases.get(r.nextInt(bases.size()));
      String site = base.substring(0, base.indexOf('.')).replace('_', '-');
      // CDN
      switch (i % 10) {
        case 0 -> out.add(new Entry(Type.A, "d" + rand(r, ALNUM, 13) + ".cloudfront.net", "cdn"));
        case 1 -> out.add(new Entry(Type.A, "e" + (1 + r.nextInt(99999)) + "." + (char) ('a' + r.nextInt(26)) + ".akamaiedge.net", "cdn"));
        case 2 -> out.add(new Entry(Type.A, "a" + (1 + r.nextInt(9999)) + ".dscb.akamai.net", "cdn"));
        case 3 -> out.add(new Entry(Type.A, "rr" + (1 + r.nextInt(20)) + "---sn-" + rand(r, ALNUM, 8) + ".googlevideo.com", "cdn"));
        case 4 -> out.add(new Entry(Type.A, site + "-" + rand(r, ALNUM, 16) + ".z01.azurefd.net", "cdn"));
        case 5 -> out.add(new Entry(Type.A, "www." + base + ".edgekey.net", "cdn"));
        case 6 -> out.add(new Entry(Type.A, "dualstack." + site + ".map.fastly.net", "cdn"));
        case 7 -> out.add(new Entry(Type.AAAA, pick(r, "cdn", "static", "img", "assets", "media", "images", "js", "css", "fonts", "video") + "." + base, "cdn"));
        case 8 -> out.add(new Entry(Type.A, site + ".b-cdn.net", "cdn"));
        default -> out.add(new Entry(Type.A, site + rand(r, "0123456789", 2) + ".azureedge.net", "cdn"));
      }
      // Cloud
      String region = REGIONS[r.nextInt(REGIONS.length)];
      switch (i % 10) {
        case 0 -> out.add(new Entry(Type.A, "ec2-" + ip(r).replace('.', '-') + ".compute-1.amazonaws.com", "cloud"));
        case 1 -> out.add(new Entry(Type.A, site + "-" + pick(r, "assets", "backups", "uploads", "static", "logs") + ".s3." + region + ".amazonaws.com", "cloud"));
        case 2 -> out.add(new Entry(Type.A, site + "-" + pick(r, "prod", "web", "api", "lb") + "-" + (100000000 + r.nextInt(900000000)) + "." + region + ".elb.amazonaws.com", "cloud"));
        case 3 -> out.add(new Entry(Type.A, rand(r, ALNUM, 10) + ".execute-api." + region + ".amazonaws.com", "cloud"));
        case 4 -> out.add(new Entry(Type.A, site + pick(r, "", "-app", "-api", "-prod") + ".azurewebsites.net", "cloud"));
        case 5 -> out.add(new Entry(Type.A, site + rand(r, "0123456789", 3) + ".blob.core.windows.net", "cloud"));
        case 6 -> out.add(new Entry(Type.A, site + "-" + pick(r, "vm", "web", "gw") + (1 + r.nextInt(9)) + "." + AZURE_REGIONS[r.nextInt(AZURE_REGIONS.length)] + ".cloudapp.azure.com", "cloud"));
        case 7 -> out.add(new Entry(Type.A, rand(r, ALNUM.substring(0, 26), 10) + rand(r, ALNUM, 22) + ".lambda-url." + region + ".on.aws", "cloud"));
        case 8 -> out.add(new Entry(Type.A, site + "-" + rand(r, "0123456789abcdef", 12) + ".herokuapp.com", "cloud"));
        default -> out.add(new Entry(Type.A, site + "-" + rand(r, ALNUM, 6) + "." + pick(r, "web.app", "firebaseapp.com", "vercel.app", "netlify.app", "pages.dev", "workers.dev", "appspot.com"), "cloud"));
      }
      // PTR
      if (r.nextInt(4) == 0) {
        StringBuilder sb = new StringBuilder();
        byte[] a = new byte[16];
        r.nextBytes(a);
        a[0] = 0x20;
        a[1] = (byte) (0x01 + r.nextInt(16));
        for (int k = 15; k >= 0; k--) {
          sb.append(Integer.toHexString(a[k] & 0xf)).append('.').append(Integer.toHexString((a[k] >> 4) & 0xf)).append('.');
        }
        out.add(new Entry(Type.PTR, sb + "ip6.arpa", "ptr"));
      } else {
        String[] o = ip(r).split("\\.");
        out.add(new Entry(Type.PTR, o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa", "ptr"));
      }
      // SRV and other underscore names
      String[] s = SRV[r.nextInt(SRV.length)];
      out.add(new Entry(Type.SRV, s[0] + "." + s[1] + "." + base, "srv"));
      switch (i % 8) {
        case 0 -> out.add(new Entry(Type.SRV, "_ldap._tcp.dc._msdcs." + pick(r, "corp.", "ad.", "") + base, "srv"));
        case 1 -> out.add(new Entry(Type.SRV, "_kerberos._tcp." + pick(r, "Default-First-Site-Name", "HQ", "Branch-Office", "EU-West") + "._sites.dc._msdcs.ad." + base, "srv"));
        case 2 -> out.add(new Entry(Type.TXT, "_dmarc." + base, "srv"));
        case 3 -> out.add(new Entry(Type.TXT, "_mta-sts." + base, "srv"));
        case 4 -> out.add(new Entry(Type.TXT, "_smtp._tls." + base, "srv"));
        case 5 -> out.add(new Entry(Type.TLSA, "_25._tcp." + pick(r, "mail.", "mx.", "mx1.", "smtp.") + base, "srv"));
        case 6 -> out.add(new Entry(Type.TLSA, "_443._tcp." + pick(r, "www.", "", "mail.") + base, "srv"));
        default -> out.add(new Entry(Type.HTTPS, "_8443._https." + pick(r, "www.", "api.", "app.") + base, "srv"));
      }
      // DKIM
      String sel = switch (i % 6) {
        case 0 -> rand(r, Codecs.B32, 32); // Amazon SES Easy DKIM tokens
        case 1 -> "hs" + (1 + r.nextInt(2)) + "-" + (1000000 + r.nextInt(90000000)); // HubSpot
        case 2 -> "20" + (10 + r.nextInt(15)) + String.format("%02d%02d", 1 + r.nextInt(12), 1 + r.nextInt(28)); // dated
        default -> DKIM[r.nextInt(DKIM.length)];
      };
      out.add(new Entry(Type.TXT, sel + "._domainkey." + base, "dkim"));
      if (i % 5 == 0) {
        out.add(new Entry(Type.CNAME, "selector" + (1 + r.nextInt(2)) + "-" + base.replace('.', '-') + "._domainkey." + site + ".onmicrosoft.com", "dkim"));
      }
      // ACME
      if (i % 2 == 0) {
        out.add(new Entry(Type.TXT, "_acme-challenge." + pick(r, "", "www.", "mail.", "api.", "vpn.", "git.", "*.") .replace("*.", "") + base, "acme"));
      }
      // DNS-SD
      if (i % 3 == 0) {
        switch (r.nextInt(4)) {
          case 0 -> out.add(new Entry(Type.PTR, pick(r, "b", "db", "lb", "r", "dr") + "._dns-sd._udp." + base, "dns-sd"));
          case 1 -> out.add(new Entry(Type.PTR, "_services._dns-sd._udp." + base, "dns-sd"));
          case 2 -> out.add(new Entry(Type.PTR, DNSSD[r.nextInt(DNSSD.length)] + "." + base, "dns-sd"));
          default -> out.add(new Entry(Type.PTR, pick(r, "b", "db", "lb") + "._dns-sd._udp." + r.nextInt(256) + "." + pick(r, "1.168.192", "0.168.192", "0.0.10", "178.168.192", "16.172") + ".in-addr.arpa", "dns-sd"));
        }
      }
      // Anti-virus and reputation
      switch (i % 7) {
        case 0 -> out.add(new Entry(Type.A, "0.0.0.0.1.0.0.4e." + rand(r, Codecs.HEX, 32) + ".avqs.mcafee.com", "anti-virus"));
        case 1 -> out.add(new Entry(Type.TXT, rand(r, Codecs.HEX, 32) + ".malware.hash.cymru.com", "anti-virus"));
        case 2 -> out.add(new Entry(Type.A, rand(r, Codecs.HEX, 40) + ".hash.cymru.com", "anti-virus"));
        case 3 -> out.add(new Entry(Type.A, rand(r, Codecs.B32, 52) + "._file." + rand(r, Codecs.B32, 26) + ".hbl.dq.spamhaus.net", "anti-virus"));
        case 4 -> out.add(new Entry(Type.A, "v2." + rand(r, Codecs.HEX, 40) + ".3." + rand(r, Codecs.HEX, 8) + ".sophosxl.net", "anti-virus"));
        case 5 -> out.add(new Entry(Type.A, rand(r, "abcdefghijklmnopqrstuvwxyz0123456789", 26) + ".e5.sk", "anti-virus"));
        default -> out.add(new Entry(Type.TXT, "current.cvd.clamav.net", "anti-virus"));
      }
      // DNSBL
      String[] o = ip(r).split("\\.");
      String rev = o[3] + "." + o[2] + "." + o[1] + "." + o[0];
      if (i % 4 == 3) {
        out.add(new Entry(Type.A, base + "." + DNSBL_DOMAIN[r.nextInt(DNSBL_DOMAIN.length)], "dnsbl"));
      } else if (i % 9 == 4) {
        out.add(new Entry(Type.TXT, rev + ".origin.asn.cymru.com", "dnsbl"));
      } else {
        out.add(new Entry(Type.A, rev + "." + DNSBL_IP[r.nextInt(DNSBL_IP.length)], "dnsbl"));
      }
      // Mail and the rest of a domain's ordinary names
      out.add(new Entry(pick(r, Type.MX, Type.A, Type.AAAA, Type.HTTPS), pick(r, "", "www.", "mail.", "smtp.", "mx1.", "autodiscover.", "autoconfig.", "api.", "login.", "m.") + base, "mail-web"));
    }
    return out;
  }

  static String rand(Random r, String alphabet, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @SafeVarargs
  static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }

  static String ip(Random r) {
    int a;
    do {
      a = 1 + r.nextInt(223);
    } while (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192);
    return a + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
  }
}

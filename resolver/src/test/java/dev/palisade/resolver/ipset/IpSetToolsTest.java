package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.config.IpSetConfig;
import dev.palisade.config.IpSetConfig.Backend;
import dev.palisade.config.IpSetConfig.Family;
import dev.palisade.config.IpSetConfig.SetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exports load into the real ipset and nft, and apply mode writes real kernel sets: all inside
 * a network namespace this test creates.
 */
class IpSetToolsTest {

  static final SetSpec V4 = new SetSpec("t4", Backend.IPSET, Family.INET, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
  static final SetSpec V6 = new SetSpec("t6", Backend.IPSET, Family.INET6, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
  static final SetSpec N4 = new SetSpec("n4", Backend.NFT, Family.INET, "inet paltest", List.of("*"));
  static final SetSpec N6 = new SetSpec("n6", Backend.NFT, Family.INET6, "inet paltest", List.of("*"));

  @TempDir static Path dir;
  static Netns ns;

  @BeforeAll
  static void namespace() {
    Netns.assumeRoot();
    ns = Netns.create("pal-tools-" + ProcessHandle.current().pid());
  }

  @AfterAll
  static void remove() {
    if (ns != null) {
      ns.close();
    }
  }

  static final long NOW = System.currentTimeMillis();

  static List<IpSetExport.View> views(SetSpec v4, SetSpec v6) {
    return List.of(
        new IpSetExport.View(v4, 1000, List.of(
            new ResolvedSet.Entry(ip("127.0.0.1"), ResolvedSet.FOREVER),
            new ResolvedSet.Entry(ip("10.9.0.1"), NOW + 100_000),
            new ResolvedSet.Entry(ip("10.9.0.2"), NOW + 200_000))),
        new IpSetExport.View(v6, 1000, List.of(new ResolvedSet.Entry(ip("fd00::1"), NOW + 300_000))));
  }

  /** address → timeout seconds ("0" for none), from {@code ipset list} or {@code nft list set}. */
  static TreeSet<String> members(String listing, String pattern) {
    TreeSet<String> out = new TreeSet<>();
    Matcher m = Pattern.compile(pattern).matcher(listing);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  static TreeSet<String> ipsetMembers(String set) {
    String list = ns.ok("ipset", "list", set);
    return members(list.substring(list.indexOf("Members:")), "(?m)^([0-9a-f:.]+)");
  }

  static TreeSet<String> nftMembers(String table, String set) {
    String list = ns.ok("nft", "list", "set", table.split(" ")[0], table.split(" ")[1], set);
    return members(list, "([0-9a-f]*:[0-9a-f:]+|\\d+\\.\\d+\\.\\d+\\.\\d+)");
  }

  @Test
  void theIpsetRestoreExportLoadsIntoIpset() throws Exception {
    Path f = dir.resolve("restore.txt");
    Files.writeString(f, IpSetExport.ipset(views(V4, V6), NOW));
    ns.ok("ipset", "restore", "-file", f.toString());
    String header = ns.ok("ipset", "list", "-t", "t4");
    assertTrue(header.contains("timeout 60") && header.contains("maxelem 1000"), header);
    assertEquals(new TreeSet<>(List.of("10.9.0.1", "10.9.0.2", "127.0.0.1")), ipsetMembers("t4"));
    assertEquals(new TreeSet<>(List.of("fd00::1")), ipsetMembers("t6"));
    String list = ns.ok("ipset", "list", "t4");
    assertTrue(list.matches("(?s).*10\\.9\\.0\\.2 timeout (199|200).*"), list);
    assertTrue(list.matches("(?s).*127\\.0\\.0\\.1 timeout 0.*"), "pinned: never times out\n" + list);
    // Loading it twice is harmless (-exist): what a cron job re-applying the export does.
    ns.ok("ipset", "restore", "-file", f.toString());
  }

  @Test
  void theNftExportLoadsIntoNft() throws Exception {
    Path f = dir.resolve("sets.nft");
    Files.writeString(f, IpSetExport.nft(views(N4, N6), NOW));
    ns.ok("nft", "-f", f.toString());
    assertEquals(new TreeSet<>(List.of("10.9.0.1", "10.9.0.2", "127.0.0.1")), nftMembers("inet paltest", "n4"));
    assertEquals(new TreeSet<>(List.of("fd00::1")), nftMembers("inet paltest", "n6"));
    String list = ns.ok("nft", "list", "set", "inet", "paltest", "n4");
    assertTrue(list.contains("flags timeout") && list.contains("10.9.0.2 timeout 3m20s"), list);
  }

  @Test
  void applyModeCreatesTheKernelSetsAndLoadsSavedAndUpstreamAddresses() throws Exception {
    SetSpec a4 = new SetSpec("a4", Backend.IPSET, Family.INET, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
    SetSpec a6 = new SetSpec("a6", Backend.NFT, Family.INET6, "inet papply", List.of("*"));
    Path state = dir.resolve("apply.state");
    Files.writeString(state, StateFile.HEADER + "\n"
        + "ipset a4\t10.9.1.1\t" + (NOW + 600_000) + "\n"
        + "ipset a4\t10.9.1.2\t" + (NOW - 1) + "\n"
        + "nft inet papply a6\tfd00::7\t" + (NOW + 600_000) + "\n");
    IpSetConfig config = new IpSetConfig(Duration.ofSeconds(5), true, Optional.of(state), 100, List.of(a4, a6));
    try (IpSets sets = IpSets.start(config, List.of(ip("127.0.0.1"), ip("::1")), Clock.systemUTC(), IpSetListener.NONE,
        ns.prefix(), CommandRunner.processes(Duration.ofSeconds(5)))) {
      assertEquals(new TreeSet<>(List.of("10.9.1.1", "127.0.0.1")), ipsetMembers("a4"), "the expired saved address stays out");
      assertEquals(new TreeSet<>(List.of("::1", "fd00::7")), nftMembers("inet papply", "a6"));

      // An answer's address is in the kernel once the stage's future completes.
      ResolvedSet a4set = sets.setsForTest().get(0);
      a4set.add(ip("10.9.1.3"), System.currentTimeMillis() + 30_000, System.currentTimeMillis()).get();
      assertTrue(ipsetMembers("a4").contains("10.9.1.3"));
      assertTrue(ns.ok("ipset", "list", "a4").matches("(?s).*10\\.9\\.1\\.3 timeout (29|30).*"));
    }
    assertTrue(Files.readString(state).contains("10.9.1.3"), "saved at close");
  }

  @Test
  void anAnswerIsReleasedOnlyOnceTheRealKernelHoldsItsAddress() throws Exception {
    SetSpec o4 = new SetSpec("o4", Backend.IPSET, Family.INET, SetSpec.DEFAULT_NFT_TABLE, List.of("*"));
    CommandRunner real = CommandRunner.processes(Duration.ofSeconds(5));
    // A slow kernel: were the answer released before the write, the check below would run first.
    CommandRunner slow = (command, input) -> {
      if (input.contains("10.9.2.1")) {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return real.run(command, input);
    };
    IpSetConfig config = new IpSetConfig(Duration.ofSeconds(5), true, Optional.empty(), 100, List.of(o4));
    try (IpSets sets = IpSets.start(config, List.of(), Clock.systemUTC(), IpSetListener.NONE, ns.prefix(), slow)) {
      org.xbill.DNS.Message reply = new org.xbill.DNS.Message(1);
      reply.getHeader().setFlag(org.xbill.DNS.Flags.QR);
      reply.addRecord(org.xbill.DNS.Record.newRecord(org.xbill.DNS.Name.fromConstantString("www.example.com."), org.xbill.DNS.Type.A,
          org.xbill.DNS.DClass.IN), org.xbill.DNS.Section.QUESTION);
      reply.addRecord(new org.xbill.DNS.ARecord(org.xbill.DNS.Name.fromConstantString("www.example.com."), org.xbill.DNS.DClass.IN, 60,
          ip("10.9.2.1")), org.xbill.DNS.Section.ANSWER);
      var answer = new dev.palisade.resolver.chain.Answer(reply, dev.palisade.resolver.chain.Source.UPSTREAM, Optional.empty());
      var released = ((IpSetStage) sets.stage()).record(answer);
      assertEquals(answer, released.get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, ns.exec("ipset", "test", "o4", "10.9.2.1").exitCode(), "in the kernel when the answer is released");
    }
  }
}

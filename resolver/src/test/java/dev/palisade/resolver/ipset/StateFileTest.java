package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ALLOW4;
import static dev.palisade.resolver.ipset.Fixtures.WEB;
import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {

  @TempDir Path dir;

  @Test
  void roundTripsUnexpiredAddressesAndLeavesPinnedOnesOut() throws Exception {
    Path f = dir.resolve("sub/ipset.state");
    StateFile.write(f, List.of(
        new IpSetExport.View(ALLOW4, 10, List.of(
            new ResolvedSet.Entry(ip("127.0.0.1"), ResolvedSet.FOREVER),
            new ResolvedSet.Entry(ip("192.0.2.1"), 5_000),
            new ResolvedSet.Entry(ip("192.0.2.2"), 9_000))),
        new IpSetExport.View(WEB, 10, List.of(new ResolvedSet.Entry(ip("192.0.2.2"), 9_000)))));
    Map<String, List<StateFile.Saved>> read = StateFile.read(f, 5_000);
    assertEquals(Map.of(
        "ipset allow4", List.of(new StateFile.Saved("ipset allow4", ip("192.0.2.2"), 9_000)),
        "nft inet palisade web", List.of(new StateFile.Saved("nft inet palisade web", ip("192.0.2.2"), 9_000))), read,
        "192.0.2.1 expired at 5000 and is dropped");
    try (var files = Files.list(f.getParent())) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void aMissingFileIsAnEmptyState() {
    assertEquals(Map.of(), StateFile.read(dir.resolve("none"), 0));
  }

  @Test
  void badLinesAreSkippedAndGoodOnesKept() throws Exception {
    Path f = dir.resolve("state");
    Files.writeString(f, StateFile.HEADER + "\n"
        + "ipset allow4\t192.0.2.1\t9000\n"
        + "ipset allow4\tnot-an-address\t9000\n"
        + "ipset allow4\t999.1.1.1\t9000\n"
        + "ipset allow4\t192.0.2.3\tsoon\n"
        + "garbage\n"
        + "ipset allow4\t2001:db8::1\t9000\n");
    Map<String, List<StateFile.Saved>> read = StateFile.read(f, 0);
    assertEquals(List.of(ip("192.0.2.1"), ip("2001:db8::1")), read.get("ipset allow4").stream().map(StateFile.Saved::address).toList());
  }

  @Test
  void aFileThatIsNotOursIsIgnored() throws Exception {
    Path f = dir.resolve("state");
    Files.write(f, new byte[] {0, 1, 2, (byte) 0xff, '\n', 'x'});
    assertTrue(StateFile.read(f, 0).isEmpty());
  }
}

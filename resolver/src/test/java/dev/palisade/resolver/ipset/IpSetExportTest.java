package dev.palisade.resolver.ipset;

import static dev.palisade.resolver.ipset.Fixtures.ALLOW4;
import static dev.palisade.resolver.ipset.Fixtures.ALLOW6;
import static dev.palisade.resolver.ipset.Fixtures.WEB;
import static dev.palisade.resolver.ipset.Fixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The export formats, as golden text (IpSetToolsTest loads them into the real tools). */
class IpSetExportTest {

  static final long NOW = 1_700_000_000_000L;

  static List<IpSetExport.View> views() {
    return List.of(
        new IpSetExport.View(ALLOW4, 1000, List.of(
            new ResolvedSet.Entry(ip("127.0.0.1"), ResolvedSet.FOREVER),
            new ResolvedSet.Entry(ip("192.0.2.1"), NOW + 1),
            new ResolvedSet.Entry(ip("192.0.2.2"), NOW + 70_000))),
        new IpSetExport.View(ALLOW6, 1000, List.of(new ResolvedSet.Entry(ip("2001:db8::1"), NOW + 5_500))),
        new IpSetExport.View(WEB, 1000, List.of(new ResolvedSet.Entry(ip("192.0.2.2"), NOW + 70_000))));
  }

  @Test
  void ipsetRestoreInputCreatesEachSetWithTimeoutsThenAddsWithTheSecondsLeftRoundedUp() {
    assertEquals("""
        create allow4 hash:ip family inet timeout 60 maxelem 1000 -exist
        add allow4 127.0.0.1 timeout 0 -exist
        add allow4 192.0.2.1 timeout 1 -exist
        add allow4 192.0.2.2 timeout 70 -exist
        create allow6 hash:ip family inet6 timeout 60 maxelem 1000 -exist
        add allow6 2001:db8::1 timeout 6 -exist
        create web hash:ip family inet timeout 60 maxelem 1000 -exist
        add web 192.0.2.2 timeout 70 -exist
        """, IpSetExport.ipset(views(), NOW));
  }

  @Test
  void nftInputDeclaresSetsWithFlagsTimeoutAndElementsWithTheirTimeouts() {
    assertEquals("""
        table inet filter {
        \tset allow4 {
        \t\ttype ipv4_addr
        \t\tflags timeout
        \t}
        \tset allow6 {
        \t\ttype ipv6_addr
        \t\tflags timeout
        \t}
        }
        table inet palisade {
        \tset web {
        \t\ttype ipv4_addr
        \t\tflags timeout
        \t}
        }
        add element inet filter allow4 { 127.0.0.1, 192.0.2.1 timeout 1s, 192.0.2.2 timeout 70s }
        add element inet filter allow6 { 2001:db8::1 timeout 6s }
        add element inet palisade web { 192.0.2.2 timeout 70s }
        """, IpSetExport.nft(views(), NOW));
  }

  @Test
  void plainListNamesSetAddressAndSecondsLeft() {
    assertEquals("""
        allow4 127.0.0.1 -
        allow4 192.0.2.1 1
        allow4 192.0.2.2 70
        allow6 2001:db8::1 6
        web 192.0.2.2 70
        """, IpSetExport.plain(views(), NOW));
  }

  @Test
  void jsonCarriesEverySetWithItsEntries() {
    String json = IpSetExport.json(views().subList(2, 3), NOW);
    assertEquals("{\"sets\":[{\"name\":\"web\",\"backend\":\"nft\",\"family\":\"inet\",\"table\":\"inet palisade\",\"match\":[\"example.org\"],"
        + "\"max_entries\":1000,\"size\":1,\"entries\":[{\"address\":\"192.0.2.2\",\"expires\":\"2023-11-14T22:14:30Z\",\"timeout\":70}]}]}\n", json);
    String pinned = IpSetExport.json(List.of(new IpSetExport.View(ALLOW4, 5, List.of(new ResolvedSet.Entry(ip("127.0.0.1"), ResolvedSet.FOREVER)))), NOW);
    assertEquals("{\"sets\":[{\"name\":\"allow4\",\"backend\":\"ipset\",\"family\":\"inet\",\"match\":[\"*\"],\"max_entries\":5,\"size\":1,"
        + "\"entries\":[{\"address\":\"127.0.0.1\",\"pinned\":true}]}]}\n", pinned);
  }
}

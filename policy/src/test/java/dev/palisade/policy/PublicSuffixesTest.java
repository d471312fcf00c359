package dev.palisade.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.common.net.InternetDomainName;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicSuffixesTest {
  private static String registrable(String name) {
    return NameView.parse(Names.of(name), LongSet.EMPTY).registrable();
  }

  @Test
  void registrableDomainAgreesWithGuavaInternetDomainName() {
    List<String> names = List.of(
        "www.example.com", "a.b.c.example.co.uk", "foo.bar.github.io", "x.s3.amazonaws.com",
        "bucket.s3.dualstack.us-east-1.amazonaws.com", "www.example.com.au", "host.city.kawasaki.jp",
        "a.b.www.ck", "a.b.c.ck", "mail.google.com", "deep.sub.domain.example.org", "x.blogspot.com",
        "x.y.z.appspot.com", "my.herokuapp.com", "a.b.example.com.br", "cdn.example.co.jp",
        "ec2-1-2-3-4.compute-1.amazonaws.com", "x.y.bc.ca", "www.gov.uk", "host.example.xn--p1ai");
    for (String n : names) {
      InternetDomainName idn = InternetDomainName.from(n);
      String guava = idn.isUnderPublicSuffix() ? idn.topPrivateDomain().toString() : null;
      assertEquals(guava, registrable(n), n);
    }
  }

  @Test
  void labelsWithUnderscoresAreHandled() {
    assertEquals("example.com", registrable("_dmarc.example.com"));
    assertEquals("example.org", registrable("selector1._domainkey.example.org"));
    assertEquals("example.net", registrable("_sip._tls.sub.example.net"));
  }

  @Test
  void aPublicSuffixHasNoRegistrableDomain() {
    assertNull(registrable("co.uk"));
    assertNull(registrable("github.io"));
    assertNull(registrable("com"));
  }
}

package dev.palisade.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsSettingsTest {

  @Test
  void readsStubbysCipherListsAsIanaNames() {
    assertEquals(
        List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"),
        TlsSettings.cipherSuitesFromOpenSsl("TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"));
    assertEquals(
        List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        TlsSettings.cipherSuitesFromOpenSsl("ECDHE-RSA-AES256-GCM-SHA384"));
    assertThrows(IllegalArgumentException.class, () -> TlsSettings.cipherSuitesFromOpenSsl("NO-SUCH-CIPHER"));
  }
}

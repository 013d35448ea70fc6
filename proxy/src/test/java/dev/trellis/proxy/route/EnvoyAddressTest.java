package dev.trellis.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvoyAddressTest {
    @ParameterizedTest
    @CsvSource({"10.1.2.3, 8080, 10.1.2.3:8080, 10.1.2.3", "::1, 443, [0:0:0:0:0:0:0:1]:443, 0:0:0:0:0:0:0:1"})
    void printsAsEnvoyDoes(String ip, int port, String full, String bare) {
        InetSocketAddress a = new InetSocketAddress(ip, port);
        assertThat(EnvoyAddress.of(a)).isEqualTo(full);
        assertThat(EnvoyAddress.withoutPort(a)).isEqualTo(bare);
    }

    @org.junit.jupiter.api.Test
    void nullStaysNull() {
        assertThat(EnvoyAddress.of(null)).isNull();
        assertThat(EnvoyAddress.withoutPort(null)).isNull();
    }
}

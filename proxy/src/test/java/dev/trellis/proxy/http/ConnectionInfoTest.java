package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ConnectionInfoTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 40000);
    private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 15006);
    private static final InetSocketAddress ORIGINAL = new InetSocketAddress("10.1.2.3", 9080);

    @Test
    void aRedirectedConnectionShowsItsOriginalDestinationAsTheLocalAddress() {
        // As Envoy's original_dst filter restores it: %DOWNSTREAM_LOCAL_ADDRESS% of an iptables-redirected connection
        // is where the client meant to go, for HTTP and TCP access logs alike.
        assertThat(new ConnectionInfo(CLIENT, LISTENER, ORIGINAL).downstreamLocal())
                .isEqualTo(ORIGINAL);
    }

    @Test
    void withoutRedirectionItIsTheSocketsLocalAddress() {
        assertThat(new ConnectionInfo(CLIENT, LISTENER, LISTENER).downstreamLocal())
                .isEqualTo(LISTENER);
        assertThat(new ConnectionInfo(CLIENT, LISTENER, null).downstreamLocal()).isEqualTo(LISTENER);
    }
}

package dev.trellis.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.api.model.networking.ClientTLSSettings;
import dev.trellis.api.model.networking.ConnectionPoolSettings;
import dev.trellis.api.model.networking.LoadBalancerSettings;
import dev.trellis.api.model.networking.OutlierDetection;
import dev.trellis.api.model.networking.StringMatch;
import dev.trellis.api.model.security.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated records: oneof checks, Istio's defaults, immutability. */
class ModelTest {

    @Test
    void oneofAllowsAtMostOneAlternative() {
        assertThat(new StringMatch("/a", null, null).exact()).isEqualTo("/a");
        assertThat(new StringMatch(null, null, null).prefix()).isNull();
        assertThatThrownBy(() -> new StringMatch("/a", "/b", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only one of exact, prefix, regex may be set");
    }

    @Test
    void unsetFieldsAnswerIstiosDefaults() {
        OutlierDetection od = new OutlierDetection(null, null, null, null, null, null, null, null, null, null);
        assertThat(od.intervalOrDefault()).isEqualTo(Duration.ofSeconds(10));
        assertThat(od.baseEjectionTimeOrDefault()).isEqualTo(Duration.ofSeconds(30));
        assertThat(od.maxEjectionPercentOrDefault()).isEqualTo(10);

        ConnectionPoolSettings.TCPSettings tcp = new ConnectionPoolSettings.TCPSettings(null, null, null, null, null);
        assertThat(tcp.connectTimeoutOrDefault()).isEqualTo(Duration.ofSeconds(10));

        assertThat(new AuthorizationPolicy(null, null, null, null, null, null).actionOrDefault())
                .isEqualTo(AuthorizationPolicy.Action.ALLOW);
        assertThat(new AuthorizationPolicy(null, null, null, null, null, null).rulesOrDefault())
                .isEmpty();
        assertThat(LoadBalancerSettings.SimpleLB.values()[0]).isEqualTo(LoadBalancerSettings.SimpleLB.UNSPECIFIED);
        assertThat(ClientTLSSettings.TLSmode.values()[0]).isEqualTo(ClientTLSSettings.TLSmode.DISABLE);
    }

    @Test
    void collectionsAreImmutableCopies() {
        List<String> hosts = new ArrayList<>(List.of("a"));
        var vs = new dev.trellis.api.model.networking.VirtualService(null, null, hosts, null, null, null);
        hosts.add("b");

        assertThat(vs.hosts()).containsExactly("a");
        assertThatThrownBy(() -> vs.hosts().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }
}

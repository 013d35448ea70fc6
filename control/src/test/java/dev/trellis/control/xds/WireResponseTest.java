package dev.trellis.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.generate.Resources;
import dev.trellis.control.generate.XdsResource;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses encoded once and shared must be exactly what protobuf encodes, and sets must merge and version right. */
class WireResponseTest {

    static XdsResource cluster(String name, long timeoutSeconds) {
        Cluster c = Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.EDS)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeoutSeconds))
                .build();
        return XdsResource.of(name, c);
    }

    static DiscoveryResponse message(Resources r, String version, String nonce) {
        DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder()
                .setTypeUrl(TypeUrl.CLUSTER.url())
                .setVersionInfo(version)
                .setNonce(nonce);
        r.list().forEach(x -> b.addResources(x.any()));
        return b.build();
    }

    @Test
    void theSharedEncodingIsByteForByteWhatProtobufEncodes() throws Exception {
        List<XdsResource> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(cluster("outbound|80||svc-" + i + ".default.svc.cluster.local", i));
        }
        for (Resources r : List.of(Resources.EMPTY, Resources.of(many))) {
            WireResponse wire = new WireResponse(TypeUrl.CLUSTER.url(), r.version(), "7", r.responseBody());
            DiscoveryResponse expected = message(r, r.version(), "7");
            assertThat(wire.toByteString()).isEqualTo(expected.toByteString());
            assertThat(wire.toMessage()).isEqualTo(expected);
            // What gRPC reads from the marshaller: the same bytes, drained or read.
            try (InputStream in = WireResponse.MARSHALLER.stream(wire)) {
                assertThat(in.available()).isEqualTo(expected.getSerializedSize());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ((io.grpc.Drainable) in).drainTo(out);
                assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
            }
            try (InputStream in = WireResponse.MARSHALLER.stream(wire)) {
                assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
            }
        }
    }

    @Test
    void aMergedSetIsSortedAndTheLaterBlockWins() {
        Resources first = Resources.of(List.of(cluster("b", 1), cluster("d", 1), cluster("a", 1)));
        Resources second = Resources.of(List.of(cluster("c", 2), cluster("b", 2)));
        Resources merged = first.mergedWith(second);
        assertThat(merged.list()).extracting(XdsResource::name).containsExactly("a", "b", "c", "d");
        assertThat(((Cluster) merged.list().get(1).message())
                        .getConnectTimeout()
                        .getSeconds())
                .isEqualTo(2);
        assertThat(merged.asMap())
                .isEqualTo(Resources.of(List.of(
                                cluster("b", 1), cluster("d", 1), cluster("a", 1), cluster("c", 2), cluster("b", 2)))
                        .asMap());
        assertThat(Resources.merge(List.of(Resources.EMPTY, first, Resources.EMPTY)))
                .isSameAs(first);
    }

    @Test
    void theVersionFollowsContentNotIdentity() {
        Resources a = Resources.of(List.of(cluster("a", 1), cluster("b", 1)));
        Resources sameContent = Resources.of(List.of(cluster("b", 1), cluster("a", 1)));
        Resources changed = Resources.of(List.of(cluster("a", 1), cluster("b", 2)));
        Resources fewer = Resources.of(List.of(cluster("a", 1)));
        assertThat(sameContent.version()).isEqualTo(a.version());
        assertThat(changed.version()).isNotEqualTo(a.version());
        assertThat(fewer.version()).isNotEqualTo(a.version());
        assertThat(Resources.EMPTY.version()).isNotEqualTo(fewer.version()).hasSize(16);
    }
}

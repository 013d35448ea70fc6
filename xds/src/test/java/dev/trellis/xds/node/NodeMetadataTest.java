package dev.trellis.xds.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeMetadataTest {

    private static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    @Test
    void parsesIstioNodeId() {
        NodeId id = NodeId.parse("sidecar~10.0.0.1~productpage-v1-abc.default~default.svc.cluster.local");
        assertThat(id.type()).isEqualTo(NodeType.SIDECAR);
        assertThat(id.ip()).isEqualTo("10.0.0.1");
        assertThat(id.name()).isEqualTo("productpage-v1-abc");
        assertThat(id.namespace()).isEqualTo("default");
        assertThat(id.dnsDomain()).isEqualTo("default.svc.cluster.local");
        assertThat(id.toString()).isEqualTo("sidecar~10.0.0.1~productpage-v1-abc.default~default.svc.cluster.local");
        assertThat(NodeId.parse("router~10.0.0.9~gw~istio-system.svc.cluster.local")
                        .namespace())
                .isEqualTo("istio-system");
    }

    @Test
    void rejectsMalformedNodeIds() {
        assertThatThrownBy(() -> NodeId.parse("n1")).hasMessageContaining("type~ip~name.namespace~domain");
        assertThatThrownBy(() -> NodeId.parse("gadget~1.2.3.4~a.b~c")).hasMessageContaining("unknown node type");
        assertThatThrownBy(() -> NodeId.parse("sidecar~1.2.3.4~~c")).hasMessageContaining("empty name");
        assertThat(NodeId.tryParse("n1")).isNull();
    }

    @Test
    void parsesIstioMetadataFields() {
        Struct md = Struct.newBuilder()
                .putFields("NAMESPACE", s("default"))
                .putFields("SERVICE_ACCOUNT", s("bookinfo-reviews"))
                .putFields(
                        "LABELS",
                        Value.newBuilder()
                                .setStructValue(Struct.newBuilder()
                                        .putFields("app", s("reviews"))
                                        .putFields("version", s("v2")))
                                .build())
                .putFields("INSTANCE_IPS", s("10.0.0.7, fd00::7"))
                .putFields("WORKLOAD_NAME", s("reviews-v2"))
                .putFields("GENERATOR", s("grpc"))
                .putFields("AUTO_REGISTER_GROUP", s("reviews"))
                .putFields("TRELLIS_WORKLOAD_PORTS", s("http:9080,grpc:9090,bad:x,7070"))
                .build();
        NodeMetadata m = NodeMetadata.fromNode(Node.newBuilder().setMetadata(md).build());
        assertThat(m.namespace()).isEqualTo("default");
        assertThat(m.serviceAccount()).isEqualTo("bookinfo-reviews");
        assertThat(m.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "reviews", "version", "v2"));
        assertThat(m.instanceIps()).containsExactly("10.0.0.7", "fd00::7");
        assertThat(m.workloadName()).isEqualTo("reviews-v2");
        assertThat(m.proxyless()).isTrue();
        assertThat(m.autoRegisterGroup()).isEqualTo("reviews");
        assertThat(m.workloadPorts())
                .containsExactly(Map.entry("http", 9080), Map.entry("grpc", 9090), Map.entry("7070", 7070));
    }

    @Test
    void missingAndOddlyTypedFieldsParseToEmptyValues() {
        NodeMetadata empty = NodeMetadata.fromNode(Node.getDefaultInstance());
        assertThat(empty.namespace()).isEmpty();
        assertThat(empty.labels()).isEmpty();
        assertThat(empty.instanceIps()).isEmpty();
        assertThat(empty.proxyless()).isFalse();

        Struct md = Struct.newBuilder()
                .putFields(
                        "INSTANCE_IPS",
                        Value.newBuilder()
                                .setListValue(ListValue.newBuilder().addValues(s("10.1.1.1")))
                                .build())
                .putFields("NAMESPACE", Value.newBuilder().setNumberValue(7).build())
                .build();
        NodeMetadata m = NodeMetadata.fromStruct(md);
        assertThat(m.instanceIps()).isEqualTo(List.of("10.1.1.1"));
        assertThat(m.namespace()).isEqualTo("7");
    }
}

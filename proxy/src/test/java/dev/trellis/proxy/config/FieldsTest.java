package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Fields#requireOnly} reports exactly the fields protobuf considers set, first by field number. */
class FieldsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // message, supported, the field named in the error (null: accepted)
                Arguments.of(Cluster.newBuilder().setName("c").build(), Set.of("name"), null),
                Arguments.of(
                        Cluster.newBuilder()
                                .setName("c")
                                .setConnectTimeout(Duration.getDefaultInstance())
                                .build(),
                        Set.of("name"),
                        "connect_timeout"), // a message field set to its default is still set
                Arguments.of(
                        Cluster.newBuilder()
                                .setName("c")
                                .setPerConnectionBufferLimitBytes(com.google.protobuf.UInt32Value.of(1))
                                .setRespectDnsTtl(true)
                                .build(),
                        Set.of("name"),
                        "per_connection_buffer_limit_bytes"), // lowest field number first
                Arguments.of(Cluster.newBuilder().setRespectDnsTtl(false).build(), Set.of(), null), // proto3 default
                Arguments.of(
                        Cluster.newBuilder()
                                .setType(Cluster.DiscoveryType.STATIC)
                                .build(),
                        Set.of(),
                        "type"), // a oneof member is set even at its default value
                Arguments.of(
                        Address.newBuilder()
                                .setSocketAddress(SocketAddress.newBuilder().setAddress("1.2.3.4"))
                                .build(),
                        Set.of("pipe"),
                        "socket_address"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void namesTheFirstUnsupportedSetField(Message m, Set<String> supported, String expected) {
        assertThat(m.getAllFields().keySet().stream()
                        .map(f -> f.getName())
                        .filter(n -> !supported.contains(n))
                        .findFirst()
                        .orElse(null))
                .as("what reflection says")
                .isEqualTo(expected);
        if (expected == null) {
            Fields.requireOnly(m, "x", supported);
        } else {
            assertThatThrownBy(() -> Fields.requireOnly(m, "x", supported))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("x: field '" + expected + "'");
        }
    }

    @org.junit.jupiter.api.Test
    void unpackChecksTheTypeLikeAny() throws Exception {
        var router = io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.newBuilder()
                .setSuppressEnvoyHeaders(true)
                .build();
        var any = com.google.protobuf.Any.pack(router);
        assertThat(Fields.unpack(any, io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.class))
                .isEqualTo(router);
        assertThat(Fields.is(any, io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.class))
                .isTrue();
        assertThat(Fields.is(any, Cluster.class)).isFalse();
        assertThatThrownBy(() -> Fields.unpack(any, Cluster.class))
                .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class)
                .hasMessageContaining("does not match");
        assertThat(Fields.descriptorOf(router))
                .isSameAs(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor());
    }
}

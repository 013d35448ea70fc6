package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The accessors say the same set fields as the message's wire form (which is what protobuf considers set). */
class PresenceTest {
    static Stream<Arguments> messages() {
        return Stream.of(
                Arguments.of("empty cluster", Cluster.getDefaultInstance()),
                Arguments.of(
                        "cluster: oneof enum at its default, scalars, wrapper, message, repeated, map",
                        Cluster.newBuilder()
                                .setName("c")
                                .setType(Cluster.DiscoveryType.STATIC) // 0, but a oneof member: set
                                .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
                                .setConnectTimeout(Duration.newBuilder().setSeconds(1))
                                .setPerConnectionBufferLimitBytes(UInt32Value.of(0))
                                .setIgnoreHealthOnHostRemoval(true)
                                .addDnsResolvers(io.envoyproxy.envoy.config.core.v3.Address.getDefaultInstance())
                                .putTypedExtensionProtocolOptions("k", Any.getDefaultInstance())
                                .setMetadata(Metadata.getDefaultInstance())
                                .build()),
                Arguments.of(
                        "cluster: scalars at their defaults are not set",
                        Cluster.newBuilder()
                                .setName("")
                                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                                .setIgnoreHealthOnHostRemoval(false)
                                .build()),
                Arguments.of(
                        "route: empty-string oneof member, wrapper and map",
                        Route.newBuilder()
                                .setMatch(RouteMatch.newBuilder().setPrefix("").setCaseSensitive(BoolValue.of(false)))
                                .putTypedPerFilterConfig("f", Any.getDefaultInstance())
                                .build()),
                Arguments.of(
                        "route match: prefix and headers",
                        RouteMatch.newBuilder()
                                .setPrefix("/a")
                                .addHeaders(HeaderMatcher.newBuilder()
                                        .setName("x")
                                        .setRangeMatch(Int64Range.newBuilder().setEnd(10)))
                                .build()),
                Arguments.of(
                        "int64 range: zero is unset",
                        Int64Range.newBuilder().setStart(0).setEnd(-1).build()),
                Arguments.of(
                        "percent: negative zero is set",
                        Percent.newBuilder().setValue(-0.0).build()),
                Arguments.of(
                        "percent: zero is unset",
                        Percent.newBuilder().setValue(0.0).build()),
                Arguments.of(
                        "bootstrap with a map",
                        Bootstrap.newBuilder()
                                .putCertificateProviderInstances("p", TypedExtensionConfig.getDefaultInstance())
                                .build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void accessorsAgreeWithTheWireForm(String name, Message message) throws Exception {
        Set<String> wire = new HashSet<>();
        var descriptor = message.getDescriptorForType();
        for (int number :
                UnknownFieldSet.parseFrom(message.toByteString()).asMap().keySet()) {
            wire.add(descriptor.findFieldByNumber(number).getName());
        }
        Set<String> all = new HashSet<>();
        descriptor.getFields().forEach(f -> all.add(f.getName()));
        // Each field alone outside the supported set: its probe alone decides.
        for (var f : descriptor.getFields()) {
            Set<String> others = new HashSet<>(all);
            others.remove(f.getName());
            assertThat(Presence.firstUnsupported(message, Set.copyOf(others)))
                    .as(f.getName())
                    .isEqualTo(wire.contains(f.getName()) ? f.getName() : "");
        }
        assertThat(Presence.firstUnsupported(message, Set.of()))
                .isEqualTo(wire.isEmpty() ? "" : firstDeclared(descriptor, wire));
        assertThat(Presence.firstUnsupported(message, Set.copyOf(all))).isEmpty();
    }

    private static String firstDeclared(com.google.protobuf.Descriptors.Descriptor d, Set<String> set) {
        return d.getFields().stream()
                .map(f -> f.getName())
                .filter(set::contains)
                .findFirst()
                .orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void mapsHaveEntriesExactlyWhenTheWireFormHasThem(String name, Message message) {
        for (var field : message.getDescriptorForType().getFields()) {
            if (field.isMapField()) {
                assertThat(Fields.hasEntries(message, field.getName()))
                        .as(field.getName())
                        .isEqualTo(message.getRepeatedFieldCount(field) > 0);
            }
        }
    }
}

package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.SettingsParameter;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Http2OptionsTest {
    private static UInt32Value u(long v) {
        return UInt32Value.of((int) v);
    }

    @Test
    void defaultsAreEnvoys() {
        Http2Options o = Http2Options.compile(Http2ProtocolOptions.getDefaultInstance(), "h2");
        assertThat(o).isEqualTo(Http2Options.DEFAULTS);
        assertThat(o.maxConcurrentStreams()).isEqualTo(2147483647L);
        assertThat(o.initialStreamWindowSize()).isEqualTo(268435456);
        assertThat(o.initialConnectionWindowSize()).isEqualTo(268435456);
        assertThat(o.hpackTableSize()).isEqualTo(4096);
        assertThat(o.maxOutboundControlFrames()).isEqualTo(1000);
        assertThat(o.maxConsecutiveEmptyFrames()).isEqualTo(1);
    }

    @Test
    void setValuesAreKept() {
        Http2Options o = Http2Options.compile(
                Http2ProtocolOptions.newBuilder()
                        .setMaxConcurrentStreams(u(100))
                        .setInitialStreamWindowSize(u(65535))
                        .setInitialConnectionWindowSize(u(1 << 20))
                        .setHpackTableSize(u(0))
                        .setMaxOutboundControlFrames(u(50))
                        .setMaxConsecutiveInboundFramesWithEmptyPayload(u(0))
                        .setMaxOutboundFrames(u(500))
                        .setStreamErrorOnInvalidHttpMessaging(true)
                        .addCustomSettingsParameters(SettingsParameter.newBuilder()
                                .setIdentifier(u(0x10))
                                .setValue(u(7)))
                        .build(),
                "h2");
        assertThat(o)
                .isEqualTo(new Http2Options(100, 65535, 1 << 20, 0, 50, 0, 100, 10, Map.of((char) 0x10, 7L), null));
        var s = o.prefaceSettings(true, 61440);
        assertThat(s.maxConcurrentStreams()).isEqualTo(100L);
        assertThat(s.headerTableSize()).isEqualTo(0L);
        assertThat(s.maxHeaderListSize()).isEqualTo(61440L);
        assertThat(s.get((char) 0x10)).isEqualTo(7L);
        assertThat(s.initialWindowSize()).as("announced after the preface").isNull();
        assertThat(o.prefaceSettings(false, 61440).pushEnabled()).isFalse();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setMaxConcurrentStreams(u(0)),
                        "field 'max_concurrent_streams' must be in [1, 2147483647], got 0"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setMaxConcurrentStreams(u(1L << 31)),
                        "field 'max_concurrent_streams' must be in [1, 2147483647], got 2147483648"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setInitialStreamWindowSize(u(1000)),
                        "field 'initial_stream_window_size' must be in [65535, 2147483647], got 1000"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setInitialConnectionWindowSize(u(65534)),
                        "field 'initial_connection_window_size' must be in [65535, 2147483647], got 65534"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setMaxOutboundControlFrames(u(0)),
                        "field 'max_outbound_control_frames' must be in [1, 2147483647], got 0"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder().setMaxInboundWindowUpdateFramesPerDataFrameSent(u(0)),
                        "field 'max_inbound_window_update_frames_per_data_frame_sent' must be in [1, 4294967295],"
                                + " got 0"),
                Arguments.of(Http2ProtocolOptions.newBuilder().setAllowConnect(true), "'allow_connect'"),
                Arguments.of(Http2ProtocolOptions.newBuilder().setAllowMetadata(true), "'allow_metadata'"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder()
                                .setConnectionKeepalive(KeepaliveSettings.getDefaultInstance()),
                        "connection_keepalive: field 'interval' is required and must be at least 1ms"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder()
                                .setConnectionKeepalive(KeepaliveSettings.newBuilder()
                                        .setInterval(com.google.protobuf.Duration.newBuilder()
                                                .setSeconds(1))),
                        "connection_keepalive: field 'timeout' is required and must be at least 1ms"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder()
                                .setConnectionKeepalive(KeepaliveSettings.newBuilder()
                                        .setInterval(com.google.protobuf.Duration.newBuilder()
                                                .setSeconds(1))
                                        .setTimeout(com.google.protobuf.Duration.newBuilder()
                                                .setSeconds(1))
                                        .setConnectionIdleInterval(com.google.protobuf.Duration.newBuilder()
                                                .setSeconds(1))),
                        "field 'connection_idle_interval' (KeepaliveSettings) is not supported by Trellis"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder()
                                .addCustomSettingsParameters(SettingsParameter.newBuilder()
                                        .setIdentifier(u(3))
                                        .setValue(u(5))),
                        "custom_settings_parameters[0]: identifier 3 is set by a named field"),
                Arguments.of(
                        Http2ProtocolOptions.newBuilder()
                                .addCustomSettingsParameters(
                                        SettingsParameter.newBuilder().setIdentifier(u(9))),
                        "custom_settings_parameters[0]: fields 'identifier' and 'value' are required"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidOptionsNameTheField(Http2ProtocolOptions.Builder o, String message) {
        assertThatThrownBy(() -> Http2Options.compile(o.build(), "listener \"l\" http2_protocol_options"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listener \"l\" http2_protocol_options")
                .hasMessageContaining(message);
    }

    @Test
    void clusterOptionsComeFromTheHttpProtocolOptionsExtension() {
        Http2ProtocolOptions h2 = Http2ProtocolOptions.newBuilder()
                .setMaxConcurrentStreams(u(3))
                .setOverrideStreamErrorOnInvalidHttpMessage(BoolValue.of(true))
                .build();
        Cluster explicit = Cluster.newBuilder()
                .setName("c")
                .putTypedExtensionProtocolOptions(
                        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        com.google.protobuf.Any.pack(HttpProtocolOptions.newBuilder()
                                .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                        .setHttp2ProtocolOptions(h2))
                                .build()))
                .build();
        assertThat(Http2Options.forCluster(explicit).maxConcurrentStreams()).isEqualTo(3);
        Cluster legacy =
                Cluster.newBuilder().setName("c").setHttp2ProtocolOptions(h2).build();
        assertThat(Http2Options.forCluster(legacy).maxConcurrentStreams()).isEqualTo(3);
        assertThat(Http2Options.forCluster(Cluster.newBuilder().setName("c").build()))
                .isEqualTo(Http2Options.DEFAULTS);
        Cluster bad = Cluster.newBuilder()
                .setName("c")
                .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder().setMaxConcurrentStreams(u(0)))
                .build();
        assertThatThrownBy(() -> Http2Options.forCluster(bad))
                .hasMessage("cluster \"c\" http2_protocol_options: field 'max_concurrent_streams' must be in [1,"
                        + " 2147483647], got 0");
    }
}

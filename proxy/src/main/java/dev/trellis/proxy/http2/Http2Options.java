package dev.trellis.proxy.http2;

import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's {@code envoy.config.core.v3.Http2ProtocolOptions}, compiled: the same defaults and ranges as Envoy
 * (max_concurrent_streams 2147483647, both flow-control windows 256 MiB, HPACK table 4096, at most 1000 queued
 * outbound control frames, 1 consecutive empty DATA frame).
 *
 * <p>The stream window is Envoy's per-stream buffer bound: a stream's bytes are handed to the proxy only as fast as
 * the other side takes them (Netty returns window when a frame is read by the stream's channel, and a stream channel
 * stops reading while the other side is not writable), so at most one window per stream is held.
 *
 * <p>{@code max_consecutive_inbound_frames_with_empty_payload}, {@code max_inbound_priority_frames_per_stream} and
 * {@code max_inbound_window_update_frames_per_data_frame_sent} are enforced as Envoy does (see {@link CountingCodec});
 * {@code max_outbound_frames} has no Netty knob and is validated and accepted but not enforced: Netty's own flood
 * protections (queued control frames, RST_STREAM rate) stand in for it. {@code
 * stream_error_on_invalid_http_messaging} only chooses between a stream and a connection error in Envoy; Netty answers
 * most invalid messages with a stream error. {@code use_oghttp2_codec} chooses Envoy's codec library and means nothing
 * here. {@code connection_keepalive} is {@link Http2Keepalive} ({@code keepalive} is null without it).
 */
public record Http2Options(
        long maxConcurrentStreams,
        int initialStreamWindowSize,
        int initialConnectionWindowSize,
        long hpackTableSize,
        int maxOutboundControlFrames,
        int maxConsecutiveEmptyFrames,
        long maxInboundPriorityFramesPerStream,
        long maxInboundWindowUpdateFramesPerDataFrameSent,
        Map<Character, Long> customSettings,
        Http2Keepalive keepalive) {

    public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 2147483647L;
    public static final int DEFAULT_WINDOW = 268435456;
    private static final int MIN_WINDOW = 65535;

    public static final Http2Options DEFAULTS = new Http2Options(
            DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_WINDOW, DEFAULT_WINDOW, 4096, 1000, 1, 100, 10, Map.of(), null);

    private static final Set<String> SUPPORTED = Set.of(
            "hpack_table_size",
            "max_concurrent_streams",
            "initial_stream_window_size",
            "initial_connection_window_size",
            "allow_connect",
            "allow_metadata",
            "max_outbound_frames",
            "max_outbound_control_frames",
            "max_consecutive_inbound_frames_with_empty_payload",
            "max_inbound_priority_frames_per_stream",
            "max_inbound_window_update_frames_per_data_frame_sent",
            "stream_error_on_invalid_http_messaging",
            "override_stream_error_on_invalid_http_message",
            "custom_settings_parameters",
            "connection_keepalive",
            "use_oghttp2_codec",
            "max_metadata_size");

    /** SETTINGS identifiers Envoy refuses in custom_settings_parameters because a named field sets them. */
    private static final Set<Integer> NAMED_SETTINGS = Set.of(1, 3, 4);

    /**
     * Compiles the options, rejecting what Envoy rejects (values out of range) and what we do not implement.
     *
     * @param where the resource and path, e.g. {@code listener "l" ... http_connection_manager http2_protocol_options}
     */
    public static Http2Options compile(Http2ProtocolOptions o, String where) {
        Fields.requireOnly(o, where, SUPPORTED);
        if (o.getAllowConnect()) {
            throw new ConfigException(where + ": field 'allow_connect' (extended CONNECT) is not supported by Trellis");
        }
        if (o.getAllowMetadata()) {
            throw new ConfigException(where + ": field 'allow_metadata' is not supported by Trellis");
        }
        long streams = range(
                o.hasMaxConcurrentStreams(),
                o.getMaxConcurrentStreams().getValue(),
                DEFAULT_MAX_CONCURRENT_STREAMS,
                1,
                2147483647L,
                where,
                "max_concurrent_streams");
        int streamWindow = (int) range(
                o.hasInitialStreamWindowSize(),
                o.getInitialStreamWindowSize().getValue(),
                DEFAULT_WINDOW,
                MIN_WINDOW,
                2147483647L,
                where,
                "initial_stream_window_size");
        int connWindow = (int) range(
                o.hasInitialConnectionWindowSize(),
                o.getInitialConnectionWindowSize().getValue(),
                DEFAULT_WINDOW,
                MIN_WINDOW,
                2147483647L,
                where,
                "initial_connection_window_size");
        long hpack = o.hasHpackTableSize()
                ? Integer.toUnsignedLong(o.getHpackTableSize().getValue())
                : 4096;
        int control = (int) range(
                o.hasMaxOutboundControlFrames(),
                o.getMaxOutboundControlFrames().getValue(),
                1000,
                1,
                Integer.MAX_VALUE,
                where,
                "max_outbound_control_frames");
        int empty = (int) range(
                o.hasMaxConsecutiveInboundFramesWithEmptyPayload(),
                o.getMaxConsecutiveInboundFramesWithEmptyPayload().getValue(),
                1,
                0,
                Integer.MAX_VALUE,
                where,
                "max_consecutive_inbound_frames_with_empty_payload");
        long priority = range(
                o.hasMaxInboundPriorityFramesPerStream(),
                o.getMaxInboundPriorityFramesPerStream().getValue(),
                100,
                0,
                4294967295L,
                where,
                "max_inbound_priority_frames_per_stream");
        long windowUpdates = range(
                o.hasMaxInboundWindowUpdateFramesPerDataFrameSent(),
                o.getMaxInboundWindowUpdateFramesPerDataFrameSent().getValue(),
                10,
                1,
                4294967295L,
                where,
                "max_inbound_window_update_frames_per_data_frame_sent");
        range(
                o.hasMaxOutboundFrames(),
                o.getMaxOutboundFrames().getValue(),
                10000,
                1,
                4294967295L,
                where,
                "max_outbound_frames");
        Map<Character, Long> custom = new LinkedHashMap<>();
        for (int i = 0; i < o.getCustomSettingsParametersCount(); i++) {
            var p = o.getCustomSettingsParameters(i);
            String w = where + " custom_settings_parameters[" + i + "]";
            if (!p.hasIdentifier() || !p.hasValue()) {
                throw new ConfigException(w + ": fields 'identifier' and 'value' are required");
            }
            int id = p.getIdentifier().getValue();
            if (id < 1 || id > 65535) {
                throw new ConfigException(w + ": identifier must be in [1, 65535], got " + id);
            }
            if (NAMED_SETTINGS.contains(id)) {
                throw new ConfigException(w + ": identifier " + id
                        + " is set by a named field of http2_protocol_options (hpack_table_size,"
                        + " max_concurrent_streams, initial_stream_window_size)");
            }
            if (id == 2 || id == 5 || id == 6 || id == 8) {
                throw new ConfigException(w + ": identifier " + id + " is managed by the codec and cannot be set");
            }
            if (custom.put((char) id, Integer.toUnsignedLong(p.getValue().getValue())) != null) {
                throw new ConfigException(w + ": identifier " + id + " appears twice");
            }
        }
        Http2Keepalive keepalive = o.hasConnectionKeepalive()
                ? Http2Keepalive.compile(o.getConnectionKeepalive(), where + " connection_keepalive")
                : null;
        return new Http2Options(
                streams,
                streamWindow,
                connWindow,
                hpack,
                control,
                empty,
                priority,
                windowUpdates,
                Map.copyOf(custom),
                keepalive);
    }

    /**
     * A cluster's upstream HTTP/2 options: {@code typed_extension_protocol_options} {@code HttpProtocolOptions}
     * ({@code explicit_http_config} or {@code use_downstream_protocol_config}), else the deprecated cluster-level
     * {@code http2_protocol_options}, else the defaults.
     */
    public static Http2Options forCluster(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
        String where = "cluster \"" + c.getName() + "\"";
        var protocolOptions = Fields.hasEntries(c, "typed_extension_protocol_options")
                ? c.getTypedExtensionProtocolOptionsMap()
                : java.util.Map.<String, com.google.protobuf.Any>of();
        for (var e : protocolOptions.entrySet()) {
            if (!e.getValue().getTypeUrl().endsWith("/envoy.extensions.upstreams.http.v3.HttpProtocolOptions")) {
                continue;
            }
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions o;
            try {
                o = Fields.unpack(
                        e.getValue(), io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new ConfigException(where + ": typed_extension_protocol_options: " + ex.getMessage());
            }
            String w = where + " HttpProtocolOptions";
            if (o.getExplicitHttpConfig().hasHttp2ProtocolOptions()) {
                return compile(
                        o.getExplicitHttpConfig().getHttp2ProtocolOptions(),
                        w + " explicit_http_config.http2_protocol_options");
            }
            if (o.getUseDownstreamProtocolConfig().hasHttp2ProtocolOptions()) {
                return compile(
                        o.getUseDownstreamProtocolConfig().getHttp2ProtocolOptions(),
                        w + " use_downstream_protocol_config.http2_protocol_options");
            }
        }
        if (c.hasHttp2ProtocolOptions()) {
            return compile(c.getHttp2ProtocolOptions(), where + " http2_protocol_options");
        }
        return DEFAULTS;
    }

    private static long range(boolean has, int raw, long dflt, long min, long max, String where, String field) {
        if (!has) {
            return dflt;
        }
        long v = Integer.toUnsignedLong(raw);
        if (v < min || v > max) {
            throw new ConfigException(
                    where + ": field '" + field + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /**
     * The SETTINGS of the connection preface. The stream window is not among them: it follows in a second SETTINGS
     * frame (see {@link #afterPreface}), because Netty widens the connection window to twice the stream window when
     * the preface carries one, and Envoy sets the two independently.
     */
    public Http2Settings prefaceSettings(boolean server, long maxHeaderListSize) {
        Http2Settings s = Http2Settings.defaultSettings().maxHeaderListSize(maxHeaderListSize);
        if (hpackTableSize != 4096) {
            s.headerTableSize(hpackTableSize);
        }
        if (server) {
            s.maxConcurrentStreams(maxConcurrentStreams);
        } else {
            s.pushEnabled(false);
        }
        customSettings.forEach(s::put);
        return s;
    }

    /**
     * A frame codec with these options' settings and flood limits. Closing its connection sends a GOAWAY and closes
     * without waiting for the streams: waiting for them is the drain's business ({@link Http2ServerConnection}), and
     * what the listener closes after its drain time must close.
     */
    public Http2FrameCodec codec(boolean server, long maxHeaderListSize) {
        return codec(server, maxHeaderListSize, null);
    }

    /** The same, counting into {@code stats} (Envoy's {@code http2.*} codec stats) unless it is null. */
    public Http2FrameCodec codec(boolean server, long maxHeaderListSize, Http2CodecStats stats) {
        Http2FrameCodecBuilder b = stats != null
                ? CountingCodec.builder(server, stats, this)
                : server ? Http2FrameCodecBuilder.forServer() : Http2FrameCodecBuilder.forClient();
        return b.initialSettings(prefaceSettings(server, maxHeaderListSize))
                .gracefulShutdownTimeoutMillis(0)
                .encoderEnforceMaxQueuedControlFrames(maxOutboundControlFrames)
                // With stats the counting codec enforces it (as Envoy: 0 means no empty frame at all).
                .decoderEnforceMaxConsecutiveEmptyDataFrames(stats != null ? 0 : maxConsecutiveEmptyFrames)
                .build();
    }

    /**
     * Once the preface is out: announces the stream window and opens the connection window to its configured size.
     * {@code ctx} must sit after the codec in the connection's pipeline.
     */
    public void afterPreface(ChannelHandlerContext ctx, Http2FrameCodec codec) {
        if (initialStreamWindowSize != MIN_WINDOW) {
            ctx.write(new DefaultHttp2SettingsFrame(new Http2Settings().initialWindowSize(initialStreamWindowSize)));
        }
        Http2Connection c = codec.connection();
        Http2LocalFlowController flow = c.local().flowController();
        int current = flow.initialWindowSize(c.connectionStream());
        if (initialConnectionWindowSize > current) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(initialConnectionWindowSize - current));
        }
        ctx.flush();
    }
}

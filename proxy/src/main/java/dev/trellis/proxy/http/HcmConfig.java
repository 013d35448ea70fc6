package dev.trellis.proxy.http;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.http.filter.HttpFilterFactory;
import dev.trellis.proxy.http.filter.HttpFilterRegistry;
import dev.trellis.proxy.http2.Http2Options;
import dev.trellis.proxy.route.RouteCompiler;
import dev.trellis.proxy.route.RouteSource;
import dev.trellis.proxy.server.ProxyContext;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A compiled {@code http_connection_manager}: everything a connection needs, immutable. */
public record HcmConfig(
        String statPrefix,
        Codec codec,
        RouteSource routes,
        List<HttpFilterRegistry.Configured<?>> filters,
        String serverName,
        ServerHeader serverHeader,
        String via,
        boolean generateRequestId,
        boolean preserveExternalRequestId,
        boolean alwaysSetRequestIdInResponse,
        boolean useRemoteAddress,
        boolean skipXffAppend,
        long streamIdleTimeoutMs,
        long requestTimeoutMs,
        long requestHeadersTimeoutMs,
        long idleTimeoutMs,
        long maxConnectionDurationMs,
        long drainTimeoutMs,
        int maxRequestHeadersBytes,
        int maxRequestsPerConnection,
        Set<String> upgrades,
        boolean stripAnyHostPort,
        HcmStats stats,
        dev.trellis.proxy.accesslog.AccessLogs accessLogs,
        Http2Options http2,
        ProxyContext context) {

    public enum Codec {
        AUTO,
        HTTP1,
        HTTP2
    }

    public enum ServerHeader {
        OVERWRITE,
        APPEND_IF_ABSENT,
        PASS_THROUGH
    }

    public static final String TYPE_URL =
            "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

    private static final Set<String> SUPPORTED = Set.of(
            "stat_prefix",
            "codec_type",
            "route_config",
            "rds",
            "http_filters",
            "server_name",
            "server_header_transformation",
            "via",
            "generate_request_id",
            "preserve_external_request_id",
            "always_set_request_id_in_response",
            "use_remote_address",
            "skip_xff_append",
            "xff_num_trusted_hops",
            "stream_idle_timeout",
            "request_timeout",
            "request_headers_timeout",
            "common_http_protocol_options",
            "max_request_headers_kb",
            "upgrade_configs",
            "http_protocol_options",
            "http2_protocol_options",
            "strip_any_host_port",
            "strip_matching_host_port",
            "drain_timeout",
            "delayed_close_timeout",
            "normalize_path",
            "merge_slashes",
            "path_with_escaped_slashes_action",
            "forward_client_cert_details",
            "set_current_client_cert_details",
            "internal_address_config",
            "add_user_agent",
            // Tracing arrives with the telemetry issue; Envoy without a tracer provider also does nothing with it.
            "tracing",
            "access_log");

    public static HcmConfig compile(Any any, String where, ProxyContext ctx, String version) {
        HttpConnectionManager h;
        try {
            h = dev.trellis.proxy.config.Fields.unpack(any, HttpConnectionManager.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ConfigException(where + ": cannot decode HttpConnectionManager: " + e.getMessage());
        }
        return compile(h, where, ctx, version);
    }

    public static HcmConfig compile(HttpConnectionManager h, String where, ProxyContext ctx, String version) {
        where = where + " http_connection_manager";
        Fields.requireOnly(h, where, SUPPORTED);
        if (h.getStatPrefix().isEmpty()) {
            throw new ConfigException(where + ": field 'stat_prefix' is required");
        }
        dev.trellis.proxy.accesslog.AccessLogs accessLogs =
                dev.trellis.proxy.accesslog.AccessLogs.compile(h.getAccessLogList(), where);
        Codec codec =
                switch (h.getCodecType()) {
                    case AUTO -> Codec.AUTO;
                    case HTTP1 -> Codec.HTTP1;
                    case HTTP2 -> Codec.HTTP2;
                    default ->
                        throw new ConfigException(where + ": codec_type " + h.getCodecType() + " is not supported");
                };
        RouteSource routes;
        switch (h.getRouteSpecifierCase()) {
            case ROUTE_CONFIG ->
                routes = new RouteSource(
                        h.getRouteConfig().getName(), RouteCompiler.compile(h.getRouteConfig(), version));
            case RDS -> {
                if (!h.getRds().getConfigSource().hasAds()) {
                    throw new ConfigException(where + " rds.config_source: only 'ads' is supported");
                }
                if (h.getRds().getRouteConfigName().isEmpty()) {
                    throw new ConfigException(where + " rds: field 'route_config_name' is required");
                }
                routes = ctx.routes().get(h.getRds().getRouteConfigName());
            }
            default -> throw new ConfigException(where + ": one of 'route_config' or 'rds' is required");
        }
        List<HttpFilterRegistry.Configured<?>> filters = new ArrayList<>();
        for (int i = 0; i < h.getHttpFiltersCount(); i++) {
            HttpFilter f = h.getHttpFilters(i);
            String fw = where + " http_filters[" + i + "] \"" + f.getName() + "\"";
            if (f.getDisabled()) {
                continue;
            }
            if (!f.hasTypedConfig()) {
                throw new ConfigException(fw + ": field 'typed_config' is required");
            }
            HttpFilterFactory<?> factory = ctx.filters().get(f.getTypedConfig().getTypeUrl());
            if (factory == null) {
                if (f.getIsOptional()) {
                    continue;
                }
                throw new ConfigException(
                        fw + ": filter type " + f.getTypedConfig().getTypeUrl() + " is not supported");
            }
            filters.add(configure(factory, f, fw, ctx));
            if (factory.terminal() && i != h.getHttpFiltersCount() - 1) {
                throw new ConfigException(fw + ": the router must be the last HTTP filter");
            }
        }
        if (filters.isEmpty() || !filters.get(filters.size() - 1).factory().terminal()) {
            throw new ConfigException(where + ": http_filters must end with the router"
                    + " (envoy.extensions.filters.http.router.v3.Router)");
        }
        var common = h.getCommonHttpProtocolOptions();
        Set<String> upgrades = new java.util.HashSet<>();
        for (var u : h.getUpgradeConfigsList()) {
            if (!u.hasEnabled() || u.getEnabled().getValue()) {
                upgrades.add(u.getUpgradeType().toLowerCase(Locale.ROOT));
            }
        }
        Http2Options http2 = h.hasHttp2ProtocolOptions()
                ? Http2Options.compile(h.getHttp2ProtocolOptions(), where + " http2_protocol_options")
                : Http2Options.DEFAULTS;
        int kb = h.hasMaxRequestHeadersKb() ? h.getMaxRequestHeadersKb().getValue() : 60;
        if (kb < 1 || kb > 8192) {
            throw new ConfigException(where + ": max_request_headers_kb must be in [1, 8192]");
        }
        return new HcmConfig(
                h.getStatPrefix(),
                codec,
                routes,
                List.copyOf(filters),
                h.getServerName().isEmpty() ? "envoy" : h.getServerName(),
                switch (h.getServerHeaderTransformation()) {
                    case APPEND_IF_ABSENT -> ServerHeader.APPEND_IF_ABSENT;
                    case PASS_THROUGH -> ServerHeader.PASS_THROUGH;
                    default -> ServerHeader.OVERWRITE;
                },
                h.getVia(),
                !h.hasGenerateRequestId() || h.getGenerateRequestId().getValue(),
                h.getPreserveExternalRequestId(),
                h.getAlwaysSetRequestIdInResponse(),
                h.hasUseRemoteAddress() && h.getUseRemoteAddress().getValue(),
                h.getSkipXffAppend(),
                Fields.millis(h.hasStreamIdleTimeout(), h.getStreamIdleTimeout(), 300_000),
                Fields.millis(h.hasRequestTimeout(), h.getRequestTimeout(), 0),
                Fields.millis(h.hasRequestHeadersTimeout(), h.getRequestHeadersTimeout(), 0),
                Fields.millis(common.hasIdleTimeout(), common.getIdleTimeout(), 3_600_000),
                Fields.millis(common.hasMaxConnectionDuration(), common.getMaxConnectionDuration(), 0),
                Fields.millis(h.hasDrainTimeout(), h.getDrainTimeout(), 5000),
                kb * 1024,
                common.hasMaxRequestsPerConnection()
                        ? common.getMaxRequestsPerConnection().getValue()
                        : 0,
                Set.copyOf(upgrades),
                h.getStripAnyHostPort(),
                new HcmStats(ctx.stats(), h.getStatPrefix()),
                accessLogs,
                http2,
                ctx);
    }

    private static <C> HttpFilterRegistry.Configured<C> configure(
            HttpFilterFactory<C> factory, HttpFilter f, String where, ProxyContext ctx) {
        return new HttpFilterRegistry.Configured<>(f.getName(), factory, factory.parse(f.getTypedConfig(), where, ctx));
    }
}

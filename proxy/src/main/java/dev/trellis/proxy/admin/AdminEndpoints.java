package dev.trellis.proxy.admin;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.bootstrap.ExtensionTypes;
import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.listener.ListenerConfig;
import dev.trellis.proxy.listener.ListenerManager;
import dev.trellis.proxy.log.LogLevel;
import dev.trellis.proxy.log.Logging;
import dev.trellis.proxy.route.RouteSource;
import dev.trellis.proxy.route.RouteTable;
import dev.trellis.proxy.server.ProxyServer;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/** The admin endpoints, as plain functions from request to reply (easy to test without sockets). */
final class AdminEndpoints {
    record Reply(int status, String contentType, String body, Runnable after) {
        static Reply text(int status, String body) {
            return new Reply(status, "text/plain; charset=UTF-8", body, null);
        }

        static Reply json(String body) {
            return new Reply(200, "application/json", body, null);
        }
    }

    /** Built on the first dump: it needs protobuf's descriptors, which nothing on the proxy's start builds. */
    private static final class Json {
        static final JsonFormat.Printer PRINTER = JsonFormat.printer()
                .preservingProtoFieldNames()
                .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                        .add(ExtensionTypes.descriptors())
                        .add(BootstrapConfigDump.getDescriptor())
                        .add(ClustersConfigDump.getDescriptor())
                        .add(ListenersConfigDump.getDescriptor())
                        .add(RoutesConfigDump.getDescriptor())
                        .build());
    }

    private final ProxyServer server;

    AdminEndpoints(ProxyServer server) {
        this.server = server;
    }

    Reply handle(HttpMethod method, String path, Map<String, List<String>> params) {
        boolean post = method.equals(HttpMethod.POST);
        return switch (path) {
            case "/ready" ->
                server.healthCheckFailed()
                        ? Reply.text(503, "DRAINING\n")
                        : server.initialized() ? Reply.text(200, "LIVE\n") : Reply.text(503, "INITIALIZING\n");
            case "/server_info" -> Reply.json(serverInfo());
            case "/stats" -> {
                if ("json".equals(first(params, "format"))) {
                    yield Reply.json(statsJson(first(params, "filter")));
                }
                if ("prometheus".equals(first(params, "format"))) {
                    yield new Reply(
                            200,
                            "text/plain; version=0.0.4",
                            server.context().stats().prometheus(),
                            null);
                }
                yield Reply.text(200, server.context().stats().text(first(params, "filter")));
            }
            case "/stats/prometheus" ->
                new Reply(
                        200,
                        "text/plain; version=0.0.4",
                        server.context().stats().prometheus(),
                        null);
            case "/config_dump" -> Reply.json(configDump());
            case "/clusters" -> Reply.text(200, clusters());
            case "/listeners" -> Reply.text(200, listeners());
            case "/quitquitquit" ->
                post
                        ? new Reply(200, "text/plain; charset=UTF-8", "OK\n", () -> server.shutdown(false))
                        : Reply.text(405, "use POST\n");
            case "/drain_listeners" -> {
                // Envoy's: stop accepting on every listener and drain its connections (GOAWAY, Connection: close).
                if (!post) {
                    yield Reply.text(405, "use POST\n");
                }
                if (params.containsKey("inboundonly")) {
                    yield Reply.text(400, "inboundonly is not supported: drains every listener or none\n");
                }
                server.listeners().drainAll();
                yield Reply.text(200, "OK\n");
            }
            case "/healthcheck/fail" -> {
                if (!post) {
                    yield Reply.text(405, "use POST\n");
                }
                server.setHealthCheckFailed(true);
                yield Reply.text(200, "OK\n");
            }
            case "/healthcheck/ok" -> {
                if (!post) {
                    yield Reply.text(405, "use POST\n");
                }
                server.setHealthCheckFailed(false);
                yield Reply.text(200, "OK\n");
            }
            case "/logging" -> logging(post, params);
            case "/", "/help" -> Reply.text(200, """
                    admin commands are:
                      /clusters: upstream cluster status
                      /config_dump: dump current Envoy configs
                      /healthcheck/fail: cause the server to fail health checks (POST)
                      /healthcheck/ok: cause the server to pass health checks (POST)
                      /listeners: print listener info
                      /logging: query/change logging levels (POST ?level=)
                      /quitquitquit: exit the server (POST)
                      /ready: print server state, return 200 if LIVE, otherwise return 503
                      /server_info: print server version/status information
                      /stats: print server stats
                      /stats/prometheus: print server stats in prometheus format
                    """);
            default -> Reply.text(404, "invalid path. admin commands are listed at /help\n");
        };
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private String serverInfo() {
        long uptime = (System.currentTimeMillis() - server.startedAtMs()) / 1000;
        String state = server.healthCheckFailed() ? "DRAINING" : server.initialized() ? "LIVE" : "INITIALIZING";
        StringBuilder sb = new StringBuilder();
        sb.append("{\n \"version\": \"trellis/")
                .append(version())
                .append("\",\n \"state\": \"")
                .append(state)
                .append("\",\n \"uptime_current_epoch\": \"")
                .append(uptime)
                .append("s\",\n \"uptime_all_epochs\": \"")
                .append(uptime)
                .append("s\",\n \"command_line_options\": {\"concurrency\": ")
                .append(server.options().concurrency())
                .append(", \"drain_time\": \"")
                .append(server.options().drainTimeMs() / 1000)
                .append("s\"},\n \"node\": ");
        try {
            sb.append(Json.PRINTER.print(server.bootstrap().getNode()));
        } catch (InvalidProtocolBufferException e) {
            sb.append("{}");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    private static String version() {
        String v = AdminEndpoints.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private String statsJson(String filter) {
        StringBuilder sb = new StringBuilder("{\"stats\":[");
        boolean first = true;
        for (var s : server.context().stats().all()) {
            if (filter != null && !s.fullName().contains(filter)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"name\":\"")
                    .append(s.fullName())
                    .append("\",\"value\":")
                    .append(s.value())
                    .append('}');
        }
        return sb.append("]}\n").toString();
    }

    private String configDump() {
        Timestamp now = Timestamp.newBuilder()
                .setSeconds(System.currentTimeMillis() / 1000)
                .build();
        BootstrapConfigDump boot = BootstrapConfigDump.newBuilder()
                .setBootstrap(server.bootstrap())
                .setLastUpdated(Timestamp.newBuilder().setSeconds(server.startedAtMs() / 1000))
                .build();
        ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
        Map<String, Cluster> active = server.context().clusters().active();
        java.util.Set<String> staticClusters = new java.util.HashSet<>();
        for (var c : server.bootstrap().getStaticResources().getClustersList()) {
            staticClusters.add(c.getName());
        }
        for (Cluster c : active.values()) {
            if (staticClusters.contains(c.name())) {
                clusters.addStaticClusters(ClustersConfigDump.StaticCluster.newBuilder()
                        .setCluster(Any.pack(c.source()))
                        .setLastUpdated(now));
            } else {
                clusters.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder()
                        .setVersionInfo(c.version())
                        .setCluster(Any.pack(c.source()))
                        .setLastUpdated(now));
            }
        }
        for (Cluster c : server.context().clusters().warming().values()) {
            clusters.addDynamicWarmingClusters(ClustersConfigDump.DynamicCluster.newBuilder()
                    .setVersionInfo(c.version())
                    .setCluster(Any.pack(c.source()))
                    .setLastUpdated(now));
        }
        ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
        ListenerManager lm = server.listeners();
        var statics = lm.staticNames();
        for (var e : lm.active().entrySet()) {
            ListenerConfig cfg = e.getValue().config();
            if (statics.contains(e.getKey())) {
                listeners.addStaticListeners(ListenersConfigDump.StaticListener.newBuilder()
                        .setListener(Any.pack(cfg.source()))
                        .setLastUpdated(now));
            } else {
                listeners.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder()
                        .setName(e.getKey())
                        .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder()
                                .setVersionInfo(cfg.version())
                                .setListener(Any.pack(cfg.source()))
                                .setLastUpdated(now)));
            }
        }
        for (var e : lm.warming().entrySet()) {
            listeners.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder()
                    .setName(e.getKey())
                    .setWarmingState(ListenersConfigDump.DynamicListenerState.newBuilder()
                            .setVersionInfo(e.getValue().version())
                            .setListener(Any.pack(e.getValue().source()))
                            .setLastUpdated(now)));
        }
        RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
        for (RouteSource rs : server.context().routes().all().values()) {
            RouteTable t = rs.table();
            if (t != null) {
                routes.addDynamicRouteConfigs(RoutesConfigDump.DynamicRouteConfig.newBuilder()
                        .setVersionInfo(t.version())
                        .setRouteConfig(Any.pack(t.source()))
                        .setLastUpdated(now));
            }
        }
        ConfigDump dump = ConfigDump.newBuilder()
                .addConfigs(Any.pack(boot))
                .addConfigs(Any.pack(clusters.build()))
                .addConfigs(Any.pack(listeners.build()))
                .addConfigs(Any.pack(routes.build()))
                .build();
        try {
            return Json.PRINTER.print(dump) + "\n";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("config dump: " + e.getMessage(), e);
        }
    }

    private String clusters() {
        StringBuilder sb = new StringBuilder();
        for (Cluster c : server.context().clusters().active().values()) {
            String n = c.name();
            var cb = c.circuitBreakers();
            sb.append(n)
                    .append("::default_priority::max_connections::")
                    .append(cb.maxConnections)
                    .append('\n');
            sb.append(n)
                    .append("::default_priority::max_pending_requests::")
                    .append(cb.maxPendingRequests)
                    .append('\n');
            sb.append(n)
                    .append("::default_priority::max_requests::")
                    .append(cb.maxRequests)
                    .append('\n');
            sb.append(n)
                    .append("::default_priority::max_retries::")
                    .append(cb.maxRetries)
                    .append('\n');
            sb.append(n)
                    .append("::added_via_api::")
                    .append(!c.version().isEmpty())
                    .append('\n');
            for (Host h : c.hosts().allHosts()) {
                String p = n + "::" + h.addressString() + "::";
                sb.append(p).append("rq_active::").append(h.activeRequests()).append('\n');
                sb.append(p)
                        .append("health_flags::")
                        .append(h.healthy() ? "healthy" : "/failed_eds_health")
                        .append('\n');
                sb.append(p).append("weight::").append(h.weight()).append('\n');
                sb.append(p).append("region::").append(h.locality()).append('\n');
                sb.append(p).append("priority::").append(h.priority()).append('\n');
            }
        }
        return sb.toString();
    }

    private String listeners() {
        StringBuilder sb = new StringBuilder();
        for (var e : server.listeners().active().entrySet()) {
            var addr = e.getValue().boundAddress();
            sb.append(e.getKey())
                    .append("::")
                    .append(addr.getAddress().getHostAddress())
                    .append(':')
                    .append(addr.getPort())
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * Envoy's {@code /logging}: {@code POST ?level=L} sets every logger, {@code POST ?<logger>=L} one of them; both
     * answer with the active loggers and their levels.
     */
    private Reply logging(boolean post, Map<String, List<String>> params) {
        if (post) {
            for (var e : params.entrySet()) {
                String key = e.getKey();
                String value = e.getValue().isEmpty() ? "" : e.getValue().get(0);
                LogLevel l = LogLevel.parse(value);
                if (!key.equals("level") && !Logging.GROUPS.containsKey(key)) {
                    return Reply.text(
                            400, "unknown logger '" + key + "' (level, " + String.join(", ", loggerNames()) + ")\n");
                }
                if (l == null) {
                    return Reply.text(400, "unknown level '" + value + "' (trace, debug, info, warning, error, off)\n");
                }
            }
            for (var e : params.entrySet()) {
                LogLevel l = LogLevel.parse(e.getValue().get(0));
                if (e.getKey().equals("level")) {
                    Logging.setAll(l);
                } else {
                    Logging.setLevels(Logging.levels().with(Logging.GROUPS.get(e.getKey()), l));
                }
            }
        }
        StringBuilder sb = new StringBuilder("active loggers:\n");
        for (String name : loggerNames()) {
            sb.append("  ")
                    .append(name)
                    .append(": ")
                    .append(Logging.levels().levelOf(Logging.GROUPS.get(name)).envoyName())
                    .append('\n');
        }
        return Reply.text(200, sb.toString());
    }

    private static List<String> loggerNames() {
        return Logging.GROUPS.keySet().stream().sorted().toList();
    }
}

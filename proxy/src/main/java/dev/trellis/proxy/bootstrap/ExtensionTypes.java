package dev.trellis.proxy.bootstrap;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/**
 * The typed extensions Trellis implements. Only these can appear inside an {@code Any} in a bootstrap; anything else is
 * rejected by the parser with the type URL named. Filters added later register their config message here.
 */
public final class ExtensionTypes {
    private ExtensionTypes() {}

    public static final List<Descriptor> DESCRIPTORS = List.of(
            HttpConnectionManager.getDescriptor(),
            TcpProxy.getDescriptor(),
            Router.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor(),
            TlsInspector.getDescriptor(),
            HttpInspector.getDescriptor(),
            OriginalDst.getDescriptor(),
            HttpProtocolOptions.getDescriptor(),
            FileAccessLog.getDescriptor(),
            StdoutAccessLog.getDescriptor(),
            StderrAccessLog.getDescriptor(),
            Listener.getDescriptor(),
            Cluster.getDescriptor(),
            RouteConfiguration.getDescriptor(),
            ClusterLoadAssignment.getDescriptor());

    private static final JsonFormat.TypeRegistry REGISTRY =
            JsonFormat.TypeRegistry.newBuilder().add(DESCRIPTORS).build();

    public static JsonFormat.TypeRegistry registry() {
        return REGISTRY;
    }
}

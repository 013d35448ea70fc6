package dev.trellis.proxy.bootstrap;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Internal;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
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
 * rejected with the type URL named. Filters added later register their config message here; the build's schema table
 * ({@link dev.trellis.proxy.config.schema.SchemaGenerator}) covers exactly these and the bootstrap.
 */
public final class ExtensionTypes {
    private ExtensionTypes() {}

    /** Class literals: naming a generated class does not initialise it (nor build its descriptors). */
    public static final List<Class<? extends Message>> TYPES = List.of(
            HttpConnectionManager.class,
            TcpProxy.class,
            Router.class,
            HTTPFault.class,
            Cors.class,
            CorsPolicy.class,
            TlsInspector.class,
            HttpInspector.class,
            OriginalDst.class,
            HttpProtocolOptions.class,
            FileAccessLog.class,
            StdoutAccessLog.class,
            StderrAccessLog.class,
            Listener.class,
            Cluster.class,
            RouteConfiguration.class,
            ClusterLoadAssignment.class);

    private static final class Descriptors {
        static final List<Descriptor> ALL = TYPES.stream()
                .map(type -> Fields.descriptorOf(Internal.getDefaultInstance(type)))
                .toList();
        static final JsonFormat.TypeRegistry REGISTRY =
                JsonFormat.TypeRegistry.newBuilder().add(ALL).build();
    }

    /**
     * Protobuf's descriptors of these types, for printing config ({@code /config_dump}) and for tests. Built on first
     * use: nothing on the proxy's start needs them (see {@link dev.trellis.proxy.config.schema.ProtoSchema}).
     */
    public static List<Descriptor> descriptors() {
        return Descriptors.ALL;
    }

    /** A JSON type registry of these types (see {@link #descriptors()}). */
    public static JsonFormat.TypeRegistry registry() {
        return Descriptors.REGISTRY;
    }
}

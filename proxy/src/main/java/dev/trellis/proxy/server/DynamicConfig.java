package dev.trellis.proxy.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.route.RouteCompiler;
import dev.trellis.proxy.route.RouteSource;
import dev.trellis.proxy.route.RouteTable;
import dev.trellis.xds.TypeUrl;
import dev.trellis.xds.client.XdsClient;
import dev.trellis.xds.client.XdsRejectedException;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The bridge between the xDS client and the proxy's managers ({@code dynamic_resources}: ADS for LDS, RDS, CDS, EDS).
 * Each response is compiled completely before anything is applied; a failure is NACKed naming the resource and field,
 * and the last good config keeps serving. RDS and EDS subscriptions follow the route configurations and EDS clusters
 * the current listeners and clusters name. {@code initial_fetch_timeout} ends warming when the server is silent.
 */
public final class DynamicConfig implements AutoCloseable {
    private final ProxyServer server;
    private final XdsClient client;
    private final long initialFetchTimeoutMs;
    private volatile boolean initialFetchDone;
    private final Set<TypeUrl> initialPending = java.util.EnumSet.noneOf(TypeUrl.class);
    private final List<XdsClient.Event> history = new CopyOnWriteArrayList<>();

    private DynamicConfig(ProxyServer server, XdsClient client, long initialFetchTimeoutMs) {
        this.server = server;
        this.client = client;
        this.initialFetchTimeoutMs = initialFetchTimeoutMs;
    }

    static DynamicConfig start(ProxyServer server) {
        var dr = server.bootstrap().getDynamicResources();
        String where = "bootstrap dynamic_resources";
        Fields.requireOnly(dr, where, Set.of("ads_config", "lds_config", "cds_config"));
        if (!dr.hasAdsConfig()) {
            throw new ConfigException(where + ": field 'ads_config' is required (only ADS is supported)");
        }
        ApiConfigSource ads = dr.getAdsConfig();
        if (ads.getApiType() != ApiConfigSource.ApiType.GRPC) {
            throw new ConfigException(where + " ads_config: api_type " + ads.getApiType()
                    + " is not supported (use GRPC: state of the world)");
        }
        if (ads.getGrpcServicesCount() != 1) {
            throw new ConfigException(where + " ads_config: exactly one grpc_services entry is required");
        }
        var gs = ads.getGrpcServices(0);
        String target;
        if (gs.hasEnvoyGrpc()) {
            String name = gs.getEnvoyGrpc().getClusterName();
            Cluster c = server.context().clusters().get(name);
            if (c == null) {
                throw new ConfigException(where + " ads_config: envoy_grpc cluster '" + name
                        + "' is not a static cluster (STATIC clusters only for the xDS server)");
            }
            List<Host> hosts = c.hosts().allHosts();
            if (hosts.isEmpty()) {
                throw new ConfigException(where + " ads_config: cluster '" + name + "' has no endpoints");
            }
            target = hosts.get(0).addressString();
        } else if (gs.hasGoogleGrpc()) {
            target = gs.getGoogleGrpc().getTargetUri();
        } else {
            throw new ConfigException(where + " ads_config: grpc_services needs envoy_grpc or google_grpc");
        }
        long timeout = 15_000;
        Set<TypeUrl> types = java.util.EnumSet.noneOf(TypeUrl.class);
        for (var e : Map.of("lds_config", dr.getLdsConfig(), "cds_config", dr.getCdsConfig())
                .entrySet()) {
            ConfigSource cs = e.getValue();
            boolean has = e.getKey().equals("lds_config") ? dr.hasLdsConfig() : dr.hasCdsConfig();
            if (!has) {
                continue;
            }
            if (!cs.hasAds()) {
                throw new ConfigException(where + " " + e.getKey() + ": only 'ads {}' is supported");
            }
            if (cs.hasInitialFetchTimeout()) {
                timeout = Fields.millis(cs.getInitialFetchTimeout());
            }
            types.add(e.getKey().equals("lds_config") ? TypeUrl.LISTENER : TypeUrl.CLUSTER);
        }
        // gRPC and the xDS client log through java.util.logging: route it into the proxy's log before they start.
        dev.trellis.proxy.log.JulBridge.install();
        ManagedChannel channel =
                NettyChannelBuilder.forTarget(target).usePlaintext().build();
        DynamicConfig[] self = new DynamicConfig[1];
        XdsClient client = new XdsClient(channel, server.bootstrap().getNode(), e -> self[0].onEvent(e));
        DynamicConfig d = new DynamicConfig(server, client, timeout);
        self[0] = d;
        d.initialPending.addAll(types);
        if (types.isEmpty()) {
            d.initialFetchDone = true;
        }
        server.context().routes().onNamesChanged(d::routeNamesChanged);
        server.context().clusters().onChange(cm -> client.updateNames(TypeUrl.ENDPOINT, cm.edsNames()));
        if (types.contains(TypeUrl.CLUSTER)) {
            client.subscribe(TypeUrl.CLUSTER, Set.of(), d::applyClusters);
            client.subscribe(TypeUrl.ENDPOINT, server.context().clusters().edsNames(), d::applyEndpoints);
        }
        if (types.contains(TypeUrl.LISTENER)) {
            client.subscribe(TypeUrl.LISTENER, Set.of(), d::applyListeners);
            client.subscribe(TypeUrl.ROUTE, server.context().routes().names(), d::applyRoutes);
        }
        if (timeout > 0) {
            client.executor().schedule(d::initialFetchTimedOut, timeout, TimeUnit.MILLISECONDS);
        }
        return d;
    }

    private void onEvent(XdsClient.Event e) {
        history.add(e);
        if (history.size() > 100) {
            history.remove(0);
        }
        synchronized (initialPending) {
            initialPending.remove(e.type());
            if (initialPending.isEmpty()) {
                initialFetchDone = true;
            }
        }
    }

    private void initialFetchTimedOut() {
        if (!initialFetchDone) {
            dev.trellis.proxy.log.Log.of(DynamicConfig.class)
                    .warn("xDS: initial fetch timed out after " + initialFetchTimeoutMs + " ms; serving what we have");
        }
        initialFetchDone = true;
        server.listeners().finishWarming();
        for (String name : server.context().clusters().warming().keySet()) {
            server.context().clusters().finishWarming(name);
        }
    }

    private void routeNamesChanged() {
        client.updateNames(TypeUrl.ROUTE, server.context().routes().names());
    }

    public boolean initialFetchDone() {
        return initialFetchDone
                && server.listeners().warming().isEmpty()
                && server.context().clusters().warming().isEmpty();
    }

    /** Recent ACK/NACK events, newest last. */
    public List<XdsClient.Event> history() {
        return List.copyOf(history);
    }

    public XdsClient client() {
        return client;
    }

    private static <T extends Message> List<T> unpack(List<Any> resources, Class<T> type, String kind)
            throws XdsRejectedException {
        List<T> out = new ArrayList<>(resources.size());
        for (int i = 0; i < resources.size(); i++) {
            try {
                out.add(dev.trellis.proxy.config.Fields.unpack(resources.get(i), type));
            } catch (InvalidProtocolBufferException e) {
                throw new XdsRejectedException(kind + " resources[" + i + "]: cannot decode: " + e.getMessage());
            }
        }
        return out;
    }

    void applyClusters(List<Any> resources, String version) throws XdsRejectedException {
        var clusters = unpack(resources, io.envoyproxy.envoy.config.cluster.v3.Cluster.class, "CDS");
        Set<String> statics = new HashSet<>();
        for (var c : server.bootstrap().getStaticResources().getClustersList()) {
            statics.add(c.getName());
        }
        Set<String> names = new HashSet<>();
        for (var c : clusters) {
            if (statics.contains(c.getName())) {
                throw new XdsRejectedException(
                        "cluster \"" + c.getName() + "\": a static cluster cannot be updated by CDS");
            }
            names.add(c.getName());
        }
        try {
            server.context().clusters().addOrUpdate(clusters, version);
        } catch (ConfigException e) {
            throw new XdsRejectedException(e.getMessage());
        }
        server.context().clusters().retainOnly(names, statics);
    }

    void applyEndpoints(List<Any> resources, String version) throws XdsRejectedException {
        var clas = unpack(resources, ClusterLoadAssignment.class, "EDS");
        try {
            server.context().clusters().updateEndpoints(clas);
        } catch (ConfigException e) {
            throw new XdsRejectedException(e.getMessage());
        }
    }

    void applyListeners(List<Any> resources, String version) throws XdsRejectedException {
        var listeners = unpack(resources, Listener.class, "LDS");
        Set<String> names = new HashSet<>();
        for (Listener l : listeners) {
            names.add(l.getName());
        }
        try {
            server.listeners().addOrUpdate(listeners, version);
        } catch (ConfigException e) {
            throw new XdsRejectedException(e.getMessage());
        }
        server.listeners().retainOnly(names);
        routeNamesChanged();
    }

    void applyRoutes(List<Any> resources, String version) throws XdsRejectedException {
        var configs = unpack(resources, RouteConfiguration.class, "RDS");
        Map<String, RouteTable> compiled = new HashMap<>();
        try {
            for (RouteConfiguration rc : configs) {
                compiled.put(rc.getName(), RouteCompiler.compile(rc, version));
            }
        } catch (ConfigException e) {
            throw new XdsRejectedException(e.getMessage());
        }
        for (var e : compiled.entrySet()) {
            RouteSource s = server.context().routes().peek(e.getKey());
            if (s != null) {
                s.update(e.getValue());
            }
        }
        server.listeners().routesUpdated();
    }

    @Override
    public void close() {
        client.close();
    }
}

package dev.trellis.proxy.listener;

import com.google.protobuf.Message;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.http.HcmConfig;
import dev.trellis.proxy.route.RouteSource;
import dev.trellis.proxy.server.ProxyContext;
import dev.trellis.proxy.tcp.TcpProxyConfig;
import dev.trellis.proxy.tcp.TcpProxyHandler;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A compiled listener: where it binds and how it picks and builds each connection's filter chain. */
public record ListenerConfig(
        String name,
        InetSocketAddress address,
        boolean bindToPort,
        boolean useOriginalDst,
        List<Chain> chains,
        List<FilterChainMatch> matches,
        Chain defaultChain,
        boolean tlsInspector,
        boolean httpInspector,
        boolean originalDstFilter,
        long listenerFiltersTimeoutMs,
        List<RouteSource> routeSources,
        Message source,
        String version) {

    /** One filter chain, ready to install on a connection. */
    public record Chain(String name, NetworkFilter filter) {}

    public static final String TLS_INSPECTOR =
            "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
    public static final String HTTP_INSPECTOR =
            "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector";
    public static final String ORIGINAL_DST =
            "type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst";

    private static final Set<String> SUPPORTED = Set.of(
            "name",
            "address",
            "filter_chains",
            "default_filter_chain",
            "listener_filters",
            "use_original_dst",
            "bind_to_port",
            "traffic_direction",
            "per_connection_buffer_limit_bytes",
            "listener_filters_timeout",
            "continue_on_listener_filters_timeout",
            "drain_type",
            "metadata",
            "stat_prefix",
            "enable_reuse_port",
            "freebind");

    public static ListenerConfig compile(Listener l, String version, ProxyContext ctx) {
        String where = "listener \"" + l.getName() + "\"";
        if (l.getName().isEmpty()) {
            throw new ConfigException("listener: field 'name' is required");
        }
        Fields.requireOnly(l, where, SUPPORTED);
        InetSocketAddress address = address(l, where);
        boolean tls = false;
        boolean http = false;
        boolean odst = false;
        for (int i = 0; i < l.getListenerFiltersCount(); i++) {
            ListenerFilter f = l.getListenerFilters(i);
            String url = f.getTypedConfig().getTypeUrl();
            switch (url) {
                case TLS_INSPECTOR -> tls = true;
                case HTTP_INSPECTOR -> http = true;
                case ORIGINAL_DST -> odst = true;
                default ->
                    throw new ConfigException(where + " listener_filters[" + i + "] \"" + f.getName() + "\": type "
                            + (url.isEmpty() ? "(none)" : url) + " is not supported");
            }
        }
        List<Chain> chains = new ArrayList<>();
        List<FilterChainMatch> matches = new ArrayList<>();
        List<RouteSource> routes = new ArrayList<>();
        for (int i = 0; i < l.getFilterChainsCount(); i++) {
            FilterChain fc = l.getFilterChains(i);
            String cw =
                    where + " filter_chains[" + i + "]" + (fc.getName().isEmpty() ? "" : " \"" + fc.getName() + "\"");
            chains.add(chain(fc, cw, ctx, version, routes));
            matches.add(
                    fc.hasFilterChainMatch()
                            ? FilterChainMatch.compile(fc.getFilterChainMatch(), cw + " filter_chain_match")
                            : FilterChainMatch.ANY);
        }
        Chain dflt = l.hasDefaultFilterChain()
                ? chain(l.getDefaultFilterChain(), where + " default_filter_chain", ctx, version, routes)
                : null;
        if (chains.isEmpty() && dflt == null) {
            throw new ConfigException(where + ": at least one filter chain is required");
        }
        for (int i = 0; i < matches.size(); i++) {
            for (int j = i + 1; j < matches.size(); j++) {
                if (matches.get(i).equals(matches.get(j))) {
                    throw new ConfigException(where + ": filter_chains[" + i + "] and filter_chains[" + j
                            + "] have the same filter_chain_match");
                }
            }
        }
        return new ListenerConfig(
                l.getName(),
                address,
                !l.hasBindToPort() || l.getBindToPort().getValue(),
                l.hasUseOriginalDst() && l.getUseOriginalDst().getValue(),
                List.copyOf(chains),
                List.copyOf(matches),
                dflt,
                tls,
                http,
                odst,
                Fields.millis(l.hasListenerFiltersTimeout(), l.getListenerFiltersTimeout(), 15_000),
                List.copyOf(routes),
                l,
                version);
    }

    static InetSocketAddress address(Listener l, String where) {
        if (!l.getAddress().hasSocketAddress()) {
            throw new ConfigException(where + ": field 'address.socket_address' is required");
        }
        SocketAddress sa = l.getAddress().getSocketAddress();
        try {
            return new InetSocketAddress(InetAddress.getByName(sa.getAddress()), sa.getPortValue());
        } catch (UnknownHostException e) {
            throw new ConfigException(where + " address: '" + sa.getAddress() + "' is not an IP address");
        }
    }

    private static Chain chain(
            FilterChain fc, String where, ProxyContext ctx, String version, List<RouteSource> routes) {
        Fields.requireOnly(fc, where, Set.of("filter_chain_match", "filters", "name", "metadata", "transport_socket"));
        if (fc.hasTransportSocket()
                && !fc.getTransportSocket().getTypedConfig().getTypeUrl().endsWith("raw_buffer.v3.RawBuffer")) {
            throw new ConfigException(where + ": transport_socket "
                    + fc.getTransportSocket().getName() + " is not supported yet (TLS arrives with the security work)");
        }
        if (fc.getFiltersCount() == 0) {
            throw new ConfigException(where + ": field 'filters' must not be empty");
        }
        NetworkFilter nf = null;
        for (int i = 0; i < fc.getFiltersCount(); i++) {
            Filter f = fc.getFilters(i);
            String fw = where + " filters[" + i + "] \"" + f.getName() + "\"";
            String url = f.getTypedConfig().getTypeUrl();
            boolean last = i == fc.getFiltersCount() - 1;
            if (url.equals(HcmConfig.TYPE_URL)) {
                HcmConfig h = HcmConfig.compile(f.getTypedConfig(), fw, ctx, version);
                routes.add(h.routes());
                nf = new HttpNetworkFilter(h);
            } else if (url.equals(TcpProxyConfig.TYPE_URL)) {
                TcpProxyConfig t = TcpProxyConfig.compile(f.getTypedConfig(), fw, ctx);
                nf = (ch, info, tracker) -> {
                    // Envoy's tcp_proxy does not drain: a draining listener's TCP connections keep relaying until
                    // the drain time ends, and are closed then (ListenerManager's closeAll), not at its start.
                    tracker.setDrain(ch, () -> {});
                    TcpProxyHandler.install(ch, t, info);
                };
            } else {
                throw new ConfigException(
                        fw + ": network filter type " + (url.isEmpty() ? "(none)" : url) + " is not supported");
            }
            if (!last) {
                throw new ConfigException(fw + ": a terminal filter (http_connection_manager, tcp_proxy) must be last");
            }
        }
        return new Chain(fc.getName(), nf);
    }

    /** Envoy's warming: ready once every RDS route configuration it names has arrived. */
    public boolean ready() {
        for (RouteSource r : routeSources) {
            if (r.table() == null) {
                return false;
            }
        }
        return true;
    }

    public boolean needsInspection() {
        return tlsInspector || httpInspector;
    }

    public Chain select(FilterChainSelector.Facts facts) {
        if (chains.size() == 1 && matches.get(0).equals(FilterChainMatch.ANY)) {
            return chains.get(0);
        }
        return FilterChainSelector.select(chains, matches, facts, defaultChain);
    }
}

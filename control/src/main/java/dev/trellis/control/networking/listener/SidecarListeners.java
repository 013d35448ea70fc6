package dev.trellis.control.networking.listener;

import dev.trellis.control.model.Protocol;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.push.PushContext;
import java.util.List;
import java.util.Objects;

/**
 * The listeners a Sidecar resource declares for a proxy: {@code ingress} (what the workload serves, replacing the
 * inbound chains derived from its service ports) and {@code egress} listeners with a {@code port} (a listener of their
 * own for that port, scoped to their hosts). Routing config that knows Sidecar resources implements this; the
 * builders ask {@link #of(PushContext)}.
 */
public interface SidecarListeners {

    SidecarListeners NONE = new SidecarListeners() {};

    /** Istio's {@code captureMode}. */
    enum Capture {
        /** The proxy's interception mode decides. */
        DEFAULT,
        /** Traffic is redirected by iptables: no port of its own. */
        IPTABLES,
        /** Nothing redirects traffic: the listener binds its port. */
        NONE
    }

    /**
     * One {@code ingress} listener.
     *
     * @param port the port traffic arrives on
     * @param protocol its protocol
     * @param bind the address to bind when it binds its port; empty for the wildcard
     * @param capture how traffic reaches it
     * @param defaultEndpoint where it sends traffic: {@code 127.0.0.1:8080}, {@code 0.0.0.0:8080} (the workload's IP),
     *     {@code [::1]:8080}, {@code unix:///path}; empty for the original destination
     */
    record Ingress(int port, Protocol protocol, String bind, Capture capture, String defaultEndpoint) {
        public Ingress {
            Objects.requireNonNull(protocol, "protocol");
            bind = Objects.requireNonNullElse(bind, "");
            capture = Objects.requireNonNullElse(capture, Capture.DEFAULT);
            defaultEndpoint = Objects.requireNonNullElse(defaultEndpoint, "");
        }
    }

    /**
     * One {@code egress} listener with a {@code port}.
     *
     * @param port the port it listens on
     * @param protocol its protocol (HTTP gets a connection manager with RDS named by the port)
     * @param bind the address to bind; empty for the default (127.0.0.1 when it binds its port, else the wildcard)
     * @param capture how traffic reaches it
     * @param hosts its {@code namespace/host} entries, which select the services it serves
     */
    record Egress(int port, Protocol protocol, String bind, Capture capture, List<String> hosts) {
        public Egress {
            Objects.requireNonNull(protocol, "protocol");
            bind = Objects.requireNonNullElse(bind, "");
            capture = Objects.requireNonNullElse(capture, Capture.DEFAULT);
            hosts = List.copyOf(hosts);
        }
    }

    /** The ingress listeners of the Sidecar that applies to {@code proxy}; empty when it declares none. */
    default List<Ingress> ingress(Proxy proxy) {
        return List.of();
    }

    /** The egress listeners with a port of the Sidecar that applies to {@code proxy}, in declared order. */
    default List<Egress> egressWithPort(Proxy proxy) {
        return List.of();
    }

    /** Whether an egress listener's {@code hosts} entry list selects {@code service} (as a Sidecar's egress does). */
    default boolean egressSelects(Proxy proxy, Egress egress, dev.trellis.control.model.Service service) {
        return true;
    }

    /**
     * Whether the Sidecar's catch-all egress listener (the one without a port) serves {@code service}: true without a
     * Sidecar or without egress listeners, false when every egress listener names a port (Istio then builds no
     * listeners beyond theirs), else whether the catch-all's hosts select it.
     */
    default boolean catchAllSelects(Proxy proxy, dev.trellis.control.model.Service service) {
        return true;
    }

    /**
     * The inbound cluster for {@code port} with the Sidecar's connection pool applied: the ingress listener's
     * {@code connectionPool} for that port, else the Sidecar's {@code inboundConnectionPool}; unchanged without either.
     */
    default io.envoyproxy.envoy.config.cluster.v3.Cluster inboundPolicy(
            Proxy proxy, int port, io.envoyproxy.envoy.config.cluster.v3.Cluster cluster) {
        return cluster;
    }

    /** The Sidecar listeners of a push's routing config; {@link #NONE} when it knows no Sidecar resources. */
    static SidecarListeners of(PushContext push) {
        return push.routing() instanceof SidecarListeners s ? s : NONE;
    }

    /** Istio's rule: an explicit capture mode wins; DEFAULT binds the port only when the proxy intercepts nothing. */
    static boolean bindToPort(Capture capture, Proxy proxy) {
        if (capture == Capture.DEFAULT) {
            return ListenerBuilder.interceptionNone(proxy);
        }
        return capture == Capture.NONE;
    }
}

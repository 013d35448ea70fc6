package dev.trellis.proxy.cluster;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns a {@link ClusterLoadAssignment} into hosts, resolving names only when the cluster type asks for DNS. */
public final class Endpoints {
    private Endpoints() {}

    /** A named endpoint before resolution: DNS clusters resolve {@code host}. */
    /** A named endpoint before resolution: DNS clusters resolve {@code host}; a {@code pipe} target is a socket path. */
    public record Target(
            String host, int port, int weight, String locality, int priority, Host.Health health, boolean pipe) {
        public Target(String host, int port, int weight, String locality, int priority, Host.Health health) {
            this(host, port, weight, locality, priority, health, false);
        }
    }

    public static List<Target> targets(ClusterLoadAssignment cla, String where) {
        List<Target> out = new ArrayList<>();
        for (int i = 0; i < cla.getEndpointsCount(); i++) {
            LocalityLbEndpoints lle = cla.getEndpoints(i);
            String locality = lle.hasLocality()
                    ? lle.getLocality().getRegion() + "/" + lle.getLocality().getZone() + "/"
                            + lle.getLocality().getSubZone()
                    : "";
            for (int j = 0; j < lle.getLbEndpointsCount(); j++) {
                LbEndpoint e = lle.getLbEndpoints(j);
                String at = where + " endpoints[" + i + "].lb_endpoints[" + j + "]";
                if (e.hasEndpoint() && e.getEndpoint().getAddress().hasPipe()) {
                    String path = e.getEndpoint().getAddress().getPipe().getPath();
                    if (path.isEmpty()) {
                        throw new ConfigException(at + ": endpoint.address.pipe.path is required");
                    }
                    int weight = e.hasLoadBalancingWeight()
                            ? e.getLoadBalancingWeight().getValue()
                            : 1;
                    if (weight < 1) {
                        throw new ConfigException(at + ": load_balancing_weight must be at least 1");
                    }
                    out.add(new Target(
                            path, 0, weight, locality, lle.getPriority(), health(e.getHealthStatus()), true));
                    continue;
                }
                if (!e.hasEndpoint() || !e.getEndpoint().getAddress().hasSocketAddress()) {
                    throw new ConfigException(at + ": endpoint.address.socket_address or pipe is required");
                }
                SocketAddress sa = e.getEndpoint().getAddress().getSocketAddress();
                if (sa.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
                    throw new ConfigException(at + ": socket_address.port_value is required");
                }
                int weight =
                        e.hasLoadBalancingWeight() ? e.getLoadBalancingWeight().getValue() : 1;
                if (weight < 1) {
                    throw new ConfigException(at + ": load_balancing_weight must be at least 1");
                }
                out.add(new Target(
                        sa.getAddress(),
                        sa.getPortValue(),
                        weight,
                        locality,
                        lle.getPriority(),
                        health(e.getHealthStatus())));
            }
        }
        return out;
    }

    public static Map<String, Integer> localityWeights(ClusterLoadAssignment cla) {
        Map<String, Integer> m = new HashMap<>();
        for (LocalityLbEndpoints lle : cla.getEndpointsList()) {
            String locality = lle.hasLocality()
                    ? lle.getLocality().getRegion() + "/" + lle.getLocality().getZone() + "/"
                            + lle.getLocality().getSubZone()
                    : "";
            if (lle.hasLoadBalancingWeight()) {
                m.put(
                        lle.getPriority() + "/" + locality,
                        lle.getLoadBalancingWeight().getValue());
            }
        }
        return m;
    }

    static Host.Health health(HealthStatus s) {
        return switch (s) {
            case UNHEALTHY, DRAINING, TIMEOUT -> Host.Health.UNHEALTHY;
            case DEGRADED -> Host.Health.DEGRADED;
            default -> Host.Health.HEALTHY;
        };
    }

    /** Hosts for IP-literal targets (STATIC and EDS): a name here is an error. */
    public static PrioritySet literal(String cluster, ClusterLoadAssignment cla, String where) {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets(cla, where)) {
            if (t.pipe()) {
                hosts.add(Host.pipe(cluster, t.host(), t.weight(), t.locality(), t.priority(), t.health()));
                continue;
            }
            InetAddress ip = parseIp(t.host(), where);
            hosts.add(new Host(
                    cluster,
                    new InetSocketAddress(ip, t.port()),
                    t.weight(),
                    t.locality(),
                    t.priority(),
                    t.health(),
                    null));
        }
        return PrioritySet.of(hosts, localityWeights(cla));
    }

    /** Resolves DNS targets: every address (STRICT_DNS) or the first (LOGICAL_DNS). Blocking: call off the loops. */
    public static PrioritySet resolve(String cluster, ClusterLoadAssignment cla, boolean firstOnly, String where)
            throws UnknownHostException {
        List<Host> hosts = new ArrayList<>();
        for (Target t : targets(cla, where)) {
            if (t.pipe()) {
                throw new ConfigException(where + ": a DNS cluster cannot have a pipe endpoint (" + t.host() + ")");
            }
            InetAddress[] addrs = InetAddress.getAllByName(t.host());
            for (InetAddress a : addrs) {
                hosts.add(new Host(
                        cluster,
                        new InetSocketAddress(a, t.port()),
                        t.weight(),
                        t.locality(),
                        t.priority(),
                        t.health(),
                        t.host()));
                if (firstOnly) {
                    break;
                }
            }
            if (firstOnly) {
                break;
            }
        }
        return PrioritySet.of(hosts, localityWeights(cla));
    }

    static InetAddress parseIp(String s, String where) {
        if (!s.isEmpty()
                && (Character.digit(s.charAt(0), 16) >= 0 || s.charAt(0) == ':')
                && (s.contains(":") || s.matches("[0-9.]+"))) {
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                // fall through
            }
        }
        throw new ConfigException(
                where + ": '" + s + "' is not an IP address (use STRICT_DNS or LOGICAL_DNS for names)");
    }
}

package dev.trellis.control.networking.route;

import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.push.PushContext;
import java.util.Optional;

/**
 * Resolves the {@code host:port} a proxyless gRPC client dialed ({@code xds:///reviews:9080}, any name form the
 * service answers to from the client's namespace) to a visible service and port.
 */
public final class ProxylessNames {

    /** A resolved target. */
    public record Target(Service service, int port) {}

    private ProxylessNames() {}

    public static Optional<Target> resolve(Proxy proxy, PushContext push, String name) {
        int colon = name.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        int port = RouteBuilder.parsePort(name.substring(colon + 1));
        if (port < 0) {
            return Optional.empty();
        }
        for (Service s : push.visibleServices(proxy)) {
            if (s.port(port).isPresent()
                    && s.domains(proxy.namespace(), port, push.mesh().domainSuffix())
                            .contains(name)) {
                return Optional.of(new Target(s, port));
            }
        }
        return Optional.empty();
    }
}

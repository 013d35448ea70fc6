package dev.trellis.control.model;

import java.util.Objects;

/**
 * One port of a service.
 *
 * @param name the port name (also how workloads map it to their own port)
 * @param port the port clients connect to
 * @param protocol the application protocol
 * @param targetPort the port on the workload when the workload names none for this port; 0 means the same as port
 */
public record ServicePort(String name, int port, Protocol protocol, int targetPort) {

    public ServicePort {
        name = Objects.requireNonNullElse(name, "");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        if (targetPort < 0 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort " + targetPort + " out of range 1..65535");
        }
    }

    public ServicePort(String name, int port, Protocol protocol) {
        this(name, port, protocol, 0);
    }

    /** A port whose protocol comes from its name, as Istio does for names like {@code http-web}. */
    public static ServicePort named(String name, int port) {
        return new ServicePort(name, port, Protocol.of(name, null), 0);
    }
}

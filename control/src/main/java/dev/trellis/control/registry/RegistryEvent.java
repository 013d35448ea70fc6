package dev.trellis.control.registry;

import java.util.Set;

/**
 * What changed in a registry.
 *
 * @param kind services (a full push) or only endpoints (an EDS push)
 * @param hostnames the services affected; empty means "all"
 */
public record RegistryEvent(Kind kind, Set<String> hostnames) {

    public enum Kind {
        SERVICES,
        ENDPOINTS
    }

    public RegistryEvent {
        hostnames = Set.copyOf(hostnames);
    }

    public static RegistryEvent endpoints(Set<String> hostnames) {
        return new RegistryEvent(Kind.ENDPOINTS, hostnames);
    }

    public static RegistryEvent services(Set<String> hostnames) {
        return new RegistryEvent(Kind.SERVICES, hostnames);
    }
}

package dev.trellis.control.model;

/** How a proxy finds a service's endpoints, as in ServiceEntry's {@code resolution}. */
public enum Resolution {
    /** No load balancing: connect to the original destination (Envoy ORIGINAL_DST). */
    NONE,
    /** The registry's endpoints, served by EDS. */
    STATIC,
    /** The proxy resolves endpoint hostnames by DNS (Envoy STRICT_DNS). */
    DNS,
    /** DNS, one address at a time (Envoy LOGICAL_DNS). */
    DNS_ROUND_ROBIN
}

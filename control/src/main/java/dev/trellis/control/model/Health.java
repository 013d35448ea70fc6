package dev.trellis.control.model;

/** An endpoint's health, mapped to Envoy's HealthStatus in EDS. */
public enum Health {
    HEALTHY,
    UNHEALTHY,
    DRAINING,
    UNKNOWN
}

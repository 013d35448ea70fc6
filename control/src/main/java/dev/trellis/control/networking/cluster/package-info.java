/**
 * CDS: outbound clusters {@code outbound|<port>|<subset>|<fqdn>} per visible service port (EDS for STATIC services,
 * ORIGINAL_DST for NONE, STRICT/LOGICAL_DNS for DNS), inbound clusters {@code inbound|<port>||} to the application on
 * loopback, and PassthroughCluster, BlackHoleCluster and InboundPassthroughCluster.
 */
package dev.trellis.control.networking.cluster;

/**
 * RDS: a sidecar's outbound route configuration per HTTP port, named by the port ({@code 9080}), with one virtual host
 * per visible service on that port carrying every name form a client may use, and a catch-all virtual host that
 * passes unknown hosts through (ALLOW_ANY) or answers 502 (REGISTRY_ONLY); inbound route configurations
 * {@code inbound|<port>||}; proxyless gRPC route configurations named after the listener ({@code host:port}).
 */
package dev.trellis.control.networking.route;

/**
 * RDS: a sidecar's outbound route configuration per HTTP port, named by the port ({@code 9080}), with one virtual host
 * per visible service on that port carrying every name form a client may use, and a catch-all virtual host that
 * passes unknown hosts through (ALLOW_ANY) or answers 502 (REGISTRY_ONLY); inbound route configurations
 * {@code inbound|<port>||}; proxyless gRPC route configurations named after the listener ({@code host:port}).
 * Every outbound route carries Istio's default retry policy ({@link dev.trellis.control.networking.route.Retries})
 * unless its VirtualService says otherwise; inbound and passthrough routes do not retry. A Sidecar egress listener on
 * a port narrows that port's route configuration to its own hosts.
 */
package dev.trellis.control.networking.route;

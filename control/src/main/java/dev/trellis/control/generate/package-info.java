/**
 * One generator per xDS type URL: a pure function from a proxy, the push snapshot and the resource names the proxy
 * asked for to the resources it gets, as {@link dev.trellis.control.generate.Resources} (sorted by name, with a content
 * version and the encoded response body). Sidecars ask for listeners and clusters by wildcard; proxyless gRPC clients
 * name every resource (a listener per {@code xds:///host:port} target), and get exactly those.
 *
 * <p>Generators call the pure builders of {@code dev.trellis.control.networking} and cache around them: a set is built
 * once per push for every proxy with the same view (the cache keys say what a view is: namespace, proxyless, labels
 * when config selects by them, locality when locality load balancing applies), and one service's clusters or one
 * cluster's endpoints are kept across pushes while their inputs are unchanged. A builder that starts reading a new input
 * must have that input added to its key in {@code CacheKeys} (or to the view), else proxies could share what differs.
 */
package dev.trellis.control.generate;

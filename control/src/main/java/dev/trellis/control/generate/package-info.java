/**
 * One generator per xDS type URL: a pure function from a proxy, the push snapshot and the resource names the proxy
 * asked for to the resources it gets, keyed and sorted by name. Sidecars ask for listeners and clusters by wildcard;
 * proxyless gRPC clients name every resource (a listener per {@code xds:///host:port} target), and get exactly those.
 */
package dev.trellis.control.generate;

/**
 * Builders, one package per Envoy resource kind (listener, route, cluster, endpoint). Each is a pure function of a
 * proxy and a {@link dev.trellis.control.push.PushContext}: no I/O, no clocks, no shared state, so the same inputs give
 * byte-identical protos (golden-file tests rely on it) and versions can be content hashes.
 */
package dev.trellis.control.networking;

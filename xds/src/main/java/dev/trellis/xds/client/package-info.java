/**
 * The ADS client (state of the world): one bidirectional stream to an xDS server carrying LDS, RDS, CDS and EDS. Each
 * response is handed to the {@link dev.trellis.xds.client.ResourceHandler} for its type; success is ACKed with the
 * response's version and nonce, failure NACKed with the last accepted version and an {@code error_detail} naming the
 * resource and field (the handler keeps its last good config). The stream reconnects with jittered exponential
 * backoff and resubscribes with the versions it last accepted. All callbacks run on one thread, in order.
 */
package dev.trellis.xds.client;

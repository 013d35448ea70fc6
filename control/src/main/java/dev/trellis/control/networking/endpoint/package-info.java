/**
 * EDS: one ClusterLoadAssignment per requested outbound cluster, endpoints grouped by locality, each group carrying
 * {@code load_balancing_weight} (grpc-java drops groups without one), endpoints carrying health, weight and the
 * workload's labels as {@code istio} filter metadata; subset clusters get only endpoints matching the subset's labels.
 *
 * <p>Locality load balancing ({@link dev.trellis.control.networking.endpoint.LocalityLb}) makes an assignment depend on
 * the calling proxy's locality (and labels for {@code failoverPriority}) whenever the DestinationRule's or the mesh's
 * {@code localityLbSetting} changes anything; {@link dev.trellis.control.networking.endpoint.EndpointBuilder#viewKey}
 * says what a cache must key on.
 */
package dev.trellis.control.networking.endpoint;

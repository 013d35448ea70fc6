/**
 * EDS: one ClusterLoadAssignment per requested outbound cluster, endpoints grouped by locality, each group carrying
 * {@code load_balancing_weight} (grpc-java drops groups without one), endpoints carrying health, weight and the
 * workload's labels as {@code istio} filter metadata; subset clusters get only endpoints matching the subset's labels.
 */
package dev.trellis.control.networking.endpoint;

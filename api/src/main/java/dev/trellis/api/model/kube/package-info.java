/**
 * The Kubernetes kinds the mesh reads (Namespace, Service, Pod, Deployment/StatefulSet/DaemonSet, ServiceAccount),
 * with the fields the mesh uses typed. Every other field is kept verbatim in the record's {@code other} map: unknown
 * Kubernetes fields are not errors, and writing a resource back loses nothing.
 */
package dev.trellis.api.model.kube;

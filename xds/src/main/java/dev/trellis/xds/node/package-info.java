/**
 * Who is on the other end of an xDS stream: Istio's node id ({@code sidecar~10.0.0.1~name.ns~ns.svc.cluster.local})
 * and the node metadata Istio's proxies send (NAMESPACE, SERVICE_ACCOUNT, LABELS, INSTANCE_IPS, WORKLOAD_NAME, ...),
 * parsed once into values the control plane can index by. Missing fields parse to empty values, never to errors: the
 * control plane serves what it can and warns (the "proxy with missing metadata").
 */
package dev.trellis.xds.node;

/**
 * The control plane's own service model, independent of where services come from (ServiceEntry, WorkloadEntry,
 * auto-registered proxies, later Kubernetes): a {@link dev.trellis.control.model.Service} is a hostname with ports and
 * VIPs; a {@link dev.trellis.control.model.Workload} is one running instance with an address, labels, locality and
 * identity; a {@link dev.trellis.control.model.ServiceInstance} is a workload serving one port of one service. Values
 * are immutable records so a push snapshot can share them freely between threads.
 */
package dev.trellis.control.model;

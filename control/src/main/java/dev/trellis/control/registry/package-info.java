/**
 * Where services and workloads come from. A {@link dev.trellis.control.registry.ServiceRegistry} is one source
 * (ServiceEntry/WorkloadEntry config, auto-registered proxies, later Kubernetes); the
 * {@link dev.trellis.control.registry.AggregateRegistry} merges them and selects workloads for services with a workload
 * selector across all sources, so a ServiceEntry can select an auto-registered proxy. Registries report changes as
 * {@link dev.trellis.control.registry.RegistryEvent}s: a service change needs a full push, an endpoint change only EDS.
 */
package dev.trellis.control.registry;

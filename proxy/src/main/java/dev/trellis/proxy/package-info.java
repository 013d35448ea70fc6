/**
 * The data plane proxy. Data flows one way and the packages read the same way: listener (accept, filter-chain match),
 * listener filters, network filters (tcp_proxy, http_connection_manager), HTTP filters, router, cluster, load balancer,
 * connection pool.
 */
package dev.trellis.proxy;

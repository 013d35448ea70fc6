/**
 * Listeners compiled from {@code envoy.config.listener.v3.Listener}: bind address, filter chains with Envoy's
 * {@code filter_chain_match} order, listener filters, and the network filter each chain installs ({@code
 * http_connection_manager} or {@code tcp_proxy}). The {@link dev.trellis.proxy.listener.ListenerManager} binds, swaps
 * configs by reference, and drains the connections of replaced or removed listeners.
 */
package dev.trellis.proxy.listener;

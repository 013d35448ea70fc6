/**
 * Shared pieces of config compilation: the error type that names where bad config is, and the check that rejects
 * fields Trellis does not implement (so a bootstrap never silently means something other than what Envoy would do).
 */
package dev.trellis.proxy.config;

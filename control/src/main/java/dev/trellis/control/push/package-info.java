/**
 * One push: the immutable {@link dev.trellis.control.push.PushContext} snapshot every generator reads (services,
 * instances, routing config and the indexes over them), and the {@link dev.trellis.control.push.PushRequest} that says
 * what changed, so a push can be scoped to the types and proxies it affects. Requests merge while debounced.
 *
 * <p>Two caches make a push to many proxies cheap, as Istio's do: the push context's own (what proxies with the same
 * view share within one push) and the {@link dev.trellis.control.push.XdsCache} the {@link
 * dev.trellis.control.push.Environment} keeps across pushes (resources whose inputs did not change, found by comparing
 * those inputs when a new snapshot is taken).
 */
package dev.trellis.control.push;

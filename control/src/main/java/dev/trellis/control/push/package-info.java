/**
 * One push: the immutable {@link dev.trellis.control.push.PushContext} snapshot every generator reads (services,
 * instances, routing config and the indexes over them), and the {@link dev.trellis.control.push.PushRequest} that says
 * what changed, so a push can be scoped to the types and proxies it affects. Requests merge while debounced.
 */
package dev.trellis.control.push;

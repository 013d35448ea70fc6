/**
 * JMH micro-benchmarks of the proxy's per-request hot paths, against the proxy's own classes: route matching over
 * 1,000 routes, HTTP header parsing (the HTTP/1.1 codec the listener installs, and HPACK), the load balancers' pick,
 * and stats increments. Run with {@code bench/jmh/run}.
 */
package dev.trellis.bench.jmh;

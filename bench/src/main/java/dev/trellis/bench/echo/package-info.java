/**
 * {@code trellis echo}: the upstream for tests, demos and benchmarks, modelled on fortio's server so the same query
 * parameters ({@code size}, {@code delay}, {@code status}, {@code close}) shape its answers over HTTP/1.1, h2c and gRPC.
 */
package dev.trellis.bench.echo;

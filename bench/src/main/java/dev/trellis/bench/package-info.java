/** The load generator ({@code trellis load}), the echo server ({@code trellis echo}) and the benchmark harness. */
package dev.trellis.bench;

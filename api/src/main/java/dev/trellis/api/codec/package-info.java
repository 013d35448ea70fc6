/**
 * Reading and writing configuration: YAML and JSON, multi-document streams and {@code kind: List}, files,
 * directories and stdin. Every resource keeps the file and line it came from and the line of each field; kinds
 * outside the model are reported as skipped, not failed.
 */
package dev.trellis.api.codec;

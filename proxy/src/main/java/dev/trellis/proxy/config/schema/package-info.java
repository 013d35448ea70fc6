/**
 * A compact table of Envoy's proto schema (message names, fields, enums), generated from the protobuf descriptors at
 * build time and read lazily at run time. Building protobuf-java's descriptors for the bootstrap's import graph took
 * half of the proxy's startup and several megabytes of heap; the table answers what the proxy asks of a schema (a
 * field's number, name and type, an enum's values) without them.
 */
package dev.trellis.proxy.config.schema;

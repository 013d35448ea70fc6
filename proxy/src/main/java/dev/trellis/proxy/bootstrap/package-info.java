/**
 * Reads an Envoy v3 Bootstrap (YAML or JSON) into the real Envoy protos: YAML is converted to JSON keeping each key's
 * line, then parsed with protobuf's JsonFormat and a type registry of the extensions Trellis implements, so an unknown
 * extension or field is an error naming it and its line.
 */
package dev.trellis.proxy.bootstrap;

/**
 * Reads an Envoy v3 Bootstrap (YAML or JSON) into the real Envoy protos: the YAML tree is written straight into the
 * protobuf wire form by the build's schema table ({@link dev.trellis.proxy.config.schema}) and parsed by the generated
 * classes, so startup builds no descriptors; an unknown extension or field is an error naming it, its line and column.
 */
package dev.trellis.proxy.bootstrap;

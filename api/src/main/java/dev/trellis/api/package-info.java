/**
 * Istio's configuration API as Trellis reads it: typed immutable records for every kind, a YAML/JSON codec that keeps
 * each resource's origin (file and line), validation with Istio's rules, and cross-resource analyzers.
 */
package dev.trellis.api;

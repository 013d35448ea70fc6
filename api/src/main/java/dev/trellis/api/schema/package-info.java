/**
 * Istio's CRD schemas as Trellis ships them ({@code istio-schema.json}, generated from Istio's
 * {@code crd-all.gen.yaml} by {@code tools/gen-istio-model.py}) and the structural validator that checks a parsed
 * YAML node tree against them: types, enums, required fields, unknown fields, bounds, patterns, oneofs, durations and
 * the CRDs' CEL rules. Working on the node tree (not on records) is what lets every message carry the exact line.
 */
package dev.trellis.api.schema;

/**
 * Validation of loaded configuration. Schema validation (types, enums, required fields, unknown fields, the CRDs'
 * CEL rules) happens while loading, in {@link dev.trellis.api.codec.ConfigLoader}; {@link
 * dev.trellis.api.validation.ConfigValidator} then runs Istio's semantic rules, each a small {@link
 * dev.trellis.api.validation.Validator} listed in {@link dev.trellis.api.validation.rules.Rules}. Every problem is a
 * {@link dev.trellis.api.validation.Diagnostic} that names file, line, resource and field.
 */
package dev.trellis.api.validation;

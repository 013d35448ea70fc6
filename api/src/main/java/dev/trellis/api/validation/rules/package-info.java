/** Istio's semantic validation rules, one small class per rule family, registered in {@link Rules#ALL}. */
package dev.trellis.api.validation.rules;

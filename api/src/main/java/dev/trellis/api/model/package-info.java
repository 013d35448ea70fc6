/**
 * The resource envelope shared by every kind ({@link dev.trellis.api.model.Resource}, {@link
 * dev.trellis.api.model.ObjectMeta}, {@link dev.trellis.api.model.Origin}) and the value types Istio's API uses
 * ({@link dev.trellis.api.model.Duration}, {@link dev.trellis.api.model.IntOrString}). The kinds live in
 * sub-packages by API group; the Istio ones are generated from Istio's CRD schema by
 * {@code tools/gen-istio-model.py}.
 */
package dev.trellis.api.model;

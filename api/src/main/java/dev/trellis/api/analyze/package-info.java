/**
 * Cross-resource analysis, as {@code istioctl analyze} does it: analyzers look at the whole set of loaded resources
 * (Istio's kinds and the Kubernetes Services, Pods and workloads among them) and report messages with Istio's codes,
 * levels and wording ({@link dev.trellis.api.analyze.MessageType}), printed the way istioctl prints them ({@link
 * dev.trellis.api.analyze.OutputFormat}). {@code trellis analyze} ({@link dev.trellis.api.analyze.AnalyzeCommand}) is
 * the command.
 */
package dev.trellis.api.analyze;

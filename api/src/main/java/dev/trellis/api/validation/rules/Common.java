package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isDns1123Label;
import static dev.trellis.api.validation.rules.Checks.q;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.type.PolicyTargetReference;
import dev.trellis.api.model.type.WorkloadSelector;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks shared by several kinds: exportTo, workload selectors, policy target references. */
final class Common {

    private Common() {}

    /** Istio's {@code validateExportTo}. */
    static void exportTo(
            Report r, String path, String namespace, List<String> exportTo, boolean serviceEntry, boolean drSelector) {
        if (Checks.isEmpty(exportTo)) {
            return;
        }
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        Set<String> seen = new HashSet<>();
        for (int n = 0; n < exportTo.size(); n++) {
            String e = exportTo.get(n);
            String key = ".".equals(e) ? ns : e;
            String at = i(path, n);
            if (seen.contains(key)) {
                r.error(
                        at,
                        key.equals(e)
                                ? "duplicate entries in exportTo for entry " + e
                                : "duplicate entries in exportTo: . and current namespace " + ns);
            } else if (serviceEntry && "~".equals(e)) {
                seen.add(key);
            } else if ("~".equals(e)) {
                r.error(at, "exportTo ~ (none) is not allowed for Istio configuration objects");
            } else if (!"*".equals(key) && !isDns1123Label(key)) {
                r.error(at, "only .,* or a valid DNS 1123 label is allowed as exportTo entry, got " + q(e));
            } else {
                seen.add(key);
            }
        }
        if (drSelector && !seen.isEmpty()) {
            if (seen.contains(ns)) {
                if (seen.size() > 1) {
                    r.error(path, "destination rule with workload selector cannot have multiple entries in exportTo");
                }
            } else {
                r.error(path, "destination rule with workload selector cannot have exportTo beyond current namespace");
            }
        }
        if (seen.contains("*") && exportTo.size() > 1) {
            r.error(path, "cannot have both public (*) and non-public exportTo values for a resource");
        }
        if (seen.contains("~") && exportTo.size() > 1) {
            r.error(path, "cannot export service entry to no one (~) and someone");
        }
    }

    /** Istio's {@code validateWorkloadSelector} for {@code selector.matchLabels}. */
    static void workloadSelector(Report r, String path, WorkloadSelector selector) {
        if (selector == null) {
            return;
        }
        labelSelector(r, f(path, "matchLabels"), selector.matchLabels());
        if (Checks.isEmpty(selector.matchLabels())) {
            r.warning(path, "workload selector specified without labels");
        }
    }

    /** The selector rules shared by workload selectors: no empty keys, no wildcards. */
    static void labelSelector(Report r, String path, Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            String at = Report.k(path, k);
            if (k.isEmpty()) {
                r.error(at, "empty key is not supported in selector: " + q(k + "=" + v));
            }
            if (k.contains("*") || (v != null && v.contains("*"))) {
                r.error(at, "wildcard is not supported in selector: " + q(k + "=" + v));
            }
        });
    }

    /** Istio's {@code validateOneOfSelectorType} plus the checks of each target reference. */
    static void selectorOrTargets(
            Report r,
            WorkloadSelector selector,
            PolicyTargetReference targetRef,
            List<PolicyTargetReference> targetRefs) {
        int set = (selector != null ? 1 : 0) + (targetRef != null ? 1 : 0) + (Checks.isEmpty(targetRefs) ? 0 : 1);
        if (set > 1) {
            r.error("spec", "only one of targetRefs or workloadSelector can be set");
        }
        workloadSelector(r, "spec.selector", selector);
        targetRef(r, "spec.targetRef", targetRef);
        if (targetRefs != null) {
            for (int n = 0; n < targetRefs.size(); n++) {
                targetRef(r, i("spec.targetRefs", n), targetRefs.get(n));
            }
        }
    }

    private static final Set<String> ALLOWED_TARGETS =
            Set.of("core/Service", "networking.istio.io/ServiceEntry", "gateway.networking.k8s.io/Gateway");

    static void targetRef(Report r, String path, PolicyTargetReference ref) {
        if (ref == null) {
            return;
        }
        if (Checks.isEmpty(ref.name())) {
            r.error(f(path, "name"), "targetRef name must be set");
        }
        if (!Checks.isEmpty(ref.namespace())) {
            r.error(
                    f(path, "namespace"),
                    "targetRef namespace must not be set; cross namespace referencing is not supported");
        }
        String group = Checks.isEmpty(ref.group()) ? "core" : ref.group();
        if (!ALLOWED_TARGETS.contains(group + "/" + ref.kind())) {
            r.error(
                    f(path, "kind"),
                    "targetRef must be to a Service, ServiceEntry or Kubernetes Gateway but was "
                            + (ref.group() == null ? "" : ref.group()) + "/" + ref.kind());
        }
    }
}

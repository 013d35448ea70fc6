package dev.trellis.api.validation.rules;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.security.PeerAuthentication;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.List;

/**
 * Istio's PeerAuthentication rules ({@code ValidatePeerAuthentication}): port-level mTLS only with a workload
 * selector (a mesh- or namespace-wide policy has no ports), ports 1-65535, the selector's syntax.
 */
public final class PeerAuthenticationRule implements Validator<PeerAuthentication> {

    @Override
    public Class<PeerAuthentication> specType() {
        return PeerAuthentication.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<PeerAuthentication> resource) {
        Report r = new Report(resource);
        PeerAuthentication pa = resource.spec();
        boolean emptySelector =
                pa.selector() == null || Checks.isEmpty(pa.selector().matchLabels());
        if (emptySelector && !Checks.isEmpty(pa.portLevelMtls())) {
            r.error(
                    "spec.portLevelMtls",
                    "mesh/namespace peer authentication cannot have port level mTLS: add a selector to apply it to "
                            + "specific workloads");
        }
        if (pa.portLevelMtls() != null && pa.portLevelMtls().isEmpty()) {
            r.error("spec.portLevelMtls", "port level mTLS, if defined, must have at least one element");
        }
        if (pa.portLevelMtls() != null) {
            for (String port : pa.portLevelMtls().keySet()) {
                long p;
                try {
                    p = Long.parseLong(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p <= 0 || p > 65535) {
                    r.error(Report.k("spec.portLevelMtls", port), "port must be in range 1..65535");
                }
            }
        }
        Common.workloadSelector(r, "spec.selector", pa.selector());
        return r.list();
    }
}

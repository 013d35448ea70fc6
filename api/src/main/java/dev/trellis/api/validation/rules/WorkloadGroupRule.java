package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Report.f;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.HTTPHeader;
import dev.trellis.api.model.networking.ReadinessProbe;
import dev.trellis.api.model.networking.WorkloadGroup;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.List;

/** Istio's WorkloadGroup rules ({@code ValidateWorkloadGroup}): a template, label syntax, the readiness probe. */
public final class WorkloadGroupRule implements Validator<WorkloadGroup> {

    @Override
    public Class<WorkloadGroup> specType() {
        return WorkloadGroup.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<WorkloadGroup> resource) {
        Report r = new Report(resource);
        WorkloadGroup wg = resource.spec();
        if (wg.template() == null) {
            r.error("spec.template", "template is required");
            return r.list();
        }
        if (wg.metadata() != null) {
            for (String e : Checks.labels(wg.metadata().labels())) {
                r.error("spec.metadata.labels", "invalid labels: " + e);
            }
        }
        probe(r, "spec.probe", wg.probe());
        return r.list();
    }

    private static void probe(Report r, String path, ReadinessProbe p) {
        if (p == null) {
            return;
        }
        nonNegative(r, f(path, "periodSeconds"), p.periodSeconds(), "periodSeconds");
        nonNegative(r, f(path, "initialDelaySeconds"), p.initialDelaySeconds(), "initialDelaySeconds");
        nonNegative(r, f(path, "timeoutSeconds"), p.timeoutSeconds(), "timeoutSeconds");
        nonNegative(r, f(path, "successThreshold"), p.successThreshold(), "successThreshold");
        nonNegative(r, f(path, "failureThreshold"), p.failureThreshold(), "failureThreshold");
        if (p.httpGet() != null) {
            String at = f(path, "httpGet");
            r.error(
                    f(at, "port"),
                    Checks.port(p.httpGet().port() == null ? 0 : p.httpGet().port()));
            String scheme = p.httpGet().scheme();
            if (scheme != null && !scheme.isEmpty() && !scheme.equals("HTTPS") && !scheme.equals("HTTP")) {
                r.error(f(at, "scheme"), "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"");
            }
            if (p.httpGet().httpHeaders() != null) {
                for (int n = 0; n < p.httpGet().httpHeaders().size(); n++) {
                    HTTPHeader h = p.httpGet().httpHeaders().get(n);
                    r.error(Report.i(f(at, "httpHeaders"), n) + ".name", Checks.headerName(h.name()));
                }
            }
        } else if (p.tcpSocket() != null) {
            r.error(
                    f(path, "tcpSocket.port"),
                    Checks.port(p.tcpSocket().port() == null ? 0 : p.tcpSocket().port()));
        } else if (p.exec() != null) {
            if (Checks.isEmpty(p.exec().command())) {
                r.error(f(path, "exec.command"), "exec.command is required");
            }
        } else if (p.grpc() == null) {
            r.error(path, "a health check method (httpGet, tcpSocket, exec or grpc) is required");
        }
    }

    private static void nonNegative(Report r, String path, Integer v, String name) {
        if (v != null && v < 0) {
            r.error(path, name + " must be non-negative");
        }
    }
}

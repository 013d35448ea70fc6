package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.WorkloadEntry;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.List;
import java.util.Set;

/**
 * Istio's WorkloadEntry rules ({@code ValidateWorkloadEntry}): an address (IP, FQDN or {@code unix://} socket) unless
 * a network is given, port names and numbers, label syntax. The same checks apply to a ServiceEntry's endpoints.
 */
public final class WorkloadEntryRule implements Validator<WorkloadEntry> {

    @Override
    public Class<WorkloadEntry> specType() {
        return WorkloadEntry.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<WorkloadEntry> resource) {
        Report r = new Report(resource);
        entry(r, "spec", resource.spec(), null, true);
        return r.list();
    }

    static void entry(Report r, String path, WorkloadEntry we, Set<String> servicePorts, boolean allowFqdn) {
        String addr = we.address() == null ? "" : we.address();
        if (addr.isEmpty()) {
            if (isEmpty(we.network())) {
                r.error(f(path, "address"), "address is required");
                return;
            }
            r.warning(f(path, "address"), "address is unset with network " + Checks.q(we.network()));
        }
        boolean unix = addr.startsWith("unix://");
        if (unix) {
            r.error(f(path, "address"), Checks.unixAddress(addr.substring("unix://".length())));
            if (!isEmpty(we.ports())) {
                r.error(f(path, "ports"), "unix endpoint " + addr + " must not include ports");
            }
        } else if (!addr.isEmpty() && !Checks.isIp(addr)) {
            if (!allowFqdn) {
                r.error(f(path, "address"), "endpoint address " + Checks.q(addr) + " is not a valid IP address");
            } else if (Checks.fqdn(addr) != null) {
                r.error(
                        f(path, "address"),
                        "endpoint address " + Checks.q(addr) + " is not a valid FQDN or an IP address");
            }
        }
        ServiceEntryRule.endpointPorts(r, f(path, "ports"), we, servicePorts);
        r.errors(f(path, "labels"), Checks.labels(we.labels()));
        if (unix && servicePorts != null && servicePorts.size() != 1) {
            r.error(path, "exactly 1 service port required for unix endpoints");
        }
    }
}

package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.ServiceEntry;
import dev.trellis.api.model.networking.ServicePort;
import dev.trellis.api.model.networking.WorkloadEntry;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Istio's ServiceEntry rules ({@code ValidateServiceEntry}): hosts, addresses (IPs or CIDRs, CIDRs only with
 * NONE/STATIC), unique port names and numbers, and what each resolution requires of endpoints: NONE has none, STATIC
 * endpoints are IPs or Unix sockets, DNS without endpoints needs FQDN hosts, DNS_ROUND_ROBIN at most one endpoint.
 */
public final class ServiceEntryRule implements Validator<ServiceEntry> {

    @Override
    public Class<ServiceEntry> specType() {
        return ServiceEntry.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<ServiceEntry> resource) {
        Report r = new Report(resource);
        ServiceEntry se = resource.spec();
        SidecarRule.alphaSelector(r, "spec.workloadSelector", se.workloadSelector(), "service entry");
        if (se.workloadSelector() != null && se.endpoints() != null) {
            r.error("spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
        }
        List<String> hosts = se.hosts() == null ? List.of() : se.hosts();
        if (hosts.isEmpty()) {
            r.error("spec.hosts", "service entry must have at least one host");
        }
        for (int n = 0; n < hosts.size(); n++) {
            String h = hosts.get(n);
            if (h.equals("*")) {
                r.error(i("spec.hosts", n), "invalid host *");
            } else {
                r.error(i("spec.hosts", n), Checks.wildcardDomain(h));
                if (h.contains("*") && h.length() != 1 && !h.startsWith("*.")) {
                    r.warning(i("spec.hosts", n), "partial wildcard " + Checks.q(h) + " not allowed");
                }
            }
        }
        ServiceEntry.Resolution resolution = se.resolution() == null ? ServiceEntry.Resolution.NONE : se.resolution();
        boolean cidr = false;
        if (se.addresses() != null) {
            for (int n = 0; n < se.addresses().size(); n++) {
                String a = se.addresses().get(n);
                cidr |= a.contains("/");
                r.error(i("spec.addresses", n), Checks.ipSubnet(a));
            }
        }
        if (cidr && resolution != ServiceEntry.Resolution.NONE && resolution != ServiceEntry.Resolution.STATIC) {
            r.error("spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }
        Set<String> portNames = new HashSet<>();
        Set<Integer> portNumbers = new HashSet<>();
        List<ServicePort> ports = se.ports() == null ? List.of() : se.ports();
        for (int n = 0; n < ports.size(); n++) {
            ServicePort p = ports.get(n);
            String at = i("spec.ports", n);
            String name = p.name() == null ? "" : p.name();
            int number = p.number() == null ? 0 : p.number();
            if (!portNames.add(name)) {
                r.error(f(at, "name"), "service entry port name " + Checks.q(name) + " already defined");
            }
            if (!portNumbers.add(number)) {
                r.error(f(at, "number"), "service entry port " + number + " already defined");
            }
            if (p.targetPort() != null && p.targetPort() != 0) {
                r.error(f(at, "targetPort"), Checks.port(p.targetPort()));
                if (resolution == ServiceEntry.Resolution.NONE) {
                    r.warning(f(at, "targetPort"), "targetPort has no effect when resolution mode is NONE");
                }
            }
            r.error(f(at, "name"), Checks.portName(name));
            r.error(f(at, "protocol"), Checks.knownProtocol(p.protocol()));
            r.error(f(at, "number"), Checks.port(number));
        }
        List<WorkloadEntry> endpoints = se.endpoints() == null ? List.of() : se.endpoints();
        switch (resolution) {
            case NONE -> {
                if (isEmpty(se.addresses())
                        && ports.stream()
                                .anyMatch(p -> isEmpty(p.protocol()) || "TCP".equalsIgnoreCase(p.protocol()))) {
                    // without addresses, a NONE entry's TCP port captures all traffic to that port
                    r.warning(
                            "spec.addresses",
                            "addresses are required for ports serving TCP (or unset) protocol when "
                                    + "ISTIO_META_DNS_AUTO_ALLOCATE is not set on a proxy");
                }
                if (!endpoints.isEmpty()) {
                    r.error("spec.endpoints", "no endpoints should be provided for resolution type none");
                }
                if (se.workloadSelector() != null) {
                    r.warning(
                            "spec.workloadSelector", "workloadSelector should not be set when resolution mode is NONE");
                }
            }
            case STATIC -> {
                if (endpoints.isEmpty() && se.workloadSelector() == null) {
                    // Istio accepts it, but such a service has no endpoints unless WorkloadEntries are added later
                    r.warning(
                            "spec.resolution",
                            "resolution STATIC without endpoints or a workloadSelector: the service has no endpoints");
                }
                for (int n = 0; n < endpoints.size(); n++) {
                    WorkloadEntryRule.entry(r, i("spec.endpoints", n), endpoints.get(n), portNames, false);
                }
            }
            case DNS, DNS_ROUND_ROBIN -> {
                if (endpoints.isEmpty()) {
                    for (int n = 0; n < hosts.size(); n++) {
                        if (Checks.fqdn(hosts.get(n)) != null) {
                            r.error(
                                    i("spec.hosts", n),
                                    "hosts must be FQDN if no endpoints are provided for resolution mode "
                                            + resolution);
                        }
                    }
                }
                if (resolution == ServiceEntry.Resolution.DNS_ROUND_ROBIN && endpoints.size() > 1) {
                    r.error("spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode " + resolution);
                }
                for (int n = 0; n < endpoints.size(); n++) {
                    WorkloadEntry ep = endpoints.get(n);
                    String at = i("spec.endpoints", n);
                    if (!Checks.isIp(ep.address()) && Checks.fqdn(ep.address()) != null) {
                        r.error(
                                f(at, "address"),
                                "endpoint address " + Checks.q(ep.address()) + " is not a valid FQDN or an IP address");
                    }
                    r.errors(f(at, "labels"), Checks.labels(ep.labels()));
                    endpointPorts(r, f(at, "ports"), ep, portNames);
                }
                if (se.workloadSelector() != null) {
                    r.warning(
                            "spec.workloadSelector",
                            "workloadSelector should not be set when resolution mode is " + resolution);
                }
                if (!isEmpty(se.addresses())
                        && hosts.size() > 1
                        && ports.stream().anyMatch(p -> Checks.isTcp(p.protocol()))) {
                    r.warning(
                            "spec.hosts",
                            "service entry can not have more than one host specified simultaneously with address and "
                                    + "tcp port");
                }
            }
            default -> r.error("spec.resolution", "unsupported resolution type " + resolution);
        }
        if (resolution != ServiceEntry.Resolution.NONE && hosts.size() > 1) {
            for (int n = 0; n < ports.size(); n++) {
                String p = ports.get(n).protocol();
                if (!Checks.isHttp(p) && !Checks.isTls(p)) {
                    r.error("spec.hosts", "multiple hosts provided with non-HTTP, non-TLS ports");
                    break;
                }
            }
        }
        Common.exportTo(r, "spec.exportTo", resource.namespace(), se.exportTo(), true, false);
        return r.list();
    }

    static void endpointPorts(Report r, String path, WorkloadEntry ep, Set<String> servicePorts) {
        if (ep.ports() == null) {
            return;
        }
        ep.ports().forEach((name, port) -> {
            String at = Report.k(path, name);
            if (servicePorts != null && !servicePorts.contains(name)) {
                r.error(at, "endpoint port " + port + " is not defined by the service entry");
            }
            r.error(at, Checks.portName(name));
            r.error(at, Checks.port(port == null ? 0 : port));
        });
    }
}

package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.CaptureMode;
import dev.trellis.api.model.networking.IstioEgressListener;
import dev.trellis.api.model.networking.IstioIngressListener;
import dev.trellis.api.model.networking.OutboundTrafficPolicy;
import dev.trellis.api.model.networking.Sidecar;
import dev.trellis.api.model.networking.SidecarPort;
import dev.trellis.api.model.networking.WorkloadSelector;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio's Sidecar rules ({@code ValidateSidecar}): workload selector, ingress listeners (port, bind, default endpoint,
 * TLS), egress listeners (hosts in {@code namespace/dnsName} form, unique ports, one catch-all listener last) and the
 * outbound traffic policy.
 */
public final class SidecarRule implements Validator<Sidecar> {

    @Override
    public Class<Sidecar> specType() {
        return Sidecar.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<Sidecar> resource) {
        Report r = new Report(resource);
        Sidecar sc = resource.spec();
        alphaSelector(r, "spec.workloadSelector", sc.workloadSelector(), "sidecar");
        if (isEmpty(sc.egress())
                && isEmpty(sc.ingress())
                && sc.outboundTrafficPolicy() == null
                && sc.inboundConnectionPool() == null) {
            r.error("spec", "sidecar: empty configuration provided");
            return r.list();
        }
        Set<Long> ports = new HashSet<>();
        List<IstioIngressListener> ingress = sc.ingress() == null ? List.of() : sc.ingress();
        for (int n = 0; n < ingress.size(); n++) {
            IstioIngressListener in = ingress.get(n);
            String at = i("spec.ingress", n);
            if (in.port() == null) {
                r.error(at, "sidecar: port is required for ingress listeners");
                continue;
            }
            if (in.port().targetPort() != null && in.port().targetPort() > 0) {
                r.error(f(at, "port.targetPort"), "targetPort has no impact on Sidecars");
            }
            portAndBind(r, at, in.port(), in.bind());
            if (!ports.add(num(in.port()))) {
                r.error(f(at, "port.number"), "sidecar: ports on IP bound listeners must be unique");
            }
            if (!isEmpty(in.defaultEndpoint())) {
                defaultEndpoint(r, f(at, "defaultEndpoint"), in.defaultEndpoint());
            }
            if (in.tls() != null) {
                String tp = f(at, "tls");
                if (!isEmpty(in.tls().subjectAltNames())) {
                    r.error(f(tp, "subjectAltNames"), "sidecar: subjectAltNames is not supported in ingress tls");
                }
                if (Boolean.TRUE.equals(in.tls().httpsRedirect())) {
                    r.error(f(tp, "httpsRedirect"), "sidecar: httpsRedirect is not supported");
                }
                if (!isEmpty(in.tls().credentialName())) {
                    r.error(f(tp, "credentialName"), "sidecar: credentialName is not currently supported");
                }
                var mode = in.tls().mode();
                if (mode == dev.trellis.api.model.networking.ServerTLSSettings.TLSmode.ISTIO_MUTUAL
                        || mode == dev.trellis.api.model.networking.ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH) {
                    r.error(
                            f(tp, "mode"),
                            "configuration is invalid: cannot set mode to " + mode + " in sidecar ingress tls");
                }
                GatewayRule.tlsOptions(r, tp, in.tls());
            }
            DestinationRuleRule.connectionPool(r, f(at, "connectionPool"), in.connectionPool());
            if (in.connectionPool() != null
                    && in.connectionPool().http() != null
                    && !Checks.isHttp(in.port().protocol())) {
                r.warning(
                        f(at, "connectionPool.http"),
                        "sidecar: HTTP connection pool settings are configured for port " + num(in.port()) + " ("
                                + Checks.q(in.port().name()) + ") but its protocol is not HTTP ("
                                + in.port().protocol()
                                + "); only TCP settings will apply");
            }
        }
        DestinationRuleRule.connectionPool(r, "spec.inboundConnectionPool", sc.inboundConnectionPool());

        ports = new HashSet<>();
        Set<String> uds = new HashSet<>();
        boolean catchAll = false;
        List<IstioEgressListener> egress = sc.egress() == null ? List.of() : sc.egress();
        for (int n = 0; n < egress.size(); n++) {
            IstioEgressListener e = egress.get(n);
            String at = i("spec.egress", n);
            if (e.port() == null) {
                if (!catchAll) {
                    if (n == egress.size() - 1) {
                        catchAll = true;
                    } else {
                        r.error(
                                at,
                                "sidecar: the egress listener with empty port should be the last listener in the list");
                    }
                } else {
                    r.error(at, "sidecar: egress can have only one listener with empty port");
                    continue;
                }
            } else {
                if (e.port().targetPort() != null && e.port().targetPort() > 0) {
                    r.error(f(at, "port.targetPort"), "targetPort has no impact on Sidecars");
                }
                egressPort(r, at, e.port(), e.bind(), e.captureMode());
                if (num(e.port()) == 0) {
                    if (!uds.add(e.bind() == null ? "" : e.bind())) {
                        r.error(f(at, "bind"), "sidecar: unix domain socket values for listeners must be unique");
                    }
                } else if (!ports.add(num(e.port()))) {
                    r.error(f(at, "port.number"), "sidecar: ports on IP bound listeners must be unique");
                }
            }
            if (isEmpty(e.hosts())) {
                r.error(f(at, "hosts"), "sidecar: egress listener must contain at least one host");
                continue;
            }
            Map<String, Map<String, Boolean>> nsSvcs = new HashMap<>();
            for (int h = 0; h < e.hosts().size(); h++) {
                String host = e.hosts().get(h);
                String hp = i(f(at, "hosts"), h);
                int slash = host.indexOf('/');
                if (slash >= 0) {
                    String ns = host.substring(0, slash);
                    String svc = host.substring(slash + 1);
                    if (ns.equals(".")) {
                        ns = resource.namespace() == null ? "default" : resource.namespace();
                    }
                    Map<String, Boolean> svcs = nsSvcs.computeIfAbsent(ns, x -> new HashMap<>());
                    if (!svc.equals("*")) {
                        if (svcs.containsKey(svc) || svcs.containsKey("*")) {
                            r.warning(hp, "duplicated egress host: " + host);
                        }
                    } else if (!svcs.isEmpty()) {
                        r.warning(hp, "duplicated egress host: " + host);
                    }
                    svcs.put(svc, true);
                }
                for (String err : GatewayRule.namespaceSlashHost(host, false)) {
                    r.error(hp, err);
                }
            }
            if (nsSvcs.containsKey("*") && nsSvcs.get("*").containsKey("*") && nsSvcs.size() != 1) {
                r.warning(f(at, "hosts"), "`*/*` host select all resources, no other hosts can be added");
            }
        }
        outbound(r, "spec.outboundTrafficPolicy", sc.outboundTrafficPolicy());
        return r.list();
    }

    private static long num(SidecarPort p) {
        return p.number() == null ? 0 : p.number();
    }

    /** Istio's {@code ValidateAlphaWorkloadSelector} (the {@code labels} form of Sidecar and ServiceEntry). */
    static void alphaSelector(Report r, String path, WorkloadSelector selector, String kind) {
        if (selector == null) {
            return;
        }
        Common.labelSelector(r, f(path, "labels"), selector.labels());
        if (isEmpty(selector.labels())) {
            r.warning(
                    path,
                    kind
                            + ": workload selector specified without labels, will be applied to all services in namespace");
        }
    }

    private static void portAndBind(Report r, String at, SidecarPort port, String bind) {
        if (!isEmpty(port.name())) {
            r.error(f(at, "port.name"), Checks.portName(port.name()));
        }
        r.error(f(at, "port.protocol"), Checks.knownProtocol(port.protocol()));
        r.error(f(at, "port.number"), Checks.port(num(port)));
        if (!isEmpty(bind)) {
            r.error(f(at, "bind"), Checks.ipAddress(bind));
        }
    }

    private static void egressPort(Report r, String at, SidecarPort port, String bind, CaptureMode capture) {
        if (!isEmpty(port.name())) {
            r.error(f(at, "port.name"), Checks.portName(port.name()));
        }
        r.error(f(at, "port.protocol"), Checks.knownProtocol(port.protocol()));
        if (num(port) == 0) {
            if (bind == null || !bind.startsWith("unix://")) {
                r.error(f(at, "bind"), "sidecar: ports with 0 value must have a unix domain socket bind address");
            } else {
                r.error(f(at, "bind"), Checks.unixAddress(bind.substring("unix://".length())));
            }
            if (capture != null && capture != CaptureMode.DEFAULT && capture != CaptureMode.NONE) {
                r.error(
                        f(at, "captureMode"),
                        "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
            }
        } else {
            r.error(f(at, "port.number"), Checks.port(num(port)));
            if (!isEmpty(bind)) {
                r.error(f(at, "bind"), Checks.ipAddress(bind));
            }
        }
    }

    private static void defaultEndpoint(Report r, String at, String ep) {
        if (ep.startsWith("unix://")) {
            r.error(at, Checks.unixAddress(ep.substring("unix://".length())));
            return;
        }
        int colon = ep.lastIndexOf(':');
        if (colon < 0) {
            r.error(at, "address " + ep + ": missing port in address");
            return;
        }
        String host = ep.substring(0, colon);
        String port = ep.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.isEmpty() && !Set.of("127.0.0.1", "0.0.0.0", "::1", "::").contains(host)) {
            r.error(
                    at,
                    "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,"
                            + "unix://filepath or unset");
        }
        try {
            r.error(at, Checks.port(Long.parseLong(port)));
        } catch (NumberFormatException e) {
            r.error(at, "sidecar: defaultEndpoint port (" + port + ") is not a number");
        }
    }

    private static void outbound(Report r, String path, OutboundTrafficPolicy tp) {
        if (tp == null || tp.egressProxy() == null) {
            return;
        }
        if (tp.mode() != OutboundTrafficPolicy.Mode.ALLOW_ANY) {
            r.error(
                    f(path, "egressProxy"),
                    "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
            return;
        }
        r.error(f(path, "egressProxy.host"), Checks.fqdn(tp.egressProxy().host()));
        if (tp.egressProxy().port() == null) {
            r.error(f(path, "egressProxy"), "sidecar: egress_proxy port must be non-nil");
            return;
        }
        VirtualServiceRule.destination(r, f(path, "egressProxy"), tp.egressProxy());
    }
}

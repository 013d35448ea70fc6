package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.kube.ServiceSpec;
import dev.trellis.api.validation.rules.Checks;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * IST0118: a Kubernetes Service port whose protocol Istio cannot tell from its name ({@code <protocol>[-<suffix>]})
 * or {@code appProtocol} (Istio then falls back to protocol sniffing). System namespaces and Istio's own services are
 * skipped, as istioctl does.
 */
final class PortNameAnalyzer implements Analyzer {

    private static final Set<String> SYSTEM_NAMESPACES =
            Set.of("kube-system", "kube-public", "kube-node-lease", "local-path-storage");

    /** Ports Istio treats as TCP without a name: SMTP, DNS, MySQL, MongoDB. */
    private static final Set<Integer> WELL_KNOWN = Set.of(25, 53, 3306, 27017);

    @Override
    public String name() {
        return "service.PortNameAnalyzer";
    }

    @Override
    public String description() {
        return "Checks the port names associated with each service";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        for (Resource<ServiceSpec> r : ctx.all(ServiceSpec.class)) {
            if (SYSTEM_NAMESPACES.contains(ctx.namespace(r))) {
                continue;
            }
            var labels = r.metadata().labelsOrEmpty();
            if (labels.containsKey("istio") || "istio".equals(labels.get("release"))) {
                continue; // the control plane's own services
            }
            List<ServiceSpec.ServicePort> ports = r.spec().portsOrEmpty();
            for (int i = 0; i < ports.size(); i++) {
                ServiceSpec.ServicePort p = ports.get(i);
                String name = p.name() == null ? "" : p.name();
                boolean externalNameTcp =
                        name.equals("tcp") && "ExternalName".equals(r.spec().type());
                if (protocol(p) == null || externalNameTcp) {
                    if ("ExternalName".equals(r.spec().type())) {
                        continue; // Istio reports IST0150 instead, which Trellis does not analyze
                    }
                    ctx.report(
                            MessageType.PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
                            r,
                            "spec.ports[" + i + "]",
                            name,
                            p.port() == null ? 0 : p.port(),
                            p.targetPort() == null ? "0" : p.targetPort().toString());
                }
            }
        }
    }

    /** Istio's {@code kube.ConvertProtocol}: appProtocol first, then the name's prefix; null when unknown. */
    static String protocol(ServiceSpec.ServicePort p) {
        if ("UDP".equalsIgnoreCase(p.protocolOrDefault())) {
            return "UDP";
        }
        if (p.appProtocol() != null && !p.appProtocol().isEmpty()) {
            String ap = p.appProtocol().toLowerCase(Locale.ROOT);
            String known =
                    switch (ap) {
                        case "kubernetes.io/h2c" -> "HTTP2";
                        case "kubernetes.io/ws" -> "HTTP";
                        case "kubernetes.io/wss" -> "HTTPS";
                        default -> Checks.protocol(ap);
                    };
            if (known != null) {
                return known;
            }
        }
        String name = p.name() == null ? "" : p.name();
        if (name.length() >= 8 && name.substring(0, 8).equalsIgnoreCase("grpc-web")) {
            return "GRPC-Web";
        }
        int dash = name.indexOf('-');
        String prefix = dash >= 0 ? name.substring(0, dash) : name;
        String proto = Checks.protocol(prefix);
        if (proto != null && !proto.equals("UDP")) {
            return proto;
        }
        if (proto == null && p.port() != null && WELL_KNOWN.contains(p.port())) {
            return "TCP";
        }
        return proto == null ? null : "TCP";
    }
}

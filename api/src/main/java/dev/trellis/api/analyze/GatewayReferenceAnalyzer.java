package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.Gateway;
import dev.trellis.api.model.networking.Server;
import dev.trellis.api.model.networking.VirtualService;
import dev.trellis.api.validation.rules.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * IST0101 (gateway) and IST0132: every gateway a VirtualService binds to must exist (a short name in the
 * VirtualService's namespace, or {@code namespace/name}), and at least one of the VirtualService's hosts must match
 * a host that gateway's servers expose to the VirtualService's namespace.
 */
final class GatewayReferenceAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "virtualservice.GatewayAnalyzer";
    }

    @Override
    public String description() {
        return "Checks the gateways associated with each virtual service";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        java.util.Map<String, Resource<Gateway>> gateways = new java.util.HashMap<>();
        for (Resource<Gateway> g : ctx.all(Gateway.class)) {
            gateways.put(ctx.namespace(g) + "/" + g.name(), g);
        }
        for (Resource<VirtualService> r : ctx.all(VirtualService.class)) {
            String ns = ctx.namespace(r);
            List<String> gws = r.spec().gatewaysOrDefault();
            for (int i = 0; i < gws.size(); i++) {
                String g = gws.get(i);
                if (g.equals("mesh")) {
                    continue;
                }
                String full = fullName(ns, g);
                Resource<Gateway> gw = gateways.get(full);
                String path = "spec.gateways[" + i + "]";
                if (gw == null) {
                    ctx.report(MessageType.REFERENCED_RESOURCE_NOT_FOUND, r, path, "gateway", g);
                }
                if (!hostInGateway(ctx, gw, r.spec().hostsOrDefault(), ns)) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY,
                            r,
                            path,
                            r.spec().hostsOrDefault(),
                            ns + "/" + r.name(),
                            full);
                }
            }
        }
    }

    /** Istio's {@code resource.NewShortOrFullName}: {@code ns/name}, or a short name in the default namespace. */
    static String fullName(String defaultNs, String name) {
        int slash = name.indexOf('/');
        if (slash >= 0) {
            return name;
        }
        // legacy "name.namespace" form
        int dot = name.indexOf('.');
        if (dot > 0) {
            return name.substring(dot + 1) + "/" + name.substring(0, dot);
        }
        return defaultNs + "/" + name;
    }

    private static boolean hostInGateway(AnalysisContext ctx, Resource<Gateway> gw, List<String> vsHosts, String vsNs) {
        if (gw == null) {
            return false;
        }
        String gwNs = ctx.namespace(gw);
        List<String> gatewayHosts = new ArrayList<>();
        for (Server s :
                gw.spec().servers() == null ? List.<Server>of() : gw.spec().servers()) {
            for (String h : s.hosts() == null ? List.<String>of() : s.hosts()) {
                int slash = h.indexOf('/');
                if (slash < 0) {
                    gatewayHosts.add(h);
                    continue;
                }
                String hostNs = h.substring(0, slash);
                String host = h.substring(slash + 1);
                if (hostNs.equals(".")) {
                    hostNs = gwNs;
                }
                // host.NamesForNamespace: only hosts exposed to the VirtualService's namespace count
                if (hostNs.equals("*") || hostNs.equals(vsNs)) {
                    gatewayHosts.add(host);
                }
            }
        }
        for (String gh : gatewayHosts) {
            for (String vh : vsHosts) {
                if (Checks.hostMatches(gh, vh)) {
                    return true;
                }
            }
        }
        return false;
    }
}

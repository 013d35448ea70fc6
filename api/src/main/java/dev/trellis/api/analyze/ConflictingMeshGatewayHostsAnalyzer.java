package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.VirtualService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * IST0109: two VirtualServices bound to the mesh gateway (no {@code gateways}, or {@code mesh} among them) that claim
 * the same host in the same visibility scope; each is reported, naming all of them.
 */
final class ConflictingMeshGatewayHostsAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "virtualservice.ConflictingMeshGatewayHostsAnalyzer";
    }

    @Override
    public String description() {
        return "Checks if multiple virtual services associated with the mesh gateway have conflicting hosts";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        Map<String, List<Resource<VirtualService>>> byHost = new LinkedHashMap<>();
        for (Resource<VirtualService> r : ctx.all(VirtualService.class)) {
            VirtualService vs = r.spec();
            boolean mesh =
                    vs.gatewaysOrDefault().isEmpty() || vs.gatewaysOrDefault().contains("mesh");
            if (!mesh) {
                continue;
            }
            String ns = ctx.namespace(r);
            Set<String> scopes = new LinkedHashSet<>();
            List<String> exportTo = vs.exportToOrDefault();
            if (exportTo.isEmpty() || exportTo.contains("*")) {
                scopes.add("*");
            } else {
                for (String e : exportTo) {
                    scopes.add(e.equals(".") ? ns : e);
                }
            }
            for (String scope : scopes) {
                for (String h : vs.hostsOrDefault()) {
                    byHost.computeIfAbsent(scope + "/" + Hosts.fqdn(ns, h), k -> new ArrayList<>())
                            .add(r);
                }
            }
        }
        for (Map.Entry<String, List<Resource<VirtualService>>> e : byHost.entrySet()) {
            List<Resource<VirtualService>> list = e.getValue();
            if (list.size() < 2) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (Resource<VirtualService> r : list) {
                names.add(ctx.namespace(r) + "/" + r.name());
            }
            for (Resource<VirtualService> r : list) {
                ctx.report(
                        MessageType.CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
                        r,
                        "metadata.name",
                        String.join(",", names),
                        e.getKey());
            }
        }
    }
}

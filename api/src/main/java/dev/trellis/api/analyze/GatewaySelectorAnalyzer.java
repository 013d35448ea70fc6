package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.Gateway;
import java.util.Map;

/**
 * IST0101 (selector): a Gateway whose selector matches no workload of the input (Pods, or the pod templates of
 * Deployments, StatefulSets and DaemonSets), in any namespace, as istioctl's {@code gateway.IngressGatewayPortAnalyzer}
 * does.
 */
final class GatewaySelectorAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "gateway.IngressGatewayPortAnalyzer";
    }

    @Override
    public String description() {
        return "Checks that a gateway's selector matches a workload";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        for (Resource<Gateway> r : ctx.all(Gateway.class)) {
            Map<String, String> selector =
                    r.spec().selector() == null ? Map.of() : r.spec().selector();
            boolean matched = ctx.anyWorkloadSelected(selector);
            if (!matched) {
                String sel = Hosts.selectorString(selector);
                String path = selector.isEmpty()
                        ? "spec"
                        : "spec.selector." + selector.keySet().iterator().next();
                ctx.report(MessageType.REFERENCED_RESOURCE_NOT_FOUND, r, path, "selector", sel);
            }
        }
    }
}

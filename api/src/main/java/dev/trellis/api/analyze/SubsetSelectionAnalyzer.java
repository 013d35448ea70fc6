package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.Subset;
import java.util.List;
import java.util.Map;

/**
 * IST0174 and IST0173: a DestinationRule's host must name a service of the input (else IST0174, and its subsets are
 * not checked); each subset's labels, merged with the service's selector, must select at least one workload (Pods, or
 * the pod templates of Deployments, StatefulSets, DaemonSets) in any namespace, as istioctl's pod check does.
 */
final class SubsetSelectionAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "destinationrule.PodNotSelectedAnalyzer";
    }

    @Override
    public String description() {
        return "Checks if pods are selected by subsets in destination rules";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        Hosts hosts = new Hosts(ctx);
        for (Resource<DestinationRule> r : ctx.all(DestinationRule.class)) {
            DestinationRule dr = r.spec();
            String host = dr.host() == null ? "" : dr.host();
            Hosts.Service svc = hosts.find(ctx.namespace(r), dr.exportTo(), host);
            if (svc == null) {
                ctx.report(MessageType.UNKNOWN_DESTINATION_RULE_HOST, r, "spec.host", host);
                continue;
            }
            List<Subset> subsets = dr.subsets() == null ? List.of() : dr.subsets();
            for (int i = 0; i < subsets.size(); i++) {
                Subset s = subsets.get(i);
                Map<String, String> selector = Hosts.merge(svc.selector(), s.labels() == null ? Map.of() : s.labels());
                boolean matched = ctx.anyWorkloadSelected(selector);
                if (!matched) {
                    ctx.report(
                            MessageType.DESTINATION_RULE_SUBSET_NOT_SELECT_PODS,
                            r,
                            "spec.subsets[" + i + "].name",
                            s.name());
                }
            }
        }
    }
}

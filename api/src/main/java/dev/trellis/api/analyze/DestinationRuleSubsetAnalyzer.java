package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.Subset;
import dev.trellis.api.model.networking.VirtualService;
import java.util.HashSet;
import java.util.Set;

/**
 * IST0101 (host+subset in destinationrule): a VirtualService destination that names a subset needs a DestinationRule
 * for the same service (short names resolved in each resource's namespace) that defines it.
 */
final class DestinationRuleSubsetAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "virtualservice.DestinationRuleAnalyzer";
    }

    @Override
    public String description() {
        return "Checks the destination rules associated with each virtual service";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        Set<String> defined = new HashSet<>();
        for (Resource<DestinationRule> r : ctx.all(DestinationRule.class)) {
            String ns = ctx.namespace(r);
            String host = Hosts.fqdn(ns, r.spec().host() == null ? "" : r.spec().host());
            for (Subset s : r.spec().subsets() == null
                    ? java.util.List.<Subset>of()
                    : r.spec().subsets()) {
                defined.add(Hosts.resourceName(ns, host) + "+" + s.name());
            }
        }
        for (Resource<VirtualService> r : ctx.all(VirtualService.class)) {
            String ns = ctx.namespace(r);
            for (Destinations.Annotated d : Destinations.routes(r.spec())) {
                check(ctx, r, ns, d, "host+subset in destinationrule", defined);
            }
            for (Destinations.Annotated d : Destinations.mirrors(r.spec())) {
                check(ctx, r, ns, d, "mirror+subset in destinationrule", defined);
            }
        }
    }

    private static void check(
            AnalysisContext ctx,
            Resource<VirtualService> r,
            String ns,
            Destinations.Annotated d,
            String what,
            Set<String> defined) {
        String subset = d.destination().subset();
        if (subset == null || subset.isEmpty()) {
            return;
        }
        String host = d.destination().host() == null ? "" : d.destination().host();
        if (!defined.contains(Hosts.resourceName(ns, host) + "+" + subset)) {
            ctx.report(MessageType.REFERENCED_RESOURCE_NOT_FOUND, r, d.path() + ".subset", what, host + "+" + subset);
        }
    }
}

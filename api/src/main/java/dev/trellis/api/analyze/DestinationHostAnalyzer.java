package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;

/**
 * IST0101 (host, mirror host, host:port) and IST0112: every VirtualService destination must name a service of the
 * input — a Kubernetes Service or a ServiceEntry host, visible from the VirtualService's namespace — and, when that
 * service has several ports and the destination names none, a port; a named port must exist.
 */
final class DestinationHostAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "virtualservice.DestinationHostAnalyzer";
    }

    @Override
    public String description() {
        return "Checks the destination hosts associated with each virtual service";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        Hosts hosts = new Hosts(ctx);
        for (Resource<VirtualService> r : ctx.all(VirtualService.class)) {
            String ns = ctx.namespace(r);
            List<String> exportTo = r.spec().exportTo();
            for (Destinations.Annotated d : Destinations.routes(r.spec())) {
                Hosts.Service s = hosts.find(ns, exportTo, d.destination().host());
                if (s == null) {
                    ctx.report(
                            MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                            r,
                            d.path() + ".host",
                            "host",
                            d.destination().host());
                    continue;
                }
                ports(ctx, r, d, s);
            }
            for (Destinations.Annotated d : Destinations.mirrors(r.spec())) {
                Hosts.Service s = hosts.find(ns, exportTo, d.destination().host());
                if (s == null) {
                    ctx.report(
                            MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                            r,
                            d.path() + ".host",
                            "mirror host",
                            d.destination().host());
                    continue;
                }
                ports(ctx, r, d, s);
            }
        }
    }

    private static void ports(
            AnalysisContext ctx, Resource<VirtualService> r, Destinations.Annotated d, Hosts.Service s) {
        var port = d.destination().port();
        if (port == null || port.number() == null) {
            if (s.ports().size() > 1) {
                ctx.report(
                        MessageType.VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
                        r,
                        d.path() + ".host",
                        d.destination().host(),
                        new ArrayList<>(s.ports()));
            }
            return;
        }
        if (!s.ports().contains(port.number().intValue())) {
            ctx.report(
                    MessageType.REFERENCED_RESOURCE_NOT_FOUND,
                    r,
                    d.path() + ".host",
                    "host:port",
                    d.destination().host() + ":" + port.number());
        }
    }
}

package dev.trellis.api.analyze;

import dev.trellis.api.model.networking.Destination;
import dev.trellis.api.model.networking.HTTPRoute;
import dev.trellis.api.model.networking.HTTPRouteDestination;
import dev.trellis.api.model.networking.RouteDestination;
import dev.trellis.api.model.networking.TCPRoute;
import dev.trellis.api.model.networking.TLSRoute;
import dev.trellis.api.model.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;

/** The destinations of a VirtualService with the field path of each (Istio's {@code getRouteDestinations}). */
final class Destinations {

    private Destinations() {}

    record Annotated(String path, Destination destination) {}

    /** TCP, then TLS, then HTTP route destinations, as Istio orders them. */
    static List<Annotated> routes(VirtualService vs) {
        List<Annotated> out = new ArrayList<>();
        List<TCPRoute> tcp = vs.tcpOrDefault();
        for (int i = 0; i < tcp.size(); i++) {
            List<RouteDestination> route =
                    tcp.get(i).route() == null ? List.of() : tcp.get(i).route();
            for (int j = 0; j < route.size(); j++) {
                if (route.get(j).destination() != null) {
                    out.add(new Annotated(
                            "spec.tcp[" + i + "].route[" + j + "].destination",
                            route.get(j).destination()));
                }
            }
        }
        List<TLSRoute> tls = vs.tlsOrDefault();
        for (int i = 0; i < tls.size(); i++) {
            List<RouteDestination> route =
                    tls.get(i).route() == null ? List.of() : tls.get(i).route();
            for (int j = 0; j < route.size(); j++) {
                if (route.get(j).destination() != null) {
                    out.add(new Annotated(
                            "spec.tls[" + i + "].route[" + j + "].destination",
                            route.get(j).destination()));
                }
            }
        }
        List<HTTPRoute> http = vs.httpOrDefault();
        for (int i = 0; i < http.size(); i++) {
            List<HTTPRouteDestination> route = http.get(i).routeOrDefault();
            for (int j = 0; j < route.size(); j++) {
                if (route.get(j).destination() != null) {
                    out.add(new Annotated(
                            "spec.http[" + i + "].route[" + j + "].destination",
                            route.get(j).destination()));
                }
            }
        }
        return out;
    }

    /** HTTP {@code mirror} and {@code mirrors} destinations. */
    static List<Annotated> mirrors(VirtualService vs) {
        List<Annotated> out = new ArrayList<>();
        List<HTTPRoute> http = vs.httpOrDefault();
        for (int i = 0; i < http.size(); i++) {
            if (http.get(i).mirror() != null) {
                out.add(new Annotated("spec.http[" + i + "].mirror", http.get(i).mirror()));
            }
            var mirrors = http.get(i).mirrorsOrDefault();
            for (int j = 0; j < mirrors.size(); j++) {
                if (mirrors.get(j).destination() != null) {
                    out.add(new Annotated(
                            "spec.http[" + i + "].mirrors[" + j + "].destination",
                            mirrors.get(j).destination()));
                }
            }
        }
        return out;
    }
}

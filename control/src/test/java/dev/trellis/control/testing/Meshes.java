package dev.trellis.control.testing;

import dev.trellis.control.model.Locality;
import dev.trellis.control.model.MeshLocation;
import dev.trellis.control.model.Resolution;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import dev.trellis.control.registry.MemoryRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test meshes built in code: the same shapes the golden files and ADS tests use. */
public final class Meshes {

    private Meshes() {}

    public static Workload workload(String name, String ns, String ip, Map<String, String> labels) {
        return Workload.of(name, ns, ip, labels);
    }

    /** Bookinfo-like: productpage, details, reviews v1-v3, ratings, all HTTP on 9080. */
    public static MemoryRegistry bookinfo() {
        MemoryRegistry r = new MemoryRegistry("config");
        String ns = "default";
        r.putService(
                svc("productpage", ns, "10.96.0.10", ServicePort.named("http", 9080)),
                List.of(workload("productpage-v1", ns, "10.0.0.10", Map.of("app", "productpage", "version", "v1"))));
        r.putService(
                svc("details", ns, "10.96.0.11", ServicePort.named("http", 9080)),
                List.of(workload("details-v1", ns, "10.0.0.11", Map.of("app", "details", "version", "v1"))));
        r.putService(
                svc("reviews", ns, "10.96.0.12", ServicePort.named("http", 9080)),
                List.of(
                        workload("reviews-v1", ns, "10.0.0.21", Map.of("app", "reviews", "version", "v1")),
                        new Workload(
                                "reviews-v2",
                                ns,
                                "10.0.0.22",
                                Map.of(),
                                Map.of("app", "reviews", "version", "v2"),
                                Locality.parse("us-east/zone-b"),
                                2,
                                "bookinfo-reviews",
                                dev.trellis.control.model.Health.HEALTHY,
                                ""),
                        workload("reviews-v3", ns, "10.0.0.23", Map.of("app", "reviews", "version", "v3"))));
        r.putService(
                svc("ratings", ns, "10.96.0.13", ServicePort.named("http", 9080)),
                List.of(workload("ratings-v1", ns, "10.0.0.13", Map.of("app", "ratings", "version", "v1"))));
        return r;
    }

    /** A TCP database with a VIP, and an external HTTPS API resolved by DNS. */
    public static MemoryRegistry tcpAndExternal() {
        MemoryRegistry r = new MemoryRegistry("config");
        r.putService(
                svc("mysql", "db", "10.96.1.5", ServicePort.named("tcp-mysql", 3306)),
                List.of(workload("mysql-0", "db", "10.0.1.5", Map.of("app", "mysql"))));
        r.putService(
                new Service(
                        "api.example.com",
                        "default",
                        List.of(),
                        List.of(ServicePort.named("https", 443)),
                        Resolution.DNS,
                        MeshLocation.MESH_EXTERNAL,
                        Set.of("*"),
                        Map.of(),
                        "ServiceEntry default/example"),
                List.of());
        return r;
    }

    public static Service svc(String name, String ns, String vip, ServicePort... ports) {
        return Service.internal(name + "." + ns + ".svc.cluster.local", ns, List.of(vip), List.of(ports))
                .withSource("ServiceEntry " + ns + "/" + name);
    }
}

package dev.trellis.control.debug;

import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.api.model.Resource;
import dev.trellis.control.ControlPlane;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.xds.XdsConnection;
import dev.trellis.xds.TypeUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executors;

/** The monitoring port: Prometheus metrics and JSON debug views of sync state, config, registry and per-proxy xDS. */
public final class MonitoringServer implements AutoCloseable {

    private final ControlPlane cp;
    private final ConfigView config;
    private HttpServer server;

    public MonitoringServer(ControlPlane cp, ConfigView config) {
        this.cp = cp;
        this.config = config;
    }

    public MonitoringServer start(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "trellis-monitoring");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4", metrics()));
        server.createContext("/debug/syncz", ex -> respond(ex, 200, "application/json", syncz()));
        server.createContext("/debug/registryz", ex -> respond(ex, 200, "application/json", registryz()));
        server.createContext("/debug/configz", ex -> respond(ex, 200, "application/json", configz()));
        server.createContext("/debug/config_dump", this::configDump);
        server.createContext(
                "/",
                ex -> respond(
                        ex,
                        404,
                        "text/plain",
                        "not found; try /metrics, /debug/syncz, /debug/config_dump?proxyID=, /debug/registryz, /debug/configz\n"));
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    String metrics() {
        StringBuilder sb = new StringBuilder();
        cp.discovery().metrics().render(sb);
        sb.append("# HELP trellis_config_rejected_total Config files rejected (invalid), each version once.\n");
        sb.append("# TYPE trellis_config_rejected_total counter\n");
        sb.append("trellis_config_rejected_total ").append(config.rejected()).append('\n');
        sb.append("# HELP trellis_config_errors Current config errors (rejected files and conflicts).\n");
        sb.append("# TYPE trellis_config_errors gauge\n");
        sb.append("trellis_config_errors ").append(errors().size()).append('\n');
        sb.append("# HELP pilot_services Total services known to pilot.\n# TYPE pilot_services gauge\n");
        sb.append("pilot_services ").append(cp.current().services().size()).append('\n');
        return sb.toString();
    }

    /** Live config errors (a rejected file shows at once, without waiting for a push) and registry conflicts. */
    List<String> errors() {
        List<String> out = new ArrayList<>(config.errors());
        for (String e : cp.current().errors()) {
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }

    String syncz() {
        List<Object> out = new ArrayList<>();
        for (XdsConnection c : cp.discovery().connections()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("proxy", c.proxy().id());
            p.put("connection", c.conId());
            p.put("namespace", c.proxy().namespace());
            p.put(
                    "type",
                    c.proxy().proxyless() ? "proxyless-grpc" : c.proxy().type().text());
            p.put("connectedAt", c.connectedAt().toString());
            var watches = c.watches();
            for (TypeUrl t : List.of(TypeUrl.CLUSTER, TypeUrl.LISTENER, TypeUrl.ENDPOINT, TypeUrl.ROUTE)) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("status", c.status(t).name().replace('_', ' '));
                XdsConnection.Watch w = watches.get(t);
                if (w != null) {
                    s.put("sent", w.sentVersion());
                    s.put("acked", w.ackedVersion());
                    s.put("resources", w.resourceCount());
                    if (!w.lastNack().isEmpty()) {
                        s.put("lastNack", w.lastNack());
                        s.put("lastNackVersion", w.nackedVersion());
                        s.put("lastNackAt", String.valueOf(w.lastNackAt()));
                    }
                }
                p.put(t.shortName(), s);
            }
            p.put("warnings", c.proxy().warnings());
            out.add(p);
        }
        return Json.write(out);
    }

    String registryz() {
        PushContext push = cp.current();
        List<Object> out = new ArrayList<>();
        for (Service s : push.services()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostname", s.hostname());
            m.put("namespace", s.namespace());
            m.put("addresses", s.addresses());
            List<Object> ports = new ArrayList<>();
            s.ports()
                    .forEach(p -> ports.add(Map.of(
                            "name",
                            p.name(),
                            "port",
                            p.port(),
                            "protocol",
                            p.protocol().text())));
            m.put("ports", ports);
            m.put("resolution", s.resolution().name());
            m.put("location", s.location().name());
            m.put("exportTo", s.exportTo());
            m.put("source", s.source());
            List<Object> eps = new ArrayList<>();
            for (ServiceInstance i : push.instances(s.hostname())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("port", i.servicePort().port());
                e.put("address", i.workload().address() + ":" + i.endpointPort());
                e.put("workload", i.workload().namespace() + "/" + i.workload().name());
                e.put("labels", i.workload().labels());
                e.put("locality", i.workload().locality().toString());
                e.put("weight", i.workload().weight());
                e.put("health", i.workload().health().name());
                e.put("serviceAccount", i.workload().serviceAccount());
                eps.add(e);
            }
            m.put("endpoints", eps);
            out.add(m);
        }
        return Json.write(out);
    }

    String configz() {
        List<Object> rs = new ArrayList<>();
        for (Resource<?> r : config.resources()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", r.kind());
            m.put("apiVersion", r.apiVersion());
            m.put("namespace", r.namespace() == null ? "default" : r.namespace());
            m.put("name", r.name());
            m.put("origin", r.origin().file() + ":" + r.origin().line());
            rs.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resources", rs);
        out.put("errors", errors());
        out.put("rejectedFiles", config.rejected());
        out.put("pushVersion", cp.current().version());
        return Json.write(out);
    }

    private void configDump(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getRawQuery();
        String proxyId = null;
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("proxyID=")) {
                    proxyId = URLDecoder.decode(kv.substring("proxyID=".length()), StandardCharsets.UTF_8);
                }
            }
        }
        if (proxyId == null || proxyId.isEmpty()) {
            respond(ex, 400, "text/plain", "config_dump needs ?proxyID=<proxy id or connection id>\n");
            return;
        }
        XdsConnection match = null;
        for (XdsConnection c : cp.discovery().connections()) {
            if (c.conId().equals(proxyId)
                    || c.proxy().id().equals(proxyId)
                    || c.proxy().id().contains(proxyId)) {
                match = c;
                break;
            }
        }
        if (match == null) {
            respond(ex, 404, "text/plain", "no connected proxy matches '" + proxyId + "'\n");
            return;
        }
        respond(ex, 200, "application/json", configDump(match));
    }

    /** What the proxy was last sent, per type, as JSON ({@code listeners}, {@code routes}, ...). */
    static String configDump(XdsConnection c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("proxy", c.proxy().id());
        Map<TypeUrl, SortedMap<String, Message>> sent = c.sentResources();
        Map<TypeUrl, XdsConnection.Watch> watches = c.watches();
        for (TypeUrl t : List.of(TypeUrl.LISTENER, TypeUrl.ROUTE, TypeUrl.CLUSTER, TypeUrl.ENDPOINT)) {
            List<Object> items = new ArrayList<>();
            for (Message m : sent.getOrDefault(t, new java.util.TreeMap<>()).values()) {
                items.add(new Json.Raw(ProtoJson.print(m)));
            }
            String key =
                    switch (t) {
                        case LISTENER -> "listeners";
                        case ROUTE -> "routes";
                        case CLUSTER -> "clusters";
                        case ENDPOINT -> "endpoints";
                        case SECRET -> "secrets";
                    };
            Map<String, Object> section = new LinkedHashMap<>();
            XdsConnection.Watch w = watches.get(t);
            section.put("version", w == null ? "" : w.sentVersion());
            section.put("status", c.status(t).name());
            section.put("resources", items);
            out.put(key, section);
        }
        return Json.write(out);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}

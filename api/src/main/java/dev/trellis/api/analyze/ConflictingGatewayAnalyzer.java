package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.Gateway;
import dev.trellis.api.model.networking.Server;
import dev.trellis.api.validation.rules.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IST0145: two Gateways with the same workload selector and a server on the same port whose hosts overlap; reported
 * on each server that conflicts, naming the other Gateways.
 */
final class ConflictingGatewayAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "gateway.ConflictingGatewayAnalyzer";
    }

    @Override
    public String description() {
        return "Checks a gateway's selector, port number and hosts";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        // selector~port -> gateway full name -> hosts (of its servers on that port)
        Map<String, Map<String, List<String>>> byKey = new LinkedHashMap<>();
        List<Resource<Gateway>> gateways = ctx.all(Gateway.class);
        for (Resource<Gateway> r : gateways) {
            String selector = Hosts.selectorString(
                    r.spec().selector() == null ? Map.of() : r.spec().selector());
            for (Server s : servers(r)) {
                byKey.computeIfAbsent(key(selector, s), k -> new LinkedHashMap<>())
                        .put(ctx.namespace(r) + "/" + r.name(), hosts(s));
            }
        }
        for (Resource<Gateway> r : gateways) {
            String name = ctx.namespace(r) + "/" + r.name();
            String selector = Hosts.selectorString(
                    r.spec().selector() == null ? Map.of() : r.spec().selector());
            List<Server> servers = servers(r);
            for (int i = 0; i < servers.size(); i++) {
                Server s = servers.get(i);
                List<String> conflicting = new ArrayList<>();
                for (Map.Entry<String, List<String>> other :
                        byKey.getOrDefault(key(selector, s), Map.of()).entrySet()) {
                    if (other.getKey().equals(name)) {
                        continue;
                    }
                    for (String h : hosts(s)) {
                        if (other.getValue().stream().anyMatch(o -> Checks.hostMatches(h, o))) {
                            conflicting.add(other.getKey());
                        }
                    }
                }
                if (!conflicting.isEmpty()) {
                    ctx.report(
                            MessageType.CONFLICTING_GATEWAYS,
                            r,
                            "spec.servers[" + i + "]",
                            String.join(",", conflicting),
                            selector,
                            port(s),
                            String.join(",", hosts(s)));
                }
            }
        }
    }

    private static List<Server> servers(Resource<Gateway> r) {
        return r.spec().servers() == null ? List.of() : r.spec().servers();
    }

    private static List<String> hosts(Server s) {
        return s.hosts() == null ? List.of() : s.hosts();
    }

    private static String port(Server s) {
        return s.port() == null || s.port().number() == null
                ? "0"
                : String.valueOf(s.port().number());
    }

    private static String key(String selector, Server s) {
        return selector + "~" + port(s);
    }
}

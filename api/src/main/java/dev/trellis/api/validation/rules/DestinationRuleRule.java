package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.ClientTLSSettings;
import dev.trellis.api.model.networking.ConnectionPoolSettings;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.LoadBalancerSettings;
import dev.trellis.api.model.networking.LocalityLoadBalancerSetting;
import dev.trellis.api.model.networking.OutlierDetection;
import dev.trellis.api.model.networking.Subset;
import dev.trellis.api.model.networking.TrafficPolicy;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio's DestinationRule rules ({@code ValidateDestinationRule}): host, subsets (unique DNS-label names, label
 * syntax), traffic policies (connection pool, load balancer and consistent hash, outlier detection, locality, client
 * TLS modes, tunnel, proxy protocol, port-level settings), exportTo and workload selector.
 */
public final class DestinationRuleRule implements Validator<DestinationRule> {

    @Override
    public Class<DestinationRule> specType() {
        return DestinationRule.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<DestinationRule> resource) {
        Report r = new Report(resource);
        DestinationRule dr = resource.spec();
        r.error("spec.host", Checks.wildcardDomain(dr.host()));
        trafficPolicy(r, "spec.trafficPolicy", dr.trafficPolicy());
        Set<String> names = new HashSet<>();
        List<Subset> subsets = dr.subsets() == null ? List.of() : dr.subsets();
        for (int n = 0; n < subsets.size(); n++) {
            Subset s = subsets.get(n);
            String at = i("spec.subsets", n);
            if (s == null) {
                r.error(at, "subset may not be null");
                continue;
            }
            if (!names.add(s.name())) {
                r.error(f(at, "name"), "duplicate subset names: " + s.name());
            }
            r.error(f(at, "name"), VirtualServiceRule.subsetName(s.name()));
            r.errors(f(at, "labels"), Checks.labels(s.labels()));
            trafficPolicy(r, f(at, "trafficPolicy"), s.trafficPolicy());
        }
        Common.exportTo(r, "spec.exportTo", resource.namespace(), dr.exportTo(), false, dr.workloadSelector() != null);
        Common.workloadSelector(r, "spec.workloadSelector", dr.workloadSelector());
        return r.list();
    }

    static void trafficPolicy(Report r, String path, TrafficPolicy p) {
        if (p == null) {
            return;
        }
        if (p.outlierDetection() == null
                && p.connectionPool() == null
                && p.loadBalancer() == null
                && p.tls() == null
                && p.portLevelSettings() == null
                && p.tunnel() == null
                && p.proxyProtocol() == null) {
            r.error(path, "traffic policy must have at least one field");
            return;
        }
        if (p.tunnel() != null && p.proxyProtocol() != null) {
            r.error(path, "tunnel and proxyProtocol must not be set together");
            return;
        }
        outlier(r, f(path, "outlierDetection"), p.outlierDetection());
        connectionPool(r, f(path, "connectionPool"), p.connectionPool());
        loadBalancer(r, f(path, "loadBalancer"), p.loadBalancer(), p.outlierDetection());
        clientTls(r, f(path, "tls"), p.tls());
        if (p.portLevelSettings() != null) {
            for (int n = 0; n < p.portLevelSettings().size(); n++) {
                TrafficPolicy.PortTrafficPolicy pl = p.portLevelSettings().get(n);
                String at = i(f(path, "portLevelSettings"), n);
                if (pl == null) {
                    r.error(at, "traffic policy may not be null");
                    continue;
                }
                if (pl.port() == null) {
                    r.error(at, "portTrafficPolicy must have valid port");
                }
                if (pl.outlierDetection() == null
                        && pl.connectionPool() == null
                        && pl.loadBalancer() == null
                        && pl.tls() == null) {
                    r.error(at, "port traffic policy must have at least one field");
                } else {
                    outlier(r, f(at, "outlierDetection"), pl.outlierDetection());
                    connectionPool(r, f(at, "connectionPool"), pl.connectionPool());
                    loadBalancer(r, f(at, "loadBalancer"), pl.loadBalancer(), pl.outlierDetection());
                    clientTls(r, f(at, "tls"), pl.tls());
                }
            }
        }
        TrafficPolicy.TunnelSettings t = p.tunnel();
        if (t != null) {
            String at = f(path, "tunnel");
            if (!isEmpty(t.protocol())
                    && !t.protocol().equals("CONNECT")
                    && !t.protocol().equals("POST")) {
                r.error(f(at, "protocol"), "tunnel protocol must be \"CONNECT\" or \"POST\"");
            }
            String fqdnErr = Checks.fqdn(t.targetHost());
            String ipErr = Checks.ipAddress(t.targetHost());
            if (fqdnErr != null && ipErr != null) {
                r.error(
                        f(at, "targetHost"),
                        "tunnel target host must be valid FQDN or IP address: " + fqdnErr + "; " + ipErr);
            }
            String portErr = Checks.port(t.targetPort() == null ? 0 : t.targetPort());
            if (portErr != null) {
                r.error(f(at, "targetPort"), "tunnel target port is invalid: " + portErr);
            }
        }
    }

    static void outlier(Report r, String path, OutlierDetection o) {
        if (o == null) {
            return;
        }
        if (o.baseEjectionTime() != null) {
            r.error(f(path, "baseEjectionTime"), Checks.duration(o.baseEjectionTime()));
        }
        if (o.consecutiveErrors() != null && o.consecutiveErrors() != 0) {
            r.warning(
                    f(path, "consecutiveErrors"),
                    "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or "
                            + "consecutive5xxErrors instead");
        }
        if (!Boolean.TRUE.equals(o.splitExternalLocalOriginErrors())
                && o.consecutiveLocalOriginFailures() != null
                && o.consecutiveLocalOriginFailures() > 0) {
            r.error(
                    f(path, "consecutiveLocalOriginFailures"),
                    "outlier detection consecutive local origin failures is specified, but split external local "
                            + "origin errors is set to false");
        }
        if (o.interval() != null) {
            r.error(f(path, "interval"), Checks.duration(o.interval()));
        }
        percent(r, f(path, "maxEjectionPercent"), o.maxEjectionPercent());
        percent(r, f(path, "minHealthPercent"), o.minHealthPercent());
    }

    static void percent(Report r, String path, Integer v) {
        if (v != null && (v < 0 || v > 100)) {
            r.error(path, "percentage " + v + " is not in range 0..100");
        }
    }

    static void connectionPool(Report r, String path, ConnectionPoolSettings cp) {
        if (cp == null) {
            return;
        }
        if (cp.http() == null && cp.tcp() == null) {
            r.error(path, "connection pool must have at least one field");
            return;
        }
        ConnectionPoolSettings.HTTPSettings h = cp.http();
        if (h != null) {
            String at = f(path, "http");
            negative(r, f(at, "http1MaxPendingRequests"), h.http1MaxPendingRequests(), "http1 max pending requests");
            negative(r, f(at, "http2MaxRequests"), h.http2MaxRequests(), "http2 max requests");
            negative(r, f(at, "maxRequestsPerConnection"), h.maxRequestsPerConnection(), "max requests per connection");
            negative(r, f(at, "maxRetries"), h.maxRetries(), "max retries");
            negative(r, f(at, "maxConcurrentStreams"), h.maxConcurrentStreams(), "max concurrent streams");
            if (h.idleTimeout() != null) {
                r.error(f(at, "idleTimeout"), Checks.duration(h.idleTimeout()));
            }
            if (h.h2UpgradePolicy() == ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy.UPGRADE
                    && Boolean.TRUE.equals(h.useClientProtocol())) {
                r.error(
                        f(at, "useClientProtocol"),
                        "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
            }
        }
        ConnectionPoolSettings.TCPSettings t = cp.tcp();
        if (t != null) {
            String at = f(path, "tcp");
            negative(r, f(at, "maxConnections"), t.maxConnections(), "max connections");
            if (t.connectTimeout() != null) {
                r.error(f(at, "connectTimeout"), Checks.duration(t.connectTimeout()));
            }
            if (t.maxConnectionDuration() != null) {
                r.error(f(at, "maxConnectionDuration"), Checks.duration(t.maxConnectionDuration()));
            }
            if (t.idleTimeout() != null) {
                r.error(f(at, "idleTimeout"), Checks.duration(t.idleTimeout()));
            }
            if (t.tcpKeepalive() != null) {
                if (t.tcpKeepalive().time() != null) {
                    r.error(
                            f(at, "tcpKeepalive.time"),
                            Checks.duration(t.tcpKeepalive().time()));
                }
                if (t.tcpKeepalive().interval() != null) {
                    r.error(
                            f(at, "tcpKeepalive.interval"),
                            Checks.duration(t.tcpKeepalive().interval()));
                }
            }
        }
    }

    private static void negative(Report r, String path, Integer v, String what) {
        if (v != null && v < 0) {
            r.error(path, what + " must be non-negative");
        }
    }

    static void loadBalancer(Report r, String path, LoadBalancerSettings lb, OutlierDetection outlier) {
        if (lb == null) {
            return;
        }
        LoadBalancerSettings.ConsistentHashLB ch = lb.consistentHash();
        if (ch != null) {
            String at = f(path, "consistentHash");
            if (ch.httpCookie() != null && isEmpty(ch.httpCookie().name())) {
                r.error(f(at, "httpCookie"), "name required for HttpCookie");
            }
            if (ch.minimumRingSize() != null && ch.minimumRingSize() != 0) {
                r.warning(
                        f(at, "minimumRingSize"),
                        "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration "
                                + "instead");
                if (ch.ringHash() != null || ch.maglev() != null) {
                    r.error(
                            f(at, "minimumRingSize"),
                            "only one of MinimumRingSize or Maglev/Ringhash can be specified");
                }
            }
            if (ch.maglev() != null) {
                long size = ch.maglev().tableSize() == null ? 0 : ch.maglev().tableSize();
                String mp = f(at, "maglev.tableSize");
                if (size == 0) {
                    r.error(mp, "tableSize must be set for maglev");
                }
                if (size >= 5000011) {
                    r.error(mp, "tableSize must be less than 5000011 for maglev");
                }
                if (!isPrime(size)) {
                    r.error(mp, "tableSize must be a prime number for maglev");
                }
            }
        }
        locality(r, f(path, "localityLbSetting"), lb.localityLbSetting(), outlier);
        if (lb.warmupDurationSecs() != null) {
            r.error(f(path, "warmupDurationSecs"), Checks.duration(lb.warmupDurationSecs()));
        }
    }

    /** Envoy's primality test, as Istio copies it. */
    static boolean isPrime(long x) {
        if (x != 0 && x < 4) {
            return true;
        }
        if ((x & 1) == 0) {
            return false;
        }
        long limit = (long) Math.sqrt((double) x);
        for (long factor = 3; factor <= limit; factor += 2) {
            if (x % factor == 0) {
                return false;
            }
        }
        return true;
    }

    private static final Set<String> TOPOLOGY_LABELS =
            Set.of("topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone");

    static void locality(Report r, String path, LocalityLoadBalancerSetting lb, OutlierDetection outlier) {
        if (lb == null) {
            return;
        }
        if (!isEmpty(lb.distribute()) && !isEmpty(lb.failover())) {
            r.error(path, "can not simultaneously specify 'distribute' and 'failover'");
            return;
        }
        if (!isEmpty(lb.failover()) && !isEmpty(lb.failoverPriority())) {
            for (String label : lb.failoverPriority()) {
                if (TOPOLOGY_LABELS.contains(label)) {
                    r.error(
                            f(path, "failoverPriority"),
                            "can not simultaneously set 'failover' and topology label '" + label
                                    + "' in 'failover_priority'");
                    return;
                }
            }
        }
        List<String> srcLocalities = new ArrayList<>();
        if (lb.distribute() != null) {
            for (int n = 0; n < lb.distribute().size(); n++) {
                LocalityLoadBalancerSetting.Distribute d = lb.distribute().get(n);
                String at = i(f(path, "distribute"), n);
                srcLocalities.add(d.from_());
                long total = 0;
                List<String> dest = new ArrayList<>();
                if (d.to() != null) {
                    for (Map.Entry<String, Long> e : d.to().entrySet()) {
                        dest.add(e.getKey());
                        long w = e.getValue() == null ? 0 : e.getValue();
                        if (w <= 0 || w > 100) {
                            r.error(f(at, "to"), "locality weight must be in range [1, 100]");
                            return;
                        }
                        total += w;
                    }
                }
                if (total != 100) {
                    r.error(f(at, "to"), "total locality weight " + total + " != 100");
                    return;
                }
                r.error(f(at, "to"), localities(dest));
            }
        }
        r.error(f(path, "distribute"), localities(srcLocalities));
        if ((!isEmpty(lb.failover()) || !isEmpty(lb.failoverPriority())) && outlier == null) {
            r.warning(path, "outlier detection policy must be provided for failover");
        }
        if (lb.failover() != null) {
            for (int n = 0; n < lb.failover().size(); n++) {
                LocalityLoadBalancerSetting.Failover fo = lb.failover().get(n);
                String at = i(f(path, "failover"), n);
                String from = fo.from_() == null ? "" : fo.from_();
                String to = fo.to() == null ? "" : fo.to();
                if (from.equals(to)) {
                    r.error(at, "locality lb failover settings must specify different regions");
                }
                if (from.contains("/") || to.contains("/")) {
                    r.error(at, "locality lb failover only specify region");
                }
                if (from.contains("*") || to.contains("*")) {
                    r.error(at, "locality lb failover region should not contain '*' wildcard");
                }
            }
        }
    }

    private static String localities(List<String> localities) {
        Map<String, Map<String, Set<String>>> seen = new java.util.HashMap<>();
        for (String loc : localities) {
            String l = loc == null ? "" : loc;
            long stars = l.chars().filter(c -> c == '*').count();
            if (stars > 0 && (stars > 1 || !l.endsWith("*"))) {
                return "locality " + l + " wildcard '*' number can not exceed 1 and must be in the end";
            }
            if (seen.containsKey("*")) {
                return "locality " + l + " overlap with previous specified ones";
            }
            String[] items = l.split("/", 3);
            for (String item : items) {
                if (item.isEmpty()) {
                    return "locality " + l + " must not contain empty region/zone/subzone info";
                }
            }
            String region = items[0];
            switch (items.length - 1) {
                case 0 -> {
                    if (seen.containsKey(region)) {
                        return "locality " + l + " overlap with previous specified ones";
                    }
                    seen.put(region, new java.util.HashMap<>(Map.of("*", new HashSet<>(Set.of("*")))));
                }
                case 1 -> {
                    var zones = seen.get(region);
                    if (zones != null) {
                        if (zones.containsKey("*") || zones.containsKey(items[1])) {
                            return "locality " + l + " overlap with previous specified ones";
                        }
                        zones.put(items[1], new HashSet<>(Set.of("*")));
                    } else {
                        seen.put(region, new java.util.HashMap<>(Map.of(items[1], new HashSet<>(Set.of("*")))));
                    }
                }
                default -> {
                    var zones = seen.computeIfAbsent(region, k -> new java.util.HashMap<>());
                    if (zones.containsKey("*")) {
                        return "locality " + l + " overlap with previous specified ones";
                    }
                    var subs = zones.get(items[1]);
                    if (subs != null) {
                        if (subs.contains("*") || subs.contains(items[2])) {
                            return "locality " + l + " overlap with previous specified ones";
                        }
                        subs.add(items[2]);
                    } else {
                        zones.put(items[1], new HashSet<>(Set.of(items[2])));
                    }
                }
            }
        }
        return null;
    }

    /** Istio's {@code ValidateTLS} for client (upstream) TLS settings. */
    static void clientTls(Report r, String path, ClientTLSSettings tls) {
        if (tls == null) {
            return;
        }
        ClientTLSSettings.TLSmode mode = tls.mode() == null ? ClientTLSSettings.TLSmode.DISABLE : tls.mode();
        if (Boolean.TRUE.equals(tls.insecureSkipVerify())) {
            if (mode == ClientTLSSettings.TLSmode.SIMPLE
                    && (!isEmpty(tls.caCertificates())
                            || !isEmpty(tls.credentialName())
                            || tls.subjectAltNames() != null)) {
                r.error(
                        path,
                        "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is "
                                + "set true");
            }
            if (mode == ClientTLSSettings.TLSmode.MUTUAL
                    && (!isEmpty(tls.caCertificates()) || tls.subjectAltNames() != null)) {
                r.error(path, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
            }
        }
        if ((mode == ClientTLSSettings.TLSmode.SIMPLE || mode == ClientTLSSettings.TLSmode.MUTUAL)
                && !isEmpty(tls.credentialName())) {
            if (!isEmpty(tls.clientCertificate())
                    || !isEmpty(tls.caCertificates())
                    || !isEmpty(tls.privateKey())
                    || !isEmpty(tls.caCrl())) {
                r.error(
                        path,
                        "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
            }
            return;
        }
        if (mode == ClientTLSSettings.TLSmode.MUTUAL) {
            if (isEmpty(tls.clientCertificate())) {
                r.error(path, "client certificate required for mutual tls");
            }
            if (isEmpty(tls.privateKey())) {
                r.error(path, "private key required for mutual tls");
            }
        }
    }
}

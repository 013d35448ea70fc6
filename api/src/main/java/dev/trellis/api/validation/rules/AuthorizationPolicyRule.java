package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import com.google.re2j.Pattern;
import dev.trellis.api.model.Resource;
import dev.trellis.api.model.security.AuthorizationPolicy;
import dev.trellis.api.model.security.Condition;
import dev.trellis.api.model.security.Operation;
import dev.trellis.api.model.security.Rule;
import dev.trellis.api.model.security.Source;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.ArrayList;
import java.util.List;

/**
 * Istio's AuthorizationPolicy rules ({@code ValidateAuthorizationPolicy}): selector or target references, CUSTOM
 * needs a provider and supports fewer fields, DENY and CUSTOM need rules, {@code from}/{@code to} non-empty when
 * present, sources and operations non-empty, IPs and CIDRs, ports, path templates, and {@code when} conditions with
 * keys from Istio's list and values of the key's shape.
 */
public final class AuthorizationPolicyRule implements Validator<AuthorizationPolicy> {

    @Override
    public Class<AuthorizationPolicy> specType() {
        return AuthorizationPolicy.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<AuthorizationPolicy> resource) {
        Report r = new Report(resource);
        AuthorizationPolicy ap = resource.spec();
        Common.selectorOrTargets(r, ap.selector(), ap.targetRef(), ap.targetRefs());
        AuthorizationPolicy.Action action = ap.action() == null ? AuthorizationPolicy.Action.ALLOW : ap.action();
        dryRun(r, resource, action);
        List<Rule> rules = ap.rules();
        if (action == AuthorizationPolicy.Action.CUSTOM) {
            if (rules == null) {
                r.error(
                        "spec.rules",
                        "CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule "
                                + "`{}` if you want it be triggered for every request");
            } else if (ap.provider() == null || isEmpty(ap.provider().name())) {
                r.error("spec.provider.name", "`provider.name` must not be empty");
            }
            if (rules != null) {
                for (int n = 0; n < rules.size(); n++) {
                    customRule(r, i("spec.rules", n), rules.get(n));
                }
            }
        }
        if (ap.provider() != null && action != AuthorizationPolicy.Action.CUSTOM) {
            r.error("spec.provider", "`provider` must not be with non CUSTOM action, found " + action);
        }
        if (action == AuthorizationPolicy.Action.DENY && rules == null) {
            r.error(
                    "spec.rules",
                    "DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` "
                            + "if you want it be triggered for every request");
        }
        if (rules == null) {
            return r.list();
        }
        for (int n = 0; n < rules.size(); n++) {
            rule(r, i("spec.rules", n), n, rules.get(n), action);
        }
        return r.list();
    }

    private static void dryRun(Report r, Resource<?> resource, AuthorizationPolicy.Action action) {
        String v = resource.metadata().annotationsOrEmpty().get("istio.io/dry-run");
        if (v == null) {
            return;
        }
        String at = Report.k("metadata.annotations", "istio.io/dry-run");
        if (action != AuthorizationPolicy.Action.ALLOW && action != AuthorizationPolicy.Action.DENY) {
            r.error(
                    at,
                    "the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action "
                            + action);
        } else if (!List.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
                .contains(v)) {
            r.error(at, "annotation istio.io/dry-run has invalid value (" + v + "): it must be true or false");
        }
    }

    private static void customRule(Report r, String path, Rule rule) {
        if (rule.from_() != null) {
            for (int n = 0; n < rule.from_().size(); n++) {
                Source src = rule.from_().get(n).source();
                if (src == null) {
                    continue;
                }
                String at = i(f(path, "from"), n) + ".source";
                unsupported(r, f(at, "namespaces"), src.namespaces(), "From.Namespaces");
                unsupported(r, f(at, "notNamespaces"), src.notNamespaces(), "From.NotNamespaces");
                unsupported(r, f(at, "principals"), src.principals(), "From.Principals");
                unsupported(r, f(at, "notPrincipals"), src.notPrincipals(), "From.NotPrincipals");
                unsupported(r, f(at, "requestPrincipals"), src.requestPrincipals(), "From.RequestPrincipals");
                unsupported(r, f(at, "notRequestPrincipals"), src.notRequestPrincipals(), "From.NotRequestPrincipals");
            }
        }
        if (rule.when() != null) {
            for (int n = 0; n < rule.when().size(); n++) {
                String key = rule.when().get(n).key();
                if (key != null
                        && (key.equals("source.namespace")
                                || key.equals("source.principal")
                                || key.startsWith("request.auth."))) {
                    r.error(i(f(path, "when"), n) + ".key", key + " is currently not supported with CUSTOM action");
                }
            }
        }
    }

    private static void unsupported(Report r, String path, List<String> values, String name) {
        if (!isEmpty(values)) {
            r.error(path, name + " is currently not supported with CUSTOM action");
        }
    }

    private static void rule(Report r, String path, int n, Rule rule, AuthorizationPolicy.Action action) {
        boolean tcpInFrom = false;
        boolean tcpInTo = false;
        boolean fromExists = false;
        boolean toExists = false;
        if (rule.from_() != null && rule.from_().isEmpty()) {
            r.error(f(path, "from"), "`from` must not be empty, found at rule " + n);
        }
        if (rule.from_() != null) {
            for (int m = 0; m < rule.from_().size(); m++) {
                Rule.From from = rule.from_().get(m);
                String at = i(f(path, "from"), m);
                if (from.source() == null) {
                    r.error(at, "`from.source` must not be nil, found at rule " + n);
                    continue;
                }
                fromExists = true;
                Source s = from.source();
                String sp = f(at, "source");
                if (isEmpty(s.principals())
                        && isEmpty(s.requestPrincipals())
                        && isEmpty(s.namespaces())
                        && isEmpty(s.ipBlocks())
                        && isEmpty(s.remoteIpBlocks())
                        && isEmpty(s.notPrincipals())
                        && isEmpty(s.notRequestPrincipals())
                        && isEmpty(s.notNamespaces())
                        && isEmpty(s.notIpBlocks())
                        && isEmpty(s.notRemoteIpBlocks())
                        && isEmpty(s.serviceAccounts())
                        && isEmpty(s.notServiceAccounts())) {
                    r.error(sp, "`from.source` must not be empty, found at rule " + n);
                }
                ips(r, f(sp, "ipBlocks"), s.ipBlocks());
                ips(r, f(sp, "notIpBlocks"), s.notIpBlocks());
                ips(r, f(sp, "remoteIpBlocks"), s.remoteIpBlocks());
                ips(r, f(sp, "notRemoteIpBlocks"), s.notRemoteIpBlocks());
                noEmpty(r, f(sp, "principals"), "Principals", s.principals());
                noEmpty(r, f(sp, "requestPrincipals"), "RequestPrincipals", s.requestPrincipals());
                noEmpty(r, f(sp, "namespaces"), "Namespaces", s.namespaces());
                noEmpty(r, f(sp, "ipBlocks"), "IpBlocks", s.ipBlocks());
                noEmpty(r, f(sp, "remoteIpBlocks"), "RemoteIpBlocks", s.remoteIpBlocks());
                noEmpty(r, f(sp, "notPrincipals"), "NotPrincipals", s.notPrincipals());
                noEmpty(r, f(sp, "notRequestPrincipals"), "NotRequestPrincipals", s.notRequestPrincipals());
                noEmpty(r, f(sp, "notNamespaces"), "NotNamespaces", s.notNamespaces());
                noEmpty(r, f(sp, "notIpBlocks"), "NotIpBlocks", s.notIpBlocks());
                noEmpty(r, f(sp, "notRemoteIpBlocks"), "NotRemoteIpBlocks", s.notRemoteIpBlocks());
                if (s.notPrincipals() != null
                        || s.principals() != null
                        || s.ipBlocks() != null
                        || s.notIpBlocks() != null
                        || s.namespaces() != null
                        || s.notNamespaces() != null
                        || s.remoteIpBlocks() != null
                        || s.notRemoteIpBlocks() != null) {
                    tcpInFrom = true;
                }
            }
        }
        if (rule.to() != null && rule.to().isEmpty()) {
            r.error(f(path, "to"), "`to` must not be empty, found at rule " + n);
        }
        if (rule.to() != null) {
            for (int m = 0; m < rule.to().size(); m++) {
                Rule.To to = rule.to().get(m);
                String at = i(f(path, "to"), m);
                if (to.operation() == null) {
                    r.error(at, "`to.operation` must not be nil, found at rule " + n);
                    continue;
                }
                toExists = true;
                Operation op = to.operation();
                String op0 = f(at, "operation");
                if (isEmpty(op.ports())
                        && isEmpty(op.methods())
                        && isEmpty(op.paths())
                        && isEmpty(op.hosts())
                        && isEmpty(op.notPorts())
                        && isEmpty(op.notMethods())
                        && isEmpty(op.notPaths())
                        && isEmpty(op.notHosts())) {
                    r.error(op0, "`to.operation` must not be empty, found at rule " + n);
                }
                ports(r, f(op0, "ports"), op.ports());
                ports(r, f(op0, "notPorts"), op.notPorts());
                noEmpty(r, f(op0, "ports"), "Ports", op.ports());
                noEmpty(r, f(op0, "methods"), "Methods", op.methods());
                noEmpty(r, f(op0, "paths"), "Paths", op.paths());
                noEmpty(r, f(op0, "hosts"), "Hosts", op.hosts());
                noEmpty(r, f(op0, "notPorts"), "NotPorts", op.notPorts());
                noEmpty(r, f(op0, "notMethods"), "NotMethods", op.notMethods());
                noEmpty(r, f(op0, "notPaths"), "NotPaths", op.notPaths());
                noEmpty(r, f(op0, "notHosts"), "NotHosts", op.notHosts());
                pathTemplates(r, f(op0, "paths"), "Paths", op.paths());
                pathTemplates(r, f(op0, "notPaths"), "NotPaths", op.notPaths());
                if (op.ports() != null || op.notPorts() != null) {
                    tcpInTo = true;
                }
            }
        }
        if (rule.when() != null) {
            for (int m = 0; m < rule.when().size(); m++) {
                Condition c = rule.when().get(m);
                String at = i(f(path, "when"), m);
                if (isEmpty(c.key())) {
                    r.error(f(at, "key"), "`key` must not be empty");
                } else if (isEmpty(c.values()) && isEmpty(c.notValues())) {
                    r.error(at, "at least one of `values` or `notValues` must be set for key " + c.key());
                } else {
                    String err = attribute(c.key(), c.values());
                    if (err != null) {
                        r.error(f(at, "values"), "invalid `value` for `key` " + c.key() + ": " + err);
                    }
                    err = attribute(c.key(), c.notValues());
                    if (err != null) {
                        r.error(f(at, "notValues"), "invalid `notValue` for `key` " + c.key() + ": " + err);
                    }
                }
            }
        }
        if (((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))
                && action == AuthorizationPolicy.Action.DENY) {
            r.warning(
                    path,
                    "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use "
                            + "of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port");
        }
    }

    private static void noEmpty(Report r, String path, String key, List<String> values) {
        if (values == null) {
            return;
        }
        for (int n = 0; n < values.size(); n++) {
            if (values.get(n) == null || values.get(n).isEmpty()) {
                r.error(i(path, n), "empty value not allowed, found in " + key);
                return;
            }
        }
    }

    private static void ips(Report r, String path, List<String> values) {
        if (values == null) {
            return;
        }
        for (int n = 0; n < values.size(); n++) {
            r.error(i(path, n), ipError(values.get(n)));
        }
    }

    private static String ipError(String v) {
        if (v.contains("/")) {
            return Checks.isCidr(v) ? null : "bad CIDR range (" + v + ")";
        }
        return Checks.isIp(v) ? null : "bad IP address (" + v + ")";
    }

    private static void ports(Report r, String path, List<String> values) {
        if (values == null) {
            return;
        }
        for (int n = 0; n < values.size(); n++) {
            r.error(i(path, n), portError(values.get(n)));
        }
    }

    private static String portError(String port) {
        try {
            long p = Long.parseLong(port);
            if (p >= 0 && p <= 65535 && !port.startsWith("+") && !port.startsWith("-")) {
                return null;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        return "bad port (" + port + "): ports must be numbers in 0..65535";
    }

    private static final Pattern UNSUPPORTED_PATH_TEMPLATE =
            Pattern.compile("\\/{\\w+\\=\\*[*]?\\}|{\\w*\\}|\\/\\*[*]?|\\*[*]?\\/");

    private static void pathTemplates(Report r, String path, String key, List<String> paths) {
        if (paths == null) {
            return;
        }
        for (int n = 0; n < paths.size(); n++) {
            String p = paths.get(n);
            if ((p.contains("{*}") || p.contains("{**}"))
                    && UNSUPPORTED_PATH_TEMPLATE.matcher(p).find()) {
                r.error(i(path, n), "invalid or unsupported path template, found in " + key);
            }
        }
    }

    /** Istio's {@code security.ValidateAttribute}: the keys Istio knows, and the shape their values must have. */
    static String attribute(String key, List<String> values) {
        List<String> vs = values == null ? List.of() : values;
        for (String v : vs) {
            if (v == null || v.isEmpty()) {
                return "empty value not allowed, found in " + key;
            }
        }
        if (key.startsWith("request.headers")) {
            return mapKey(key);
        }
        switch (key) {
            case "source.ip", "remote.ip", "destination.ip" -> {
                List<String> errs = new ArrayList<>();
                for (String v : vs) {
                    String e = ipError(v);
                    if (e != null) {
                        errs.add(e);
                    }
                }
                return errs.isEmpty() ? null : String.join("; ", errs);
            }
            case "destination.port" -> {
                List<String> errs = new ArrayList<>();
                for (String v : vs) {
                    String e = portError(v);
                    if (e != null) {
                        errs.add(e);
                    }
                }
                return errs.isEmpty() ? null : String.join("; ", errs);
            }
            case "source.namespace",
                    "source.principal",
                    "request.auth.principal",
                    "request.auth.audiences",
                    "request.auth.presenter",
                    "connection.sni" -> {
                return null;
            }
            case "destination.namespace" -> {
                return "attribute " + key + " is replaced by the metadata.namespace";
            }
            case "destination.name", "destination.user" -> {
                return "deprecated attribute " + key + ": only supported in v1alpha1";
            }
            default -> {
                // the prefixed forms follow
            }
        }
        if (key.startsWith("request.auth.claims")) {
            return mapKey(key);
        }
        if (key.startsWith("experimental.envoy.filters.")) {
            return mapKey(key);
        }
        if (key.startsWith("destination.labels")) {
            return "attribute " + key + " is replaced by the workload selector";
        }
        return "unknown attribute: " + key + " (known keys: request.headers[...], source.ip, remote.ip, "
                + "source.namespace, source.principal, request.auth.principal, request.auth.audiences, "
                + "request.auth.presenter, request.auth.claims[...], destination.ip, destination.port, "
                + "connection.sni, experimental.envoy.filters.*)";
    }

    private static String mapKey(String key) {
        int open = key.indexOf('[');
        if (key.endsWith("]") && open > 0 && open < key.length() - 2) {
            return null;
        }
        return "bad key (" + key + "): should have format a[b]";
    }
}

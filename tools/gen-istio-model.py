#!/usr/bin/env python3
"""Generates Trellis's Istio configuration model from Istio's CRD schema.

Dev-only: never run by the build or the tests. Usage:

    tools/gen-istio-model.py path/to/crd-all.gen.yaml

Writes
  api/src/main/java/dev/trellis/api/model/{networking,security,telemetry,type}/*.java
      one immutable record per proto message (nested messages as nested records), one enum per proto enum;
  api/src/main/resources/dev/trellis/api/schema/istio-schema.json
      the compact schema the validator ships: the CRDs' openAPIV3 schemas without descriptions, with oneOf groups
      and duration fields made explicit.
Type names follow istio/api's proto message names (the NAMES table maps schema paths to them).
"""
import json
import keyword
import os
import re
import sys
from collections import OrderedDict

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA_ROOT = os.path.join(ROOT, "api/src/main/java/dev/trellis/api/model")
SCHEMA_OUT = os.path.join(ROOT, "api/src/main/resources/dev/trellis/api/schema/istio-schema.json")
BASE_PKG = "dev.trellis.api.model"

KINDS = OrderedDict(
    [
        ("VirtualService", "networking"),
        ("DestinationRule", "networking"),
        ("Gateway", "networking"),
        ("ServiceEntry", "networking"),
        ("WorkloadEntry", "networking"),
        ("WorkloadGroup", "networking"),
        ("Sidecar", "networking"),
        ("PeerAuthentication", "security"),
        ("AuthorizationPolicy", "security"),
        ("RequestAuthentication", "security"),
        ("Telemetry", "telemetry"),
    ]
)

# Schema path suffix (segments joined by '.', [] and {} dropped) -> "package:Outer.Inner" proto message name.
# The longest matching suffix wins; the kind name is the first segment.
NAMES = [
    ("DestinationRule.subsets", "networking:Subset"),
    ("trafficPolicy", "networking:TrafficPolicy"),
    ("connectionPool", "networking:ConnectionPoolSettings"),
    ("inboundConnectionPool", "networking:ConnectionPoolSettings"),
    ("connectionPool.http", "networking:ConnectionPoolSettings.HTTPSettings"),
    ("inboundConnectionPool.http", "networking:ConnectionPoolSettings.HTTPSettings"),
    ("http2KeepAlive", "networking:ConnectionPoolSettings.HTTPSettings.HTTP2KeepAlive"),
    ("connectionPool.tcp", "networking:ConnectionPoolSettings.TCPSettings"),
    ("inboundConnectionPool.tcp", "networking:ConnectionPoolSettings.TCPSettings"),
    ("tcpKeepalive", "networking:ConnectionPoolSettings.TCPSettings.TcpKeepalive"),
    ("loadBalancer", "networking:LoadBalancerSettings"),
    ("backendUtilization", "networking:LoadBalancerSettings.BackendUtilizationLB"),
    ("consistentHash", "networking:LoadBalancerSettings.ConsistentHashLB"),
    ("httpCookie", "networking:LoadBalancerSettings.ConsistentHashLB.HTTPCookie"),
    ("httpCookie.attributes", "networking:LoadBalancerSettings.ConsistentHashLB.HTTPCookie.Attribute"),
    ("maglev", "networking:LoadBalancerSettings.ConsistentHashLB.MagLev"),
    ("ringHash", "networking:LoadBalancerSettings.ConsistentHashLB.RingHash"),
    ("localityLbSetting", "networking:LocalityLoadBalancerSetting"),
    ("localityLbSetting.distribute", "networking:LocalityLoadBalancerSetting.Distribute"),
    ("localityLbSetting.failover", "networking:LocalityLoadBalancerSetting.Failover"),
    ("zoneAwareLbSetting.failover", "networking:LocalityLoadBalancerSetting.Failover"),
    ("warmup", "networking:WarmupConfiguration"),
    ("zoneAwareLbSetting", "networking:ZoneAwareLoadBalancerSetting"),
    ("outlierDetection", "networking:OutlierDetection"),
    ("portLevelSettings", "networking:TrafficPolicy.PortTrafficPolicy"),
    ("portLevelSettings.port", "networking:PortSelector"),
    ("trafficPolicy.tls", "networking:ClientTLSSettings"),
    ("portLevelSettings.tls", "networking:ClientTLSSettings"),
    ("proxyProtocol", "networking:TrafficPolicy.ProxyProtocol"),
    ("retryBudget", "networking:TrafficPolicy.RetryBudget"),
    ("tunnel", "networking:TrafficPolicy.TunnelSettings"),
    ("DestinationRule.workloadSelector", "type:WorkloadSelector"),
    ("ServiceEntry.workloadSelector", "networking:WorkloadSelector"),
    ("Sidecar.workloadSelector", "networking:WorkloadSelector"),
    ("Gateway.servers", "networking:Server"),
    ("Gateway.servers.port", "networking:Port"),
    ("Gateway.servers.tls", "networking:ServerTLSSettings"),
    ("tlsCertificates", "networking:ServerTLSSettings.TLSCertificate"),
    ("ServiceEntry.endpoints", "networking:WorkloadEntry"),
    ("ServiceEntry.ports", "networking:ServicePort"),
    ("Sidecar.egress", "networking:IstioEgressListener"),
    ("Sidecar.ingress", "networking:IstioIngressListener"),
    ("Sidecar.egress.port", "networking:SidecarPort"),
    ("Sidecar.ingress.port", "networking:SidecarPort"),
    ("Sidecar.ingress.tls", "networking:ServerTLSSettings"),
    ("outboundTrafficPolicy", "networking:OutboundTrafficPolicy"),
    ("egressProxy", "networking:Destination"),
    ("egressProxy.port", "networking:PortSelector"),
    ("VirtualService.http", "networking:HTTPRoute"),
    ("corsPolicy", "networking:CorsPolicy"),
    ("allowOrigins", "networking:StringMatch"),
    ("delegate", "networking:Delegate"),
    ("directResponse", "networking:HTTPDirectResponse"),
    ("directResponse.body", "networking:HTTPBody"),
    ("fault", "networking:HTTPFaultInjection"),
    ("fault.abort", "networking:HTTPFaultInjection.Abort"),
    ("fault.delay", "networking:HTTPFaultInjection.Delay"),
    ("percentage", "networking:Percent"),
    ("mirrorPercentage", "networking:Percent"),
    ("http.headers", "networking:Headers"),
    ("route.headers", "networking:Headers"),
    ("headers.request", "networking:Headers.HeaderOperations"),
    ("headers.response", "networking:Headers.HeaderOperations"),
    ("http.match", "networking:HTTPMatchRequest"),
    ("match.authority", "networking:StringMatch"),
    ("match.method", "networking:StringMatch"),
    ("match.scheme", "networking:StringMatch"),
    ("match.uri", "networking:StringMatch"),
    ("match.headers", "networking:StringMatch"),
    ("match.queryParams", "networking:StringMatch"),
    ("match.withoutHeaders", "networking:StringMatch"),
    ("mirror", "networking:Destination"),
    ("mirror.port", "networking:PortSelector"),
    ("mirrors", "networking:HTTPMirrorPolicy"),
    ("destination", "networking:Destination"),
    ("destination.port", "networking:PortSelector"),
    ("redirect", "networking:HTTPRedirect"),
    ("retries", "networking:HTTPRetry"),
    ("rewrite", "networking:HTTPRewrite"),
    ("uriRegexRewrite", "networking:RegexRewrite"),
    ("http.route", "networking:HTTPRouteDestination"),
    ("VirtualService.tcp", "networking:TCPRoute"),
    ("tcp.match", "networking:L4MatchAttributes"),
    ("tcp.route", "networking:RouteDestination"),
    ("VirtualService.tls", "networking:TLSRoute"),
    ("tls.match", "networking:TLSMatchAttributes"),
    ("tls.route", "networking:RouteDestination"),
    ("WorkloadGroup.metadata", "networking:WorkloadGroup.ObjectMeta"),
    ("WorkloadGroup.probe", "networking:ReadinessProbe"),
    ("probe.exec", "networking:ExecHealthCheckConfig"),
    ("probe.grpc", "networking:GrpcHealthCheckConfig"),
    ("probe.httpGet", "networking:HTTPHealthCheckConfig"),
    ("httpHeaders", "networking:HTTPHeader"),
    ("probe.tcpSocket", "networking:TCPHealthCheckConfig"),
    ("WorkloadGroup.template", "networking:WorkloadEntry"),
    ("AuthorizationPolicy.provider", "security:AuthorizationPolicy.ExtensionProvider"),
    ("AuthorizationPolicy.rules", "security:Rule"),
    ("rules.from", "security:Rule.From"),
    ("from.source", "security:Source"),
    ("rules.to", "security:Rule.To"),
    ("to.operation", "security:Operation"),
    ("rules.when", "security:Condition"),
    ("selector", "type:WorkloadSelector"),
    ("targetRef", "type:PolicyTargetReference"),
    ("targetRefs", "type:PolicyTargetReference"),
    ("PeerAuthentication.mtls", "security:PeerAuthentication.MutualTLS"),
    ("PeerAuthentication.portLevelMtls", "security:PeerAuthentication.MutualTLS"),
    ("jwtRules", "security:JWTRule"),
    ("jwtRules.fromHeaders", "security:JWTHeader"),
    ("jwtRules.outputClaimToHeaders", "security:ClaimToHeader"),
    ("Telemetry.accessLogging", "telemetry:AccessLogging"),
    ("accessLogging.filter", "telemetry:AccessLogging.Filter"),
    ("accessLogging.match", "telemetry:AccessLogging.LogSelector"),
    ("providers", "telemetry:ProviderRef"),
    ("Telemetry.metrics", "telemetry:Metrics"),
    ("metrics.overrides", "telemetry:MetricsOverrides"),
    ("overrides.match", "telemetry:MetricSelector"),
    ("tagOverrides", "telemetry:MetricsOverrides.TagOverride"),
    ("Telemetry.tracing", "telemetry:Tracing"),
    ("tracing.match", "telemetry:Tracing.TracingSelector"),
    ("customTags", "telemetry:Tracing.CustomTag"),
    ("customTags.environment", "telemetry:Tracing.Environment"),
    ("customTags.formatter", "telemetry:Tracing.Formatter"),
    ("customTags.header", "telemetry:Tracing.RequestHeader"),
    ("customTags.literal", "telemetry:Tracing.Literal"),
]

# (proto message, field) -> enum name, where istio/api's name is not "<Message>.<Field>".
ENUM_NAMES = {
    ("ConnectionPoolSettings.HTTPSettings", "h2UpgradePolicy"): "H2UpgradePolicy",
    ("LoadBalancerSettings", "simple"): "SimpleLB",
    ("ClientTLSSettings", "mode"): "TLSmode",
    ("ServerTLSSettings", "mode"): "TLSmode",
    ("ServerTLSSettings", "minProtocolVersion"): "TLSProtocol",
    ("ServerTLSSettings", "maxProtocolVersion"): "TLSProtocol",
    ("TrafficPolicy.ProxyProtocol", "version"): "VERSION",
    ("IstioEgressListener", "captureMode"): "networking:CaptureMode",
    ("IstioIngressListener", "captureMode"): "networking:CaptureMode",
    ("HTTPRedirect", "derivePort"): "RedirectPortSelection",
    ("PeerAuthentication.MutualTLS", "mode"): "Mode",
    ("JWTRule", "presence"): "Presence",
    ("AccessLogging.LogSelector", "mode"): "telemetry:WorkloadMode",
    ("Tracing.TracingSelector", "mode"): "telemetry:WorkloadMode",
    ("MetricSelector", "mode"): "telemetry:WorkloadMode",
    ("MetricSelector", "metric"): "IstioMetric",
    ("MetricsOverrides.TagOverride", "operation"): "Operation",
    ("CorsPolicy", "unmatchedPreflights"): "UnmatchedPreflights",
}

# JSON field name -> Java component name, where the JSON name is not a good Java name.
JAVA_FIELD_NAMES = {"mirror_percent": "mirrorPercentLegacy", "jwks_uri": "jwksUriLegacy"}

# Strings that hold durations although the CRD has no duration CEL rule on them.
EXTRA_DURATION_FIELDS = {"idleTimeout", "weightStabilizationPeriod", "ttl", "budgetInterval"}

# Istio's documented defaults beyond enum zero values: (message, field) -> Java expression.
DEFAULTS = {
    ("OutlierDetection", "interval"): "Duration.ofSeconds(10)",
    ("OutlierDetection", "baseEjectionTime"): "Duration.ofSeconds(30)",
    ("OutlierDetection", "maxEjectionPercent"): "10",
    ("OutlierDetection", "consecutive5xxErrors"): "5L",
    ("OutlierDetection", "minHealthPercent"): "0",
    ("ConnectionPoolSettings.TCPSettings", "connectTimeout"): "Duration.ofSeconds(10)",
    ("ConnectionPoolSettings.TCPSettings", "maxConnections"): "Integer.MAX_VALUE",
    ("ConnectionPoolSettings.HTTPSettings", "http1MaxPendingRequests"): "Integer.MAX_VALUE",
    ("ConnectionPoolSettings.HTTPSettings", "http2MaxRequests"): "Integer.MAX_VALUE",
    ("ConnectionPoolSettings.HTTPSettings", "maxRequestsPerConnection"): "0",
    ("ConnectionPoolSettings.HTTPSettings", "maxRetries"): "Integer.MAX_VALUE",
    ("ConnectionPoolSettings.HTTPSettings", "idleTimeout"): "Duration.ofSeconds(3600)",
    ("HTTPRedirect", "redirectCode"): "301L",
    ("HTTPDirectResponse", "status"): "200L",
    ("ReadinessProbe", "timeoutSeconds"): "1",
    ("ReadinessProbe", "periodSeconds"): "10",
    ("ReadinessProbe", "successThreshold"): "1",
    ("ReadinessProbe", "failureThreshold"): "3",
    ("WorkloadEntry", "weight"): "1L",
    ("ServiceEntry.WorkloadEntry", "weight"): "1L",
    ("JWTRule", "forwardOriginalToken"): "false",
    ("HTTPMatchRequest", "ignoreUriCase"): "false",
    ("Server", "bind"): "\"\"",
}

INT32_MAX = 2147483647


def strip(s):
    """The schema without descriptions, oneOf made explicit, durations marked."""
    if isinstance(s, list):
        return [strip(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = OrderedDict()
    for k, v in s.items():
        if k in ("description",):
            continue
        if k in ("oneOf", "allOf"):
            groups = oneof_groups(s)
            if groups:
                out["x-trellis-oneof"] = groups
            continue
        if k == "properties":
            out[k] = OrderedDict((pk, strip(pv)) for pk, pv in v.items())
            continue
        out[k] = strip(v)
    return out


def oneof_groups(s):
    groups = []
    if "oneOf" in s:
        groups.append(oneof_fields(s["oneOf"]))
    for sub in s.get("allOf", []):
        if "oneOf" in sub:
            groups.append(oneof_fields(sub["oneOf"]))
    return [g for g in groups if len(g) > 1]


def oneof_fields(alternatives):
    fields = []
    for alt in alternatives:
        if "required" in alt:
            fields.extend(alt["required"])
    return fields


def is_duration(name, s):
    rules = [r.get("rule", "") for r in s.get("x-kubernetes-validations", [])]
    return s.get("type") == "string" and (any("duration(self)" in r for r in rules) or name in EXTRA_DURATION_FIELDS)


def mark_durations(s, name=""):
    if not isinstance(s, dict):
        return
    if is_duration(name, s):
        s["x-trellis-duration"] = True
    for pk, pv in (s.get("properties") or {}).items():
        mark_durations(pv, pk)
    if isinstance(s.get("items"), dict):
        mark_durations(s["items"], name)
    if isinstance(s.get("additionalProperties"), dict):
        mark_durations(s["additionalProperties"], name)


def resolve_name(kind, segments):
    """The proto message name for the object at kind + segments."""
    if not segments:
        return KINDS[kind] + ":" + kind
    full = [kind] + segments
    best = None
    for suffix, name in NAMES:
        parts = suffix.split(".")
        if len(parts) <= len(full) and full[-len(parts) :] == parts:
            if best is None or len(parts) > best[0]:
                best = (len(parts), name)
    if best is None:
        raise SystemExit("no type name for " + ".".join(full) + ": add it to NAMES")
    return best[1]


class Field:
    def __init__(self, json_name, java_type, schema, doc):
        self.json_name = json_name
        self.java_name = JAVA_FIELD_NAMES.get(json_name, json_name)
        if keyword.iskeyword(self.java_name) or self.java_name in ("default", "native", "enum"):
            self.java_name += "_"
        self.java_type = java_type
        self.schema = schema
        self.doc = doc


class Message:
    def __init__(self, pkg, name):
        self.pkg = pkg
        self.name = name  # dotted: Outer.Inner
        self.fields = OrderedDict()
        self.oneofs = []
        self.doc = ""
        self.enums = OrderedDict()  # simple name -> values


messages = OrderedDict()  # "pkg:Name" -> Message
enums = OrderedDict()  # "pkg:Owner.Name" -> values


def first_sentence(text):
    if not text:
        return ""
    text = " ".join(text.split())
    m = re.match(r"(.+?\.)(\s|$)", text)
    return m.group(1) if m else text


def java_type_of(kind, segments, name, s, owner):
    if s.get("x-kubernetes-int-or-string"):
        return "IntOrString"
    t = s.get("type")
    if t == "string":
        if "enum" in s:
            enum_name = ENUM_NAMES.get((owner.name, name))
            if enum_name is None:
                enum_name = name[0].upper() + name[1:]
            if ":" in enum_name:
                pkg, simple = enum_name.split(":")
                key = pkg + ":" + simple
            else:
                key = owner.pkg + ":" + owner.name + "." + enum_name
            existing = enums.get(key)
            if existing is not None and existing != s["enum"]:
                raise SystemExit("enum %s has different values at %s" % (key, ".".join([kind] + segments)))
            enums[key] = s["enum"]
            return key
        if is_duration(name, s):
            return "Duration"
        return "String"
    if t == "integer":
        if s.get("format") == "int32":
            return "Integer"
        rules = [r.get("rule", "") for r in s.get("x-kubernetes-validations", [])]
        if any("65535" in r for r in rules):
            return "Integer"
        maximum = s.get("maximum")
        if maximum is not None and maximum <= INT32_MAX:
            return "Integer"
        return "Long"
    if t == "number":
        return "Double"
    if t == "boolean":
        return "Boolean"
    if t == "array":
        return "List<" + java_type_of(kind, segments, name, s["items"], owner) + ">"
    if t == "object":
        if "properties" in s:
            return collect(kind, segments, s)
        if isinstance(s.get("additionalProperties"), dict):
            return "Map<String, " + java_type_of(kind, segments, name, s["additionalProperties"], owner) + ">"
        return "Object"
    if s.get("x-kubernetes-preserve-unknown-fields"):
        return "Object"
    raise SystemExit("unknown schema type at " + ".".join([kind] + segments) + ": " + json.dumps(s)[:200])


def collect(kind, segments, s):
    key = resolve_name(kind, segments)
    pkg, name = key.split(":")
    msg = messages.get(key)
    if msg is None:
        msg = messages[key] = Message(pkg, name)
        msg.doc = first_sentence(s.get("description", ""))
    for group in oneof_groups(s):
        if group not in msg.oneofs:
            msg.oneofs.append(group)
    for fname, fs in (s.get("properties") or {}).items():
        jt = java_type_of(kind, segments + [fname], fname, fs, msg)
        if fname in msg.fields:
            if msg.fields[fname].java_type != jt:
                raise SystemExit("field %s.%s: %s vs %s" % (name, fname, msg.fields[fname].java_type, jt))
        else:
            msg.fields[fname] = Field(fname, jt, fs, first_sentence(fs.get("description", "")))
    return key


def simple_java(type_key, current_pkg):
    """Java source for a type reference: strips pkg: for same package, uses import otherwise."""
    out = type_key
    for m in re.finditer(r"(\w+):([\w.]+)", type_key):
        pkg, name = m.group(1), m.group(2)
        out = out.replace(m.group(0), name if pkg == current_pkg else BASE_PKG + "." + pkg + "." + name)
    return out


def enum_java_constant(v):
    c = re.sub(r"[^A-Za-z0-9_]", "_", v)
    if not re.match(r"[A-Za-z_]", c):
        c = "_" + c
    return c


def wrap_doc(text, indent):
    if not text:
        return ""
    text = text.replace("*/", "*&#47;").replace("@", "{@literal @}")
    return indent + "/** " + text + " */\n"


def render_enum(simple, values, indent):
    lines = [indent + "public enum " + simple + " {"]
    for i, v in enumerate(values):
        c = enum_java_constant(v)
        ann = "" if c == v else '@dev.trellis.api.codec.Wire("' + v + '") '
        lines.append(indent + "    " + ann + c + ("," if i < len(values) - 1 else ";"))
    lines.append(indent + "}")
    return "\n".join(lines) + "\n"


def render_message(msg, children, indent, current_pkg):
    simple = msg.name.split(".")[-1]
    comps = []
    for f in msg.fields.values():
        jt = simple_java(f.java_type, current_pkg)
        ann = "" if f.java_name == f.json_name else '@Wire("' + f.json_name + '") '
        comps.append((f, ann + jt + " " + f.java_name))
    src = wrap_doc(msg.doc, indent)
    if not comps:
        src += indent + "public record " + simple + "() {\n"
    else:
        src += indent + "public record " + simple + "(\n"
        src += ",\n".join(indent + "        " + c for _, c in comps) + ") {\n"
    body = []
    # Compact constructor: immutable collections, at most one alternative of each oneof.
    ctor = []
    for f in msg.fields.values():
        if f.java_type.startswith("List<"):
            ctor.append("%s = %s == null ? null : List.copyOf(%s);" % (f.java_name, f.java_name, f.java_name))
        elif f.java_type.startswith("Map<"):
            ctor.append("%s = Values.immutableMap(%s);" % (f.java_name, f.java_name))
        elif f.java_type == "Object":
            ctor.append("%s = Values.immutableValue(%s);" % (f.java_name, f.java_name))
    for group in msg.oneofs:
        java_names = [msg.fields[g].java_name for g in group]
        ctor.append(
            "Oneof.atMostOne(%s);"
            % ", ".join(['"' + ", ".join(group) + '"'] + java_names)
        )
    if ctor:
        body.append(indent + "    public " + simple + " {\n" + "".join(indent + "        " + c + "\n" for c in ctor) + indent + "    }\n")
    # Defaults: enum zero values and Istio's documented defaults.
    for f in msg.fields.values():
        default = None
        jt = simple_java(f.java_type, current_pkg)
        if f.java_type in enums:
            default = jt + "." + enum_java_constant(enums[f.java_type][0])
        elif (msg.name, f.json_name) in DEFAULTS:
            default = DEFAULTS[(msg.name, f.json_name)]
        elif f.java_type.startswith("List<"):
            default = "List.of()"
        elif f.java_type.startswith("Map<"):
            default = "Map.of()"
        elif f.java_type == "Boolean":
            default = "false"
        if default is None:
            continue
        mname = f.java_name.rstrip("_") + "OrDefault"
        what = "Istio's default" if not (f.java_type.startswith("List<") or f.java_type.startswith("Map<")) else "empty"
        body.append(
            indent
            + "    /** {@code %s}, or %s when unset. */\n" % (f.json_name, what)
            + indent
            + "    public %s %s() {\n" % (jt, mname)
            + indent
            + "        return %s != null ? %s : %s;\n" % (f.java_name, f.java_name, default)
            + indent
            + "    }\n"
        )
    for child in children:
        body.append(child)
    src += "\n".join(body)
    src += indent + "}\n"
    return src


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: gen-istio-model.py crd-all.gen.yaml")
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
    schema_out = OrderedDict()
    for d in docs:
        kind = d["spec"]["names"]["kind"]
        if kind not in KINDS:
            continue
        group = d["spec"]["group"]
        versions = d["spec"]["versions"]
        spec = versions[0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        for v in versions[1:]:
            if strip(v["schema"]) != strip(versions[0]["schema"]):
                raise SystemExit(kind + ": versions differ; the model assumes one schema per kind")
        collect(kind, [], spec)
        compact = strip(spec)
        mark_durations(compact)
        schema_out[kind] = OrderedDict(
            [
                ("group", group),
                ("versions", [v["name"] for v in versions]),
                ("javaType", BASE_PKG + "." + KINDS[kind] + "." + kind),
                ("specRequired", "spec" in (versions[0]["schema"]["openAPIV3Schema"].get("required") or [])),
                ("spec", compact),
            ]
        )
    os.makedirs(os.path.dirname(SCHEMA_OUT), exist_ok=True)
    with open(SCHEMA_OUT, "w") as f:
        json.dump(schema_out, f, separators=(",", ":"))
        f.write("\n")

    # Group messages and enums into files by top-level name.
    files = OrderedDict()
    for key, msg in messages.items():
        top = msg.name.split(".")[0]
        files.setdefault((msg.pkg, top), None)
    for key in enums:
        pkg, name = key.split(":")
        files.setdefault((pkg, name.split(".")[0]), None)

    def children_of(pkg, name):
        out = []
        for k, m in messages.items():
            if m.pkg == pkg and m.name.rsplit(".", 1)[0] == name and "." in m.name:
                out.append(("msg", m))
        for k, values in enums.items():
            p, n = k.split(":")
            if p == pkg and "." in n and n.rsplit(".", 1)[0] == name:
                out.append(("enum", (n.split(".")[-1], values)))
        return out

    def render(pkg, name, indent):
        msg = messages.get(pkg + ":" + name)
        kids = [
            render(pkg, c.name, indent + "    ") if t == "msg" else render_enum(c[0], c[1], indent + "    ")
            for t, c in children_of(pkg, name)
        ]
        if msg is None:
            return render_enum(name.split(".")[-1], enums[pkg + ":" + name], indent)
        return render_message(msg, kids, indent, pkg)

    for pkg in sorted({p for p, _ in files}):
        d = os.path.join(JAVA_ROOT, pkg)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.endswith(".java") and f != "package-info.java":
                os.remove(os.path.join(d, f))
    for (pkg, top) in files:
        body = render(pkg, top, "")
        imports = ["import dev.trellis.api.codec.Oneof;", "import dev.trellis.api.codec.Wire;",
                   "import dev.trellis.api.model.Duration;", "import dev.trellis.api.model.IntOrString;",
                   "import dev.trellis.api.model.Values;", "import java.util.List;", "import java.util.Map;"]
        used = [i for i in imports if re.search(r"\b" + i.split(".")[-1].rstrip(";") + r"\b", body)]
        src = (
            "// Generated by tools/gen-istio-model.py from Istio's CRD schema. Do not edit; re-run the generator.\n"
            "package %s.%s;\n\n" % (BASE_PKG, pkg)
            + "\n".join(used)
            + ("\n\n" if used else "")
            + body
        )
        with open(os.path.join(JAVA_ROOT, pkg, top + ".java"), "w") as f:
            f.write(src)
    print("%d messages, %d enums, %d files" % (len(messages), len(enums), len(files)))


if __name__ == "__main__":
    main()

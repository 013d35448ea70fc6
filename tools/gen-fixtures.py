#!/usr/bin/env python3
"""Drafts the api module's "every field" test fixtures from the schema the api module ships.

Dev-only: never run by the build or the tests; its output was reviewed and edited by hand and is checked in under
api/src/test/resources/fixtures/valid/. Usage: tools/gen-fixtures.py [OUT_DIR]

Each kind gets several documents: document i takes alternative i of every oneof (and of every "at most one of"
CEL rule), so that together they set every field of the kind.
"""
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "api/src/main/resources/dev/trellis/api/schema/istio-schema.json")

AT_MOST_ONE = re.compile(r"^(\(has\(self\.(\w+)\) \? 1 : 0\)( \+ )?)+ <= 1$")

STRINGS = {
    "host": "reviews.bookinfo.svc.cluster.local",
    "hosts": "reviews.bookinfo.svc.cluster.local",
    "address": "10.0.0.12",
    "addresses": "240.240.0.1",
    "network": "network-1",
    "locality": "us-west1/zone-a",
    "serviceAccount": "bookinfo-reviews",
    "subset": "v1",
    "name": "http",
    "namespace": "",
    "gateways": "bookinfo/bookinfo-gateway",
    "exportTo": ".",
    "sniHosts": "reviews.bookinfo.svc.cluster.local",
    "prefix": "/api",
    "exact": "/login",
    "regex": "^/users/[0-9]+$",
    "uri": "/v2/api",
    "authority": "reviews.bookinfo.com",
    "issuer": "https://accounts.example.com",
    "jwksUri": "https://accounts.example.com/.well-known/jwks.json",
    "jwks_uri": "https://accounts.example.com/.well-known/jwks.json",
    "jwks": '{"keys":[]}',
    "credentialName": "bookinfo-cert",
    "credentialNames": "bookinfo-cert",
    "caCertificates": "/etc/certs/root-cert.pem",
    "privateKey": "/etc/certs/key.pem",
    "serverCertificate": "/etc/certs/cert.pem",
    "clientCertificate": "/etc/certs/cert.pem",
    "caCrl": "/etc/certs/crl.pem",
    "sni": "reviews.bookinfo.svc.cluster.local",
    "subjectAltNames": "spiffe://cluster.local/ns/bookinfo/sa/reviews",
    "principals": "cluster.local/ns/bookinfo/sa/productpage",
    "requestPrincipals": "https://accounts.example.com/*",
    "namespaces": "bookinfo",
    "ipBlocks": "10.0.0.0/16",
    "remoteIpBlocks": "203.0.113.0/24",
    "methods": "GET",
    "paths": "/api/*",
    "ports": "8080",
    "key": "request.headers[x-user]",
    "values": "alice",
    "bind": "0.0.0.0",
    "defaultEndpoint": "127.0.0.1:8080",
    "expression": "response.code >= 400",
    "value": "v1",
    "retryOn": "5xx,connect-failure",
    "cipherSuites": "ECDHE-RSA-AES128-GCM-SHA256",
    "ecdhCurves": "X25519",
    "verifyCertificateHash": "f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100",
    "verifyCertificateSpki": "bWFkZS11cCBzcGtpIGhhc2g=",
    "bytes": "aGVsbG8=",
    "string": "{\"status\": \"ok\"}",
    "group": "gateway.networking.k8s.io",
    "kind": "Gateway",
    "header": "x-user",
    "claim": "sub",
    "trustDomains": "cluster.local",
    "serviceAccounts": "bookinfo/productpage",
    "audiences": "bookinfo",
    "path": "/healthz",
    "service": "grpc.health.v1.Health",
    "command": "/bin/health-check",
    "targetHost": "proxy.example.com",
    "metricNamesForComputingUtilization": "named_metrics.cpu",
    "failoverPriority": "topology.kubernetes.io/region",
    "from": "us-west1/*",
    "to": "us-east1",
    "literal": "v1",
    "defaultValue": "unknown",
    "customMetric": "custom_requests",
    "statPrefix": "login",
    "sourceNamespace": "bookinfo",
    "sourceSubnet": "10.1.0.0/16",
    "destinationSubnets": "10.2.0.0/16",
    "allowOrigin": "https://bookinfo.com",
    "allowMethods": "GET",
    "allowHeaders": "x-user",
    "exposeHeaders": "x-request-id",
    "remove": "x-internal",
    "fromCookies": "session",
    "fromParams": "token",
    "outputPayloadToHeader": "x-jwt-payload",
    "spaceDelimitedClaims": "scope",
    "filter": "response.code >= 400",
}

DURATIONS = {"maxAge": "24h", "timeout": "10s", "perTryTimeout": "2s", "interval": "30s", "baseEjectionTime": "30s", "ttl": "1h"}


class Gen:
    def __init__(self, variant):
        self.variant = variant

    def value(self, name, s, path):
        t = s.get("type")
        if s.get("x-trellis-duration"):
            return DURATIONS.get(name, "1.5s")
        if "enum" in s:
            values = s["enum"]
            if name == "resolution":
                return "STATIC"
            if name == "operation":
                return "UPSERT"
            if name == "mode" and "ISTIO_MUTUAL" in values and "PASSTHROUGH" not in values:
                return values[(self.variant + 3) % len(values)]
            return values[self.variant % len(values)]
        if t == "string":
            if s.get("format") == "byte":
                return "aGVsbG8="
            if name in ("group",):
                return "gateway.networking.k8s.io"
            if name in ("namespace",) and "targetRef" in path:
                return ""
            if name == "namespace":
                return "bookinfo"
            if name == "scheme" and "httpGet" in path:
                return "HTTPS"
            if name == "scheme":
                return "https"
            if name == "protocol":
                return "CONNECT" if "tunnel" in path else "HTTP"
            if name == "grpcStatus":
                return "UNAVAILABLE"
            if name.startswith("not") and name[3:4].isupper():
                positive = name[3].lower() + name[4:]
                if positive in STRINGS:
                    return STRINGS[positive]
            return STRINGS.get(name, name + "-value")
        if t == "integer":
            lo = s.get("minimum", 0)
            if name in ("number", "port", "targetPort", "portNumber"):
                return 9080 + self.variant
            if name in ("httpStatus", "status", "redirectCode"):
                return 503 if name != "redirectCode" else 301
            if name == "grpcStatus":
                return "UNAVAILABLE"
            return max(lo, 3)
        if t == "number":
            return 12.5
        if t == "boolean":
            return True
        if t == "array":
            if name == "outlierDetectionHttpErrorCodes":
                return [500, 503]
            return [self.value(name, s["items"], path + "[]")]
        if t == "object":
            if "properties" not in s:
                ap = s.get("additionalProperties")
                if ap is None:
                    return {"key": "value"}
                if name in ("portLevelMtls",):
                    return {"8080": self.value("mtls", ap, path + "{}")}
                if name in ("ports",):
                    return {"http": 8080}
                if name in ("headers", "queryParams", "withoutHeaders"):
                    return {"x-user": self.value(name, ap, path + "{}")}
                if name == "to":
                    return {"us-west1/zone-a/*": 80, "us-west1/zone-b/*": 20}
                if name == "tagOverrides":
                    return {"request_protocol": self.value(name, ap, path + "{}")}
                if name == "customTags":
                    return {"tag": self.value(name, ap, path + "{}")}
                if ap.get("type") == "string":
                    return {"app": "reviews"} if "abel" in name or name == "selector" else {"x-user": "alice"}
                return {"item": self.value(name, ap, path + "{}")}
            return self.obj(s, path)
        return "value"

    def obj(self, s, path):
        props = s["properties"]
        skip = set()
        groups = [list(g) for g in s.get("x-trellis-oneof", [])]
        for r in s.get("x-kubernetes-validations", []):
            if AT_MOST_ONE.match(r["rule"]):
                groups.append(re.findall(r"has\(self\.(\w+)\)", r["rule"]))
        merged = []  # groups sharing a field become one group, so the choices never conflict
        for g in groups:
            for m in [m for m in merged if set(m) & set(g)]:
                merged.remove(m)
                g = m + [x for x in g if x not in m]
            merged.append(g)
        for g in merged:
            key = path + ":" + ",".join(g)
            counts = USAGE.setdefault(key, [0] * len(g))
            pick = counts.index(min(counts))
            counts[pick] += 1
            skip.update(x for i, x in enumerate(g) if i != pick)
        # Istio's semantic rules (beyond the schema) that make fields exclude each other:
        exclusive = []
        if path.endswith("http[]") and "delegate" in props:
            exclusive.append(["route", "redirect", "directResponse", "delegate"])
        if "tunnel" in props and "proxyProtocol" in props:
            exclusive.append(["tunnel", "proxyProtocol"])
        if "uriRegexRewrite" in props:
            exclusive.append(["uri", "uriRegexRewrite"])
        if "provider" in props and "action" in props and self.variant != 0:
            skip.add("provider")
        for g in exclusive:
            skip.update(x for i, x in enumerate(g) if i != self.variant % len(g))
        if "serviceAccounts" in props:  # CEL: serviceAccounts exclude principals and namespaces
            if self.variant % 2 == 0:
                skip.update(["serviceAccounts", "notServiceAccounts"])
            else:
                skip.update(["principals", "notPrincipals", "namespaces", "notNamespaces"])
        out = {}
        for k, v in props.items():
            if k in skip:
                continue
            out[k] = self.value(k, v, path + "." + k)
        if "provider" in out and "action" in out:
            out["action"] = "CUSTOM"
        return out


# (object path, oneof group) -> how often each alternative was chosen; alternatives are chosen least-used first.
USAGE = {}


def main():
    schemas = json.load(open(SCHEMA))
    docs = []
    for kind, ks in schemas.items():
        USAGE.clear()
        i = 0
        while i < 2 or (i < 16 and any(0 in c for c in USAGE.values())):
            spec = Gen(i).obj(ks["spec"], kind)
            docs.append(
                {
                    "apiVersion": ks["group"] + "/" + ks["versions"][i % len(ks["versions"])],
                    "kind": kind,
                    "metadata": {"name": kind.lower() + "-" + str(i + 1), "namespace": "bookinfo"},
                    "spec": spec,
                }
            )
            i += 1
    out_dir = sys.argv[1] if len(sys.argv) > 1 else None
    if out_dir is None:
        yaml.safe_dump_all(docs, sys.stdout, sort_keys=False, width=120)
        return
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    for kind, ds in by_kind.items():
        with open(os.path.join(out_dir, kind + ".yaml"), "w") as f:
            f.write("# Every field of %s, spread over several resources (oneof alternatives exclude each other).\n" % kind)
            f.write("# Drafted by tools/gen-fixtures.py, then reviewed; the tests check that no field is missing.\n")
            f.write("# Schema-valid; not meant to pass every semantic rule (some fields exclude each other there).\n")
            yaml.safe_dump_all(ds, f, sort_keys=False, width=120)


if __name__ == "__main__":
    main()

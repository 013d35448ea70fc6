package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Checks.q;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.Gateway;
import dev.trellis.api.model.networking.Port;
import dev.trellis.api.model.networking.Server;
import dev.trellis.api.model.networking.ServerTLSSettings;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio's Gateway rules ({@code ValidateGateway}): the name, servers (hosts in {@code namespace/dnsName} form, port,
 * bind address, TLS mode and the certificate fields each mode needs), unique port names.
 */
public final class GatewayRule implements Validator<Gateway> {

    @Override
    public Class<Gateway> specType() {
        return Gateway.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<Gateway> resource) {
        Report r = new Report(resource);
        Gateway gw = resource.spec();
        if (resource.name() != null && !Checks.isDns1123Label(resource.name())) {
            r.error("metadata.name", "invalid gateway name: " + q(resource.name()));
        }
        List<Server> servers = gw.servers() == null ? List.of() : gw.servers();
        if (servers.isEmpty()) {
            r.error("spec", "gateway must have at least one server");
        }
        Set<String> portNames = new HashSet<>();
        for (int n = 0; n < servers.size(); n++) {
            Server s = servers.get(n);
            String at = i("spec.servers", n);
            if (s == null) {
                r.error(at, "server may not be nil");
                continue;
            }
            server(r, at, s);
            if (s.port() != null) {
                String name = s.port().name() == null ? "" : s.port().name();
                if (!portNames.add(name)) {
                    r.error(f(at, "port.name"), "port names in servers must be unique: duplicate name " + name);
                }
                if (!Checks.isHttp(s.port().protocol())
                        && s.tls() != null
                        && Boolean.TRUE.equals(s.tls().httpsRedirect())) {
                    r.warning(f(at, "tls.httpsRedirect"), "tls.httpsRedirect should only be used with http servers");
                }
            }
        }
        return r.list();
    }

    private static void server(Report r, String path, Server s) {
        if (isEmpty(s.hosts())) {
            r.error(f(path, "hosts"), "server config must contain at least one host");
        } else {
            for (int n = 0; n < s.hosts().size(); n++) {
                for (String e : namespaceSlashHost(s.hosts().get(n), true)) {
                    r.error(i(f(path, "hosts"), n), e);
                }
            }
        }
        boolean portOk = serverPort(r, f(path, "port"), s.port(), s.bind());
        String bind = s.bind() == null ? "" : s.bind();
        if (bind.startsWith("unix://")) {
            r.error(f(path, "bind"), Checks.unixAddress(bind.substring("unix://".length())));
            if (s.port() != null && s.port().number() != null && s.port().number() != 0) {
                r.error(
                        f(path, "port.number"),
                        "port number must be 0 for unix domain socket: "
                                + s.port().number());
            }
        } else if (!bind.isEmpty()) {
            r.error(f(path, "bind"), Checks.ipAddress(bind));
        }
        tlsOptions(r, f(path, "tls"), s.tls());
        if (portOk) {
            String protocol = s.port().protocol();
            if (Checks.isTls(protocol) && s.tls() == null) {
                r.error(path, "server must have TLS settings for HTTPS/TLS protocols");
            } else if (!Checks.isTls(protocol) && s.tls() != null) {
                if (Checks.isHttp(protocol)) {
                    ServerTLSSettings t = s.tls();
                    // mode unset means PASSTHROUGH: a plain HTTP server may only say "redirect to HTTPS"
                    boolean passThrough = t.mode() == null
                            || t.mode() == ServerTLSSettings.TLSmode.PASSTHROUGH
                            || t.mode() == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH;
                    if (!passThrough
                            || !isEmpty(t.caCertificates())
                            || !isEmpty(t.privateKey())
                            || !isEmpty(t.serverCertificate())) {
                        r.error(f(path, "tls"), "server cannot have TLS settings for plain text HTTP ports");
                    }
                } else {
                    r.error(f(path, "tls"), "server cannot have TLS settings for non HTTPS/TLS ports");
                }
            }
        }
    }

    private static boolean serverPort(Report r, String path, Port port, String bind) {
        if (port == null) {
            r.error(path, "port is required");
            return false;
        }
        boolean ok = true;
        if (Checks.protocol(port.protocol()) == null) {
            r.error(
                    f(path, "protocol"),
                    "invalid protocol " + q(port.protocol())
                            + ", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
            ok = false;
        }
        long number = port.number() == null ? 0 : port.number();
        if (number > 0 || bind == null || !bind.startsWith("unix://")) {
            String err = Checks.port(number);
            r.error(f(path, "number"), err);
            ok &= err == null;
        }
        if (port.targetPort() != null && port.targetPort() > 0) {
            r.error(f(path, "targetPort"), "targetPort has no impact on Gateways");
            ok = false;
        }
        if (isEmpty(port.name())) {
            r.error(f(path, "name"), "port name must be set");
            ok = false;
        }
        return ok;
    }

    /**
     * Istio's {@code ValidateNamespaceSlashWildcardHostname}: {@code ns/host} (a Gateway also accepts a plain host),
     * where ns is {@code *}, {@code .}, ({@code ~} in a Sidecar) or a DNS label and host is {@code *} or an FQDN with
     * an optional leading wildcard.
     */
    static List<String> namespaceSlashHost(String hostname, boolean gateway) {
        List<String> errs = new java.util.ArrayList<>();
        int slash = hostname.indexOf('/');
        if (slash < 0) {
            if (gateway) {
                hostPart(errs, hostname, true);
            } else {
                errs.add("host must be of form namespace/dnsName");
            }
            return errs;
        }
        String ns = hostname.substring(0, slash);
        String host = hostname.substring(slash + 1);
        if (ns.isEmpty() || host.isEmpty()) {
            errs.add("config namespace and dnsName in host entry cannot be empty");
        }
        if (!ns.equals("*") && !ns.equals(".") && !(ns.equals("~") && !gateway) && !Checks.isDns1123Label(ns)) {
            errs.add("invalid namespace value " + q(ns) + " in " + (gateway ? "gateway" : "sidecar"));
        }
        hostPart(errs, host, gateway);
        return errs;
    }

    private static void hostPart(List<String> errs, String host, boolean gateway) {
        if (!host.equals("*") && !host.contains(".")) {
            errs.add("short names (non FQDN) are not allowed");
        }
        String err = Checks.wildcardDomain(host);
        if (err != null) {
            if (!gateway) {
                errs.add(err);
            } else if (!Checks.isIp(host)) {
                errs.add(err);
            }
        }
        if (host.contains("*") && host.length() != 1 && !host.startsWith("*.")) {
            errs.add("partial wildcard " + q(host) + " not allowed");
        }
    }

    private static final Set<String> CIPHERS = Set.of(
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305",
            "ECDHE-ECDSA-AES128-SHA",
            "ECDHE-RSA-AES128-SHA",
            "ECDHE-ECDSA-AES256-SHA",
            "ECDHE-RSA-AES256-SHA",
            "AES128-GCM-SHA256",
            "AES256-GCM-SHA384",
            "AES128-SHA",
            "AES256-SHA",
            "DES-CBC3-SHA");

    /** Istio's {@code validateTLSOptions} for server (downstream) TLS. */
    static void tlsOptions(Report r, String path, ServerTLSSettings tls) {
        if (tls == null) {
            return;
        }
        if ((tls.minProtocolVersion() == ServerTLSSettings.TLSProtocol.TLSV1_0
                        || tls.minProtocolVersion() == ServerTLSSettings.TLSProtocol.TLSV1_1)
                && isEmpty(tls.cipherSuites())) {
            r.warning(
                    f(path, "minProtocolVersion"),
                    "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include "
                            + "compatible ciphers.");
        }
        if (tls.cipherSuites() != null) {
            Set<String> invalid = new TreeSet<>();
            Set<String> valid = new HashSet<>();
            Set<String> dup = new TreeSet<>();
            for (String cs : tls.cipherSuites()) {
                boolean ok = cs.isEmpty()
                        || cs.equals("ALL")
                        || !Character.isLetterOrDigit(cs.charAt(0))
                        || CIPHERS.contains(cs);
                if (!ok) {
                    invalid.add(cs);
                } else if (!valid.add(cs)) {
                    dup.add(cs);
                }
            }
            if (!invalid.isEmpty()) {
                r.warning(
                        f(path, "cipherSuites"),
                        "ignoring invalid cipher suites: " + invalid.toString().replace(",", ""));
            }
            if (!dup.isEmpty()) {
                r.warning(
                        f(path, "cipherSuites"),
                        "ignoring duplicate cipher suites: " + dup.toString().replace(",", ""));
            }
        }
        ServerTLSSettings.TLSmode mode = tls.mode() == null ? ServerTLSSettings.TLSmode.PASSTHROUGH : tls.mode();
        if (mode == ServerTLSSettings.TLSmode.ISTIO_MUTUAL) {
            if (!isEmpty(tls.serverCertificate())) {
                r.error(f(path, "serverCertificate"), "ISTIO_MUTUAL TLS cannot have associated server certificate");
            }
            if (!isEmpty(tls.privateKey())) {
                r.error(f(path, "privateKey"), "ISTIO_MUTUAL TLS cannot have associated private key");
            }
            if (!isEmpty(tls.caCertificates())) {
                r.error(f(path, "caCertificates"), "ISTIO_MUTUAL TLS cannot have associated CA bundle");
            }
            if (!isEmpty(tls.credentialName())) {
                r.error(f(path, "credentialName"), "ISTIO_MUTUAL TLS cannot have associated credentialName");
            }
            return;
        }
        if ((mode == ServerTLSSettings.TLSmode.PASSTHROUGH || mode == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH)
                && (!isEmpty(tls.caCrl())
                        || !isEmpty(tls.serverCertificate())
                        || !isEmpty(tls.privateKey())
                        || !isEmpty(tls.caCertificates())
                        || !isEmpty(tls.credentialName()))) {
            r.warning(path, mode + " mode does not use certificates, they will be ignored");
        }
        boolean credentials =
                !isEmpty(tls.credentialName()) || !isEmpty(tls.credentialNames()) || !isEmpty(tls.tlsCertificates());
        boolean simple = mode == ServerTLSSettings.TLSmode.SIMPLE;
        boolean mutual = mode == ServerTLSSettings.TLSmode.MUTUAL || mode == ServerTLSSettings.TLSmode.OPTIONAL_MUTUAL;
        if ((simple || mutual) && credentials) {
            // certificates come from the credential (a Kubernetes secret) or the inline list
            return;
        }
        if (simple) {
            if (isEmpty(tls.serverCertificate())) {
                r.error(f(path, "serverCertificate"), "SIMPLE TLS requires a server certificate");
            }
            if (isEmpty(tls.privateKey())) {
                r.error(f(path, "privateKey"), "SIMPLE TLS requires a private key");
            }
        } else if (mutual) {
            if (isEmpty(tls.serverCertificate())) {
                r.error(f(path, "serverCertificate"), "MUTUAL TLS requires a server certificate");
            }
            if (isEmpty(tls.privateKey())) {
                r.error(f(path, "privateKey"), "MUTUAL TLS requires a private key");
            }
            if (isEmpty(tls.caCertificates())) {
                r.error(f(path, "caCertificates"), "MUTUAL TLS requires a client CA bundle");
            }
        }
        if (!isEmpty(tls.caCrl())) {
            if (!isEmpty(tls.credentialName())) {
                r.error(
                        f(path, "caCrl"),
                        "CRL is not supported with credentialName. CRL has to be specified in the credential");
            }
            if (simple) {
                r.error(f(path, "caCrl"), "CRL is not supported with SIMPLE TLS");
            }
        }
    }
}

package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.ClientTLSSettings;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.TrafficPolicy;
import java.util.List;

/**
 * IST0128 and IST0129: a DestinationRule whose traffic policy (IST0128) or a port-level setting (IST0129) originates
 * TLS in mode SIMPLE or MUTUAL without {@code caCertificates}, so the server's certificate is not verified. Like
 * istioctl, only {@code caCertificates} counts (a {@code credentialName} is not looked into).
 */
final class CaCertificateAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "destinationrule.CaCertificateAnalyzer";
    }

    @Override
    public String description() {
        return "Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        for (Resource<DestinationRule> r : ctx.all(DestinationRule.class)) {
            String ns = ctx.namespace(r);
            TrafficPolicy tp = r.spec().trafficPolicy();
            if (tp == null) {
                continue;
            }
            ClientTLSSettings tls = tp.tls();
            if (unverified(tls)) {
                ctx.report(
                        MessageType.NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL,
                        r,
                        "spec.trafficPolicy.tls.mode",
                        ns + "/" + r.name(),
                        ns,
                        tls.mode().name(),
                        r.spec().host());
            }
            List<TrafficPolicy.PortTrafficPolicy> ports =
                    tp.portLevelSettings() == null ? List.of() : tp.portLevelSettings();
            for (int i = 0; i < ports.size(); i++) {
                TrafficPolicy.PortTrafficPolicy p = ports.get(i);
                if (unverified(p.tls())) {
                    ctx.report(
                            MessageType.NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL,
                            r,
                            "spec.trafficPolicy.portLevelSettings[" + i + "].tls.mode",
                            ns + "/" + r.name(),
                            ns,
                            p.tls().mode().name(),
                            r.spec().host(),
                            p.port() == null || p.port().number() == null
                                    ? ""
                                    : "number:" + p.port().number());
                }
            }
        }
    }

    private static boolean unverified(ClientTLSSettings tls) {
        return tls != null
                && (tls.mode() == ClientTLSSettings.TLSmode.SIMPLE || tls.mode() == ClientTLSSettings.TLSmode.MUTUAL)
                && (tls.caCertificates() == null || tls.caCertificates().isEmpty());
    }
}

package dev.trellis.api.analyze;

import dev.trellis.api.validation.Severity;
import java.util.List;

/**
 * One kind of analyzer message, from Istio's catalog ({@code pkg/config/analysis/msg/messages.yaml}): its name, code,
 * level and template. The template uses Go's verbs as Istio writes them ({@code %s}, {@code %q}, {@code %d},
 * {@code %v}); {@link #format} renders them.
 */
public record MessageType(String name, String code, Severity level, String template) {

    public static final MessageType INTERNAL_ERROR =
            new MessageType("InternalError", "IST0001", Severity.ERROR, "Internal error: %v");
    public static final MessageType REFERENCED_RESOURCE_NOT_FOUND =
            new MessageType("ReferencedResourceNotFound", "IST0101", Severity.ERROR, "Referenced %s not found: %q");
    public static final MessageType SCHEMA_VALIDATION_ERROR =
            new MessageType("SchemaValidationError", "IST0106", Severity.ERROR, "Schema validation error: %v");
    public static final MessageType CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS = new MessageType(
            "ConflictingMeshGatewayVirtualServiceHosts",
            "IST0109",
            Severity.ERROR,
            "The VirtualServices %s associated with mesh gateway define the same host %s which can lead to undefined "
                    + "behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.");
    public static final MessageType VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED = new MessageType(
            "VirtualServiceDestinationPortSelectorRequired",
            "IST0112",
            Severity.ERROR,
            "This VirtualService routes to a service %q that exposes multiple ports %v. Specifying a port in the "
                    + "destination is required to disambiguate.");
    public static final MessageType PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION = new MessageType(
            "PortNameIsNotUnderNamingConvention",
            "IST0118",
            Severity.INFO,
            "Port name %s (port: %d, targetPort: %s) doesn't follow the naming convention of Istio port.");
    public static final MessageType NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL = new MessageType(
            "NoServerCertificateVerificationDestinationLevel",
            "IST0128",
            Severity.WARNING,
            "DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate "
                    + "server identity for host: %s");
    public static final MessageType NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL = new MessageType(
            "NoServerCertificateVerificationPortLevel",
            "IST0129",
            Severity.WARNING,
            "DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate "
                    + "server identity for host: %s at port %s");
    public static final MessageType VIRTUAL_SERVICE_UNREACHABLE_RULE = new MessageType(
            "VirtualServiceUnreachableRule", "IST0130", Severity.WARNING, "VirtualService rule %v not used (%s).");
    public static final MessageType VIRTUAL_SERVICE_INEFFECTIVE_MATCH = new MessageType(
            "VirtualServiceIneffectiveMatch",
            "IST0131",
            Severity.INFO,
            "VirtualService rule %v match %v is not used (duplicate/overlapping match in rule %v).");
    public static final MessageType VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY = new MessageType(
            "VirtualServiceHostNotFoundInGateway",
            "IST0132",
            Severity.WARNING,
            "one or more host %v defined in VirtualService %s not found in Gateway %s.");
    public static final MessageType SCHEMA_WARNING =
            new MessageType("SchemaWarning", "IST0133", Severity.WARNING, "Schema validation warning: %v");
    public static final MessageType CONFLICTING_GATEWAYS = new MessageType(
            "ConflictingGateways",
            "IST0145",
            Severity.ERROR,
            "Conflict with gateways %s (workload selector %s, port %s, hosts %v).");
    public static final MessageType DESTINATION_RULE_SUBSET_NOT_SELECT_PODS = new MessageType(
            "DestinationRuleSubsetNotSelectPods",
            "IST0173",
            Severity.ERROR,
            "The Subset %s defined in the DestinationRule does not select any pods. Which may lead to 503 UH "
                    + "(NoHealthyUpstream).");
    public static final MessageType UNKNOWN_DESTINATION_RULE_HOST = new MessageType(
            "UnknownDestinationRuleHost",
            "IST0174",
            Severity.WARNING,
            "The host %s defined in the DestinationRule does not match any services in the mesh.");

    /** Every message type Trellis can report, in code order. */
    public static final List<MessageType> ALL = List.of(
            INTERNAL_ERROR,
            REFERENCED_RESOURCE_NOT_FOUND,
            SCHEMA_VALIDATION_ERROR,
            CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
            VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
            PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
            NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL,
            NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL,
            VIRTUAL_SERVICE_UNREACHABLE_RULE,
            VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
            VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY,
            SCHEMA_WARNING,
            CONFLICTING_GATEWAYS,
            DESTINATION_RULE_SUBSET_NOT_SELECT_PODS,
            UNKNOWN_DESTINATION_RULE_HOST);

    /** Renders the template with Go's formatting of each verb: {@code %q} quotes, {@code %v} of a list is {@code [a b]}. */
    public String format(Object... args) {
        StringBuilder sb = new StringBuilder();
        int arg = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 >= template.length()) {
                sb.append(c);
                continue;
            }
            char verb = template.charAt(++i);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            Object a = arg < args.length ? args[arg++] : "%!" + verb + "(MISSING)";
            switch (verb) {
                case 'q' -> sb.append(dev.trellis.api.validation.rules.Checks.q(String.valueOf(a)));
                case 'v' -> sb.append(a instanceof List<?> l ? goList(l) : String.valueOf(a));
                default -> sb.append(a);
            }
        }
        return sb.toString();
    }

    private static String goList(List<?> l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(l.get(i));
        }
        return sb.append(']').toString();
    }

    /** The documentation page istioctl links for this code. */
    public String documentationUrl() {
        return "https://istio.io/latest/docs/reference/config/analysis/" + code.toLowerCase(java.util.Locale.ROOT)
                + "/";
    }
}

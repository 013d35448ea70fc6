package dev.trellis.api.validation.rules;

import dev.trellis.api.validation.Validator;
import java.util.List;

/**
 * The registry of Istio's semantic validation rules (hosts, weights, regexes, durations, ports, ...): one entry per
 * rule class. {@link dev.trellis.api.validation.ConfigValidator} runs every entry whose spec type matches a resource.
 * Adding a rule is adding a class and one line here.
 */
public final class Rules {

    private Rules() {}

    public static final List<Validator<?>> ALL = List.of(
            new VirtualServiceRule(),
            new DestinationRuleRule(),
            new GatewayRule(),
            new ServiceEntryRule(),
            new WorkloadEntryRule(),
            new WorkloadGroupRule(),
            new SidecarRule(),
            new PeerAuthenticationRule(),
            new AuthorizationPolicyRule(),
            new RequestAuthenticationRule(),
            new TelemetryRule());
}

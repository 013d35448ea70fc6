package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.security.ClaimToHeader;
import dev.trellis.api.model.security.JWTHeader;
import dev.trellis.api.model.security.JWTRule;
import dev.trellis.api.model.security.RequestAuthentication;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * Istio's RequestAuthentication rules ({@code ValidateRequestAuthentication}): selector or target references, and
 * per JWT rule: an issuer, non-empty audiences and token locations, a {@code jwksUri} that is an http(s) URL, inline
 * {@code jwks} that parses as a JSON Web Key Set, at most one of them, {@code outputClaimToHeaders} with valid header
 * names, a timeout of at least 1ms.
 */
public final class RequestAuthenticationRule implements Validator<RequestAuthentication> {

    @Override
    public Class<RequestAuthentication> specType() {
        return RequestAuthentication.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<RequestAuthentication> resource) {
        Report r = new Report(resource);
        RequestAuthentication ra = resource.spec();
        Common.selectorOrTargets(r, ra.selector(), ra.targetRef(), ra.targetRefs());
        if (ra.jwtRules() != null) {
            for (int n = 0; n < ra.jwtRules().size(); n++) {
                jwtRule(r, i("spec.jwtRules", n), ra.jwtRules().get(n));
            }
        }
        return r.list();
    }

    private static void jwtRule(Report r, String path, JWTRule rule) {
        if (isEmpty(rule.issuer())) {
            r.error(f(path, "issuer"), "issuer must be set");
        }
        VirtualServiceRule.list(rule.audiences(), f(path, "audiences"), (at, a) -> {
            if (a.isEmpty()) {
                r.error(at, "audience must be non-empty string");
            }
        });
        String uri = !isEmpty(rule.jwksUri()) ? rule.jwksUri() : rule.jwksUriLegacy();
        String uriPath = !isEmpty(rule.jwksUri()) ? f(path, "jwksUri") : f(path, "jwks_uri");
        if (!isEmpty(uri)) {
            r.error(uriPath, jwksUri(uri));
        }
        if (!isEmpty(uri) && !isEmpty(rule.jwks())) {
            r.error(f(path, "jwks"), "only one of jwks or jwksUri can be set");
        }
        if (!isEmpty(rule.jwks())) {
            r.error(f(path, "jwks"), jwks(rule.jwks()));
        }
        if (rule.fromHeaders() != null) {
            for (int n = 0; n < rule.fromHeaders().size(); n++) {
                JWTHeader h = rule.fromHeaders().get(n);
                if (h == null || isEmpty(h.name())) {
                    r.error(i(f(path, "fromHeaders"), n) + ".name", "location header name must be non-empty string");
                }
            }
        }
        VirtualServiceRule.list(rule.fromParams(), f(path, "fromParams"), (at, p) -> {
            if (p.isEmpty()) {
                r.error(at, "location query must be non-empty string");
            }
        });
        VirtualServiceRule.list(rule.fromCookies(), f(path, "fromCookies"), (at, c) -> {
            if (c.isEmpty()) {
                r.error(at, "cookie name must be non-empty string");
            }
        });
        if (rule.outputClaimToHeaders() != null) {
            for (int n = 0; n < rule.outputClaimToHeaders().size(); n++) {
                ClaimToHeader c = rule.outputClaimToHeaders().get(n);
                String at = i(f(path, "outputClaimToHeaders"), n);
                if (isEmpty(c.claim()) || isEmpty(c.header())) {
                    r.error(at, "outputClaimToHeaders header and claim value must be non-empty string");
                    continue;
                }
                r.error(f(at, "header"), Checks.headerName(c.header()));
            }
        }
        if (rule.timeout() != null) {
            r.error(f(path, "timeout"), Checks.duration(rule.timeout()));
        }
    }

    /** Istio's {@code ParseJwksURI}: an http or https URL (with a numeric port when one is given). */
    static String jwksUri(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return "jwksUri " + Checks.q(uri) + " is not a valid URL: " + e.getReason();
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "URI scheme " + Checks.q(scheme) + " is not supported: jwksUri must start with http:// or https://";
        }
        if (u.getRawAuthority() == null || u.getHost() == null) {
            return "jwksUri " + Checks.q(uri) + " has no valid host";
        }
        return null;
    }

    /** A JSON Web Key Set: a JSON object with a {@code keys} array of objects that have a {@code kty}. */
    @SuppressWarnings("unchecked")
    static String jwks(String text) {
        Object parsed;
        try {
            parsed = new org.snakeyaml.engine.v2.api.Load(
                            org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(text);
        } catch (RuntimeException e) {
            return "jwks parse error: not valid JSON";
        }
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("keys") instanceof List<?> keys)) {
            return "jwks parse error: expected a JSON object with a \"keys\" array";
        }
        for (Object k : keys) {
            if (!(k instanceof Map<?, ?> key) || !(key.get("kty") instanceof String)) {
                return "jwks parse error: every key needs a \"kty\" field";
            }
        }
        return null;
    }
}

package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.telemetry.AccessLogging;
import dev.trellis.api.model.telemetry.Metrics;
import dev.trellis.api.model.telemetry.MetricsOverrides;
import dev.trellis.api.model.telemetry.ProviderRef;
import dev.trellis.api.model.telemetry.Telemetry;
import dev.trellis.api.model.telemetry.Tracing;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.List;

/**
 * Istio's Telemetry rules ({@code ValidateTelemetry}): selector or target references, provider names, sampling
 * percentage 0-100, custom tags, metric tag overrides (UPSERT needs a value, REMOVE has none).
 */
public final class TelemetryRule implements Validator<Telemetry> {

    @Override
    public Class<Telemetry> specType() {
        return Telemetry.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<Telemetry> resource) {
        Report r = new Report(resource);
        Telemetry t = resource.spec();
        Common.selectorOrTargets(r, t.selector(), t.targetRef(), t.targetRefs());
        List<Metrics> metrics = t.metrics() == null ? List.of() : t.metrics();
        for (int n = 0; n < metrics.size(); n++) {
            Metrics m = metrics.get(n);
            String at = i("spec.metrics", n);
            providers(r, f(at, "providers"), m.providers());
            if (m.overrides() != null) {
                for (int o = 0; o < m.overrides().size(); o++) {
                    MetricsOverrides mo = m.overrides().get(o);
                    String op = i(f(at, "overrides"), o);
                    if (mo.tagOverrides() != null) {
                        mo.tagOverrides().forEach((tag, to) -> {
                            String tp = Report.k(f(op, "tagOverrides"), tag);
                            if (tag.isEmpty()) {
                                r.warning(tp, "tagOverrides.name may not be empty");
                            }
                            if (to == null) {
                                r.error(tp, "tagOverrides may not be null");
                                return;
                            }
                            var operation = to.operation() == null
                                    ? MetricsOverrides.TagOverride.Operation.UPSERT
                                    : to.operation();
                            if (operation == MetricsOverrides.TagOverride.Operation.UPSERT && isEmpty(to.value())) {
                                r.error(f(tp, "value"), "tagOverrides.value must be set when operation is UPSERT");
                            }
                            if (operation == MetricsOverrides.TagOverride.Operation.REMOVE && !isEmpty(to.value())) {
                                r.error(f(tp, "value"), "tagOverrides.value may only be set when operation is UPSERT");
                            }
                        });
                    }
                    if (mo.match() != null
                            && mo.match().customMetric() != null
                            && mo.match().customMetric().isEmpty()) {
                        r.error(f(op, "match.customMetric"), "customMetric may not be empty");
                    }
                }
            }
        }
        List<Tracing> tracing = t.tracing() == null ? List.of() : t.tracing();
        if (tracing.size() > 1) {
            r.warning("spec.tracing", "multiple tracing is not currently supported");
        }
        for (int n = 0; n < tracing.size(); n++) {
            Tracing tr = tracing.get(n);
            String at = i("spec.tracing", n);
            if (tr.providers() != null && tr.providers().size() > 1) {
                r.warning(f(at, "providers"), "multiple providers is not currently supported");
            }
            providers(r, f(at, "providers"), tr.providers());
            if (tr.randomSamplingPercentage() != null
                    && (tr.randomSamplingPercentage() < 0 || tr.randomSamplingPercentage() > 100)) {
                r.error(f(at, "randomSamplingPercentage"), "randomSamplingPercentage must be in range [0.0, 100.0]");
            }
            if (tr.customTags() != null) {
                tr.customTags().forEach((name, tag) -> {
                    String tp = Report.k(f(at, "customTags"), name);
                    if (name.isEmpty()) {
                        r.error(tp, "tag name may not be empty");
                    }
                    if (tag == null) {
                        r.error(tp, "tag '" + name + "' may not have a nil value");
                        return;
                    }
                    if (tag.literal() != null && isEmpty(tag.literal().value())) {
                        r.error(f(tp, "literal.value"), "literal tag value may not be empty");
                    }
                    if (tag.header() != null && isEmpty(tag.header().name())) {
                        r.error(f(tp, "header.name"), "header tag name may not be empty");
                    }
                    if (tag.environment() != null && isEmpty(tag.environment().name())) {
                        r.error(f(tp, "environment.name"), "environment tag name may not be empty");
                    }
                });
            }
        }
        List<AccessLogging> logging = t.accessLogging() == null ? List.of() : t.accessLogging();
        for (int n = 0; n < logging.size(); n++) {
            AccessLogging l = logging.get(n);
            String at = i("spec.accessLogging", n);
            if (l.filter() != null && isEmpty(l.filter().expression())) {
                r.error(f(at, "filter.expression"), "access log filter expression may not be empty");
            }
            providers(r, f(at, "providers"), l.providers());
        }
        return r.list();
    }

    private static void providers(Report r, String path, List<ProviderRef> providers) {
        if (providers == null) {
            return;
        }
        for (int n = 0; n < providers.size(); n++) {
            if (providers.get(n) == null || isEmpty(providers.get(n).name())) {
                r.error(i(path, n) + ".name", "providers.name may not be empty");
                return;
            }
        }
    }
}

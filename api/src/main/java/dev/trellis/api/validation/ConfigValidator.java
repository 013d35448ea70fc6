package dev.trellis.api.validation;

import dev.trellis.api.model.Resource;
import dev.trellis.api.validation.rules.Rules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the registered semantic rules ({@link Rules#ALL}) over schema-valid resources. A rule that throws is a bug
 * in the rule; it is reported as an error on the resource rather than stopping validation.
 */
public final class ConfigValidator {

    private final Map<Class<?>, List<Validator<?>>> bySpec = new HashMap<>();

    public ConfigValidator(List<Validator<?>> validators) {
        for (Validator<?> v : validators) {
            bySpec.computeIfAbsent(v.specType(), k -> new ArrayList<>()).add(v);
        }
    }

    /** A validator with every rule in {@link Rules#ALL}. */
    public static ConfigValidator standard() {
        return new ConfigValidator(Rules.ALL);
    }

    public List<Diagnostic> validate(List<? extends Resource<?>> resources) {
        List<Diagnostic> out = new ArrayList<>();
        for (Resource<?> r : resources) {
            out.addAll(validate(r));
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<Diagnostic> validate(Resource<?> resource) {
        if (resource.spec() == null) {
            return List.of();
        }
        List<Validator<?>> rules = bySpec.get(resource.spec().getClass());
        if (rules == null) {
            return List.of();
        }
        List<Diagnostic> out = new ArrayList<>();
        for (Validator rule : rules) {
            try {
                out.addAll(rule.validate(resource));
            } catch (RuntimeException e) {
                out.add(Diagnostic.error(
                        resource,
                        "",
                        "internal error in rule " + rule.getClass().getSimpleName() + ": " + e));
            }
        }
        return out;
    }
}

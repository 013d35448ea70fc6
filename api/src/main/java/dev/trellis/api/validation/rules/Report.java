package dev.trellis.api.validation.rules;

import dev.trellis.api.model.Resource;
import dev.trellis.api.validation.Diagnostic;
import java.util.ArrayList;
import java.util.List;

/** Collects the diagnostics of one rule run over one resource. */
final class Report {

    private final Resource<?> resource;
    private final List<Diagnostic> out = new ArrayList<>();

    Report(Resource<?> resource) {
        this.resource = resource;
    }

    void error(String path, String message) {
        if (message != null) {
            out.add(Diagnostic.error(resource, path, message));
        }
    }

    void errors(String path, List<String> messages) {
        for (String m : messages) {
            error(path, m);
        }
    }

    void warning(String path, String message) {
        if (message != null) {
            out.add(Diagnostic.warning(resource, path, message));
        }
    }

    List<Diagnostic> list() {
        return out;
    }

    static String f(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    static String i(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** A map key in a path, as the loader writes it: {@code labels.app}, {@code labels["app.kubernetes.io/name"]}. */
    static String k(String parent, String key) {
        return dev.trellis.api.codec.FieldPaths.field(parent, key);
    }
}

package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Helpers for the resource envelope: namespaces, ordering, type filtering. */
public final class Resources {

    /** Istio's precedence among conflicting resources: oldest first, then namespace/name. */
    public static final Comparator<Resource<?>> PRECEDENCE = Comparator.comparing((Resource<?> r) ->
                    r.metadata().creationTimestamp() == null ? "" : r.metadata().creationTimestamp())
            .thenComparing(Resources::namespace)
            .thenComparing(r -> r.name() == null ? "" : r.name());

    private Resources() {}

    public static String namespace(Resource<?> r) {
        return r.namespace() == null || r.namespace().isEmpty() ? "default" : r.namespace();
    }

    /** {@code Kind namespace/name (file:line)} for messages. */
    public static String describe(Resource<?> r) {
        return r.kind() + " " + namespace(r) + "/" + r.name() + " ("
                + r.origin().file() + ":" + r.origin().line() + ")";
    }

    /** The resources whose spec is of {@code type}, in precedence order. */
    @SuppressWarnings("unchecked")
    public static <S> List<Resource<S>> ofType(List<Resource<?>> all, Class<S> type) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> r : all) {
            if (type.isInstance(r.spec())) {
                out.add((Resource<S>) r);
            }
        }
        out.sort(PRECEDENCE);
        return out;
    }

    /** Whether {@code exportTo} (Istio's list; empty means everywhere) lets {@code namespace} see a resource of {@code own}. */
    public static boolean exported(List<String> exportTo, String own, String namespace) {
        if (exportTo == null || exportTo.isEmpty()) {
            return true;
        }
        for (String to : exportTo) {
            if (to.equals("*") || to.equals(namespace) || (to.equals(".") && own.equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    /** Host matching with Istio's wildcards: {@code *.example.com} matches {@code a.example.com}; {@code *} all. */
    public static boolean hostMatches(String pattern, String host) {
        if (pattern.equals("*") || pattern.equals(host)) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1));
        }
        return false;
    }
}

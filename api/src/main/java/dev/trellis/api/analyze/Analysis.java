package dev.trellis.api.analyze;

import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.model.Resource;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs every analyzer over loaded configuration, the way {@code istioctl analyze --use-kube=false} does: resources
 * without a namespace are in the selected namespace ({@code default} unless told otherwise), schema and semantic
 * validation problems become IST0106/IST0133, and only messages about resources in the selected namespace are kept
 * (all of them with {@code allNamespaces}). Messages come back sorted as istioctl sorts them: by level, code,
 * resource, then text; duplicates removed.
 */
public final class Analysis {

    /** The analyzers Trellis runs, in the order {@code --list-analyzers} prints them (sorted by name). */
    public static final List<Analyzer> ALL = List.<Analyzer>of(
                    new CaCertificateAnalyzer(),
                    new ConflictingGatewayAnalyzer(),
                    new ConflictingMeshGatewayHostsAnalyzer(),
                    new DestinationHostAnalyzer(),
                    new DestinationRuleSubsetAnalyzer(),
                    new GatewayReferenceAnalyzer(),
                    new GatewaySelectorAnalyzer(),
                    new PortNameAnalyzer(),
                    new SubsetSelectionAnalyzer(),
                    new UnreachableRulesAnalyzer())
            .stream()
            .sorted(Comparator.comparing(Analyzer::name))
            .toList();

    private Analysis() {}

    /**
     * @param namespace the namespace of resources that name none, and the one whose messages are kept
     * @param allNamespaces keep messages of every namespace
     */
    public static List<Message> run(LoadResult loaded, String namespace, boolean allNamespaces) {
        return run(loaded, namespace, allNamespaces, ConfigValidator.standard(), ALL);
    }

    public static List<Message> run(
            LoadResult loaded,
            String namespace,
            boolean allNamespaces,
            ConfigValidator validator,
            List<Analyzer> analyzers) {
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        List<Resource<?>> resources = lastOfEachName(loaded.resources(), ns);
        AnalysisContext ctx = new AnalysisContext(resources, ns);
        for (Diagnostic d : loaded.diagnostics()) {
            schema(ctx, d, ns);
        }
        for (Resource<?> r : resources) {
            for (Diagnostic d : validator.validate(r)) {
                schema(ctx, d, ns);
            }
        }
        for (Analyzer a : analyzers) {
            try {
                a.analyze(ctx);
            } catch (RuntimeException e) {
                ctx.report(new Message(
                        MessageType.INTERNAL_ERROR,
                        null,
                        null,
                        null,
                        null,
                        MessageType.INTERNAL_ERROR.format("analyzer " + a.name() + " failed: " + e)));
            }
        }
        List<Message> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Message m : ctx.messages()) {
            if (!allNamespaces && m.kind() != null && !ns.equals(m.namespace())) {
                continue;
            }
            if (seen.add(m.format())) {
                out.add(m);
            }
        }
        out.sort(ORDER);
        return out;
    }

    /**
     * One resource per kind, namespace and name, the last one read winning, as when the files are applied in order
     * (and as istioctl's in-memory store keeps them): alternative versions of one resource do not conflict.
     */
    static List<Resource<?>> lastOfEachName(List<Resource<?>> resources, String defaultNs) {
        java.util.LinkedHashMap<String, Resource<?>> byName = new java.util.LinkedHashMap<>();
        for (Resource<?> r : resources) {
            String rns = r.namespace() == null || r.namespace().isEmpty() ? defaultNs : r.namespace();
            String key = r.kind() + "/" + rns + "/" + r.name();
            byName.remove(key);
            byName.put(key, r);
        }
        return new ArrayList<>(byName.values());
    }

    /** istioctl's order: Error, Warning, Info; then code; then resource; then the message and its place. */
    static final Comparator<Message> ORDER = Comparator.<Message>comparingInt(
                    m -> m.level().ordinal())
            .thenComparing(Message::code)
            .thenComparing(Message::resourceName)
            .thenComparing(Message::text)
            .thenComparing(Message::reference);

    private static void schema(AnalysisContext ctx, Diagnostic d, String defaultNs) {
        MessageType type =
                d.severity() == Severity.ERROR ? MessageType.SCHEMA_VALIDATION_ERROR : MessageType.SCHEMA_WARNING;
        String detail = d.fieldPath().isEmpty() ? d.message() : d.fieldPath() + ": " + d.message();
        String ns = d.namespace() == null || d.namespace().isEmpty() ? defaultNs : d.namespace();
        String kind = d.kind();
        ctx.report(new Message(type, kind, kind == null ? null : ns, d.name(), d.origin(), type.format(detail)));
    }
}
